"""SQL for procurement packages, their kode RUP, stage history and followers.

Functions take either the :class:`Database` (reads) or the connection of an open
``db.transaction()`` (writes, and reads that must see the transaction's own changes). Most return
rows; :func:`load_package`, :func:`load_packages`, :func:`row_to_entry` and :func:`state_of_row`
turn rows into the records of :mod:`bot.domain.packages`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

from bot.domain.packages import (
    ActorKind,
    EntryKind,
    Outcome,
    Package,
    SpseStage,
    Stage,
    StageEntry,
    StageState,
    from_sen,
)
from storage.db import Database, from_db_time, placeholders, to_db_time

_SELECT = (
    "SELECT p.id, p.code, p.name, p.work_unit, p.fiscal_year, p.procurement_type,"
    " p.selection_method, p.pagu_sen, p.hps_sen, p.pokmil, p.winner, p.contract_sen, p.stage,"
    " p.spse_stage, p.outcome, p.is_public, p.retender_of, p.created_at, p.updated_at,"
    " prev.code AS retender_of_code, prev.is_public AS retender_of_public,"
    " (SELECT n.code FROM packages n WHERE n.retender_of = p.id) AS retendered_as_code,"
    " (SELECT n.is_public FROM packages n WHERE n.retender_of = p.id) AS retendered_as_public"
    " FROM packages p LEFT JOIN packages prev ON prev.id = p.retender_of"
)

# Columns a caller may write through insert_package / update_package.
DATA_COLUMNS = (
    "name", "work_unit", "fiscal_year", "procurement_type", "selection_method", "pagu_sen",
    "hps_sen", "pokmil", "winner", "contract_sen", "stage", "spse_stage", "outcome", "is_public",
    "retender_of",
)

Connection = aiosqlite.Connection | Database


async def _fetchall(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    if isinstance(conn, Database):
        return await conn.fetchall(sql, params)
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def _fetchone(conn: Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    rows = await _fetchall(conn, sql, params)
    return rows[0] if rows else None


async def _execute(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Runs a write; returns the number of rows it changed."""
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount


# --- packages ------------------------------------------------------------------------------------


async def package_by_code(conn: Connection, code: str) -> Any:
    return await _fetchone(conn, f"{_SELECT} WHERE p.code = ?", (code,))


async def packages_by_code_or_rup(conn: Connection, code: str, *, include_private: bool) -> list[Any]:
    """Packages with this kode paket or this kode RUP; the kode paket match first."""
    return await _fetchall(
        conn,
        f"{_SELECT} WHERE (p.code = ? OR p.id IN (SELECT package_id FROM package_rup WHERE rup_code = ?))"
        " AND (? OR p.is_public = 1)"
        " ORDER BY p.code <> ?, p.fiscal_year DESC, p.code",
        (code, code, int(include_private), code),
    )


async def all_packages(conn: Connection) -> list[Any]:
    return await _fetchall(conn, f"{_SELECT} ORDER BY p.fiscal_year, p.code")


async def packages_by_codes(conn: Connection, codes: Iterable[str]) -> dict[str, Any]:
    wanted = list(codes)
    rows: list[Any] = []
    # SQLite limits bound parameters per statement; 500 per query stays well below it.
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        rows.extend(await _fetchall(conn, f"{_SELECT} WHERE p.code IN ({placeholders(chunk)})", chunk))
    return {row["code"]: row for row in rows}


async def rup_codes_of(conn: Connection, package_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    ids = list(package_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = await _fetchall(
            conn,
            f"SELECT package_id, rup_code FROM package_rup WHERE package_id IN ({placeholders(chunk)})"
            " ORDER BY package_id, rup_code",
            chunk,
        )
        for row in rows:
            found.setdefault(row["package_id"], []).append(row["rup_code"])
    return {package_id: tuple(codes) for package_id, codes in found.items()}


async def insert_package(conn: aiosqlite.Connection, code: str, fields: dict[str, Any],
                         now: dt.datetime) -> int:
    unknown = set(fields) - set(DATA_COLUMNS)
    if unknown:
        raise ValueError(f"unknown package columns: {sorted(unknown)}")
    columns = ["code", *fields, "created_at", "updated_at"]
    stamp = to_db_time(now)
    async with conn.execute(
        f"INSERT INTO packages ({', '.join(columns)}) VALUES ({placeholders(columns)})",
        (code, *fields.values(), stamp, stamp),
    ) as cursor:
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def update_package(conn: aiosqlite.Connection, package_id: int, fields: dict[str, Any],
                         now: dt.datetime) -> None:
    unknown = set(fields) - set(DATA_COLUMNS)
    if unknown:
        raise ValueError(f"unknown package columns: {sorted(unknown)}")
    assignments = ", ".join(f"{column} = ?" for column in fields)
    await _execute(
        conn,
        f"UPDATE packages SET {assignments}, updated_at = ? WHERE id = ?",
        (*fields.values(), to_db_time(now), package_id),
    )


async def update_state(conn: aiosqlite.Connection, package_id: int, stage: int, spse: str | None,
                       outcome: str | None, now: dt.datetime) -> None:
    await update_package(conn, package_id, {"stage": int(stage), "spse_stage": spse, "outcome": outcome},
                         now)


async def set_public(conn: aiosqlite.Connection, package_id: int, public: bool, now: dt.datetime) -> None:
    await update_package(conn, package_id, {"is_public": int(public)}, now)


async def set_retender_of(conn: aiosqlite.Connection, package_id: int, previous_id: int | None,
                          now: dt.datetime) -> None:
    await update_package(conn, package_id, {"retender_of": previous_id}, now)


async def replace_rup_codes(conn: aiosqlite.Connection, package_id: int, codes: Iterable[str]) -> None:
    await _execute(conn, "DELETE FROM package_rup WHERE package_id = ?", (package_id,))
    await conn.executemany(
        "INSERT INTO package_rup (package_id, rup_code) VALUES (?, ?)",
        [(package_id, code) for code in sorted(set(codes))],
    )


async def copy_for_retender(conn: aiosqlite.Connection, previous_id: int, new_code: str,
                            now: dt.datetime) -> int:
    """A new package for the re-tender: same procurement data, back in stage 5, no winner yet."""
    stamp = to_db_time(now)
    async with conn.execute(
        "INSERT INTO packages (code, name, work_unit, fiscal_year, procurement_type, selection_method,"
        " pagu_sen, hps_sen, pokmil, stage, is_public, retender_of, created_at, updated_at)"
        " SELECT ?, name, work_unit, fiscal_year, procurement_type, selection_method, pagu_sen,"
        " hps_sen, pokmil, 5, is_public, id, ?, ? FROM packages WHERE id = ?",
        (new_code, stamp, stamp, previous_id),
    ) as cursor:
        assert cursor.lastrowid is not None
        new_id = cursor.lastrowid
    await _execute(
        conn,
        "INSERT INTO package_rup (package_id, rup_code) SELECT ?, rup_code FROM package_rup"
        " WHERE package_id = ?",
        (new_id, previous_id),
    )
    return new_id


# --- history ---------------------------------------------------------------------------------------


async def add_entry(
    conn: aiosqlite.Connection,
    package_id: int,
    *,
    at: dt.datetime,
    kind: str,
    stage: int,
    spse: str | None,
    outcome: str | None,
    actor_kind: str,
    actor_id: int | None,
    actor_name: str,
    note: str | None,
    document: str | None,
    source: str | None,
) -> int:
    async with conn.execute(
        "INSERT INTO package_stages (package_id, at, kind, stage, spse_stage, outcome, actor_kind,"
        " actor_id, actor_name, note, document, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (package_id, to_db_time(at), str(kind), int(stage), spse, outcome, str(actor_kind), actor_id,
         actor_name, note, document, source),
    ) as cursor:
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def history_rows(conn: Connection, package_id: int) -> list[Any]:
    return await _fetchall(
        conn,
        "SELECT id, at, kind, stage, spse_stage, outcome, actor_kind, actor_id, actor_name, note,"
        " document, source FROM package_stages WHERE package_id = ? ORDER BY id",
        (package_id,),
    )


async def count_history(conn: Connection) -> int:
    row = await _fetchone(conn, "SELECT count(*) FROM package_stages")
    return int(row[0])


async def last_stage_notes(conn: Connection) -> dict[int, str]:
    """The note of each package's latest stage entry, where it has one (for the CSV export)."""
    rows = await _fetchall(
        conn,
        "SELECT s.package_id, s.note FROM package_stages s"
        " WHERE s.id = (SELECT max(id) FROM package_stages WHERE package_id = s.package_id"
        " AND kind = 'stage') AND s.note IS NOT NULL",
    )
    return {row["package_id"]: row["note"] for row in rows}


# --- followers -------------------------------------------------------------------------------------


async def follower_chats(conn: Connection, package_id: int) -> list[int]:
    rows = await _fetchall(
        conn, "SELECT chat_id FROM package_followers WHERE package_id = ? ORDER BY since, chat_id",
        (package_id,),
    )
    return [int(row["chat_id"]) for row in rows]


async def count_followers(conn: Connection, package_id: int) -> int:
    row = await _fetchone(conn, "SELECT count(*) FROM package_followers WHERE package_id = ?",
                          (package_id,))
    return int(row[0])


async def count_follows_of_chat(conn: Connection, chat_id: int) -> int:
    row = await _fetchone(conn, "SELECT count(*) FROM package_followers WHERE chat_id = ?", (chat_id,))
    return int(row[0])


async def is_following(conn: Connection, package_id: int, chat_id: int) -> bool:
    row = await _fetchone(
        conn, "SELECT 1 FROM package_followers WHERE package_id = ? AND chat_id = ?",
        (package_id, chat_id),
    )
    return row is not None


async def add_follower(conn: aiosqlite.Connection, package_id: int, chat_id: int, user_id: int | None,
                       now: dt.datetime) -> bool:
    changed = await _execute(
        conn,
        "INSERT INTO package_followers (package_id, chat_id, user_id, since) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (package_id, chat_id) DO NOTHING",
        (package_id, chat_id, user_id, to_db_time(now)),
    )
    return changed > 0


async def remove_follower(conn: aiosqlite.Connection, package_id: int, chat_id: int) -> bool:
    changed = await _execute(
        conn, "DELETE FROM package_followers WHERE package_id = ? AND chat_id = ?", (package_id, chat_id)
    )
    return changed > 0


async def remove_chat(conn: aiosqlite.Connection, chat_id: int) -> int:
    return await _execute(conn, "DELETE FROM package_followers WHERE chat_id = ?", (chat_id,))


async def copy_followers(conn: aiosqlite.Connection, from_id: int, to_id: int, now: dt.datetime) -> int:
    return await _execute(
        conn,
        "INSERT INTO package_followers (package_id, chat_id, user_id, since)"
        " SELECT ?, chat_id, user_id, ? FROM package_followers WHERE package_id = ?"
        " ON CONFLICT (package_id, chat_id) DO NOTHING",
        (to_id, to_db_time(now), from_id),
    )


async def packages_followed_by(conn: Connection, chat_id: int) -> list[Any]:
    return await _fetchall(
        conn,
        f"{_SELECT} WHERE p.is_public = 1 AND p.id IN"
        " (SELECT package_id FROM package_followers WHERE chat_id = ?)"
        " ORDER BY p.updated_at DESC, p.code",
        (chat_id,),
    )


async def retender_links(conn: Connection) -> dict[str, str]:
    """Every re-tender link as code → code of the tender it repeats."""
    rows = await _fetchall(
        conn,
        "SELECT p.code, prev.code AS previous FROM packages p JOIN packages prev ON prev.id = p.retender_of",
    )
    return {row["code"]: row["previous"] for row in rows}


# --- demo data -------------------------------------------------------------------------------------


DEMO_NAME_PREFIX = "[DEMO]"  # every row of bot/data/demo_packages.csv is named "[DEMO] …"


async def delete_demo_packages(conn: aiosqlite.Connection) -> int:
    """Removes the invented demo packages with their kode RUP, followers and history; returns how many.

    The stage history is append-only for real packages (trigger ``package_stages_no_delete``).
    Demo rows are invented, so inside this one transaction the guard is lifted for their history and
    put back exactly as the schema defines it (its own SQL, read from ``sqlite_master``).
    """
    rows = await _fetchall(conn, "SELECT id FROM packages WHERE substr(name, 1, ?) = ?",
                           (len(DEMO_NAME_PREFIX), DEMO_NAME_PREFIX))
    ids = [row[0] for row in rows]
    if not ids:
        return 0
    marks = placeholders(ids)
    guard = await _fetchone(
        conn, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'package_stages_no_delete'"
    )
    await _execute(conn, f"UPDATE packages SET retender_of = NULL WHERE retender_of IN ({marks})", ids)
    await _execute(conn, f"DELETE FROM package_rup WHERE package_id IN ({marks})", ids)
    await _execute(conn, f"DELETE FROM package_followers WHERE package_id IN ({marks})", ids)
    if guard is not None:
        await _execute(conn, "DROP TRIGGER package_stages_no_delete")
    await _execute(conn, f"DELETE FROM package_stages WHERE package_id IN ({marks})", ids)
    if guard is not None:
        await _execute(conn, guard[0])
    return await _execute(conn, f"DELETE FROM packages WHERE id IN ({marks})", ids)


# --- rows as domain records -------------------------------------------------------------------------


def state_of_row(row: Any) -> StageState:
    return StageState(
        Stage(row["stage"]),
        SpseStage(row["spse_stage"]) if row["spse_stage"] else None,
        Outcome(row["outcome"]) if row["outcome"] else None,
    )


def _time(text: str) -> dt.datetime:
    moment = from_db_time(text)
    assert moment is not None
    return moment


def row_to_package(row: Any, rup_codes: Sequence[str]) -> Package:
    """A row of the package queries above (``_SELECT``) with its kode RUP."""
    return Package(
        id=row["id"],
        code=row["code"],
        rup_codes=tuple(rup_codes),
        name=row["name"],
        work_unit=row["work_unit"],
        fiscal_year=row["fiscal_year"],
        procurement_type=row["procurement_type"],
        selection_method=row["selection_method"],
        pagu=from_sen(row["pagu_sen"]),
        hps=from_sen(row["hps_sen"]),
        pokmil=row["pokmil"],
        winner=row["winner"],
        contract_value=from_sen(row["contract_sen"]),
        state=state_of_row(row),
        public=bool(row["is_public"]),
        retender_of=row["retender_of_code"],
        retendered_as=row["retendered_as_code"],
        retender_of_public=bool(row["retender_of_public"]),
        retendered_as_public=bool(row["retendered_as_public"]),
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
    )


def row_to_entry(row: Any) -> StageEntry:
    return StageEntry(
        id=row["id"],
        at=_time(row["at"]),
        kind=EntryKind(row["kind"]),
        state=state_of_row(row),
        actor_kind=ActorKind(row["actor_kind"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        note=row["note"],
        document=row["document"],
        source=row["source"],
    )


async def load_packages(conn: Connection, rows: Sequence[Any]) -> list[Package]:
    """Packages of rows already read, with their kode RUP (one more query for all of them)."""
    rups = await rup_codes_of(conn, [row["id"] for row in rows])
    return [row_to_package(row, rups.get(row["id"], ())) for row in rows]


async def load_package(conn: Connection, code: str) -> Package | None:
    row = await package_by_code(conn, code)
    return None if row is None else (await load_packages(conn, [row]))[0]


async def history(conn: Connection, package_id: int) -> list[StageEntry]:
    return [row_to_entry(row) for row in await history_rows(conn, package_id)]


async def count_packages(db: Database) -> int:
    """How many packages are stored (the sandbox seeds its demo packages into an empty table)."""
    return int(await db.fetchval("SELECT COUNT(*) FROM packages") or 0)
