#!/usr/bin/env python3
"""Distinct catalogue searches for the benchmarks (scripts/bench-search, scripts/profile-requests):
2-5 consecutive words of the real procedure names, with or without accents, some with a typo,
shuffled (seed 7), at most 300,000 of them, one a line, written to the file OUT.

Usage: search-queries.py OUT
"""
import gzip, json, random, sys, unicodedata
random.seed(7)
def fold(s):
    s = unicodedata.normalize("NFD", s).replace("\u0111", "d").replace("\u0110", "D")
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower()
def typo(w):
    if len(w) < 5: return w
    i = random.randrange(len(w) - 1)
    return w[:i] + w[i + 1] + w[i] + w[i + 2:]
out = set()
for part in ("part1", "part2"):
    for line in gzip.open(f"data/procedures-dvc-{part}.jsonl.gz", "rt", encoding="utf-8"):
        words = json.loads(line)["ten_thu_tuc"].replace(",", " ").split()
        for n in range(2, 6):
            for i in range(len(words) - n + 1):
                q = words[i:i + n]
                out.add(" ".join(q))
                out.add(fold(" ".join(q)))
                j = random.randrange(n)
                out.add(fold(" ".join(q[:j] + [typo(q[j])] + q[j + 1:])))
out = sorted(out)
random.shuffle(out)
with open(sys.argv[1], "w") as f:
    f.write("\n".join(out[:300000]) + "\n")
