"""``pbj-helpdesk data export|erase``: personal-data requests under UU 27/2022."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.config import Settings
from bot.services.personal_data import erase_person, export_person
from storage.db import Database


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> dict[str, Any]:
        async with await Database.open(settings.storage.database) as db:
            return await export_person(db, args.user)

    document = json.dumps(asyncio.run(go()), ensure_ascii=False, indent=2, default=str)
    if args.out:
        args.out.write_text(document + "\n", encoding="utf-8")
        print(f"data pengguna {args.user} tersimpan di {args.out}")
    else:
        sys.stdout.write(document + "\n")
    return 0


def cmd_erase(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> dict[str, int]:
        async with await Database.open(settings.storage.database) as db:
            return await erase_person(db, args.user)

    counts = asyncio.run(go())
    summary = ", ".join(f"{name}={count}" for name, count in counts.items())
    print(f"data pribadi pengguna {args.user} dianonimkan: {summary}")
    return 0
