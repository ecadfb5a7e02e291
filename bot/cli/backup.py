"""``pbj-helpdesk backup PATH``: a consistent copy of the database."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.errors import EXIT_OK, UsageError
from bot.config import Settings


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

    return asyncio.run(go())
