"""The SQLite database: one aiosqlite connection, WAL, versioned migrations, serialised writes.

Writes go through :meth:`Database.transaction`, which holds an asyncio lock for the whole
``BEGIN IMMEDIATE … COMMIT`` so that statements of concurrent coroutines never end up in
each other's transaction on the shared connection. Reads may use :meth:`fetchone` /
:meth:`fetchall` at any time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseError(Exception):
    """A database problem worded for the operator (e.g. a file from a newer version)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_db_time(moment: dt.datetime) -> str:
    """Stores aware datetimes as UTC ISO text, which sorts chronologically."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime cannot be stored")
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def from_db_time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def migrations() -> list[tuple[int, str, str]]:
    """All migrations shipped with the code, ordered: (version, file name, SQL)."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise DatabaseError(f"migrations are not numbered 1..n: {versions}")
    return found


def latest_version() -> int:
    return len(migrations())


def read_schema_version(path: Path) -> int:
    """The schema version of the file at ``path``, read without writing anything (no WAL set-up,
    no migration; a plain read-only connection). Raises ``sqlite3.Error`` for a file that is not
    an SQLite database."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("PRAGMA user_version").fetchone()
        return int(row[0]) if row else 0
    finally:
        conn.close()


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        # Called after every successful commit (e.g. to wake the outbox sender).
        self.commit_listeners: list[Callable[[], None]] = []
        self._flushes: set[asyncio.Future[None]] = set()
        self._batch: list[tuple[str, Sequence[Any]]] | None = None
        self._batch_done: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL under WAL survives a killed process; only power loss may lose the last commit.
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            db = cls(conn, path)
            await db._check_and_migrate(migrate=migrate)
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        await self.conn.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _check_and_migrate(self, *, migrate: bool) -> None:
        current = await self.schema_version()
        shipped = migrations()
        if current > len(shipped):
            raise DatabaseError(
                f"{self.path}: skema basis data versi {current} lebih baru dari yang dikenal "
                f"program ini (versi {len(shipped)}). Perbarui program, jangan turunkan versinya."
            )
        pending = shipped[current:]
        if pending and not migrate:
            raise DatabaseError(
                f"{self.path}: skema versi {current}, perlu migrasi ke versi {len(shipped)}."
            )
        for version, name, sql in pending:
            async with self._write_lock:
                # executescript commits implicitly, so the version bump rides in the same script.
                script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
                try:
                    await self.conn.executescript(script)
                except sqlite3.Error as exc:
                    if self.conn.in_transaction:
                        await self.conn.rollback()
                    raise DatabaseError(f"{self.path}: migrasi {name} gagal: {exc}") from exc
            log.info("database migrated version=%s file=%s", version, name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic unit of writes; everything rolls back if the block raises."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                await self.conn.commit()
        for listener in self.commit_listeners:
            listener()

    async def write_together(self, statements: list[tuple[str, Sequence[Any]]]) -> None:
        """Runs ``statements`` in one transaction shared with other callers of this moment.

        For small bookkeeping writes made by many concurrent tasks (e.g. "this message was
        sent"): one commit for all of them instead of one each. Returns once committed; if the
        shared transaction fails, every caller gets the error.
        """
        if self._batch is None:
            self._batch = []
            self._batch_done = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(self._start_batch_flush)
        batch, done = self._batch, self._batch_done
        assert done is not None
        batch.extend(statements)
        await asyncio.shield(done)

    def _start_batch_flush(self) -> None:
        batch, done = self._batch, self._batch_done
        self._batch = self._batch_done = None
        assert batch is not None and done is not None
        task = asyncio.ensure_future(self._flush_batch(batch, done))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush_batch(self, batch: list[tuple[str, Sequence[Any]]], done: asyncio.Future[None]) -> None:
        try:
            async with self.transaction() as conn:
                for sql, params in batch:
                    await conn.execute(sql, params)
        except Exception as error:
            done.set_exception(error)
        else:
            done.set_result(None)

    # Reads run statement and fetch in one call on the database thread: split in two, another
    # coroutine's writes on this shared connection could land in between, and SQLite leaves a
    # statement's results undefined when its connection changes the data mid-statement.

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup_to(self, target: Path) -> None:
        """Consistent copy while the bot runs (SQLite online backup API)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as dest:
            await self.conn.backup(dest)


async def claim_operation(conn: aiosqlite.Connection, key: str) -> str | None:
    """Idempotency for redelivered updates: returns the stored result if ``key`` ran before.

    Call inside a transaction; on first run returns None and the caller must
    :func:`record_operation` before committing.
    """
    async with conn.execute("SELECT result FROM applied_operations WHERE key = ?", (key,)) as cur:
        row = await cur.fetchone()
    return None if row is None else str(row[0])


async def record_operation(conn: aiosqlite.Connection, key: str, result: str) -> None:
    await conn.execute(
        "INSERT INTO applied_operations (key, result, at) VALUES (?, ?, ?)",
        (key, result, to_db_time(utc_now())),
    )


def placeholders(values: Iterable[object]) -> str:
    return ",".join("?" for _ in values)
