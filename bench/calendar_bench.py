"""Throughput of deadline computation: deadlines per second for each tier.

Run ``python -m bench.calendar_bench``. ``run()`` returns one row per tier measured on a
warm calendar (holiday tables already built, as in the running bot) and a baseline row
where the calendar is rebuilt for every call, which is what caching saves us from.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.config import CalendarConfig, TiersConfig
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar

_SEED = 20260101


def _receipts(count: int, zone: ZoneInfo) -> list[dt.datetime]:
    """Random receipt instants over 2026–2027, reproducible between runs."""
    rng = random.Random(_SEED)
    start = dt.datetime(2026, 1, 1, tzinfo=zone).timestamp()
    end = dt.datetime(2028, 1, 1, tzinfo=zone).timestamp()
    return [dt.datetime.fromtimestamp(rng.uniform(start, end), zone) for _ in range(count)]


def _median_seconds(work: Callable[[], None], repeats: int) -> float:
    work()  # warm-up: builds lazily cached tables and settles the interpreter
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def run(repeats: int = 5, count: int = 20000) -> list[dict[str, object]]:
    """Rows of ``case``, ``tier``, ``calls``, ``seconds`` (median) and ``per_second``.

    Warm rows also carry ``speedup`` over the cold baseline. The baseline makes far fewer
    calls (building a calendar costs milliseconds), its rate is scaled per call.
    """
    calendar_config, tiers_config = CalendarConfig(), TiersConfig()
    calendar = WorkCalendar(calendar_config, tiers_config)
    receipts = _receipts(count, calendar.zone)
    warm_rates: dict[Tier, tuple[float, float]] = {}
    for tier in Tier:

        def warm(tier: Tier = tier) -> None:
            for received in receipts:
                calendar.deadline(tier, received)

        seconds = _median_seconds(warm, repeats)
        warm_rates[tier] = (seconds, count / seconds)

    cold_receipts = receipts[: max(10, count // 200)]

    def cold() -> None:
        for received in cold_receipts:
            WorkCalendar(calendar_config, tiers_config).deadline(Tier.BERKADAR, received)

    cold_seconds = _median_seconds(cold, repeats)
    baseline = len(cold_receipts) / cold_seconds
    rows: list[dict[str, object]] = [
        {"case": "warm", "tier": tier.value, "calls": count, "seconds": seconds,
         "per_second": rate, "speedup": rate / baseline}
        for tier, (seconds, rate) in warm_rates.items()
    ]
    rows.append({"case": "cold", "tier": Tier.BERKADAR.value, "calls": len(cold_receipts),
                 "seconds": cold_seconds, "per_second": baseline})
    return rows

if __name__ == "__main__":
    print(f"{'kasus':<6} {'tingkat':<15} {'panggilan':>9} {'detik':>8} {'per detik':>12} {'rasio':>8}")
    for row in run():
        speedup = row.get("speedup")
        ratio = f"{speedup:,.0f}x" if isinstance(speedup, float) else "-"
        print(f"{row['case']:<6} {row['tier']:<15} {row['calls']:>9} {row['seconds']:>8.3f} "
              f"{row['per_second']:>12,.0f} {ratio:>8}")
