"""Offline complaints with a PIN, linking to Telegram, target dates and satisfaction ratings."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.tickets import Actor, Channel, EventKind, NewComplaint, Status, Ticket
from bot.domain.tiers import MatterKind, Tier
from bot.services.notices import parse_rating_callback
from bot.services.recorded import (
    MAX_FAILURES,
    OfflineError,
    TicketAlreadyLinked,
    TooManyPinAttempts,
    hash_pin,
    link_by_pin,
    register_offline,
    verify_pin,
)
from bot.services.tickets import (
    AlreadyRated,
    InvalidRating,
    NotClosedYet,
    RatingWindowClosed,
    TargetInPast,
    TicketClosed,
    TicketNotFound,
)
from storage.db import Database, from_db_time
from tests.support import FixedClock as Clock
from tests.support import at, default_calendar, ticket_service

STAFF_CHAT = -100777
STAFF = Actor.staff(7001, "Petugas Satu")
SITI, SITI_CHAT = 601, 601
BUDI = 501
INTRUDER = 666


class Desk:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self.calendar = default_calendar()

    async def open(self) -> None:
        self.db = await Database.open(self.path)
        self.service = ticket_service(self.db, self.clock, STAFF_CHAT, self.calendar)

    async def restart(self) -> None:
        await self.db.close()
        await self.open()

    async def outbox(self, purpose: str | None = None) -> list[tuple[int, str, dict[str, object]]]:
        rows = await self.db.fetchall("SELECT chat_id, purpose, payload FROM outbox ORDER BY id")
        return [
            (row["chat_id"], row["purpose"], json.loads(row["payload"]))
            for row in rows
            if purpose is None or row["purpose"] == purpose
        ]

    async def register(self, **overrides: object) -> tuple[Ticket, str | None]:
        fields: dict[str, object] = {
            "channel": Channel.IN_PERSON, "name": "Siti Aminah", "contact": "081298765432",
            "description": "Menanyakan syarat kualifikasi penyedia paket jalan.",
            "tier": Tier.NORMATIF, "staff_actor": STAFF,
        }
        fields.update(overrides)
        return await register_offline(self.service, **fields)  # type: ignore[arg-type]


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    desk = Desk(tmp_path / "helpdesk.sqlite3", Clock(at(12, 7, 10)))
    await desk.open()
    yield desk
    await desk.db.close()


# --- registering ---------------------------------------------------------------------------


async def test_register_offline_gives_code_and_pin_and_stores_only_a_hash(desk: Desk) -> None:
    ticket, pin = await desk.register(received_at=at(12, 7, 9))
    assert ticket.code == "ADU-2026-00001"
    assert pin is not None and len(pin) == 6 and pin.isdigit()
    assert ticket.channel is Channel.IN_PERSON
    assert ticket.tier is Tier.NORMATIF
    assert ticket.citizen_user_id is None and ticket.citizen_chat_id is None
    assert ticket.received_at == at(12, 7, 9)
    # Received Mon 7 Dec: 8, 9, 10, 11, 14 → Mon 14 Dec 16:00.
    assert ticket.deadline_at == at(12, 14, 16)

    stored = await desk.db.fetchval("SELECT pin_hash FROM tickets WHERE id = ?", (ticket.id,))
    assert stored.startswith("scrypt$") and pin not in stored
    assert verify_pin(pin, stored)
    assert not verify_pin("000000" if pin != "000000" else "111111", stored)
    # Per-ticket salt: the same PIN hashes differently each time.
    assert hash_pin(pin) != hash_pin(pin)

    # No citizen on Telegram yet: only the staff card is owed.
    assert [(chat, purpose) for chat, purpose, _ in await desk.outbox()] == [(STAFF_CHAT, "ticket_card")]
    history = await desk.service.history(ticket)
    assert [e.kind for e in history] == [EventKind.FILED]
    assert history[0].actor == STAFF
    assert history[0].data["channel"] == "tatap_muka"


async def test_register_offline_rejects_bad_input_and_replays_without_pin(desk: Desk) -> None:
    with pytest.raises(OfflineError):
        await desk.register(channel=Channel.TELEGRAM)
    with pytest.raises(OfflineError):
        await desk.register(channel="faks")
    with pytest.raises(OfflineError):
        await desk.register(received_at=at(12, 8, 10))  # tomorrow
    with pytest.raises(OfflineError):
        await desk.register(name="S")

    first, pin = await desk.register(idempotency_key="catat:1", tier="berkadar")
    again, no_pin = await desk.register(idempotency_key="catat:1", tier="berkadar")
    assert first.tier is Tier.BERKADAR
    assert again.id == first.id and pin is not None and no_pin is None
    assert await desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 1


# --- linking -------------------------------------------------------------------------------


async def test_link_with_the_right_pin(desk: Desk) -> None:
    ticket, pin = await desk.register()
    assert pin is not None
    linked = await link_by_pin(desk.service, "adu 2026 1", f" {pin[:3]} {pin[3:]} ", SITI, SITI_CHAT)
    assert linked is not None
    assert linked.citizen_user_id == SITI and linked.citizen_chat_id == SITI_CHAT
    history = await desk.service.history(linked)
    assert [e.kind for e in history] == [EventKind.FILED, EventKind.LINKED]
    owed = [(chat, purpose) for chat, purpose, _ in await desk.outbox()]
    assert (SITI_CHAT, "linked_citizen") in owed and (STAFF_CHAT, "linked_staff") in owed
    # The citizen now sees it as their own and hears the answer.
    assert await desk.service.for_citizen(ticket.code, SITI) is not None
    await desk.service.staff_reply(ticket.code, STAFF, "Syaratnya tercantum di dokumen pemilihan.")
    assert any(chat == SITI_CHAT and purpose == "staff_reply" for chat, purpose, _ in await desk.outbox())


async def test_wrong_pin_and_wrong_code_look_the_same(desk: Desk) -> None:
    ticket, pin = await desk.register()
    assert pin is not None
    wrong = "000000" if pin != "000000" else "111111"
    assert await link_by_pin(desk.service, ticket.code, wrong, SITI, SITI_CHAT) is None
    assert await link_by_pin(desk.service, "ADU-2026-09999", pin, SITI, SITI_CHAT) is None
    assert await link_by_pin(desk.service, "bukan kode", pin, SITI, SITI_CHAT) is None
    assert await link_by_pin(desk.service, ticket.code, "12ab", SITI, SITI_CHAT) is None
    unlinked = await desk.service.get(ticket.code)
    assert unlinked is not None and unlinked.citizen_user_id is None


async def test_telegram_ticket_has_no_pin(desk: Desk) -> None:
    complaint = NewComplaint(name="Budi Santoso", contact="0812", matter_kind=MatterKind.QUESTION,
                             description="Kapan pengumuman?", citizen_user_id=BUDI, citizen_chat_id=BUDI)
    ticket = (await desk.service.file(complaint)).ticket
    assert await link_by_pin(desk.service, ticket.code, "123456", INTRUDER, INTRUDER) is None


async def test_repeated_wrong_pins_lock_the_user_even_with_the_right_pin(desk: Desk) -> None:
    ticket, pin = await desk.register()
    other, other_pin = await desk.register(name="Rahmat Hidayat")
    assert pin is not None and other_pin is not None
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(MAX_FAILURES):
        assert await link_by_pin(desk.service, ticket.code, wrong, INTRUDER, INTRUDER) is None
        desk.clock.now += dt.timedelta(minutes=1)

    await desk.restart()  # failures are stored, a restart does not reset them
    with pytest.raises(TooManyPinAttempts) as refused:
        await link_by_pin(desk.service, ticket.code, pin, INTRUDER, INTRUDER)
    # The first failure was at 10:00; the window of one hour ends at 11:00.
    assert refused.value.retry_at == at(12, 7, 11)
    # Per user: locked on every ticket, including one whose PIN they have right.
    with pytest.raises(TooManyPinAttempts):
        await link_by_pin(desk.service, other.code, other_pin, INTRUDER, INTRUDER)
    # Per ticket: nobody may try this ticket while it is locked, not even the owner.
    with pytest.raises(TooManyPinAttempts):
        await link_by_pin(desk.service, ticket.code, pin, SITI, SITI_CHAT)
    # Another ticket stays open to another person.
    assert await link_by_pin(desk.service, other.code, other_pin, BUDI, BUDI) is not None

    desk.clock.now = at(12, 7, 11, 1)
    linked = await link_by_pin(desk.service, ticket.code, pin, SITI, SITI_CHAT)
    assert linked is not None and linked.citizen_user_id == SITI


async def test_wrong_pins_from_many_accounts_lock_the_ticket(desk: Desk) -> None:
    ticket, pin = await desk.register()
    assert pin is not None
    wrong = "000000" if pin != "000000" else "111111"
    for user in range(1000, 1000 + MAX_FAILURES):
        assert await link_by_pin(desk.service, ticket.code, wrong, user, user) is None
    with pytest.raises(TooManyPinAttempts):
        await link_by_pin(desk.service, ticket.code, pin, SITI, SITI_CHAT)
    # Wrong codes count against the user only.
    for _ in range(MAX_FAILURES):
        assert await link_by_pin(desk.service, "ADU-2026-09999", pin, BUDI, BUDI) is None
    assert await desk.db.fetchval(
        "SELECT COUNT(*) FROM pin_failures WHERE user_id = ? AND ticket_id IS NULL", (BUDI,)
    ) == MAX_FAILURES


async def test_a_linked_ticket_cannot_be_linked_again(desk: Desk) -> None:
    ticket, pin = await desk.register()
    assert pin is not None
    assert await link_by_pin(desk.service, ticket.code, pin, SITI, SITI_CHAT) is not None
    with pytest.raises(TicketAlreadyLinked):
        await link_by_pin(desk.service, ticket.code, pin, INTRUDER, INTRUDER)
    # The owner repeating the command (or a redelivered update) changes nothing.
    again = await link_by_pin(desk.service, ticket.code, pin, SITI, SITI_CHAT)
    assert again is not None and again.citizen_user_id == SITI
    kinds = [e.kind for e in await desk.service.history(ticket)]
    assert kinds.count(EventKind.LINKED) == 1


# --- target date ---------------------------------------------------------------------------


async def test_target_is_recorded_told_and_leaves_the_deadline(desk: Desk) -> None:
    # Issue #13: a target may not pass the legal deadline, so this one gets 14 working days.
    ticket, pin = await desk.register(tier=Tier.TIDAK_BERKADAR)
    assert pin is not None
    await link_by_pin(desk.service, ticket.code, pin, SITI, SITI_CHAT)
    outcome = await desk.service.set_target(ticket.code, at(12, 18, 10), STAFF, idempotency_key="t:1")
    assert outcome.ticket.target_at == at(12, 18, 10)
    assert outcome.ticket.deadline_at == ticket.deadline_at
    assert outcome.event is not None and outcome.event.kind is EventKind.TARGET_SET
    replay = await desk.service.set_target(ticket.code, at(12, 18, 10), STAFF, idempotency_key="t:1")
    assert replay.replayed

    notices = await desk.outbox("target_notice")
    assert len(notices) == 1 and notices[0][0] == SITI_CHAT
    assert "Jumat, 18 Desember 2026 pukul 10.00 WITA" in str(notices[0][2]["text"])

    with pytest.raises(TargetInPast):
        await desk.service.set_target(ticket.code, at(12, 7, 9), STAFF)
    with pytest.raises(ValueError):
        await desk.service.set_target(ticket.code, dt.datetime(2026, 12, 20, 10), STAFF)
    await desk.service.close(ticket.code, STAFF, ANSWER)
    with pytest.raises(TicketClosed):
        await desk.service.set_target(ticket.code, at(12, 21, 10), STAFF)


# Closing means answered: a ticket never answered is closed with its answer.
ANSWER = "Sudah kami jawab lewat telepon."


# --- satisfaction --------------------------------------------------------------------------


async def _telegram_ticket(desk: Desk) -> Ticket:
    complaint = NewComplaint(name="Budi Santoso", contact="0812", matter_kind=MatterKind.QUESTION,
                             description="Kapan pengumuman?", citizen_user_id=BUDI, citizen_chat_id=BUDI)
    return (await desk.service.file(complaint)).ticket


async def test_closing_asks_the_citizen_to_rate_with_buttons(desk: Desk) -> None:
    ticket = await _telegram_ticket(desk)
    await desk.service.close(ticket.code, STAFF, "Sudah dijelaskan.")
    owed = [(chat, purpose) for chat, purpose, _ in await desk.outbox()]
    assert owed[-3:] == [(BUDI, "closed_notice"), (STAFF_CHAT, "staff_confirmation"), (BUDI, "rating_request")]
    payload = (await desk.outbox("rating_request"))[0][2]
    keyboard = payload["reply_markup"]
    assert keyboard == {"inline_keyboard": [[
        {"text": str(n), "callback_data": f"nilai:{ticket.code}:{n}"} for n in range(1, 6)
    ]]}
    for button in keyboard["inline_keyboard"][0]:  # type: ignore[index]
        assert len(button["callback_data"].encode()) <= 64
        assert parse_rating_callback(button["callback_data"]) == (ticket.code, int(button["text"]))
    assert parse_rating_callback("nilai:ADU-2026-00001:9") is None
    assert parse_rating_callback("tk:tutup:ADU-2026-00001") is None


async def test_offline_ticket_not_linked_gets_no_rating_request(desk: Desk) -> None:
    ticket, _ = await desk.register()
    await desk.service.close(ticket.code, STAFF, ANSWER)
    assert await desk.outbox("rating_request") == []


async def test_rating_rules(desk: Desk) -> None:
    ticket = await _telegram_ticket(desk)
    with pytest.raises(NotClosedYet):
        await desk.service.rate(ticket.code, BUDI, 5)
    desk.clock.now = at(12, 8, 9)
    await desk.service.close(ticket.code, STAFF, ANSWER)

    with pytest.raises(InvalidRating):
        await desk.service.rate(ticket.code, BUDI, 6)
    with pytest.raises(InvalidRating):
        await desk.service.rate(ticket.code, BUDI, 0)
    with pytest.raises(TicketNotFound):
        await desk.service.rate(ticket.code, INTRUDER, 5)

    outcome = await desk.service.rate(ticket.code, BUDI, 4, "  Cepat dan jelas.  ", now=at(12, 9, 8),
                                      idempotency_key="cb:1")
    assert outcome.ticket.rating == 4
    assert outcome.event is not None and outcome.event.kind is EventKind.RATED
    assert outcome.event.data == {"rating": 4, "comment": "Cepat dan jelas."}
    row = await desk.db.fetchone("SELECT rating_comment, rated_at FROM tickets WHERE id = ?", (ticket.id,))
    assert row["rating_comment"] == "Cepat dan jelas."
    assert from_db_time(row["rated_at"]) == at(12, 9, 8)
    staff = await desk.outbox("rating_staff")
    assert len(staff) == 1 and staff[0][0] == STAFF_CHAT and "4/5" in str(staff[0][2]["text"])

    # The same button press redelivered: the first result, no second event.
    replay = await desk.service.rate(ticket.code, BUDI, 4, idempotency_key="cb:1")
    assert replay.replayed
    with pytest.raises(AlreadyRated):
        await desk.service.rate(ticket.code, BUDI, 1)
    # A rated ticket reopened and closed again is not asked again.
    await desk.service.reopen(ticket.code, STAFF)
    await desk.service.close(ticket.code, STAFF)
    assert len(await desk.outbox("rating_request")) == 1


async def test_rating_window_is_fourteen_days_after_closing(desk: Desk) -> None:
    late = await _telegram_ticket(desk)
    in_time = await _telegram_ticket(desk)
    desk.clock.now = at(12, 8, 9)
    await desk.service.close(late.code, STAFF, ANSWER)
    await desk.service.close(in_time.code, STAFF, ANSWER)
    with pytest.raises(RatingWindowClosed):
        await desk.service.rate(late.code, BUDI, 5, now=at(12, 22, 9, 1))
    # Exactly 14 × 24 h after closing is still in time.
    outcome = await desk.service.rate(in_time.code, BUDI, 5, now=at(12, 22, 9))
    assert outcome.ticket.rating == 5
    closed = await desk.service.get(late.code)
    assert closed is not None and closed.status is Status.CLOSED and closed.rating is None
