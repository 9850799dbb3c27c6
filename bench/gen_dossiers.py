#!/usr/bin/env python3
"""Writes import files (JSON Lines, the `motcua dossiers import` format) of synthetic dossiers
for the queue benchmark: counter intakes spread over a province's receiving places and the
past year, most of them finished (returned), the rest open with appointments around today.

Usage: gen_dossiers.py OUT_DIR TOTAL PER_FILE AGENCY_CODE[,AGENCY_CODE...] OFFICER_UUID
(finished dossiers go through the department DEPARTMENT, default 000.00.02.H38)
"""
import datetime as dt
import json
import os
import random
import sys

out, total, per_file, agencies, officer = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5]
random.seed(7)
os.makedirs(out, exist_ok=True)
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Lan", "Long", "Mai", "Nam", "Nhung", "Sơn", "Thảo", "Tùng"]
today = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
actor = {"user": officer, "role": "receiving_officer"}
leader = {"user": officer, "role": "leader"}
department = os.environ.get("DEPARTMENT", "000.00.02.H38")
seq_of = {}
n = 0
file_no = 0
while n < total:
    path = os.path.join(out, f"dossiers-{file_no:03}.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(min(per_file, total - n)):
            agency = agencies[n % len(agencies)]
            # 96% received in the past year and returned; 4% open, received in the last month.
            open_ = random.random() < 0.04
            days_ago = random.randint(0, 30) if open_ else random.randint(31, 365)
            at = today - dt.timedelta(days=days_ago, minutes=random.randint(0, 600))
            vn = at + dt.timedelta(hours=7)
            day = vn.strftime("%y%m%d")
            key = (agency, day)
            seq_of[key] = seq_of.get(key, 0) + 1
            if seq_of[key] > 9999:
                seq_of[key] = 9999
                continue
            code = f"{agency}-{day}-{seq_of[key]:04}"
            appointment = at + dt.timedelta(days=random.randint(1, 20))
            name = f"{random.choice(SURNAMES)} {random.choice(MIDDLE)} {random.choice(GIVEN)}"
            cid = f"0380{random.randint(60, 99)}{random.randint(0, 999999):06}"
            iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
            events = [
                {"seq": 1, "at": iso(at), "actor": actor, "event": {"kind": "submitted",
                    "code": code, "procedure": {"code": "1.001193", "version": 1},
                    "agency": agency, "channel": "counter",
                    "applicant": {"name": name, "id_number": cid}}},
                {"seq": 2, "at": iso(at), "actor": actor, "event": {"kind": "received",
                    "appointment": iso(appointment), "fee_due_vnd": 0}},
            ]
            if not open_:
                done = at + dt.timedelta(days=random.randint(1, 20))
                events += [
                    {"seq": 3, "at": iso(at), "actor": actor, "event": {"kind": "forwarded",
                        "from": agency, "to": department}},
                    {"seq": 4, "at": iso(done), "actor": leader, "event": {"kind": "approved", "note": None}},
                    {"seq": 5, "at": iso(done), "actor": leader, "event": {"kind": "result_recorded",
                        "result_code": f"KQ-{n}", "form": {"form": "paper"}}},
                    {"seq": 6, "at": iso(done), "actor": actor, "event": {"kind": "result_returned", "via": "counter"}},
                ]
            f.write(json.dumps({"events": events}, ensure_ascii=False) + "\n")
            n += 1
    file_no += 1
print(f"{n} dossiers in {file_no} files")
