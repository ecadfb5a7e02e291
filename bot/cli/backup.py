"""``pbj-helpdesk backup PATH``: a consistent copy of the database (never creates the database)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.database import open_existing
from bot.cli.errors import EXIT_OK, UsageError
from bot.config import Settings


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    target: Path = args.path
    if target.exists():
        raise UsageError(f"{target} sudah ada; pilih nama berkas baru agar cadangan lama tidak tertimpa")

    async def go() -> int:
        db = await open_existing(settings)
        try:
            await db.backup_to(target)
        finally:
            await db.close()
        print(f"Cadangan tersimpan di {target}.")
        return EXIT_OK

    return asyncio.run(go())
