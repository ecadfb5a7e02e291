"""The ticket store and lifecycle on a real SQLite file."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3

import pytest

from bot.domain.tickets import Actor, Attachment, EventKind, NewComplaint, Status
from bot.domain.tiers import MatterKind, Tier
from bot.services.notices import describe_time_left
from bot.services.tickets import NothingToChange, TicketClosed, TicketNotFound, TicketService
from storage.db import Database, DatabaseError, latest_version
from tests.support import WITA, at, ticket_service
from tests.support import FixedClock as Clock

STAFF_CHAT = -100555
STAFF = Actor.staff(7001, "Petugas Satu")


def complaint(**overrides: object) -> NewComplaint:
    fields: dict[str, object] = {
        "name": "Budi Santoso",
        "contact": "+6281234567890",
        "matter_kind": MatterKind.QUESTION,
        "description": "Kapan jadwal pembukaan penawaran paket jalan Tanjung Selor?",
        "citizen_user_id": 501,
        "citizen_chat_id": 501,
    }
    fields.update(overrides)
    return NewComplaint(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "helpdesk.sqlite3")
    yield database
    await database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(at(12, 23, 10))


@pytest.fixture
def service(db: Database, clock: Clock) -> TicketService:
    return ticket_service(db, clock, STAFF_CHAT)


async def outbox(db: Database) -> list[tuple[int, str]]:
    rows = await db.fetchall("SELECT chat_id, purpose FROM outbox ORDER BY id")
    return [(row["chat_id"], row["purpose"]) for row in rows]


async def test_filing_allocates_code_deadline_and_owes_messages(service: TicketService, db: Database) -> None:
    outcome = await service.file(complaint(matter_kind=MatterKind.RULES))
    ticket = outcome.ticket
    assert ticket.code == "ADU-2026-00001"
    assert ticket.tier is Tier.NORMATIF
    assert ticket.status is Status.NEW
    # Received Wed 23 Dec 2026 10:00 → 24 (cuti bersama), 25 (Natal), weekend, 1 Jan skipped.
    assert ticket.deadline_at == dt.datetime(2027, 1, 4, 16, 0, tzinfo=WITA)
    assert await outbox(db) == [(501, "filed_citizen"), (STAFF_CHAT, "ticket_card")]
    history = await service.history(ticket)
    assert [event.kind for event in history] == [EventKind.FILED]


async def test_fifty_concurrent_filings_get_fifty_consecutive_codes(service: TicketService) -> None:
    outcomes = await asyncio.gather(*(service.file(complaint(citizen_user_id=1000 + i)) for i in range(50)))
    codes = sorted(outcome.ticket.code for outcome in outcomes)
    assert codes == [f"ADU-2026-{n:05d}" for n in range(1, 51)]


async def test_codes_restart_each_year(service: TicketService, clock: Clock) -> None:
    await service.file(complaint())
    clock.now = dt.datetime(2027, 1, 4, 9, 0, tzinfo=WITA)
    assert (await service.file(complaint())).ticket.code == "ADU-2027-00001"


async def test_replayed_filing_returns_the_first_ticket_and_owes_nothing_new(
    service: TicketService, db: Database
) -> None:
    first = await service.file(complaint(), idempotency_key="file:501:77")
    again = await service.file(complaint(), idempotency_key="file:501:77")
    assert again.replayed and again.ticket.code == first.ticket.code
    assert await db.fetchval("SELECT COUNT(*) FROM tickets") == 1
    assert len(await outbox(db)) == 2


async def test_wrongdoing_text_escalates_whatever_the_kind(service: TicketService) -> None:
    outcome = await service.file(complaint(description="Panitia menerima suap dari peserta tender jalan."))
    assert outcome.ticket.tier is Tier.BERKADAR


async def test_reclassify_recomputes_from_original_receipt_and_is_recorded(
    service: TicketService, clock: Clock
) -> None:
    filed = (await service.file(complaint())).ticket  # ringan, received Wed 23 Dec 10:00
    clock.now = dt.datetime(2027, 1, 6, 9, 0, tzinfo=WITA)  # two weeks later
    outcome = await service.reclassify(filed.code, Tier.NORMATIF, STAFF, "Perlu penjelasan aturan")
    assert outcome.ticket.tier is Tier.NORMATIF
    # From the original receipt (23 Dec), not from the reclassification day.
    assert outcome.ticket.deadline_at == dt.datetime(2027, 1, 4, 16, 0, tzinfo=WITA)
    event = (await service.history(filed))[-1]
    assert event.kind is EventKind.RECLASSIFIED
    assert event.actor == STAFF
    assert event.data["from"] == "ringan" and event.data["to"] == "normatif"
    assert event.data["reason"] == "Perlu penjelasan aturan"
    with pytest.raises(NothingToChange):
        await service.reclassify(filed.code, Tier.NORMATIF, STAFF)


async def test_lifecycle_reply_process_close_reopen(service: TicketService, db: Database) -> None:
    code = (await service.file(complaint())).ticket.code
    await service.mark_in_process(code, STAFF)
    replied = await service.staff_reply(code, STAFF, "Jadwal ada di SPSE.",
                                        [Attachment(kind="photo", file_id="F1")])
    assert replied.ticket.status is Status.ANSWERED and replied.ticket.first_answer_at is not None
    closed = await service.close(code, STAFF, "Sudah dijawab")
    assert closed.ticket.status is Status.CLOSED and closed.ticket.closed_at is not None
    with pytest.raises(TicketClosed):
        await service.staff_reply(code, STAFF, "lagi")
    reopened = await service.reopen(code, STAFF)
    assert reopened.ticket.is_open and reopened.ticket.closed_at is None
    kinds = [event.kind for event in await service.history(reopened.ticket)]
    assert kinds == [EventKind.FILED, EventKind.STATUS_CHANGED, EventKind.STAFF_REPLY,
                     EventKind.CLOSED, EventKind.REOPENED]
    reply_payloads = [json.loads(row["payload"]) for row in await db.fetchall(
        "SELECT payload FROM outbox WHERE purpose IN ('staff_reply', 'staff_reply_file') ORDER BY id")]
    assert reply_payloads[0]["text"].count("Jadwal ada di SPSE.") == 1
    assert reply_payloads[1] == {"method": "sendPhoto", "photo": "F1", "parse_mode": "HTML",
                                 "caption": reply_payloads[1]["caption"]}


async def test_replayed_staff_reply_is_recorded_once(service: TicketService, db: Database) -> None:
    code = (await service.file(complaint())).ticket.code
    for _ in range(2):
        await service.staff_reply(code, STAFF, "Jawaban", idempotency_key="reply:msg:-1:10")
    count = await db.fetchval("SELECT COUNT(*) FROM ticket_events WHERE kind = 'staff_reply'")
    assert count == 1
    assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE purpose = 'staff_reply'") == 1


async def test_ticket_is_shown_only_to_its_citizen(service: TicketService) -> None:
    code = (await service.file(complaint(citizen_user_id=501))).ticket.code
    assert await service.for_citizen(code, 501) is not None
    assert await service.for_citizen(code, 502) is None
    assert await service.for_citizen("ADU-2026-99999", 501) is None
    with pytest.raises(TicketNotFound):
        await service.add_citizen_message(code, 502, "bukan milik saya")


async def test_failing_write_leaves_no_trace(service: TicketService, db: Database) -> None:
    await service.file(complaint())
    # An attachment row that violates the schema makes the filing's last INSERT fail.
    broken = complaint(attachments=(Attachment.model_construct(kind="video", file_id="X"),))
    with pytest.raises(sqlite3.IntegrityError):
        await service.file(broken)
    assert await db.fetchval("SELECT COUNT(*) FROM tickets") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM ticket_events") == 1
    assert await db.fetchval("SELECT COUNT(*) FROM outbox") == 2
    assert await db.fetchval("SELECT last_seq FROM ticket_counters WHERE year = 2026") == 1
    # The sequence did not skip: the next filing gets 00002.
    assert (await service.file(complaint())).ticket.code == "ADU-2026-00002"


async def test_open_list_is_ordered_by_deadline(service: TicketService, clock: Clock) -> None:
    late = (await service.file(complaint(matter_kind=MatterKind.WRONGDOING))).ticket
    soon = (await service.file(complaint())).ticket
    middle = (await service.file(complaint(matter_kind=MatterKind.RULES))).ticket
    await service.close(middle.code, STAFF, "Sudah dijawab")
    assert [t.code for t in await service.list_open()] == [soon.code, late.code]


async def test_history_is_append_only(service: TicketService, db: Database) -> None:
    await service.file(complaint())
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM ticket_events")


async def test_database_newer_than_code_is_refused(tmp_path) -> None:
    path = tmp_path / "future.sqlite3"
    database = await Database.open(path)
    await database.conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    await database.close()
    with pytest.raises(DatabaseError, match="lebih baru"):
        await Database.open(path)


async def test_answered_ticket_is_not_overdue_and_overview_puts_overdue_first(
    service: TicketService, clock: Clock
) -> None:
    answered = (await service.file(complaint())).ticket  # ringan: due Thu 24 Dec… (office hours)
    waiting = (await service.file(complaint(matter_kind=MatterKind.RULES))).ticket  # due 4 Jan 2027
    unanswered = (await service.file(complaint())).ticket
    await service.staff_reply(answered.code, STAFF, "Sudah kami jawab.")
    clock.now = at(12, 31, 10)  # both ringan deadlines passed, the normatif one not yet
    answered_now = await service.get(answered.code)
    assert answered_now is not None and not answered_now.is_overdue(clock.now)
    assert describe_time_left(service.calendar, answered_now, clock.now) == "sudah dijawab"
    assert describe_time_left(service.calendar, unanswered, clock.now).startswith("terlambat ")
    total, overdue, tickets = await service.open_overview(clock.now, limit=2)
    assert (total, overdue) == (3, 1)
    assert [t.code for t in tickets] == [unanswered.code, answered.code]
    assert waiting.code not in [t.code for t in tickets]  # cut by the limit
