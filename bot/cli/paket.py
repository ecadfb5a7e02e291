"""``pbj-helpdesk paket import|export FILE``: packages as CSV."""

from __future__ import annotations

import argparse
import asyncio
import html
import re

from bot.config import Settings
from bot.services.package_csv import export_csv, import_csv
from bot.texts import paket as texts
from storage.db import Database


def _plain(html_text: str) -> str:
    """Reports are Telegram HTML; a terminal wants the text."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when imported, 1 when the file was refused (every problem printed)."""

    async def go() -> int:
        # Migrates like the bot does: importing is often the first thing done on a new server.
        db = await Database.open(settings.storage.database)
        try:
            report = await import_csv(db, args.file, zone=settings.calendar.zone)
        finally:
            await db.close()
        print(_plain(report.render(limit=None)))
        return 0 if report.ok else 1

    return asyncio.run(go())


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> int:
        db = await Database.open(settings.storage.database)
        try:
            written = await export_csv(db, args.file)
        finally:
            await db.close()
        print(texts.export_done(written, str(args.file)))
        return 0

    return asyncio.run(go())
