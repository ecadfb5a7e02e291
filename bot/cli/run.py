"""``pbj-helpdesk run``: the bot on Telegram (polling or webhook) until a signal.

Without ``[telegram] staff_chat_id`` the bot starts in setup mode (``bot/delivery/runner.py``):
it answers /chatid in groups and nothing else, so the officer can learn the staff group's id.
"""

from __future__ import annotations

import argparse
import asyncio

from telegram.error import InvalidToken, NetworkError

from bot.cli.errors import EXIT_OK, CommandFailed, UsageError
from bot.config import DEFAULT_CONFIG_PATH, Settings


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.delivery.runner import HelpdeskRunner

    settings.require_token()
    where = settings.source or DEFAULT_CONFIG_PATH

    async def go() -> int:
        try:
            await HelpdeskRunner(settings).run_until_signalled()
        except InvalidToken:
            raise UsageError(f"{where}: token ditolak Telegram (401 Unauthorized); salin ulang token dari "
                             "@BotFather (/token)") from None
        except NetworkError as exc:
            # PTB's message may quote the URL with the token in it.
            token = settings.telegram.token.get_secret_value()
            raise CommandFailed(
                "tidak dapat menghubungi Bot API: " + str(exc).replace(token, "<token>")
            ) from None
        return EXIT_OK

    return asyncio.run(go())
