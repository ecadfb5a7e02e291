"""``pbj-helpdesk spse sync``: one SPSE sync now; notices wait in the outbox for the running bot."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.database import open_existing
from bot.cli.errors import EXIT_FAILED, EXIT_OK, UsageError
from bot.config import Settings
from bot.services.spse import SpseService
from bot.texts import spse as spse_texts


def cmd_spse_sync(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.spse.enabled:
        raise UsageError(f"{settings.source or 'config.toml'}: [spse] enabled = false; isi true untuk sinkronisasi")

    async def go() -> int:
        db = await open_existing(settings)
        try:
            service = SpseService(db, settings.spse, zone=settings.calendar.zone)
            report = await service.sync("cli")
        finally:
            await db.close()
        print(spse_texts.sync_report_plain(report))
        return EXIT_OK if report.ok else EXIT_FAILED

    return asyncio.run(go())
