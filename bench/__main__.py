"""``python -m bench``: every benchmark, one table.

Sections: ``updates`` (the bot's cost per update against a bare PTB echo bot), ``concurrency``
(many citizens filing at once), ``store`` (queries at ten years of complaints) and
``calendar`` (deadline computation) and ``spse`` (a sync from the loopback LPSE, /paket with SPSE
data). Verdicts come only from ratios measured in the same run,
or from the absolute targets of the store section; absolute times are context.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench.updates import Row

SECTIONS = ("updates", "concurrency", "store", "calendar", "spse")


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 1:
            return f"{value:,.2f}"
        return f"{value:.3g}"
    return str(value)


def render(rows: Sequence[Row]) -> str:
    header = ("section", "case", "value", "unit", "baseline/target", "ratio", "verdict")
    cells = [header] + [
        (r.section, r.case, _format_value(r.value), r.unit, r.baseline,
         "" if r.ratio is None else f"{r.ratio:.2f}×", r.verdict)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    right = {2, 5}
    lines = []
    for index, row in enumerate(cells):
        parts = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(parts).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine_facts() -> str:
    import telegram

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (
        f"machine: {os.cpu_count()} cores, load {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}, "
        f"{platform.platform()}\n"
        f"python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"SQLite {sqlite3.sqlite_version}\n"
        f"date {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}"
    )


def _calendar_rows(repeats: int, count: int) -> list[Row]:
    from bench.calendar_bench import run

    rows = []
    measured: list[dict[str, Any]] = run(repeats, count)
    cold = next(r for r in measured if r["case"] == "cold")
    for item in measured:
        if item["case"] == "cold":
            rows.append(Row("calendar", f"deadline(), calendar rebuilt per call ({item['tier']})",
                            float(item["per_second"]), "calls/s", "baseline"))
        else:
            speedup = item.get("speedup")
            rows.append(Row("calendar", f"deadline(), warm calendar ({item['tier']})", float(item["per_second"]),
                            "calls/s", f"cold {float(cold['per_second']):,.0f}/s (speedup)",
                            float(speedup) if isinstance(speedup, float) else None))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test, well under a minute)")
    parser.add_argument("--tickets", type=int, default=None, help="store size (default 1,000,000)")
    parser.add_argument("--updates", type=int, default=None, help="updates per batch (default 300)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this section (repeatable)")
    args = parser.parse_args(argv)
    quick = args.quick
    tickets = args.tickets or (2_000 if quick else 1_000_000)
    updates = args.updates or (20 if quick else 300)
    rounds = 1 if quick else 3
    sections = args.only or list(SECTIONS)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s %(message)s")

    print(machine_facts())
    print(f"sizes: updates {updates} per batch, median of {rounds} after a warm-up; store {tickets:,} tickets"
          f"{' (quick)' if quick else ''}")
    rows: list[Row] = []
    notes: list[str] = []
    began = time.perf_counter()
    if "updates" in sections:
        from bench import updates as updates_bench

        rows += asyncio.run(updates_bench.run(updates, rounds))
    if "concurrency" in sections:
        from bench import concurrency

        rows += asyncio.run(concurrency.run(20 if quick else 200))
    if "store" in sections:
        from bench import store

        store_rows, store_notes = store.run(tickets, quick=quick)
        rows += store_rows
        notes += store_notes
    if "calendar" in sections:
        rows += _calendar_rows(1 if quick else 5, 500 if quick else 20_000)
    if "spse" in sections:
        from bench import spse_bench

        rows += spse_bench.run(quick=quick, updates=updates, rounds=rounds)
    print()
    print(render(rows))
    if notes:
        print("\nquery plans (EXPLAIN QUERY PLAN of every SELECT each store case ran):")
        for note in notes:
            print(f"  {note}")
    failed = [r for r in rows if r.ok is False]
    print(f"\n{len(rows)} rows, {sum(r.ok is True for r in rows)} ✔, {len(failed)} ✘, "
          f"{time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
