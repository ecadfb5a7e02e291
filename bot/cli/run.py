"""``pbj-helpdesk run``: the bot on Telegram (polling or webhook) until a signal."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.errors import EXIT_OK
from bot.config import Settings


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.delivery.runner import HelpdeskRunner

    settings.require_bot_credentials()

    async def go() -> int:
        await HelpdeskRunner(settings).run_until_signalled()
        return EXIT_OK

    return asyncio.run(go())
