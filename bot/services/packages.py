"""Procurement packages: the operations on them (lookup, following, staff changes).

Each change is one transaction: the package row, its history entry and the outbox notices to its
followers. The stage model, parsing and records are :mod:`bot.domain.packages`; the SQL and the
row mapping :mod:`storage.packages`; every text a person reads comes from :mod:`bot.texts.paket`.
No Telegram here: chat handlers sit on top of :class:`PackageService`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from bot.domain import callbacks as cb
from bot.domain.packages import (
    MAX_FOLLOWS_PER_CHAT,
    ActorKind,
    AlreadyRetendered,
    AlreadyRetenderOfOther,
    EntryKind,
    NewCodeOnlyForRetender,
    NewCodeSame,
    Outcome,
    Package,
    PackageFinished,
    PackageNotFound,
    StageChange,
    StageChoice,
    StageEntry,
    TooManyFollows,
    parse_code,
    without_superseded,
)
from bot.texts import paket as texts
from bot.texts.format import WITA
from storage import packages as repo
from storage.db import Database, claim_operation, record_operation, utc_now
from storage.outbox import enqueue, text_message

OUTBOX_PURPOSE_STAGE = "package_stage"


async def notify_followers(conn: aiosqlite.Connection, package: Package, html: str) -> int:
    """Queues ``html`` for every chat following ``package``, inside the caller's transaction.

    Private packages notify nobody: followers are people outside staff.
    """
    if not package.public:
        return 0
    chats = await repo.follower_chats(conn, package.id)
    markup = unfollow_keyboard(package.code)
    for chat_id in chats:
        await enqueue(conn, text_message(chat_id, html, purpose=OUTBOX_PURPOSE_STAGE, reply_markup=markup))
    return len(chats)


def unfollow_keyboard(code: str) -> dict[str, Any]:
    """Bot API inline keyboard (plain JSON, no Telegram types) with a stop-following button."""
    button = {"text": texts.UNFOLLOW_BUTTON, "callback_data": cb.PACKAGE_UNFOLLOW.build(code=code)}
    return {"inline_keyboard": [[button]]}



# --- the service ----------------------------------------------------------------------------------


class PackageService:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime] = utc_now,
        zone: ZoneInfo = WITA,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone  # of the times written into notices ([calendar] timezone)

    # --- reading ------------------------------------------------------------------------------

    async def find(self, text: str, *, include_private: bool = False) -> list[Package]:
        """Packages whose kode paket OR kode RUP is ``text`` (an 8-digit number may be either).

        Exact kode paket matches come first. Raises a PackageError when ``text`` is no code.
        """
        code = parse_code(text)
        rows = await repo.packages_by_code_or_rup(self.db, code, include_private=include_private)
        return without_superseded(await repo.load_packages(self.db, rows))

    async def get(self, code: str, *, include_private: bool = False) -> Package | None:
        """The package with exactly this kode paket (not kode RUP)."""
        package = await repo.load_package(self.db, parse_code(code))
        if package is None or not (package.public or include_private):
            return None
        return package

    async def _require(self, code: str, *, include_private: bool) -> Package:
        package = await self.get(code, include_private=include_private)
        if package is None:
            raise PackageNotFound(code.strip())
        return package

    async def history(self, code: str, *, include_private: bool = False) -> list[StageEntry]:
        package = await self._require(code, include_private=include_private)
        return await repo.history(self.db, package.id)

    async def history_of(self, package: Package) -> list[StageEntry]:
        """The history of a package already loaded (one query, not a reload by code)."""
        return await repo.history(self.db, package.id)

    async def follows(self, package: Package, chat_id: int) -> bool:
        """Whether ``chat_id`` follows a package already loaded."""
        return await repo.is_following(self.db, package.id, chat_id)

    async def followers_count(self, code: str) -> int:
        package = await self._require(code, include_private=True)
        return await repo.count_followers(self.db, package.id)

    async def is_following(self, code: str, chat_id: int) -> bool:
        package = await self.get(code, include_private=True)
        return package is not None and await repo.is_following(self.db, package.id, chat_id)

    async def followed_by(self, chat_id: int) -> list[Package]:
        """Public packages a chat follows, newest change first (for a "what do I follow" list)."""
        rows = await repo.packages_followed_by(self.db, chat_id)
        return await repo.load_packages(self.db, rows)

    # --- following ----------------------------------------------------------------------------

    async def follow(self, code: str, chat_id: int, user_id: int | None) -> bool:
        """Starts notices for ``chat_id``; False if it already followed. Public packages only."""
        async with self.db.transaction() as conn:
            package = await repo.load_package(conn, parse_code(code))
            if package is None or not package.public:
                raise PackageNotFound(code.strip())
            if await repo.is_following(conn, package.id, chat_id):
                return False
            if package.state.is_final:
                raise PackageFinished(package.code, package.state.outcome)
            if await repo.count_follows_of_chat(conn, chat_id) >= MAX_FOLLOWS_PER_CHAT:
                raise TooManyFollows(MAX_FOLLOWS_PER_CHAT)
            return await repo.add_follower(conn, package.id, chat_id, user_id, self.clock())

    async def unfollow(self, code: str, chat_id: int) -> bool:
        """Stops notices; False if the chat did not follow (or the package is unknown)."""
        async with self.db.transaction() as conn:
            package = await repo.load_package(conn, parse_code(code))
            if package is None:
                return False
            return await repo.remove_follower(conn, package.id, chat_id)

    async def unfollow_chat(self, chat_id: int) -> int:
        """Drops every follow of a chat, e.g. after Telegram says the bot was blocked there."""
        async with self.db.transaction() as conn:
            return await repo.remove_chat(conn, chat_id)

    # --- staff changes --------------------------------------------------------------------------

    async def set_stage(
        self,
        code: str,
        choice: StageChoice,
        *,
        actor_id: int | None,
        actor_name: str,
        note: str | None = None,
        idempotency_key: str | None = None,
        new_code: str | None = None,
        document: str | None = None,
        public_note: str | None = None,
    ) -> StageChange:
        """Moves a package to ``choice``, records it and queues a notice per following chat.

        Everything happens in one transaction, so the history row, the package row and the
        notices exist together or not at all. A replayed ``idempotency_key`` returns the first
        result and writes nothing; asking for the current stage again changes nothing and says so.
        ``new_code`` (tender ulang only) is the SPSE code of the re-tender: it is created from
        this package (or linked, if already imported) and the followers move along with it.
        ``document`` overrides the standard's document name for this stage (e.g. a BA number).
        ``public_note`` is shown to followers in the notice (the officer marked it public).
        """
        target_code = parse_code(new_code) if new_code is not None else None
        if target_code is not None and choice.outcome is not Outcome.RETENDERED:
            raise NewCodeOnlyForRetender()
        note = (note or "").strip() or None
        operation = f"package_stage:{idempotency_key}" if idempotency_key is not None else None
        async with self.db.transaction() as conn:
            if operation is not None:
                earlier = await claim_operation(conn, operation)
                if earlier is not None:
                    return StageChange.from_json(earlier, replayed=True)
            package = await repo.load_package(conn, parse_code(code))
            if package is None:
                raise PackageNotFound(code.strip())
            before = package.state
            after = choice.resolve(before)
            if target_code is not None:
                if target_code == package.code:
                    raise NewCodeSame()
                if package.retendered_as not in (None, target_code):
                    raise AlreadyRetendered(package.code, package.retendered_as or "")
            link = target_code is not None and package.retendered_as != target_code
            result = StageChange(package.code, False, before, after, 0,
                                 new_code=package.retendered_as)
            if after != before or link:
                now = self.clock()
                notices = 0
                if after != before:
                    await repo.update_state(conn, package.id, after.stage, after.spse, after.outcome, now)
                    await repo.add_entry(
                        conn, package.id, at=now, kind=EntryKind.STAGE, stage=after.stage,
                        spse=after.spse, outcome=after.outcome, actor_kind=ActorKind.STAFF,
                        actor_id=actor_id, actor_name=actor_name, note=note,
                        document=document or "; ".join(after.documents) or None, source=None,
                    )
                if link:
                    assert target_code is not None
                    await self._link_retender(conn, package, target_code, actor_id, actor_name, now)
                updated = await repo.load_package(conn, package.code)
                assert updated is not None
                change = StageChange(package.code, True, before, after, 0, new_code=updated.retendered_as)
                notices = await notify_followers(
                    conn, updated, texts.stage_notice(updated, change, zone=self.zone, public_note=public_note))
                result = StageChange(package.code, True, before, after, notices,
                                     new_code=updated.retendered_as)
            if operation is not None:
                await record_operation(conn, operation, result.to_json())
            return result

    async def _link_retender(
        self,
        conn: aiosqlite.Connection,
        package: Package,
        new_code: str,
        actor_id: int | None,
        actor_name: str,
        now: dt.datetime,
    ) -> None:
        existing = await repo.package_by_code(conn, new_code)
        if existing is None:
            new_id = await repo.copy_for_retender(conn, package.id, new_code, now)
        else:
            if existing["retender_of"] not in (None, package.id):
                raise AlreadyRetenderOfOther(new_code)
            new_id = existing["id"]
            await repo.set_retender_of(conn, new_id, package.id, now)
        new_row = await repo.package_by_code(conn, new_code)
        state = repo.state_of_row(new_row)
        await repo.add_entry(
            conn, new_id, at=now, kind=EntryKind.STAGE, stage=state.stage, spse=state.spse,
            outcome=state.outcome, actor_kind=ActorKind.STAFF, actor_id=actor_id,
            actor_name=actor_name, note=texts.retender_of_note(package.code),
            document=None, source=None,
        )
        # People follow the procurement, not one SPSE code: they keep hearing about the re-tender.
        await repo.copy_followers(conn, package.id, new_id, now)

    async def set_public(
        self,
        code: str,
        public: bool,
        *,
        actor_id: int | None,
        actor_name: str,
        note: str | None = None,
    ) -> bool:
        """Shows or hides a package outside staff; True if that changed (recorded in history)."""
        async with self.db.transaction() as conn:
            package = await repo.load_package(conn, parse_code(code))
            if package is None:
                raise PackageNotFound(code.strip())
            if package.public == public:
                return False
            now = self.clock()
            await repo.set_public(conn, package.id, public, now)
            state = package.state
            await repo.add_entry(
                conn, package.id, at=now, kind=EntryKind.VISIBILITY, stage=state.stage,
                spse=state.spse, outcome=state.outcome, actor_kind=ActorKind.STAFF,
                actor_id=actor_id, actor_name=actor_name,
                note=texts.visibility_note(public, (note or "").strip() or None),
                document=None, source=None,
            )
            return True

