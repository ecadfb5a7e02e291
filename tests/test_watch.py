"""Deadline watch and morning digest on a real SQLite file, driven by a controlled clock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import CalendarConfig, TiersConfig, WatchConfig
from bot.domain.tickets import Actor, Channel, NewComplaint, Status, Ticket
from bot.domain.tiers import MatterKind, Tier
from bot.domain.workcalendar import WorkCalendar
from bot.services.recorded import register_offline
from bot.services.watch import DeadlineWatch, Threshold
from storage.db import Database
from tests.support import FixedClock as Clock
from tests.support import at, default_calendar, ticket_service

STAFF_CHAT = -100777
CITIZEN = 501
STAFF = Actor.staff(7001, "Petugas Satu")


class Desk:
    """The real service and watch on one database file; ``restart`` reopens both."""

    def __init__(self, path: Path, clock: Clock, watch_cfg: WatchConfig | None = None) -> None:
        self.path = path
        self.clock = clock
        self.watch_cfg = watch_cfg or WatchConfig()
        self.calendar = default_calendar()

    async def open(self) -> None:
        self.db = await Database.open(self.path)
        self.service = ticket_service(self.db, self.clock, STAFF_CHAT, self.calendar)
        self.watch = DeadlineWatch(self.db, self.calendar, self.watch_cfg, lambda: STAFF_CHAT, self.clock)

    async def restart(self) -> None:
        await self.db.close()
        await self.open()

    async def file(self, kind: MatterKind, received: dt.datetime, user: int | None = CITIZEN) -> Ticket:
        complaint = NewComplaint(
            name="Budi Santoso", contact="081234567890", matter_kind=kind,
            description="Mohon penjelasan jadwal pengumuman paket pembangunan gedung kantor.",
            citizen_user_id=user, citizen_chat_id=user,
        )
        return (await self.service.file(complaint, received_at=received)).ticket

    async def outbox(self, purpose: str) -> list[tuple[int, str]]:
        rows = await self.db.fetchall(
            "SELECT chat_id, payload FROM outbox WHERE purpose = ? ORDER BY id", (purpose,)
        )
        return [(row["chat_id"], json.loads(row["payload"])["text"]) for row in rows]


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    desk = Desk(tmp_path / "helpdesk.sqlite3", Clock(at(12, 7, 10)))
    await desk.open()
    yield desk
    await desk.db.close()


async def test_reminder_and_overdue_each_exactly_once_across_restarts(desk: Desk) -> None:
    ticket = await desk.file(MatterKind.RULES, at(12, 7, 10))
    assert ticket.tier is Tier.NORMATIF
    # Received Mon 7 Dec 10:00; day of receipt never counts: 8, 9, 10, 11, 14 → Mon 14 Dec 16:00.
    assert ticket.deadline_at == at(12, 14, 16)
    # Office time from receipt to deadline:
    #   Mon 7 Dec 10:00–16:00 = 6 h; Tue–Thu 8–10 Dec 3 × 8.5 h = 25.5 h;
    #   Fri 11 Dec 07:30–16:30 = 9 h; Mon 14 Dec 07:30–16:00 = 8.5 h → 49 h.
    # 75 % = 36.75 h; by Thu 10 Dec 16:00 31.5 h are used, so 5.25 h more on Fri 11 Dec:
    # 07:30 + 5 h 15 min = 12:45.
    assert await desk.watch.sweep(at(12, 7, 11)) == []
    assert await desk.watch.sweep(at(12, 11, 12, 44)) == []
    assert await desk.watch.sweep(at(12, 11, 12, 45)) == [f"{ticket.code}:reminder"]
    assert await desk.watch.sweep(at(12, 11, 14)) == []

    reminders = await desk.outbox("deadline_reminder")
    assert len(reminders) == 1
    assert reminders[0][0] == STAFF_CHAT
    assert ticket.code in reminders[0][1] and "75%" in reminders[0][1]

    await desk.restart()
    assert await desk.watch.sweep(at(12, 14, 15)) == []
    # Exactly at the deadline the answer is not late yet.
    assert await desk.watch.sweep(at(12, 14, 16)) == []
    assert await desk.watch.sweep(at(12, 14, 16, 1)) == [f"{ticket.code}:overdue"]
    assert await desk.watch.sweep(at(12, 14, 17)) == []
    await desk.restart()
    assert await desk.watch.sweep(at(12, 15, 9)) == []

    assert len(await desk.outbox("deadline_reminder")) == 1
    overdue_staff = await desk.outbox("deadline_overdue")
    overdue_citizen = await desk.outbox("overdue_citizen")
    assert [chat for chat, _ in overdue_staff] == [STAFF_CHAT]
    assert [chat for chat, _ in overdue_citizen] == [CITIZEN]
    assert "Mohon maaf" in overdue_citizen[0][1]
    assert "sudah diberi tahu" in overdue_staff[0][1]
    rows = await desk.db.fetchall("SELECT threshold FROM deadline_alerts ORDER BY threshold")
    assert [row["threshold"] for row in rows] == ["overdue", "reminder"]


async def test_reclassified_to_a_later_deadline_is_watched_again(desk: Desk) -> None:
    ticket = await desk.file(MatterKind.RULES, at(12, 7, 10))
    assert await desk.watch.sweep(at(12, 14, 16, 5)) == [f"{ticket.code}:overdue"]
    desk.clock.now = at(12, 14, 16, 30)
    ticket = (await desk.service.reclassify(ticket.code, Tier.TIDAK_BERKADAR, STAFF)).ticket
    # 14 working days after Mon 7 Dec: 8–11, 14–18, 21–23, (24–27 off), 28, 29 → Tue 29 Dec 16:00.
    assert ticket.deadline_at == at(12, 29, 16)
    # Allowance: 6 h (7 Dec) + 12 × 8.5 h + 2 Fridays × 9 h = 126 h. On Tue 15 Dec 10:00,
    # 6 + 43 (8–14 Dec) + 2.5 = 51.5 h are used: 41 %, no alert.
    assert await desk.watch.sweep(at(12, 15, 10)) == []
    # Mon 28 Dec 12:00: 4 h left that day + 8.5 h on 29 Dec = 12.5 h left → 113.5/126 = 90 %.
    assert await desk.watch.sweep(at(12, 28, 12)) == [f"{ticket.code}:reminder"]
    assert await desk.watch.sweep(at(12, 29, 16, 1)) == [f"{ticket.code}:overdue"]
    assert len(await desk.outbox("deadline_overdue")) == 2
    assert len(await desk.outbox("deadline_reminder")) == 1


async def test_answered_or_closed_tickets_stay_quiet(desk: Desk) -> None:
    answered = await desk.file(MatterKind.RULES, at(12, 7, 10))
    closed = await desk.file(MatterKind.RULES, at(12, 7, 10), user=502)
    desk.clock.now = at(12, 8, 9)
    await desk.service.staff_reply(answered.code, STAFF, "Jadwal diumumkan di SPSE pekan depan.")
    await desk.service.close(closed.code, STAFF, "Selesai lewat telepon.")
    assert await desk.watch.sweep(at(12, 20, 9)) == []
    assert await desk.outbox("deadline_overdue") == []


async def test_overdue_citizen_hears_the_target_and_offline_citizen_is_not_messaged(desk: Desk) -> None:
    online = await desk.file(MatterKind.QUESTION, at(12, 7, 9))
    # Ringan, 3 office hours: Mon 7 Dec 09:00 → 12:00.
    assert online.deadline_at == at(12, 7, 12)
    desk.clock.now = at(12, 7, 10)
    offline, _pin = await register_offline(
        desk.service, Channel.PHONE, "Siti Aminah", "081298765432",
        "Menanyakan syarat kualifikasi penyedia.", Tier.RINGAN, STAFF, received_at=at(12, 7, 9),
    )
    # Issue #13: a target past the legal deadline is refused while the deadline can still be met;
    # once it has passed, the target is the promise the overdue notice carries.
    desk.clock.now = at(12, 7, 12, 15)
    await desk.service.set_target(online.code, at(12, 9, 14), STAFF)
    found = await desk.watch.sweep(at(12, 7, 12, 30))
    assert sorted(found) == sorted([f"{online.code}:overdue", f"{offline.code}:overdue"])
    # First seen after the deadline: the reminder is skipped, only the overdue alert goes.
    assert await desk.outbox("deadline_reminder") == []
    citizen = await desk.outbox("overdue_citizen")
    assert [chat for chat, _ in citizen] == [CITIZEN]
    assert "Rabu, 09 Desember 2026 pukul 14.00 WITA" in citizen[0][1]
    staff = dict((text.split("\n")[0], text) for _, text in await desk.outbox("deadline_overdue"))
    offline_text = next(text for head, text in staff.items() if offline.code in head)
    assert "tidak memakai Telegram" in offline_text


async def test_candidates_use_the_open_deadline_index_and_skip_far_deadlines(desk: Desk) -> None:
    near = await desk.file(MatterKind.RULES, at(12, 7, 10))
    far = await desk.file(MatterKind.WRONGDOING, at(12, 7, 10))
    assert far.tier is Tier.BERKADAR
    now = at(12, 11, 13)
    codes = [ticket.code for ticket in await desk.watch.candidates(now)]
    assert near.code in codes and far.code not in codes

    bounds = desk.watch.candidate_bounds(now)
    sql_plan = await desk.db.fetchall(
        "EXPLAIN QUERY PLAN SELECT t.* FROM tickets AS t WHERE t.status <> 'selesai'"
        " AND t.first_answer_at IS NULL AND t.deadline_at <= ? ORDER BY t.deadline_at, t.id",
        (bounds[Tier.BERKADAR].isoformat(),),
    )
    details = [str(row["detail"]) for row in sql_plan]
    # A partial index over open tickets by deadline (0006's unanswered one fits best).
    assert any("USING INDEX tickets_open_unanswered" in detail for detail in details), details


async def test_candidate_bounds_never_miss_a_ticket_that_is_due_an_alert(desk: Desk) -> None:
    # The SQL bound must be a superset: whenever a ticket has earned an alert, its deadline
    # lies within the bound of its tier. Check every tier over a month of receipts and sweeps.
    calendar = desk.calendar
    share = desk.watch_cfg.reminder_share
    receipts = [at(12, day, hour) for day in (1, 4, 18, 23, 24, 31) for hour in (6, 10, 15, 20)]
    for tier in Tier:
        for received in receipts:
            deadline = calendar.deadline(tier, received)
            now = received
            while now < deadline + dt.timedelta(days=2):
                if calendar.elapsed_share(received, deadline, now) >= share:
                    assert deadline <= desk.watch.candidate_bounds(now)[tier], (tier, received, now)
                now += dt.timedelta(hours=7)


async def test_threshold_order_overdue_wins(desk: Desk) -> None:
    ticket = await desk.file(MatterKind.RULES, at(12, 7, 10))
    assert desk.watch.threshold_for(ticket, at(12, 11, 13)) is Threshold.REMINDER
    assert desk.watch.threshold_for(ticket, at(12, 15, 9)) is Threshold.OVERDUE
    assert desk.watch.threshold_for(ticket, at(12, 8, 9)) is None


# --- morning digest ------------------------------------------------------------------------


async def test_digest_skipped_on_holidays_and_weekends(desk: Desk) -> None:
    await desk.file(MatterKind.QUESTION, at(12, 22, 9))
    # Thu 24 Dec cuti bersama, Fri 25 Dec Natal, Sat 26 Dec weekend.
    for day in (24, 25, 26, 27):
        assert desk.watch.digest_time(dt.date(2026, 12, day)) is None
        assert await desk.watch.morning_digest(at(12, day, 8)) is None
    assert await desk.outbox("morning_digest") == []


async def test_digest_on_a_working_day_lists_due_and_overdue_once(desk: Desk) -> None:
    due = await desk.file(MatterKind.RULES, at(12, 7, 10))  # deadline Mon 14 Dec 16:00
    overdue = await desk.file(MatterKind.QUESTION, at(12, 11, 9))  # Ringan: Fri 11 Dec 12:00
    later = await desk.file(MatterKind.SERVICE, at(12, 11, 9))  # 14 working days later
    answered = await desk.file(MatterKind.QUESTION, at(12, 11, 10))
    desk.clock.now = at(12, 11, 11)
    await desk.service.staff_reply(answered.code, STAFF, "Sudah kami jawab.")

    opening = desk.watch.digest_time(dt.date(2026, 12, 14))
    assert opening == at(12, 14, 7, 30)
    assert await desk.watch.morning_digest(at(12, 14, 7, 29)) is None  # office not open yet
    html = await desk.watch.morning_digest(opening)
    assert html is not None
    overdue_part, due_part = html.split("Jatuh tempo hari ini")
    assert "Terlambat: 1" in overdue_part and overdue.code in overdue_part
    assert due_part.startswith(": 1") and due.code in due_part
    assert later.code not in html and answered.code not in html

    assert await desk.watch.morning_digest(at(12, 14, 9)) is None
    await desk.restart()
    assert await desk.watch.morning_digest(at(12, 14, 10)) is None
    sent = await desk.outbox("morning_digest")
    assert [chat for chat, _ in sent] == [STAFF_CHAT]
    assert sent[0][1] == html

    # Next working day, nothing left over: a short all-clear message.
    desk.clock.now = at(12, 14, 10)
    await desk.service.close(due.code, STAFF, "Sudah dijawab.")
    await desk.service.close(overdue.code, STAFF, "Sudah dijawab.")
    text = await desk.watch.morning_digest(at(12, 15, 7, 45))
    assert text is not None and "Tidak ada pengaduan" in text


async def test_digest_can_be_switched_off(tmp_path: Path) -> None:
    desk = Desk(tmp_path / "off.sqlite3", Clock(at(12, 14, 8)), WatchConfig(morning_digest=False))
    await desk.open()
    try:
        assert await desk.watch.morning_digest(at(12, 14, 8)) is None
    finally:
        await desk.db.close()


def test_next_digest_is_the_next_working_opening(tmp_path: Path) -> None:
    calendar = WorkCalendar(CalendarConfig(), TiersConfig())
    watch = DeadlineWatch(None, calendar, WatchConfig(), lambda: STAFF_CHAT)  # type: ignore[arg-type]
    # Before Wednesday's opening: today 07:30.
    assert watch.next_digest_at(at(12, 23, 7)) == at(12, 23, 7, 30)
    # At or after it: the next working day, over Christmas and the weekend.
    assert watch.next_digest_at(at(12, 23, 7, 30)) == at(12, 28, 7, 30)
    assert watch.next_digest_at(at(12, 23, 8)) == at(12, 28, 7, 30)
    # Over New Year (Fri 1 Jan 2027) and the weekend.
    assert watch.next_digest_at(at(12, 31, 9)) == at(1, 4, 7, 30, year=2027)
    assert watch.next_digest_at(at(12, 31, 9)).utcoffset() == dt.timedelta(hours=8)


async def test_closed_status_excluded_even_when_overdue(desk: Desk) -> None:
    ticket = await desk.file(MatterKind.QUESTION, at(12, 7, 9))
    desk.clock.now = at(12, 7, 9, 30)
    closed = (await desk.service.close(ticket.code, STAFF, "Sudah dijawab.")).ticket
    assert closed.status is Status.CLOSED
    assert await desk.watch.candidates(at(12, 8, 9)) == []
