"""Command line: ``pbj-helpdesk <subcommand>`` (also ``python -m bot``).

Exit status (``bot/cli/errors.py``): 0 success, 1 the work failed, 2 a usage or configuration
error. Help, usage lines and argument errors are Indonesian (``bot/cli/parser.py``).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli.errors import EXIT_FAILED, EXIT_USAGE, CommandFailed, UsageError
from bot.cli.parser import Parser
from bot.config import DEFAULT_CONFIG_PATH, ConfigError, Settings, describe_os_error, load_settings
from bot.logsetup import setup_logging
from storage.db import DatabaseError

log = logging.getLogger("bot.cli.main")


def _parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--config", type=Path, default=None, metavar="BERKAS",
                        help="berkas konfigurasi TOML (bawaan: config.toml); jalur relatif di "
                             "dalamnya dihitung dari folder berkas ini")

    parser = Parser(
        prog="pbj-helpdesk",
        description="Bot Telegram pengaduan dan status layanan Biro PBJ Provinsi Kalimantan Utara.",
        epilog="Status keluar: 0 berhasil, 1 pekerjaan gagal, 2 salah pakai atau konfigurasi salah.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="PERINTAH", title="perintah")

    sub.add_parser("run", parents=[common], help="jalankan bot (polling atau webhook); tanpa "
                   "staff_chat_id: mode penyiapan")

    deadline = sub.add_parser("deadline", parents=[common], help="hitung batas waktu pengaduan")
    deadline.add_argument("--tier", required=True, metavar="TINGKAT",
                          help="ringan, normatif, tidak-berkadar atau berkadar")
    deadline.add_argument("--received", required=True, metavar="WAKTU",
                          help="waktu diterima, ISO 8601 (tanpa zona = WITA), mis. 2026-12-23T10:00")
    deadline.add_argument("--explain", action="store_true", help="tampilkan hari yang dilewati")

    check = sub.add_parser("check", parents=[common], help="periksa konfigurasi, basis data dan Telegram")
    check.add_argument("--migrate", action="store_true", help="buat atau migrasikan basis data bila perlu")

    sandbox = sub.add_parser("sandbox", parents=[common], help="coba bot tanpa Telegram, di terminal")
    sandbox.add_argument("--script", type=Path, metavar="BERKAS", help="putar ulang percakapan dari berkas")
    sandbox.add_argument("--database", type=Path, metavar="BERKAS",
                         help="basis data sandbox (bawaan: data/sandbox.sqlite3)")

    backup = sub.add_parser("backup", parents=[common], help="salin basis data secara konsisten")
    backup.add_argument("path", type=Path, metavar="BERKAS", help="berkas cadangan baru")

    paket = sub.add_parser("paket", help="impor/ekspor data paket pengadaan (CSV)")
    package_sub = paket.add_subparsers(dest="paket_command", required=True, metavar="AKSI", title="aksi")
    package_import = package_sub.add_parser("import", parents=[common], help="impor CSV (semua atau tidak sama sekali)")
    package_import.add_argument("file", type=Path, metavar="BERKAS", help="berkas CSV")
    package_export = package_sub.add_parser("export", parents=[common], help="ekspor CSV")
    package_export.add_argument("file", type=Path, metavar="BERKAS", help="berkas CSV tujuan")
    package_sub.add_parser("hapus-demo", parents=[common], help="hapus paket contoh [DEMO] beserta riwayatnya")

    data = sub.add_parser("data", help="permintaan data pribadi (UU 27/2022)")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="AKSI", title="aksi")
    data_export = data_sub.add_parser("export", parents=[common], help="semua data satu orang sebagai JSON")
    data_export.add_argument("--user", type=_user_id, required=True, metavar="ID", help="id pengguna Telegram")
    data_export.add_argument("--out", type=Path, metavar="BERKAS", help="berkas tujuan (bawaan: layar)")
    data_erase = data_sub.add_parser("erase", parents=[common], help="anonimkan data pribadi satu orang")
    who = data_erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", type=_user_id, metavar="ID", help="id pengguna Telegram")
    who.add_argument("--ticket", metavar="KODE", help="kode pengaduan, mis. ADU-2026-00012")
    who.add_argument("--phone", metavar="NOMOR", help="nomor HP yang ditulis pelapor, mis. 0812…")
    data_erase.add_argument("--yes", action="store_true",
                            help="tanpa konfirmasi (untuk skrip); tanpa ini perintah bertanya dulu")

    spse = sub.add_parser("spse", help="data paket dari SPSE")
    spse_sub = spse.add_subparsers(dest="spse_command", required=True, metavar="AKSI", title="aksi")
    spse_sub.add_parser("sync", parents=[common], help="sinkronkan paket dari SPSE sekarang")

    report = sub.add_parser("report", parents=[common], help="laporan bulanan pengaduan")
    report.add_argument("--month", required=True, metavar="YYYY-MM", help="bulan, YYYY-MM")
    report.add_argument("--out", type=Path, default=Path("."), metavar="FOLDER",
                        help="folder keluaran CSV dan PNG (bawaan: folder kerja)")

    classify = sub.add_parser("classify", parents=[common], help="uji penggolongan tingkat pengaduan")
    classify.add_argument("text", nargs="?", help="teks pengaduan yang digolongkan")
    classify.add_argument("--kind", help="jenis: pertanyaan, aturan, layanan atau pelanggaran")
    classify.add_argument("--eval", type=Path, metavar="BERKAS.csv", help="uji berkas berlabel (kind, text, expected)")
    classify.add_argument("--corrections", action="store_true", help="daftar koreksi tingkat oleh petugas")
    classify.add_argument("--since", metavar="YYYY-MM-DD", help="koreksi sejak tanggal ini")
    classify.add_argument("--export", type=Path, metavar="BERKAS.csv", help="tulis koreksi sebagai berkas berlabel")
    classify.add_argument("--rules", type=Path, metavar="BERKAS.toml", help="aturan tambahan di atas aturan bawaan")
    return parser


def _user_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» bukan id pengguna Telegram (bilangan bulat)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"«{text}» bukan id pengguna Telegram (bilangan positif)")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    name = _command_name(args)
    try:
        if name == "check":
            source = args.config or DEFAULT_CONFIG_PATH
            if not source.exists():
                from bot.cli import check

                return check.missing_config(source)
        settings = load_settings(args.config, without_telegram=name == "sandbox")
        setup_logging(settings.logging)
        return _COMMANDS[name](settings, args)
    except (ConfigError, UsageError, DatabaseError) as exc:
        print(f"pbj-helpdesk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandFailed as exc:
        print(f"pbj-helpdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"pbj-helpdesk: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.Error as exc:
        print(f"pbj-helpdesk: basis data tidak dapat dipakai: {_sqlite_reason(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


_SQLITE_REASONS = {
    "file is not a database": "berkasnya bukan basis data SQLite",
    "database is locked": "basis data sedang dikunci proses lain; coba lagi sebentar lagi",
    "unable to open database file": "berkas basis data tidak dapat dibuka (periksa folder dan hak aksesnya)",
    "attempt to write a readonly database": "basis data hanya boleh dibaca (periksa hak aksesnya)",
    "database disk image is malformed": "berkas basis data rusak; pulihkan dari cadangan",
    "disk I/O error": "kesalahan baca/tulis disk",
}


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    return next((reason for english, reason in _SQLITE_REASONS.items() if english in text), text)


def _command_name(args: argparse.Namespace) -> str:
    if args.command == "paket":
        return f"paket {args.paket_command}"
    if args.command == "data":
        return f"data {args.data_command}"
    if args.command == "spse":
        return f"spse {args.spse_command}"
    return str(args.command)


# Each command's module is imported only when it runs (start-up stays quick for `deadline`).


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import run

    return run.cmd_run(settings, args)


def _deadline(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import deadline

    return deadline.cmd_deadline(settings, args)


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import backup

    return backup.cmd_backup(settings, args)


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import check

    return check.cmd_check(settings, args)


def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import sandbox

    return sandbox.cmd_sandbox(settings, args)


def _package_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import paket

    return paket.cmd_import(settings, args)


def _package_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import paket

    return paket.cmd_export(settings, args)


def _package_remove_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import paket

    return paket.cmd_remove_demo(settings, args)


def _data_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import data

    return data.cmd_export(settings, args)


def _data_erase(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import data

    return data.cmd_erase(settings, args)


def _spse_sync(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import spse

    return spse.cmd_spse_sync(settings, args)


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import report

    return report.cmd_report(settings, args)


def _classify(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import classify

    return classify.cmd_classify(settings, args)


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "run": _run,
    "deadline": _deadline,
    "backup": _backup,
    "check": _check,
    "sandbox": _sandbox,
    "paket import": _package_import,
    "paket export": _package_export,
    "paket hapus-demo": _package_remove_demo,
    "classify": _classify,
    "data export": _data_export,
    "data erase": _data_erase,
    "report": _report,
    "spse sync": _spse_sync,
}
