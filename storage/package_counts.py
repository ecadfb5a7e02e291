"""How many packages are stored (the sandbox seeds its demo packages into an empty table).

Belongs in ``storage/packages.py``; it waits here only while that module is being changed for the
SPSE work, and moves there with it.
"""

from __future__ import annotations

from storage.db import Database


async def count_packages(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM packages") or 0)
