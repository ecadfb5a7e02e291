"""``pbj-helpdesk data export|erase``: personal-data requests under UU 27/2022.

``erase`` never anonymises by surprise: it first says what it would anonymise (counts per kind,
as a sentence). With ``--yes`` it goes ahead; on a terminal it asks; without a terminal and without
``--yes`` it changes nothing and exits 2. When nothing is stored it only records the request.
The person is named by ``--user ID``, ``--ticket KODE`` or ``--phone NOMOR``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.cli.database import open_existing
from bot.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError
from bot.config import Settings
from bot.services.personal_data import PersonNotFound, erase, export_person, find_person, preview_erase
from bot.texts import common as texts


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> dict[str, Any]:
        async with await open_existing(settings) as db:
            return await export_person(db, args.user)

    document = json.dumps(asyncio.run(go()), ensure_ascii=False, indent=2, default=str)
    if args.out:
        args.out.write_text(document + "\n", encoding="utf-8")
        print(f"Data pengguna {args.user} tersimpan di {args.out}.")
    else:
        sys.stdout.write(document + "\n")
    return EXIT_OK


def _confirmed() -> bool:
    try:
        answer = input(texts.ERASE_CONFIRM)
    except EOFError:
        return False
    return answer.strip().casefold() in ("ya", "y")


def cmd_erase(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> int:
        async with await open_existing(settings) as db:
            try:
                person = await find_person(db, user_id=args.user, ticket_code=getattr(args, "ticket", None),
                                           phone=getattr(args, "phone", None))
            except PersonNotFound as exc:
                raise UsageError(texts.person_not_found(exc.kind, exc.value)) from None
            who = texts.person_label(person.user_ids, len(person.ticket_ids))
            counts = await preview_erase(db, person)
            if any(counts.values()):
                print(texts.erase_preview(who, counts))
                if not getattr(args, "yes", False):
                    if not sys.stdin.isatty():
                        print(texts.ERASE_NEEDS_YES, file=sys.stderr)
                        return EXIT_USAGE
                    if not _confirmed():
                        print(texts.ERASE_DECLINED)
                        return EXIT_FAILED
            # Nothing stored: the request is still recorded (data_requests), nothing to ask.
            done = await erase(db, person)
            print(texts.erase_done(who, done))
            return EXIT_OK

    return asyncio.run(go())
