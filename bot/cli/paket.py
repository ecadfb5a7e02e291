"""``pbj-helpdesk paket import|export FILE`` and ``paket hapus-demo``: packages as CSV, demo rows out.

All three work on an existing database only (``run`` or ``check --migrate`` creates it).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re

from bot.cli.database import open_existing
from bot.cli.errors import EXIT_FAILED, EXIT_OK, UsageError
from bot.config import Settings
from bot.services.package_csv import export_csv, import_csv
from bot.texts import common as common_texts
from bot.texts import paket as texts
from storage.packages import delete_demo_packages


def _plain(html_text: str) -> str:
    """Reports are Telegram HTML; a terminal wants the text."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when imported, 1 when the file was refused (every problem printed)."""
    if not args.file.is_file():
        raise UsageError(f"berkas CSV {args.file} tidak ada" if not args.file.exists()
                         else f"{args.file} bukan berkas")

    async def go() -> int:
        db = await open_existing(settings)
        try:
            report = await import_csv(db, args.file, zone=settings.calendar.zone)
        finally:
            await db.close()
        print(_plain(texts.render_import_report(report, limit=None)))
        return EXIT_OK if report.ok else EXIT_FAILED

    return asyncio.run(go())


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> int:
        db = await open_existing(settings)
        try:
            written = await export_csv(db, args.file)
        finally:
            await db.close()
        print(texts.export_done(written, str(args.file)))
        return EXIT_OK

    return asyncio.run(go())


def cmd_remove_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Removes the ``[DEMO]`` packages the README suggests importing to try /paket."""

    async def go() -> int:
        db = await open_existing(settings)
        try:
            async with db.transaction() as conn:
                removed = await delete_demo_packages(conn)
        finally:
            await db.close()
        print(common_texts.demo_removed(removed))
        return EXIT_OK

    return asyncio.run(go())
