#!/usr/bin/env python3
"""A fixed number of HTTP/1.1 requests over keep-alive connections, for measurements that need a
count rather than a duration (scripts/profile-requests: instructions per request).

Usage: fire.py intake|read|search PORT COUNT CONNECTIONS
  intake: POST /api/v1/dossiers spread over AGENCIES ("code=token,..."), as bench/intake.lua;
  read:   GET /api/v1/dossiers/{code} cycling through the codes in the file CODES, as TOKEN;
  search: GET /api/v1/procedures?limit=10&q=... with the queries of the file QUERIES in order,
          as bench/search-distinct.lua (from the file's end with WARM=1).
Prints the count of each status; exits 1 if any answer is not 2xx.
"""
import asyncio
import collections
import json
import os
import sys
import urllib.parse


def intake_requests(count):
    desks = [p.split("=", 1) for p in os.environ["AGENCIES"].split(",")]
    body_of = lambda code: json.dumps({
        "procedure": "1.001193", "agency": code, "channel": "counter",
        "applicant": {"name": "Lê Văn Cường", "id_number": "038090001234", "phone": "0912345678"},
    }, ensure_ascii=False).encode()
    for i in range(count):
        code, token = desks[(i + 1) % len(desks)]
        body = body_of(code)
        yield (b"POST /api/v1/dossiers HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
               b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)


def read_requests(count):
    codes = [c.strip() for c in open(os.environ["CODES"]) if c.strip()]
    token = os.environ["TOKEN"].encode()
    for i in range(count):
        yield (b"GET /api/v1/dossiers/" + codes[(i + 1) % len(codes)].encode()
               + b" HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + token + b"\r\n\r\n")


def search_requests(count):
    queries = [q.strip() for q in open(os.environ["QUERIES"], encoding="utf-8") if q.strip()]
    if os.environ.get("WARM"):  # a warm-up takes its queries from the end: none comes twice
        queries.reverse()
    for i in range(count):
        q = urllib.parse.quote(queries[i % len(queries)], safe="")
        yield (b"GET /api/v1/procedures?limit=10&q=" + q.encode()
               + b" HTTP/1.1\r\nHost: bench\r\n\r\n")


async def worker(port, queue, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while True:
        try:
            req = queue.popleft()
        except IndexError:
            break
        writer.write(req)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        statuses[status] += 1
    writer.close()


async def main():
    kind, port, count, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    make = {"intake": intake_requests, "read": read_requests, "search": search_requests}[kind]
    queue = collections.deque(make(count))
    statuses = collections.Counter()
    await asyncio.gather(*(worker(port, queue, statuses) for _ in range(conns)))
    print(" ".join(f"{s}:{n}" for s, n in sorted(statuses.items())))
    sys.exit(0 if all(200 <= s < 300 for s in statuses) else 1)


asyncio.run(main())
