"""SQL for SPSE data: the per-package SPSE row and the log of syncs.

Like :mod:`storage.packages`, functions take the :class:`Database` (reads) or the connection of
an open ``db.transaction()`` (writes) and return rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from storage.db import Database, placeholders, to_db_time
from storage.packages import Connection, _execute, _fetchall, _fetchone

COLUMNS = (
    "kind", "stage_text", "agency", "labels", "is_retender", "qualification", "evaluation_method",
    "hps_text", "schedule", "schedule_at", "announcement_at", "winner_checked_at", "seen_at",
)
_SELECT = (
    "SELECT package_id, kind, stage_text, agency, labels, is_retender, qualification,"
    " evaluation_method, hps_text, schedule, schedule_at, announcement_at, winner_checked_at,"
    " seen_at, first_seen_at FROM spse_packages"
)


async def row_of(conn: Connection, package_id: int) -> Any:
    return await _fetchone(conn, f"{_SELECT} WHERE package_id = ?", (package_id,))


async def rows_of(conn: Connection, package_ids: Sequence[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    ids = list(package_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in await _fetchall(conn, f"{_SELECT} WHERE package_id IN ({placeholders(chunk)})", chunk):
            found[row["package_id"]] = row
    return found


async def upsert(conn: aiosqlite.Connection, package_id: int, fields: dict[str, Any], now: dt.datetime) -> None:
    """Inserts the package's SPSE row or updates the given columns of it."""
    unknown = set(fields) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown spse columns: {sorted(unknown)}")
    stamp = to_db_time(now)
    columns = list(fields)
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns) or "package_id = package_id"
    await _execute(
        conn,
        f"INSERT INTO spse_packages (package_id, {', '.join(columns)}, first_seen_at)"
        f" VALUES (?, {placeholders(columns)}, ?)"
        f" ON CONFLICT (package_id) DO UPDATE SET {updates}",
        (package_id, *fields.values(), stamp),
    )


async def mark_seen(conn: aiosqlite.Connection, package_ids: Sequence[int], now: dt.datetime) -> None:
    stamp = to_db_time(now)
    ids = list(package_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        await _execute(conn, f"UPDATE spse_packages SET seen_at = ? WHERE package_id IN ({placeholders(chunk)})",
                       (stamp, *chunk))


# --- sync runs -----------------------------------------------------------------------------------


async def start_run(conn: aiosqlite.Connection, now: dt.datetime, trigger: str,
                    stale_before: dt.datetime) -> int | None:
    """A new 'running' row, or None while another sync runs (a row younger than ``stale_before``).

    A 'running' row older than that is a sync that died with its process: it is closed as failed.
    """
    await _execute(
        conn,
        "UPDATE spse_sync_runs SET status = 'failed', finished_at = ?, error = 'terputus'"
        " WHERE status = 'running' AND started_at < ?",
        (to_db_time(now), to_db_time(stale_before)),
    )
    running = await _fetchone(conn, "SELECT id FROM spse_sync_runs WHERE status = 'running' LIMIT 1")
    if running is not None:
        return None
    async with conn.execute(
        "INSERT INTO spse_sync_runs (started_at, status, trigger) VALUES (?, 'running', ?)",
        (to_db_time(now), trigger),
    ) as cursor:
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def finish_run(conn: aiosqlite.Connection, run_id: int, now: dt.datetime, *, ok: bool,
                     counts: dict[str, int], error: str | None) -> None:
    await _execute(
        conn,
        "UPDATE spse_sync_runs SET finished_at = ?, status = ?, requests = ?, listed = ?, created = ?,"
        " updated = ?, stage_changes = ?, notices = ?, error = ? WHERE id = ?",
        (to_db_time(now), "ok" if ok else "failed", counts.get("requests"), counts.get("listed"),
         counts.get("created"), counts.get("updated"), counts.get("stage_changes"), counts.get("notices"),
         error, run_id),
    )


async def last_run(conn: Connection | Database, status: str) -> Any:
    return await _fetchone(
        conn,
        "SELECT id, started_at, finished_at, status, trigger, requests, listed, created, updated,"
        " stage_changes, notices, error FROM spse_sync_runs WHERE status = ? ORDER BY id DESC LIMIT 1",
        (status,),
    )


async def latest_stage_entry_source(conn: Connection, package_id: int) -> Any:
    """The newest stage entry of a package (who set the current position, and from where)."""
    return await _fetchone(
        conn,
        "SELECT id, actor_kind, actor_name, source, at FROM package_stages"
        " WHERE package_id = ? AND kind = 'stage' ORDER BY id DESC LIMIT 1",
        (package_id,),
    )


def last_runs_read_only(path: Path) -> tuple[Any, Any]:
    """The last successful and the last failed sync, read without writing anything."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        query = ("SELECT started_at, finished_at, error FROM spse_sync_runs WHERE status = ?"
                 " ORDER BY id DESC LIMIT 1")
        return (conn.execute(query, ("ok",)).fetchone(), conn.execute(query, ("failed",)).fetchone())
    finally:
        conn.close()
