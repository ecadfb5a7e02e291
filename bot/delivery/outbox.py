"""Delivers outbox rows: concurrent across chats, in order within a chat, never dropped.

Telegram's answers decide what happens to a row:
- 429 flood wait: that chat waits ``retry_after`` (other chats go on), then the row is retried;
- network errors and 5xx: retried with exponential backoff; a row that keeps failing stays
  pending and is reported in the log (and to the staff chat once);
- 403 (citizen blocked the bot / deleted the account): the row is marked failed, the ticket's
  history records the undelivered message and the staff chat is told;
- ChatMigrated: the staff group became a supergroup; the new id is adopted and stored, and
  the rows are re-sent there (the same adoption runs when the migration's service message
  arrives first, see ``on_migrated``);
- 400 about formatting: re-sent as plain text rather than lost, cut at the same places as
  the HTML parts (never inside a tag or an entity).

Card edits (editMessageText of a ticket's card) run in their own lane per chat, beside its new
messages: a card edit waits for the card to be sent (its message id is looked up then), "message
is not modified" counts as done, and a card Telegram no longer lets us edit is given up quietly
(the change itself is in the history, and the next /tiket shows it).
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

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.services.notices import StaffChat
from bot.texts.common import DEEP_LINK_BOT
from bot.texts.format import TELEGRAM_CAPTION_LIMIT, split_for_telegram
from storage import outbox as repo
from storage import runtime_settings
from storage.db import Database, utc_now
from storage.outbox import OutboxRow, due_rows
from storage.tickets import first_message_of, link_message

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
REPORT_AFTER_ATTEMPTS = 5
CARD_WAIT_ROUNDS = 250  # × 20 ms: how long a card edit waits in its lane for the card
STAFF_CHAT_KEY = "staff_chat_id"

UndeliveredHook = Callable[[OutboxRow, str], Awaitable[None]]
MigratedHook = Callable[[int, int], Awaitable[None]]

# Tags Telegram's HTML mode knows; only these are markup in a fallback, any other "<…>" is
# the sender's own text and stays.
_TELEGRAM_TAG = re.compile(
    r"</?(?:a|b|strong|i|em|s|strike|del|u|ins|tg-spoiler|tg-emoji|span|pre|code|blockquote)"
    r"(?:\s[^<>]*)?>",
    re.IGNORECASE,
)


def flood_wait_seconds(exc: RetryAfter) -> float:
    """retry_after in seconds (PTB 22 is moving the attribute from int to timedelta)."""
    value = getattr(exc, "_retry_after", None)
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(exc.retry_after)  # type: ignore[arg-type]


def plain_text(html_text: str) -> str:
    return html.unescape(_TELEGRAM_TAG.sub("", html_text))


def plain_parts(html_text: str, parts_sent: int = 0) -> list[str]:
    """The plain-text fallback of an HTML message, part by part.

    The cuts are the HTML split's (``split_for_telegram`` never cuts inside a tag or an
    entity), converted part by part, so part ``n`` of the fallback follows part ``n - 1`` of
    the HTML already delivered, with nothing repeated or lost. A part that grew past the limit
    (unknown tags kept as text) is split again at line breaks.
    """
    html_parts = split_for_telegram(html_text)
    done = [plain_text(part) for part in html_parts[:parts_sent]]
    rest = [piece for part in html_parts[parts_sent:] for piece in _split_plain(plain_text(part))]
    return done + rest


def fit_caption(caption: str, html_mode: bool) -> str:
    """A caption within Telegram's limit, shortened at a tag/entity boundary in HTML."""
    if html_mode:
        if len(plain_text(caption)) <= TELEGRAM_CAPTION_LIMIT:
            return caption
        return split_for_telegram(caption, limit=TELEGRAM_CAPTION_LIMIT - 1)[0] + "…"
    if len(caption) <= TELEGRAM_CAPTION_LIMIT:
        return caption
    return caption[: TELEGRAM_CAPTION_LIMIT - 1] + "…"


def _with_bot_name(markup: Any, username: str) -> Any:
    """Fills this bot's @name into deep links (``texts.common.status_deep_link``)."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return markup
    rows = [
        [
            {**button, "url": button["url"].replace(DEEP_LINK_BOT, username)}
            if isinstance(button.get("url"), str) else button
            for button in row
        ]
        for row in markup["inline_keyboard"]
    ]
    return {**markup, "inline_keyboard": rows}


def _send_options(payload: dict[str, Any]) -> dict[str, Any]:
    """Optional Bot API parameters an outbox row may carry (silent digest, protected cards,
    no link previews for relayed text)."""
    options: dict[str, Any] = {}
    if payload.get("disable_notification"):
        options["disable_notification"] = True
    if payload.get("protect_content"):
        options["protect_content"] = True
    preview = payload.get("link_preview_options")
    if isinstance(preview, dict):
        options["link_preview_options"] = LinkPreviewOptions(**preview)
    return options


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
        on_migrated: MigratedHook | None = None,
    ) -> None:
        self.db = db
        self.bot = bot
        self.staff_chat = staff_chat
        self.on_undelivered = on_undelivered
        # Runs after the staff chat moved to a new id (cards re-linked there; see app.py).
        self.on_migrated = on_migrated
        self._migration_lock = asyncio.Lock()
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._busy_chats: set[tuple[int, str]] = set()
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
        for chat_id, lane, due in await repo.next_due_per_chat(self.db):
            due_in = (due - now).total_seconds()
            if due_in > 0:
                wait = min(wait, due_in)
                continue
            if (chat_id, lane) in self._busy_chats:
                continue
            self._busy_chats.add((chat_id, lane))
            task = asyncio.create_task(self._send_chat(chat_id, lane))
            self._chat_tasks.add(task)
            task.add_done_callback(self._chat_tasks.discard)
        return max(wait, 0.05)

    async def _send_chat(self, chat_id: int, lane: str = repo.SEND_LANE) -> None:
        try:
            async with self._parallel:
                # Read the rows only now, while this chat is marked busy: a snapshot taken
                # earlier could hold rows another task has since sent or rewritten.
                for row in await due_rows(self.db, utc_now(), chat_id=chat_id, lane=lane):
                    if not await self._deliver(row):
                        break  # keep this chat's order: later rows wait for this one
        finally:
            self._busy_chats.discard((chat_id, lane))
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
            await self.follow_migration(row.chat_id, exc.new_chat_id)
            return False
        except Forbidden as exc:
            if row.chat_id == self.staff_chat.id:
                # Without the staff chat nobody could be told; keep the row and shout in the log.
                log.error("bot cannot post to the staff chat chat_id=%s error=%s", row.chat_id, exc.message)
                await self._postpone(row, self._backoff(row.attempts), "403 staff chat")
                return False
            await self._fail(row, f"403: {exc.message}")
            return True
        except CardNotSentYet:
            # Only this row waits: the card itself (other lane) must not be held back.
            async with self.db.transaction() as conn:
                await repo.postpone_row(conn, row.id, utc_now() + dt.timedelta(seconds=5), "card not sent yet")
            return False
        except BadRequest as exc:
            if row.purpose == repo.CARD_EDIT_PURPOSE:
                return await self._card_edit_refused(row, exc)
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
        markup = _with_bot_name(payload.get("reply_markup"), self.bot.username)
        reply_markup = InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None
        if method == "editMessageText":
            await self._edit_card(row, reply_markup)
            return
        options = _send_options(payload)
        # Staff-chat messages of a confidential ticket: members cannot forward or save them.
        protect = True if payload.get("protect_content") else None
        # A reply keeps a message in its thread (e.g. evidence under the ticket's card); a deleted
        # target must not stop the send.
        reply_to = payload.get("reply_to_message_id")
        if reply_to is None and payload.get(repo.REPLY_TO_CARD) and row.ticket_id is not None:
            reply_to = await first_message_of(self.db, row.chat_id, row.ticket_id)
        replying: dict[str, Any] = (
            {"reply_to_message_id": int(reply_to), "allow_sending_without_reply": True} if reply_to else {}
        )
        if method == "sendMessage":
            if isinstance(payload.get("plain_parts"), list):
                parts = [str(part) for part in payload["plain_parts"]]
            elif payload.get("parse_mode") == "HTML":
                parts = split_for_telegram(payload["text"])
            else:
                parts = _split_plain(payload["text"])
            for index in range(row.parts_sent, len(parts)):
                last = index == len(parts) - 1
                message = await self.bot.send_message(
                    row.chat_id, parts[index], parse_mode=payload.get("parse_mode"),
                    reply_markup=reply_markup if last else None, **options,
                    **(replying if index == 0 else {}),
                )
                await self._part_sent(row, message, finished=last, parts_sent=index + 1)
            return
        if method == "sendMediaGroup":
            await self._send_album(row, protect, int(reply_to) if reply_to else None)
            return
        options.pop("link_preview_options", None)  # media have no link previews
        caption = payload.get("caption")
        if caption is not None:
            caption = fit_caption(caption, payload.get("parse_mode") == "HTML")
        if method == "sendPhoto":
            message = await self.bot.send_photo(
                row.chat_id, payload["photo"], caption=caption, parse_mode=payload.get("parse_mode"),
                **options, **replying,
            )
        elif method == "sendDocument":
            message = await self.bot.send_document(
                row.chat_id, payload["document"], caption=caption, parse_mode=payload.get("parse_mode"),
                **options, **replying,
            )
        else:
            raise ValueError(f"unknown outbox method {method}")
        await self._part_sent(row, message, finished=True, parts_sent=1)

    async def _send_album(self, row: OutboxRow, protect: bool | None, reply_to: int | None) -> None:
        """An album of evidence (in reply to the ticket's card, see REPLY_TO_CARD); every item is
        linked to the ticket, so a reply to any of them answers the citizen."""
        payload = row.payload
        media: list[InputMediaPhoto | InputMediaDocument] = []
        for item in payload["media"]:
            kind = InputMediaPhoto if item["type"] == "photo" else InputMediaDocument
            caption = item.get("caption")
            if caption is not None:
                caption = fit_caption(caption, item.get("parse_mode") == "HTML")
            media.append(kind(item["media"], caption=caption, parse_mode=item.get("parse_mode")))
        messages = await self.bot.send_media_group(
            row.chat_id, media, reply_to_message_id=reply_to, allow_sending_without_reply=True,
            protect_content=protect,
        )
        if row.ticket_id is not None:
            for message in messages[1:]:
                await link_message(self.db, message.chat_id, message.message_id, row.ticket_id)
        await self._part_sent(row, messages[0], finished=True, parts_sent=1)

    async def _part_sent(self, row: OutboxRow, message: Message, *, finished: bool, parts_sent: int) -> None:
        link = None if row.ticket_id is None else (message.chat_id, message.message_id, row.ticket_id)
        card = link is not None and row.purpose == repo.CARD_PURPOSE and parts_sent == 1
        # Many chats finish sends at once; their marks share one commit.
        await repo.mark_part_sent(self.db, row.id, parts_sent=parts_sent, finished=finished, at=utc_now(), link=link,
                                  card=card)

    async def _edit_card(self, row: OutboxRow, reply_markup: InlineKeyboardMarkup | None) -> None:
        assert row.ticket_id is not None
        where = await repo.card_message(self.db, row.ticket_id)
        # The card is sent in the chat's other lane; wait for it (this lane stays busy meanwhile).
        for _ in range(CARD_WAIT_ROUNDS):
            if where is not None or not await repo.card_pending(self.db, row.ticket_id):
                break
            await asyncio.sleep(0.02)
            where = await repo.card_message(self.db, row.ticket_id)
        if where is None:
            if await repo.card_pending(self.db, row.ticket_id):
                raise CardNotSentYet(row.ticket_id)
            # A ticket whose card was never recorded (e.g. the card failed): nothing to edit.
            await repo.mark_part_sent(self.db, row.id, parts_sent=1, finished=True, at=utc_now(), link=None)
            return
        chat_id, message_id = where
        payload = row.payload
        try:
            await self.bot.edit_message_text(
                payload["text"], chat_id=chat_id, message_id=message_id,
                parse_mode=payload.get("parse_mode"), reply_markup=reply_markup,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        await repo.mark_part_sent(self.db, row.id, parts_sent=1, finished=True, at=utc_now(), link=None)

    async def _card_edit_refused(self, row: OutboxRow, exc: BadRequest) -> bool:
        if "parse entities" in exc.message.lower() and row.payload.get("parse_mode"):
            await self._as_plain_text(row)
            return False
        # Deleted card, too old to edit, …: the change stands; only its echo on the card is lost.
        log.warning("card edit refused outbox_id=%s ticket_id=%s reason=%s", row.id, row.ticket_id, exc.message)
        async with self.db.transaction() as conn:
            await repo.mark_failed(conn, row.id, f"400: {exc.message}")
        return True

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

    async def follow_migration(self, old_chat_id: int, new_chat_id: int) -> bool:
        """A group became a supergroup: its pending rows move to the new id; for the staff
        group the new id is adopted at once (stored, logged with the config hint) and
        ``on_migrated`` runs. Idempotent: the second of the two service messages, or a
        ChatMigrated answer after them, changes nothing. True when the staff chat moved."""
        async with self._migration_lock:
            moves_staff = old_chat_id == self.staff_chat.id and new_chat_id != old_chat_id
            async with self.db.transaction() as conn:
                await repo.move_pending(conn, old_chat_id, new_chat_id)
                if moves_staff:
                    await runtime_settings.put(conn, STAFF_CHAT_KEY, str(new_chat_id))
            if not moves_staff:
                return False
            self.staff_chat.id = new_chat_id
            log.warning(
                "staff group became a supergroup: now using chat_id=%s (was %s); set [telegram]"
                " staff_chat_id = %s in the config file", new_chat_id, old_chat_id, new_chat_id,
            )
        self.wake()
        if self.on_migrated is not None:
            await self.on_migrated(old_chat_id, new_chat_id)
        return True

    async def _as_plain_text(self, row: OutboxRow) -> None:
        payload: dict[str, Any] = dict(row.payload)
        if payload.get("method") == "sendMessage" and payload.get("parse_mode") == "HTML":
            payload["plain_parts"] = plain_parts(payload["text"], row.parts_sent)
        for field in ("text", "caption"):
            if field in payload:
                payload[field] = plain_text(payload[field])
        payload.pop("parse_mode", None)
        async with self.db.transaction() as conn:
            await repo.replace_payload(conn, row.id, payload, "400 formatting: resent as plain text")


class CardNotSentYet(Exception):
    """A card edit reached the sender before the card itself was sent."""


def _split_plain(text: str, limit: int = 4096) -> list[str]:
    chunks = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks
