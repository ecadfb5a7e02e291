"""``python -m bench --quick`` runs end to end and prints a complete, sane table.

No timed assertions: the machine is shared, so only shape and sanity are checked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXPECTED_ROWS = [
    ("updates", "/start"),
    ("updates", "/status, 20 own tickets"),
    ("updates", "/paket KODE"),
    *[("updates", f"filing step {n}") for n in range(1, 9)],
    ("updates", "filing, all 8 steps"),
    ("updates", "staff /balas KODE teks"),
    ("updates", "handler errors (bot)"),
    ("concurrency", "citizens filing at once"),
    ("concurrency", '"database is locked"'),
    *[("concurrency", f"latency step {n}") for n in range(1, 9)],
    ("store", "tickets filled"),
    ("store", "database size per ticket"),
    ("store", "/daftar: open_overview"),
    ("store", "/status: citizen_tickets"),
    ("store", "code lookup: get(code)"),
    ("store", "ticket_for_message"),
    ("store", "deadline sweep"),
    ("store", "month report"),
    ("calendar", "deadline(), warm calendar (ringan)"),
    ("calendar", "deadline(), calendar rebuilt per call"),
    ("spse", "sync, "),
    ("spse", "sync: requests to the LPSE"),
    ("spse", "sync: peak Python memory"),
    ("spse", "/paket KODE with SPSE data"),
]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_quick_bench_prints_every_row_with_sane_numbers() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"machine: \d+ cores", out) and "python 3." in out and "date 20" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("section"))
    for column in ("case", "value", "unit", "baseline/target", "ratio", "verdict"):
        assert column in lines[header]
    table = []
    for line in lines[header + 2:]:
        if not line.strip():
            break
        table.append(line)
    for section, case in EXPECTED_ROWS:
        matching = [line for line in table if line.startswith(section) and case in line]
        assert matching, f"missing row {section} / {case}\n{out}"
    # Every throughput and ratio is a positive number (paths not implemented would say n/a).
    for line in table:
        if "upd/s" in line:
            value = re.search(r"\s([\d,.]+)\s+upd/s", line)
            ratio = re.search(r"\s([\d.]+)×", line)
            assert value and _number(value.group(1)) > 0, line
            assert ratio and _number(ratio.group(1)) > 0, line
        if line.startswith("store") and re.search(r"\s(ms|s)\s", line):
            value = re.search(r"\s([\d,.e+-]+)\s+(ms|s)\s", line)
            assert value and _number(value.group(1)) >= 0, line
        if "calls/s" in line:
            value = re.search(r"\s([\d,.]+)\s+calls/s", line)
            assert value and _number(value.group(1)) > 0, line
    # Correctness rows carry a verdict; they must pass even on a slow machine.
    for must in ("citizens filing at once", '"database is locked"', "handler errors (bot)"):
        row = next(line for line in table if must in line)
        assert row.rstrip().endswith("✔"), row
    size = next(line for line in table if "database size per ticket" in line)
    found = re.search(r"\s([\d,]+)\s+B/ticket", size)
    assert found and _number(found.group(1)) > 0
