"""SPSE: a sync of a province's packages from the loopback LPSE, and /paket with SPSE data.

- **sync**: the LPSE lists ``packages`` tenders and non-tenders of which ``new`` are new to the
  bot (the rest synced before; a tenth of those changed stage): the time of the sync, the
  requests it made (each would wait ``request_interval_seconds``, default 1 s, on the real
  site: that is most of a real sync's time), and the peak of memory Python allocated during it
  (tracemalloc, measured in a second, identical run so its overhead stays out of the time).
- **/paket with SPSE data**: the same comparison with a bare PTB echo bot as the other update
  rows (bench/updates.py), for a package the sync stored with its schedule.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.updates import (
    LATENCY,
    READ_TARGET,
    BotSide,
    EchoSide,
    Row,
    _compare,
    _people,
    _row,
    bench_settings,
    text_step,
    timed_batch,
)
from tests.lpse_double import FakePackage, LpseDouble

SCHEDULE = [
    ("Pengumuman Pascakualifikasi", "01 Desember 2026 08:00", "03 Desember 2026 16:00", ""),
    ("Upload Dokumen Penawaran", "02 Desember 2026 08:00", "04 Desember 2026 23:59", ""),
    ("Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga", "07 Desember 2026 08:00", "08 Desember 2026 16:00", ""),
    ("Pembuktian Kualifikasi", "09 Desember 2026 08:00", "10 Desember 2026 16:00", ""),
    ("Pengumuman Pemenang", "11 Desember 2026 08:00", "11 Desember 2026 16:00", ""),
]
STAGES = ("Tender Sudah Selesai", "Tender Sudah Selesai", "Tender Sudah Selesai", "Paket Sudah Selesai",
          "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga", "Upload Dokumen Penawaran",
          "Pengumuman Pascakualifikasi", "Tender Gagal", "Tender Sudah Selesai", "Paket Sedang Berjalan")


def _package(index: int) -> FakePackage:
    code = f"{10300000 + index}000"
    stage = STAGES[index % len(STAGES)]
    non_tender = stage.startswith("Paket")
    return FakePackage(
        code, f"Paket Uji {index} Pembangunan Sarana Kabupaten Bulungan", stage=stage,
        kind="non_tender" if non_tender else "tender", rup=(f"{60000000 + index}",),
        badges=("Tender Ulang",) if index % 37 == 0 else (), schedule=list(SCHEDULE),
        contract="Rp. 1.100.000.000,00" if "Selesai" in stage else None,
        winner=("PT Benuanta Jaya", "Rp. 1.100.000.000,00"),
    )


def _spse_section(lpse: LpseDouble) -> dict[str, Any]:
    return {"enabled": True, "base_url": lpse.base_url, "years": [2026], "request_interval_seconds": 0,
            "backoff_seconds": 0, "max_detail_requests": 100_000}


async def _scenario(packages: int, new: int, *, trace: bool) -> dict[str, float]:
    from bot.services.spse import SpseService
    from storage.db import Database

    lpse = LpseDouble().start()
    try:
        for index in range(packages - new):
            lpse.add(_package(index))
        with tempfile.TemporaryDirectory(prefix="bench-spse-") as tmp:
            settings = bench_settings(Path(tmp), -100, spse=_spse_section(lpse))
            db = await Database.open(settings.storage.database)
            try:
                service = SpseService(db, settings.spse)
                seeded = await service.sync("bench-seed")
                assert seeded.ok, seeded.error
                for index in range(packages - new, packages):
                    lpse.add(_package(index))
                for index in range(0, packages - new, 10):  # a tenth moved on
                    lpse.packages[_package(index).code].stage = "Pembuktian Kualifikasi"
                lpse.reset_counts()
                if trace:
                    tracemalloc.start()
                began = time.perf_counter()
                report = await service.sync("bench")
                took = time.perf_counter() - began
                peak = tracemalloc.get_traced_memory()[1] if trace else 0
                if trace:
                    tracemalloc.stop()
                assert report.ok, report.error
                return {"seconds": took, "requests": report.requests, "listed": report.listed,
                        "created": report.created, "announcements": lpse.count("announcement"),
                        "stage_changes": sum(n.before is not None for n in report.stage_changes), "peak_mb": peak / 1024 / 1024}
            finally:
                await db.close()
    finally:
        lpse.down()


async def _paket_rows(count: int, rounds: int) -> list[Row]:
    from bot.services.spse import SpseService
    from storage.db import Database

    lpse = LpseDouble().start()
    package = _package(4)  # in evaluation, with a schedule
    lpse.add(package)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-spse-paket-") as tmp:
            bot = BotSide(Path(tmp), LATENCY, spse=_spse_section(lpse))
            db = await Database.open(bot.settings.storage.database)
            try:
                assert (await SpseService(db, bot.settings.spse).sync("bench")).ok
            finally:
                await db.close()
            echo = EchoSide(LATENCY)
            await bot.start()
            await echo.start()
            try:
                echo_users = _people(echo.fake, count, "E")
                await echo.prime(echo_users)
                batches = iter(range(10**6))

                def fresh(_r: int) -> list[Any]:
                    return _people(bot.fake, count, f"P{next(batches)}")

                probe = fresh(0)[:1]
                await timed_batch(bot, probe, text_step(f"/paket {package.code}"))
                hit = any("data SPSE per" in (m.get("text") or "") for _a, _m, m in bot.fake.replies[probe[0].id])
                samples = await _compare(bot, echo, rounds, fresh, echo_users, text_step(f"/paket {package.code}"),
                                         text_step(f"/paket {package.code}"))
                name = "/paket KODE with SPSE data" + ("" if hit else " (NO SPSE data!)")
                row = _row(name, samples, count, READ_TARGET)
                return [Row("spse", row.case, row.value, row.unit, row.baseline, row.ratio, row.ok and hit)]
            finally:
                await echo.stop()
                await bot.stop()
    finally:
        lpse.down()


def run(*, quick: bool, updates: int, rounds: int) -> list[Row]:
    packages, new = (200, 20) if quick else (2_000, 200)
    # /paket first: measured after the syncs, it would carry their heap into every GC pass.
    paket = asyncio.run(_paket_rows(updates, rounds))
    timed = asyncio.run(_scenario(packages, new, trace=False))
    traced = asyncio.run(_scenario(packages, new, trace=True))
    requests = int(timed["requests"])
    rows = [
        Row("spse", f"sync, {int(timed['listed']):,} listed, {int(timed['created'])} new", round(timed["seconds"], 2),
            "s", f"loopback, no spacing; {int(timed['stage_changes'])} stage changes"),
        Row("spse", "sync: requests to the LPSE", requests, "req",
            f"{int(timed['announcements'])} announcement pages; at 1 req/s ≈ {requests / 60:.1f} min"),
        Row("spse", "sync: peak Python memory", round(traced["peak_mb"], 1), "MiB", "tracemalloc, separate run"),
    ]
    return rows + paket
