"""Per-update cost of the bot against the floor: a bare PTB echo bot, driven the same way.

Both bots poll their own :class:`~bot.fakebot.FakeTelegram` through
:class:`~bot.fakebot.request.FakeRequest`; every Bot API call (getUpdates included) pays the
same simulated round trip (``latency``, half each way). N updates from N different people are
injected at once; the clock stops when every one of them is fully processed — for the bot, when
``PerChatUpdateProcessor.finalize`` (journal marked done, conversation state committed) has run,
and the outbox holds nothing pending for a citizen any more; for the echo bot, when a handler
in a later group has run after the echo was sent. Throughput = N / that time; the ratio is
``echo throughput / bot throughput``, i.e. how many times more it costs the bot to handle one
update than it costs the bare library.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.delivery.runner import HelpdeskRunner
from bot.fakebot import ApiResponse, DrivenUpdate, FakeTelegram, FakeUser, UploadedFile
from bot.fakebot.request import FakeRequest

TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN1"
LATENCY = 0.05
READ_TARGET = 1.5
FILING_TARGET = 2.0
DEMO_PACKAGE = "99999001000"
REPLY_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendmediagroup", "copymessage"})

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the table row


@dataclass
class Row:
    """One line of the benchmark table."""

    section: str
    case: str
    value: float | int | str
    unit: str
    baseline: str = ""
    ratio: float | None = None
    ok: bool | None = None  # None: context only, no verdict

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("✔" if self.ok else "✘")


# --------------------------------------------------------------------------- shared machinery


class TimedFake(FakeTelegram):
    """The Bot API double, also noting when each message the bot sent reached it (perf_counter)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replies: dict[int, list[tuple[float, str, dict[str, Any]]]] = defaultdict(list)
        self._reply_events: dict[int, asyncio.Event] = {}
        # CPU time the double spent serving calls (parsing HTML, building messages). In
        # production Telegram's servers do that work, not the bot's CPU.
        self.server_seconds = 0.0

    async def handle(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        token: str | None = None,
    ) -> ApiResponse:
        began = time.perf_counter()
        response = await super().handle(method, params, files, token=token)
        if method.lower() != "getupdates":  # only getUpdates ever waits inside the double
            self.server_seconds += time.perf_counter() - began
        if response.status == 200 and method.lower() in REPLY_METHODS:
            now = time.perf_counter()
            result = response.body.get("result")
            for message in result if isinstance(result, list) else [result]:
                if isinstance(message, dict) and "chat" in message:
                    chat_id = message["chat"]["id"]
                    self.replies[chat_id].append((now, method, message))
                    event = self._reply_events.get(chat_id)
                    if event is not None:
                        event.set()
        return response

    def replies_since(self, chat_id: int, count: int) -> list[tuple[float, str, dict[str, Any]]]:
        return self.replies[chat_id][count:]

    async def wait_reply(self, chat_id: int, after: int, predicate: Callable[[dict[str, Any]], bool] | None = None,
                         timeout: float = 120.0) -> tuple[float, dict[str, Any]]:
        """Waits for the first message (index >= after) to the chat matching ``predicate``."""
        deadline = time.perf_counter() + timeout
        event = self._reply_events.setdefault(chat_id, asyncio.Event())
        while True:
            for at, _method, message in self.replies[chat_id][after:]:
                if predicate is None or predicate(message):
                    return at, message
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no reply in chat {chat_id} within {timeout}s")
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def last_with_button(self, chat_id: int, data: str) -> int:
        """message_id of the newest bot message in the chat carrying a button with ``data``."""
        for _at, _method, message in reversed(self.replies[chat_id]):
            if data in buttons_of(message):
                return int(message["message_id"])
        raise LookupError(f"no message with button {data!r} in chat {chat_id}")


def buttons_of(message: Mapping[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


class Tracker:
    """Counts updates of the current batch as they finish; an event fires when all are done."""

    def __init__(self) -> None:
        self._expected: set[int] = set()
        self._event = asyncio.Event()

    def expect(self, update_ids: Iterable[int | None]) -> None:
        self._expected = {uid for uid in update_ids if uid is not None}
        if self._expected:
            self._event.clear()
        else:
            self._event.set()

    def done(self, update: object) -> None:
        update_id = getattr(update, "update_id", None)
        if update_id in self._expected:
            self._expected.discard(update_id)
            if not self._expected:
                self._event.set()

    async def wait(self, timeout: float = 300.0) -> None:
        await asyncio.wait_for(self._event.wait(), timeout)


def bench_settings(tmp: Path, staff_chat_id: int, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {
        # No client-side throttling on either path (the echo bot has no limiter at all).
        "telegram": {"token": TOKEN, "staff_chat_id": staff_chat_id, "overall_max_rate": 0},
        "storage": {"database": str(tmp / "helpdesk.sqlite3")},
        "logging": {"level": "WARNING"},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return Settings.model_validate(data)


def new_fake(latency: float) -> TimedFake:
    # A long callback-query lifetime: on a loaded 2-core box a queued press may be answered
    # late, and the measurement must not turn into an error path.
    return TimedFake(token=TOKEN, latency=latency, callback_query_ttl=3600.0)


class BotSide:
    """The real HelpdeskRunner against its own double, with completion tracking."""

    def __init__(self, tmp: Path, latency: float, *, group_limit: bool = False,
                 **sections: dict[str, Any]) -> None:
        self.tmp = tmp
        self.group_limit = group_limit
        self.fake = new_fake(latency)
        self.officer = self.fake.user("Rina", "Petugas")
        self.staff_group = self.fake.group("Staf Pengaduan PBJ", [self.officer.id])
        if not group_limit:
            # "No client throttling" includes the per-group limit (20 a minute), else the staff
            # chat's ticket cards drain at that pace and every run waits for them.
            sections = {**sections, "telegram": {**sections.get("telegram", {}), "group_max_rate": 0}}
        self.settings = bench_settings(tmp, self.staff_group.id, **sections)
        self.tracker = Tracker()
        self.runner: HelpdeskRunner | None = None
        self.errors: list[str] = []

    @property
    def desk(self) -> Any:
        assert self.runner is not None and self.runner.desk is not None
        return self.runner.desk

    @property
    def app(self) -> Any:
        assert self.runner is not None and self.runner.app is not None
        return self.runner.app

    async def start(self) -> None:
        self.runner = HelpdeskRunner(
            self.settings, request=FakeRequest(self.fake), updates_request=FakeRequest(self.fake),
            poll_timeout=30,
        )
        await self.runner.start()
        processor = self.app.update_processor
        original = processor.finalize

        async def finalize(update: object) -> None:
            if original is not None:
                await original(update)
            self.tracker.done(update)

        processor.finalize = finalize

        async def record_error(update: object, context: Any) -> None:
            self.errors.append(f"{type(context.error).__name__}: {context.error}")

        self.app.add_error_handler(record_error)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.stop()
            self.runner = None

    def has_command(self, name: str) -> bool:
        for handlers in self.app.handlers.values():
            for handler in handlers:
                if isinstance(handler, CommandHandler) and name in handler.commands:
                    return True
        return False

    async def citizens_served(self, timeout: float = 300.0) -> None:
        """Nothing owed to a citizen is still pending in the outbox (staff chat excluded)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            pending = await self.desk.db.fetchval(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND chat_id <> ?",
                (self.desk.staff_chat.id,),
            )
            if not pending:
                return
            await asyncio.sleep(0.005)
        raise TimeoutError("citizen outbox rows still pending")

    async def settle(self) -> None:
        await self.tracker.wait()
        await self.citizens_served()

    async def drain_all(self) -> None:
        """Untimed: lets the staff chat's backlog (one chat, sent in order) go out."""
        await self.desk.outbox.drain(timeout=600.0)


class EchoSide:
    """The floor: PTB with concurrent updates, a MessageHandler echoing the text back, and a
    CallbackQueryHandler that answers a press and sends its data back (the same two calls a
    filing step makes for a button)."""

    def __init__(self, latency: float, *, concurrent: bool = True) -> None:
        self.fake = new_fake(latency)
        self.tracker = Tracker()
        self.primers: dict[int, int] = {}
        builder = (
            ApplicationBuilder().token(TOKEN)
            .request(FakeRequest(self.fake)).get_updates_request(FakeRequest(self.fake))
            .concurrent_updates(concurrent)
        )
        self.app: Application = builder.build()  # type: ignore[type-arg]

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text(update.effective_message.text or "?")

        async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            assert query is not None and update.effective_chat is not None
            await query.answer()
            await context.bot.send_message(update.effective_chat.id, query.data or "?")

        async def finished(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self.tracker.done(update)

        self.app.add_handler(MessageHandler(filters.TEXT, echo))
        self.app.add_handler(CallbackQueryHandler(button))
        self.app.add_handler(TypeHandler(Update, finished), group=1)

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=30, allowed_updates=Update.ALL_TYPES,
                                             drop_pending_updates=False)

    async def stop(self) -> None:
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def prime(self, users: list[FakeUser]) -> None:
        """Gives each user a message with one button to press (untimed setup)."""
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="echo:x")]])
        missing = [u for u in users if u.id not in self.primers]
        messages = await asyncio.gather(*(
            self.app.bot.send_message(u.id, "tekan", reply_markup=markup) for u in missing
        ))
        for user, message in zip(missing, messages, strict=True):
            self.primers[user.id] = message.message_id

    async def settle(self) -> None:
        await self.tracker.wait()


Side = BotSide | EchoSide
Inject = Callable[[Side, list[FakeUser]], list[DrivenUpdate]]


Timing = tuple[float, float]  # (seconds in all, of which the double's own server-side work)


async def timed_batch(side: Side, users: list[FakeUser], inject: Inject) -> Timing:
    """Injects one update per user at once; seconds until all are processed and answered."""
    server = side.fake.server_seconds
    began = time.perf_counter()
    driven = inject(side, users)
    side.tracker.expect(d.update_id for d in driven)
    await side.settle()
    return time.perf_counter() - began, side.fake.server_seconds - server


def text_step(text: str) -> Inject:
    def inject(side: Side, users: list[FakeUser]) -> list[DrivenUpdate]:
        return [side.fake.send_text(u, None, text) for u in users]

    return inject


def button_step(data: str) -> Inject:
    """Bot side: press ``data`` on the newest message carrying it. Echo side: the primer."""

    def inject(side: Side, users: list[FakeUser]) -> list[DrivenUpdate]:
        if isinstance(side, EchoSide):
            targets = [(u, side.primers[u.id], "echo:x") for u in users]
        else:
            targets = [(u, side.fake.last_with_button(u.id, data), data) for u in users]
        return [side.fake.press_button(u, None, mid, d) for u, mid, d in targets]

    return inject


FILING_STEPS: list[tuple[str, str, Inject]] = [
    ("1 /lapor", "text", text_step("/lapor")),
    ("2 nama (button)", "button", button_step("lapor:nama")),
    ("3 kontak (text)", "text", text_step("081234567890")),
    ("4 jenis (button)", "button", button_step("lapor:jenis:pertanyaan")),
    ("5 paket: lewati (button)", "button", button_step("lapor:lewati")),
    ("6 uraian (text)", "text", text_step("Kapan jadwal pembukaan penawaran paket jalan di Tanjung Selor?")),
    ("7 bukti selesai (button)", "button", button_step("lapor:bukti_selesai")),
    ("8 kirim (button)", "button", button_step("lapor:kirim")),
]


# --------------------------------------------------------------------------- the run


@dataclass
class Samples:
    bot: list[Timing] = field(default_factory=list)
    echo: list[Timing] = field(default_factory=list)


def _people(fake: FakeTelegram, count: int, tag: str) -> list[FakeUser]:
    return [fake.user(f"Warga{tag}", f"N{i}") for i in range(count)]


async def _prefile(side: BotSide, status_users: list[FakeUser], per_user: int,
                   staff_citizens: list[FakeUser]) -> tuple[list[str], bool]:
    """Before the bot starts: ``per_user`` tickets for each /status user and one for each
    /balas target, all through ``desk.tickets.file``; their notices are marked sent so that
    delivering them does not overlap the measurement. Also imports the demo packages."""
    from bot.delivery.app import build_desk
    from bot.domain.tickets import Channel, NewComplaint
    from bot.domain.tiers import MatterKind
    from storage.db import Database

    db = await Database.open(side.settings.storage.database)
    try:
        desk = await build_desk(side.settings, db)

        async def file(user: FakeUser, index: int) -> str:
            complaint = NewComplaint(
                name=f"{user.first_name} {user.last_name}", contact="+6281234567890",
                channel=Channel.TELEGRAM, matter_kind=MatterKind.QUESTION,
                description=f"Pertanyaan nomor {index} tentang jadwal tender paket jalan.",
                citizen_user_id=user.id, citizen_chat_id=user.id,
            )
            return str((await desk.tickets.file(complaint)).ticket.code)

        for index in range(per_user):
            for user in status_users:
                await file(user, index)
        staff_codes = [await file(user, 0) for user in staff_citizens]
        async with db.transaction() as conn:
            await conn.execute("UPDATE outbox SET status = 'sent' WHERE status = 'pending'")
        try:
            from bot.services.package_csv import import_demo

            await import_demo(db)
            packages = True
        except ImportError:
            packages = False
    finally:
        await db.close()
    return staff_codes, packages


async def _compare(
    bot: BotSide, echo: EchoSide, rounds: int, bot_users: Callable[[int], list[FakeUser]],
    echo_users: list[FakeUser], bot_inject: Inject, echo_inject: Inject,
) -> Samples:
    samples = Samples()
    for r in range(rounds + 1):  # round 0 warms up
        for bot_turn in ((True, False) if r % 2 == 0 else (False, True)):
            if bot_turn:
                took = await timed_batch(bot, bot_users(r), bot_inject)
                if r:
                    samples.bot.append(took)
            else:
                took = await timed_batch(echo, echo_users, echo_inject)
                if r:
                    samples.echo.append(took)
    return samples


async def _filing(bot: BotSide, echo: EchoSide, rounds: int, count: int,
                  echo_users: list[FakeUser]) -> list[Samples]:
    """Fresh citizens each round; step k for all of them, wait, then step k + 1."""
    per_step = [Samples() for _ in FILING_STEPS]
    for r in range(rounds + 1):
        users = _people(bot.fake, count, f"F{r}")
        for index, (_name, _kind, inject) in enumerate(FILING_STEPS):
            for bot_turn in ((True, False) if r % 2 == 0 else (False, True)):
                if bot_turn:
                    took = await timed_batch(bot, users, inject)
                    if r:
                        per_step[index].bot.append(took)
                else:
                    took = await timed_batch(echo, echo_users, inject)
                    if r:
                        per_step[index].echo.append(took)
        await bot.drain_all()  # untimed: the staff chat's ticket cards
    return per_step


def _rates(count: int, timings: list[Timing]) -> tuple[float, float]:
    """(throughput, throughput without the double's server-side work), from median times."""
    return (count / statistics.median(t for t, _ in timings),
            count / statistics.median(t - server for t, server in timings))


def _row(case: str, samples: Samples, count: int, target: float) -> Row:
    """Value: the bot's raw throughput. Ratio and verdict: echo / bot with the double's own
    CPU time (HTML parsing, message building: Telegram's servers' work in production) taken
    out of both sides' batch times; the raw ratio is shown beside the echo's rate."""
    bot_rate, bot_net = _rates(count, samples.bot)
    echo_rate, echo_net = _rates(count, samples.echo)
    ratio = echo_net / bot_net
    return Row("updates", case, round(bot_rate, 1), "upd/s",
               f"echo {echo_rate:,.0f}/s; raw {echo_rate / bot_rate:.2f}×; ≤{target}×", ratio, ratio <= target)


def _sum_rounds(steps: list[list[Timing]]) -> list[Timing]:
    """Per round, the whole conversation: the steps' times added up."""
    return [(sum(t for t, _ in parts), sum(server for _, server in parts)) for parts in zip(*steps, strict=True)]


async def run(count: int = 300, rounds: int = 3, latency: float = LATENCY) -> list[Row]:
    """Rows for every path; ``count`` updates per batch, median of ``rounds`` after a warm-up."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp_name:
        bot = BotSide(Path(tmp_name), latency)
        echo = EchoSide(latency)
        status_users = _people(bot.fake, count, "S")
        staff_citizens = _people(bot.fake, count * (rounds + 1), "B")
        staff_codes, packages = await _prefile(bot, status_users, 20, staff_citizens)
        await bot.start()
        await echo.start()
        try:
            echo_users = _people(echo.fake, count, "E")
            await echo.prime(echo_users)
            batches = iter(range(10**6))

            def fresh(_r: int) -> list[FakeUser]:
                return _people(bot.fake, count, f"N{next(batches)}")

            samples = await _compare(bot, echo, rounds, fresh, echo_users, text_step("/start"), text_step("/start"))
            rows.append(_row("/start", samples, count, READ_TARGET))
            samples = await _compare(bot, echo, rounds, lambda _r: status_users, echo_users,
                                     text_step("/status"), text_step("/status"))
            rows.append(_row("/status, 20 own tickets", samples, count, READ_TARGET))
            if packages and bot.has_command("paket"):
                probe = fresh(0)[:1]
                await timed_batch(bot, probe, text_step(f"/paket {DEMO_PACKAGE}"))
                hit = any("DEMO" in (m.get("text") or "") for _a, _m, m in bot.fake.replies[probe[0].id])
                samples = await _compare(bot, echo, rounds, fresh, echo_users,
                                         text_step(f"/paket {DEMO_PACKAGE}"), text_step(f"/paket {DEMO_PACKAGE}"))
                rows.append(_row("/paket KODE (hit)" if hit else "/paket KODE (NOT a hit!)", samples, count,
                                 READ_TARGET))
            else:
                rows.append(Row("updates", "/paket KODE (hit)", "n/a", "", "handlers/paket.py not real"))
            per_step = await _filing(bot, echo, rounds, count, echo_users)
            for (name, _kind, _inject), step in zip(FILING_STEPS, per_step, strict=True):
                rows.append(_row(f"filing step {name}", step, count, FILING_TARGET))
            whole = Samples(_sum_rounds([p.bot for p in per_step]), _sum_rounds([p.echo for p in per_step]))
            rows.append(_row("filing, all 8 steps", whole, count * len(FILING_STEPS), FILING_TARGET))
            if bot.has_command("balas"):
                rows.append(await _staff(bot, latency, rounds, count, staff_codes))
                # Context: each /balas also edited its ticket's card (issue #13), a real Bot API call.
                edits = sum(1 for call in bot.fake.calls_to("editMessageText") if call.status == 200)
                rows.append(Row("updates", "— card edits made by those /balas", edits, "calls"))
            else:
                rows.append(Row("updates", "staff /balas KODE teks", "n/a", "", "handlers/staff.py not real"))
            rows.append(Row("updates", "handler errors (bot)", len(bot.errors), "",
                            bot.errors[0][:70] if bot.errors else "none expected", None, not bot.errors))
        finally:
            await echo.stop()
            await bot.stop()
    return rows


async def _staff(bot: BotSide, latency: float, rounds: int, count: int, codes: list[str]) -> Row:
    """/balas from the staff group: one chat, serialised by design. Its answer is the staff
    chat's confirmation (plus the citizen's notice), both sent by the outbox, so the clock
    stops when the outbox is empty. The floor is an echo bot in one group chat that also
    handles its updates one at a time (PTB without concurrent updates)."""
    # Each /balas edits its ticket's card (issue #13), so the cards must exist in the staff chat:
    # send the prefiled cards now, untimed, so every edit is a real editMessageText call.
    async with bot.desk.db.transaction() as conn:
        await conn.executemany(
            "UPDATE outbox SET status = 'pending', parts_sent = 0, sent_at = NULL WHERE purpose = 'ticket_card'"
            " AND ticket_id = (SELECT id FROM tickets WHERE code = ?)", [(code,) for code in codes])
    await bot.drain_all()
    echo = EchoSide(latency, concurrent=False)
    officer = echo.fake.user("Rina", "Petugas")
    group = echo.fake.group("Staf", [officer.id])
    await echo.start()
    pending = iter(codes)
    original = bot.settle

    async def settle_all() -> None:
        await bot.tracker.wait()
        await bot.desk.outbox.drain(timeout=600.0)

    bot.settle = settle_all  # type: ignore[method-assign]
    try:
        def bot_inject(side: Side, users: list[FakeUser]) -> list[DrivenUpdate]:
            return [side.fake.send_text(bot.officer, bot.staff_group.id,
                                        f"/balas {next(pending)} Jadwal pembukaan penawaran ada di SPSE.")
                    for _ in range(count)]

        def echo_inject(side: Side, users: list[FakeUser]) -> list[DrivenUpdate]:
            return [side.fake.send_text(officer, group.id, "/balas ADU-2026-00001 Jadwal pembukaan penawaran ada di SPSE.")
                    for _ in range(count)]

        samples = Samples()
        for r in range(rounds + 1):
            took_bot = await timed_batch(bot, [], bot_inject)
            took_echo = await timed_batch(echo, [], echo_inject)
            if r:
                samples.bot.append(took_bot)
                samples.echo.append(took_echo)
    finally:
        bot.settle = original  # type: ignore[method-assign]
        await echo.stop()
    return _row("staff /balas KODE teks (1 group chat, serial)", samples, count, READ_TARGET)


if __name__ == "__main__":
    for line in asyncio.run(run(50, 1)):
        print(line)
