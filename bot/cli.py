"""Command line: ``pbj-helpdesk <subcommand>`` (also ``python -m bot``).

Exit status: 0 success, 1 a check or an operation failed, 2 bad input or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, load_settings
from bot.logsetup import setup_logging
from storage.db import DatabaseError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

log = logging.getLogger("bot.cli")


class UsageError(Exception):
    """Bad arguments, worded for the person at the terminal."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=None,
                        help="berkas konfigurasi TOML (bawaan: config.toml)")

    parser = argparse.ArgumentParser(
        prog="pbj-helpdesk",
        description="Bot Telegram pengaduan dan status layanan Biro PBJ Provinsi Kalimantan Utara.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH")

    sub.add_parser("run", parents=[common], help="jalankan bot (polling atau webhook)")

    deadline = sub.add_parser("deadline", parents=[common], help="hitung batas waktu pengaduan")
    deadline.add_argument("--tier", required=True,
                          help="ringan, normatif, tidak-berkadar atau berkadar")
    deadline.add_argument("--received", required=True,
                          help="waktu diterima, ISO 8601 (tanpa zona = WITA), mis. 2026-12-23T10:00")
    deadline.add_argument("--explain", action="store_true", help="tampilkan hari yang dilewati")

    check = sub.add_parser("check", parents=[common], help="periksa konfigurasi, basis data dan Telegram")
    check.add_argument("--migrate", action="store_true", help="migrasikan basis data bila perlu")

    sandbox = sub.add_parser("sandbox", parents=[common], help="coba bot tanpa Telegram, di terminal")
    sandbox.add_argument("--script", type=Path, help="putar ulang percakapan dari berkas")
    sandbox.add_argument("--database", type=Path, help="basis data sandbox (bawaan: data/sandbox.sqlite3)")

    backup = sub.add_parser("backup", parents=[common], help="salin basis data secara konsisten")
    backup.add_argument("path", type=Path)

    paket = sub.add_parser("paket", help="impor/ekspor data paket pengadaan (CSV)")
    paket_sub = paket.add_subparsers(dest="paket_command", required=True, metavar="AKSI")
    paket_import = paket_sub.add_parser("import", parents=[common], help="impor CSV (semua atau tidak sama sekali)")
    paket_import.add_argument("file", type=Path)
    paket_export = paket_sub.add_parser("export", parents=[common], help="ekspor CSV")
    paket_export.add_argument("file", type=Path)

    data = sub.add_parser("data", help="permintaan data pribadi (UU 27/2022)")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="AKSI")
    data_export = data_sub.add_parser("export", parents=[common], help="semua data satu orang sebagai JSON")
    data_export.add_argument("--user", type=int, required=True, help="id pengguna Telegram")
    data_export.add_argument("--out", type=Path, help="berkas tujuan (bawaan: layar)")
    data_erase = data_sub.add_parser("erase", parents=[common], help="anonimkan data pribadi satu orang")
    data_erase.add_argument("--user", type=int, required=True, help="id pengguna Telegram")

    spse = sub.add_parser("spse", help="data paket dari SPSE")
    spse_sub = spse.add_subparsers(dest="spse_command", required=True, metavar="AKSI")
    spse_sub.add_parser("sync", parents=[common], help="sinkronkan paket dari SPSE sekarang")

    report = sub.add_parser("report", parents=[common], help="laporan bulanan pengaduan")
    report.add_argument("--month", required=True, help="bulan, YYYY-MM")
    report.add_argument("--out", type=Path, default=Path("."), help="folder keluaran CSV dan PNG")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        setup_logging(settings.logging)
        handler = _COMMANDS[_command_name(args)]
        return handler(settings, args)
    except (ConfigError, UsageError, DatabaseError) as exc:
        print(f"pbj-helpdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILED


def _command_name(args: argparse.Namespace) -> str:
    if args.command == "paket":
        return f"paket {args.paket_command}"
    if args.command == "data":
        return f"data {args.data_command}"
    if args.command == "spse":
        return f"spse {args.spse_command}"
    return str(args.command)


def _run_async(coroutine: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coroutine)


# --- subcommands --------------------------------------------------------------------------


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import HelpdeskRunner

    settings.require_bot_credentials()

    async def go() -> int:
        await HelpdeskRunner(settings).run_until_signalled()
        return EXIT_OK

    return _run_async(go())


def parse_received(text: str, settings: Settings) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--received {text!r} bukan waktu ISO 8601 yang sah (contoh: 2026-12-23T10:00 atau "
            "2026-12-23T10:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.calendar.zone)
    return moment


def cmd_deadline(settings: Settings, args: argparse.Namespace) -> int:
    from bot.formatting import format_date, format_when
    from bot.tiers import Tier
    from bot.workcalendar import WorkCalendar

    try:
        tier = Tier.parse(args.tier)
    except ValueError as exc:
        raise UsageError(f"--tier: {exc}") from None
    received = parse_received(args.received, settings)
    if not 2000 <= received.year <= 2100:
        raise UsageError("--received: tahun harus antara 2000 dan 2100")
    calendar = WorkCalendar(settings.calendar, settings.tiers)
    zone = calendar.zone
    if args.explain:
        explanation = calendar.explain(tier, received)
        print(f"Tingkat: {tier.label}")
        print(f"Diterima: {format_when(received, zone)}")
        for day, reason in explanation.skipped:
            print(f"  dilewati {format_date(day)}: {reason}")
        print(f"Hari kerja dihitung: {len(explanation.counted)}")
        print(f"Batas: {format_when(explanation.deadline, zone)}")
        deadline = explanation.deadline
    else:
        deadline = calendar.deadline(tier, received)
    print(deadline.astimezone(zone).isoformat(timespec="minutes"))
    return EXIT_OK


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Database

    target: Path = args.path
    if target.exists():
        raise UsageError(f"{target} sudah ada; pilih nama berkas baru agar cadangan lama tidak tertimpa")

    async def go() -> int:
        db = await Database.open(settings.storage.database, migrate=False)
        try:
            await db.backup_to(target)
        finally:
            await db.close()
        print(f"cadangan tersimpan: {target}")
        return EXIT_OK

    return _run_async(go())


def cmd_spse_sync(settings: Settings, args: argparse.Namespace) -> int:
    """``spse sync``: one sync now; notices wait in the outbox for the running bot to send."""
    from bot.services.spse import SpseService
    from bot.texts import spse as spse_texts
    from storage.db import Database

    if not settings.spse.enabled:
        raise UsageError(f"{settings.source or 'config.toml'}: [spse] enabled = false; isi true untuk sinkronisasi")

    async def go() -> int:
        db = await Database.open(settings.storage.database, migrate=False)
        try:
            service = SpseService(db, settings.spse, zone=settings.calendar.zone)
            report = await service.sync("cli")
        finally:
            await db.close()
        print(spse_texts.sync_report_plain(report))
        return EXIT_OK if report.ok else EXIT_FAILED

    return _run_async(go())


def _lazy(module: str, name: str) -> Callable[[Settings, argparse.Namespace], int]:
    """Subcommands whose code lives next to their feature, imported only when used."""

    def call(settings: Settings, args: argparse.Namespace) -> int:
        import importlib

        function: Callable[[Settings, argparse.Namespace], int] = getattr(importlib.import_module(module), name)
        return function(settings, args)

    return call


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "run": cmd_run,
    "deadline": cmd_deadline,
    "backup": cmd_backup,
    "check": _lazy("bot.checks", "cmd_check"),
    "sandbox": _lazy("bot.sandbox", "cmd_sandbox"),
    "paket import": _lazy("bot.package_csv", "cmd_import"),
    "paket export": _lazy("bot.package_csv", "cmd_export"),
    "data export": _lazy("bot.personal_data", "cmd_export"),
    "data erase": _lazy("bot.personal_data", "cmd_erase"),
    "report": _lazy("bot.report", "cmd_report"),
    "spse sync": cmd_spse_sync,
}
