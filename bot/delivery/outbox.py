"""Delivers outbox rows: concurrent across chats, in order within a chat, never dropped.

Telegram's answers decide what happens to a row:
- 429 flood wait: that chat waits ``retry_after`` (other chats go on), then the row is retried;
- network errors and 5xx: retried with exponential backoff; a row that keeps failing stays
  pending and is reported in the log (and to the staff chat once);
- 403 (citizen blocked the bot / deleted the account): the row is marked failed, the ticket's
  history records the undelivered message and the staff chat is told;
- ChatMigrated: the staff group became a supergroup; the new id is adopted and stored, and
  the rows are re-sent there;
- 400 about formatting: re-sent as plain text rather than lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.services.notices import StaffChat
from bot.texts.format import TELEGRAM_CAPTION_LIMIT, split_for_telegram
from storage import outbox as repo
from storage import runtime_settings
from storage.db import Database, utc_now
from storage.outbox import OutboxRow, due_rows

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
REPORT_AFTER_ATTEMPTS = 5
STAFF_CHAT_KEY = "staff_chat_id"

UndeliveredHook = Callable[[OutboxRow, str], Awaitable[None]]


def flood_wait_seconds(exc: RetryAfter) -> float:
    """retry_after in seconds (PTB 22 is moving the attribute from int to timedelta)."""
    value = getattr(exc, "_retry_after", None)
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(exc.retry_after)  # type: ignore[arg-type]


def plain_text(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


async def adopted_staff_chat(db: Database) -> int | None:
    value = await runtime_settings.get(db, STAFF_CHAT_KEY)
    return int(value) if value is not None else None


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        staff_chat: StaffChat,
        on_undelivered: UndeliveredHook | None = None,
        max_parallel_chats: int = 256,
    ) -> None:
        self.db = db
        self.bot = bot
        self.staff_chat = staff_chat
        self.on_undelivered = on_undelivered
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._busy_chats: set[int] = set()
        self._chat_tasks: set[asyncio.Task[None]] = set()
        self._parallel = asyncio.Semaphore(max_parallel_chats)
        self._runner: asyncio.Task[None] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="outbox-sender")

    def wake(self) -> None:
        """Called after a transaction that enqueued rows, so they go out at once."""
        self._wakeup.set()

    async def stop(self, timeout: float = 5.0) -> None:
        """Lets in-flight sends finish (bounded), then stops; unsent rows wait for the next start."""
        self._stopping = True
        self._wakeup.set()
        if self._runner is not None:
            await asyncio.wait({self._runner}, timeout=timeout)
            self._runner.cancel()
        if self._chat_tasks:
            await asyncio.wait(self._chat_tasks, timeout=timeout)
            for task in self._chat_tasks:
                task.cancel()

    async def drain(self, timeout: float = 10.0) -> None:
        """Waits until nothing is due (used by the sandbox and tests)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            self.wake()
            pending = await repo.count_due(self.db, utc_now())
            if not pending and not self._busy_chats:
                return
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        while not self._stopping:
            timeout = 30.0
            try:
                timeout = await self._dispatch_due()
            except Exception:
                log.exception("outbox dispatch failed")
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=timeout)

    async def _dispatch_due(self) -> float:
        """Starts a sender for every idle chat with due rows; returns seconds until the next is due."""
        now = utc_now()
        wait = 30.0
        for chat_id, due in await repo.next_due_per_chat(self.db):
            due_in = (due - now).total_seconds()
            if due_in > 0:
                wait = min(wait, due_in)
                continue
            if chat_id in self._busy_chats:
                continue
            self._busy_chats.add(chat_id)
            task = asyncio.create_task(self._send_chat(chat_id))
            self._chat_tasks.add(task)
            task.add_done_callback(self._chat_tasks.discard)
        return max(wait, 0.05)

    async def _send_chat(self, chat_id: int) -> None:
        try:
            async with self._parallel:
                # Read the rows only now, while this chat is marked busy: a snapshot taken
                # earlier could hold rows another task has since sent or rewritten.
                for row in await due_rows(self.db, utc_now(), chat_id=chat_id):
                    if not await self._deliver(row):
                        break  # keep this chat's order: later rows wait for this one
        finally:
            self._busy_chats.discard(chat_id)
            self._wakeup.set()

    # --- one row --------------------------------------------------------------------------

    async def _deliver(self, row: OutboxRow) -> bool:
        """True when the row is finished (sent or permanently failed)."""
        try:
            await self._send_parts(row)
        except RetryAfter as exc:
            wait = flood_wait_seconds(exc)
            log.warning("flood wait chat_id=%s outbox_id=%s retry_after=%s", row.chat_id, row.id, wait)
            await self._postpone(row, float(wait), "429 retry_after")
            return False
        except ChatMigrated as exc:
            await self._migrate(row.chat_id, exc.new_chat_id)
            return False
        except Forbidden as exc:
            if row.chat_id == self.staff_chat.id:
                # Without the staff chat nobody could be told; keep the row and shout in the log.
                log.error("bot cannot post to the staff chat chat_id=%s error=%s", row.chat_id, exc.message)
                await self._postpone(row, self._backoff(row.attempts), "403 staff chat")
                return False
            await self._fail(row, f"403: {exc.message}")
            return True
        except BadRequest as exc:
            if "parse entities" in exc.message.lower() and row.payload.get("parse_mode"):
                log.error("formatting rejected, resending as plain text outbox_id=%s", row.id)
                await self._as_plain_text(row)
                return False
            await self._fail(row, f"400: {exc.message}")
            return True
        except (NetworkError, TelegramError) as exc:
            # NetworkError covers timeouts and 5xx answers: the message may go through later.
            await self._postpone(row, self._backoff(row.attempts), f"network: {exc}")
            return False
        return True

    async def _send_parts(self, row: OutboxRow) -> None:
        payload = row.payload
        method = payload["method"]
        markup = payload.get("reply_markup")
        reply_markup = InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None
        # A reply keeps a message in its thread (e.g. evidence under the ticket's card); a deleted
        # target must not stop the send.
        reply_to = payload.get("reply_to_message_id")
        replying: dict[str, Any] = (
            {"reply_to_message_id": int(reply_to), "allow_sending_without_reply": True} if reply_to else {}
        )
        if method == "sendMessage":
            parts = (
                split_for_telegram(payload["text"]) if payload.get("parse_mode") == "HTML"
                else _split_plain(payload["text"])
            )
            for index in range(row.parts_sent, len(parts)):
                last = index == len(parts) - 1
                message = await self.bot.send_message(
                    row.chat_id, parts[index], parse_mode=payload.get("parse_mode"),
                    reply_markup=reply_markup if last else None,
                    **(replying if index == 0 else {}),
                )
                await self._part_sent(row, message, finished=last, parts_sent=index + 1)
            return
        caption = payload.get("caption")
        if caption is not None and len(plain_text(caption)) > TELEGRAM_CAPTION_LIMIT:
            caption = caption[:1000]
        if method == "sendPhoto":
            message = await self.bot.send_photo(
                row.chat_id, payload["photo"], caption=caption, parse_mode=payload.get("parse_mode"), **replying,
            )
        elif method == "sendDocument":
            message = await self.bot.send_document(
                row.chat_id, payload["document"], caption=caption, parse_mode=payload.get("parse_mode"), **replying,
            )
        else:
            raise ValueError(f"unknown outbox method {method}")
        await self._part_sent(row, message, finished=True, parts_sent=1)

    async def _part_sent(self, row: OutboxRow, message: Message, *, finished: bool, parts_sent: int) -> None:
        link = None if row.ticket_id is None else (message.chat_id, message.message_id, row.ticket_id)
        # Many chats finish sends at once; their marks share one commit.
        await repo.mark_part_sent(self.db, row.id, parts_sent=parts_sent, finished=finished, at=utc_now(), link=link)

    # --- failure paths --------------------------------------------------------------------

    @staticmethod
    def _backoff(attempts: int) -> float:
        return float(min(2 ** min(attempts, 10), MAX_BACKOFF_SECONDS))

    async def _postpone(self, row: OutboxRow, seconds: float, reason: str) -> None:
        until = utc_now() + dt.timedelta(seconds=seconds)
        async with self.db.transaction() as conn:
            await repo.record_failed_attempt(conn, row.id, reason)
            # Later rows of the same chat wait too, so the chat's messages stay in order.
            await repo.postpone_chat(conn, row.chat_id, until)
        attempts = row.attempts + 1
        if attempts == REPORT_AFTER_ATTEMPTS:
            log.error("outbox row keeps failing outbox_id=%s chat_id=%s attempts=%s reason=%s",
                      row.id, row.chat_id, attempts, reason)

    async def _fail(self, row: OutboxRow, reason: str) -> None:
        log.warning("message undeliverable outbox_id=%s chat_id=%s ticket_id=%s reason=%s",
                    row.id, row.chat_id, row.ticket_id, reason)
        async with self.db.transaction() as conn:
            await repo.mark_failed(conn, row.id, reason)
        if self.on_undelivered is not None:
            await self.on_undelivered(row, reason)

    async def _migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        async with self.db.transaction() as conn:
            await repo.move_pending(conn, old_chat_id, new_chat_id)
            if old_chat_id == self.staff_chat.id:
                await runtime_settings.put(conn, STAFF_CHAT_KEY, str(new_chat_id))
        if old_chat_id == self.staff_chat.id:
            self.staff_chat.id = new_chat_id
            log.warning(
                "staff group became a supergroup: now using chat_id=%s; set [telegram] staff_chat_id = %s"
                " in the config file", new_chat_id, new_chat_id,
            )

    async def _as_plain_text(self, row: OutboxRow) -> None:
        payload: dict[str, Any] = dict(row.payload)
        for field in ("text", "caption"):
            if field in payload:
                payload[field] = plain_text(payload[field])
        payload.pop("parse_mode", None)
        async with self.db.transaction() as conn:
            await repo.replace_payload(conn, row.id, payload, "400 formatting: resent as plain text")


def _split_plain(text: str, limit: int = 4096) -> list[str]:
    chunks = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks
