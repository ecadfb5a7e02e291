"""Many citizens filing at once: correctness under concurrency and per-step latency.

Each citizen is a coroutine walking the eight filing steps with a random think time between
steps, so the conversations interleave at random. Latency of a step = from injecting the
citizen's update into the double until the bot's first message for it reaches the double
(``TimedFake`` notes the arrival). The bot runs as shipped (including PTB's group rate limit on
the staff chat); only ``overall_max_rate`` is 0, as in the throughput runs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.updates import LATENCY, BotSide, Row, TimedFake, buttons_of
from bot.fakebot import FakeUser

# (name, text to send or None, button to press or None)
STEPS: list[tuple[str, str | None, str | None]] = [
    ("1 /lapor", "/lapor", None),
    ("2 nama (button)", None, "lapor:nama"),
    ("3 kontak (text)", "081234567890", None),
    ("4 jenis (button)", None, "lapor:jenis:pertanyaan"),
    ("5 paket: lewati (button)", None, "lapor:lewati"),
    ("6 uraian (text)", "Kapan jadwal pembukaan penawaran paket jalan di Tanjung Selor?", None),
    ("7 bukti selesai (button)", None, "lapor:bukti_selesai"),
    ("8 kirim (button)", None, "lapor:kirim"),
]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.levelname} {record.name} {text}")


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        v = values[0] if values else float("nan")
        return v, v, v
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _has_button(data: str, message: dict[str, object]) -> bool:
    return data in buttons_of(message)


async def _citizen(fake: TimedFake, user: FakeUser, rng: random.Random, think: float,
                   latencies: dict[str, list[float]], codes: list[str]) -> None:
    await asyncio.sleep(rng.uniform(0, think * 4))
    for index, (name, text, button) in enumerate(STEPS):
        if index:
            await asyncio.sleep(rng.uniform(0, think))
        after = len(fake.replies[user.id])
        if button is not None:
            message_id = fake.last_with_button(user.id, button)
            began = time.perf_counter()
            fake.press_button(user, None, message_id, button)
        else:
            began = time.perf_counter()
            fake.send_text(user, None, text or "")
        arrived, _first = await fake.wait_reply(user.id, after)
        latencies[name].append(arrived - began)
        if index + 1 < len(STEPS):
            wanted = STEPS[index + 1][2]
            if wanted is not None:
                await fake.wait_reply(user.id, after, functools.partial(_has_button, wanted))
        else:
            _at, confirmation = await fake.wait_reply(
                user.id, after, lambda m: "Kode pengaduan" in (m.get("text") or ""))
            codes.append(confirmation["text"].split("Kode pengaduan: ")[1].split()[0])


async def run(citizens: int = 200, latency: float = LATENCY, think: float = 0.1, seed: int = 7) -> list[Row]:
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp_name:
            bot = BotSide(Path(tmp_name), latency, group_limit=True)
            await bot.start()
            try:
                fake = bot.fake
                users = [fake.user("Warga", f"C{i}") for i in range(citizens)]
                latencies: dict[str, list[float]] = {name: [] for name, _t, _b in STEPS}
                codes: list[str] = []
                rng = random.Random(seed)
                began = time.perf_counter()
                await asyncio.wait_for(asyncio.gather(*(
                    _citizen(fake, u, random.Random(rng.random()), think, latencies, codes) for u in users
                )), timeout=600)
                elapsed = time.perf_counter() - began
                stored, distinct = await bot.desk.db.fetchone(
                    "SELECT COUNT(*), COUNT(DISTINCT code) FROM tickets")
                staff_backlog = await bot.desk.db.fetchval(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND chat_id = ?",
                    (bot.desk.staff_chat.id,))
                outbox_bytes = await bot.desk.db.fetchval(
                    "SELECT SUM(length(payload)) FROM outbox WHERE ticket_id IS NOT NULL")
                errors = list(bot.errors)
            finally:
                await bot.stop()
    finally:
        root.removeHandler(collector)
    locked = [line for line in collector.lines + errors if "database is locked" in line.lower()]
    problems = [line for line in collector.lines if not line.startswith("WARNING")] + errors
    ok_codes = stored == citizens and distinct == citizens and len(set(codes)) == citizens
    rows.append(Row("concurrency", f"{citizens} citizens filing at once: tickets / distinct codes",
                    f"{stored}/{distinct}", "", f"{citizens} each, {len(set(codes))} codes told",
                    None, ok_codes))
    rows.append(Row("concurrency", '"database is locked" in logs and errors', len(locked), "", "0", None,
                    not locked))
    rows.append(Row("concurrency", "errors logged / handler errors", len(problems), "",
                    problems[0].splitlines()[0][:70] if problems else "0", None, not problems))
    floor_ms = latency * 1000
    for name, text, _button in STEPS:
        p50, p95, p99 = _percentiles(latencies[name])
        floor = floor_ms if text is not None else 2 * floor_ms
        rows.append(Row("concurrency", f"latency step {name} p50/p95/p99",
                        f"{p50 * 1000:.0f}/{p95 * 1000:.0f}/{p99 * 1000:.0f}", "ms",
                        f"floor {floor:.0f} ms (round trips)"))
    rows.append(Row("concurrency", "whole burst (all conversations done)", round(elapsed, 2), "s"))
    rows.append(Row("concurrency", "staff chat backlog left (ticket cards)", staff_backlog, "msgs",
                    "PTB group limit 20/min"))
    rows.append(Row("concurrency", "outbox payload kept per ticket (never pruned)",
                    round((outbox_bytes or 0) / max(stored, 1)), "B/ticket", "filing notices only"))
    return rows


def main() -> None:  # pragma: no cover - manual use
    for row in asyncio.run(run(50)):
        print(row)


if __name__ == "__main__":
    main()



