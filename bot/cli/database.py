"""Opening the database for a command that must not create or migrate one.

Only ``run``, ``sandbox`` and ``check --migrate`` create or migrate the database. Every other
command works on the file that is there: a missing file is refused with one line naming the
path (so `report` from the wrong folder no longer creates an empty database and prints zeros), and
an outdated schema is refused with the hint to migrate.
"""

from __future__ import annotations

from bot.cli.errors import UsageError
from bot.config import DEFAULT_CONFIG_PATH, Settings
from bot.texts import common as texts
from storage.db import Database


async def open_existing(settings: Settings) -> Database:
    path = settings.storage.database
    if not path.is_file():
        raise UsageError(texts.missing_database(str(path), str(settings.source or DEFAULT_CONFIG_PATH)))
    return await Database.open(path, migrate=False)
