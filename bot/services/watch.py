"""Deadline watch: reminders and overdue alerts for staff, and the morning digest.

``DeadlineWatch.sweep`` runs every few minutes (the JobQueue calls it). For every open
ticket it writes at most one staff alert per *threshold*:

* ``reminder`` — the ticket has used ``reminder_share`` (75 % by default) of the office time
  between receipt and its deadline (``WorkCalendar.elapsed_share``);
* ``overdue`` — the deadline has passed. The citizen, when reachable on Telegram, is told
  honestly that the answer is late and, if staff set a target date, when to expect it.

Only tickets not answered yet are watched: the service standard's deadline is for the
answer (``first_answer_at``), and telling a citizen who already has an answer that it is
late would be false. A ticket answered and kept open for follow-up is therefore quiet, and
so is a reopened one (its first answer stays recorded). The digest uses the same rule.

Each alert is a row of ``deadline_alerts`` written in the same transaction as its outbox
message, so a restart or a second sweep never repeats it. The row is keyed on
``(ticket_id, threshold, deadline_at)``: when a ticket is reclassified to another tier its
deadline changes and it is watched afresh for the new deadline (the old rows stay as a
record). Reopening keeps the deadline, so alerts already sent for it are not repeated.
A ticket first seen after its deadline gets only the overdue alert.

Efficiency: the sweep never scans all tickets. For each tier it derives how soon a ticket
can possibly reach the reminder threshold (the tier's longest possible allowance times
``1 - reminder_share``) and asks only for open tickets whose deadline falls before that
bound, through the partial index ``tickets_open_by_deadline``; tickets whose alert for
their current deadline is already recorded are excluded in SQL. No ticket history is read.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from enum import StrEnum

from bot.config import WatchConfig
from bot.domain.tickets import Ticket
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar
from bot.services.notices import card_keyboard_for, describe_time_left
from bot.texts import watch as texts
from storage import tickets as repo
from storage import watch as watch_repo
from storage.db import Database, utc_now
from storage.outbox import OutboxMessage, enqueue, text_message

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

# A sweep writes at most this many alerts; the rest follow on the next sweep (oldest
# deadlines first), so a backlog found at first start does not flood the staff chat at once.
MAX_ALERTS_PER_SWEEP = 100
# Lines per section of the morning digest; the totals are always exact.
DIGEST_LINES = 30


class Threshold(StrEnum):
    REMINDER = "reminder"
    OVERDUE = "overdue"


class DeadlineWatch:
    def __init__(
        self,
        db: Database,
        calendar: WorkCalendar,
        watch_cfg: WatchConfig,
        staff_chat_id_getter: Callable[[], int],
        clock: Clock = utc_now,
        *,
        max_alerts_per_sweep: int = MAX_ALERTS_PER_SWEEP,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.cfg = watch_cfg
        self.staff_chat_id = staff_chat_id_getter
        self.clock = clock
        self.max_alerts_per_sweep = max_alerts_per_sweep
        lengths = [
            dt.datetime.combine(dt.date.min, hours.closes) - dt.datetime.combine(dt.date.min, hours.opens)
            for hours in calendar.config.office_hours.values()
            if hours is not None
        ]
        self._shortest_day = min(lengths)
        self._longest_day = max(lengths)

    # --- sweep -------------------------------------------------------------------------------

    def candidate_bounds(self, now: dt.datetime) -> dict[Tier, dt.datetime]:
        """Per tier, a deadline beyond which a ticket cannot yet have reached the reminder.

        A ticket qualifies when its remaining office time is at most ``(1 - share)`` of its
        allowance. The allowance is at most the tier's office hours (Ringan) or N + 1 of the
        longest office days (the rest of the day of receipt plus N working days). The bound
        lies so many *shortest* working days after today, plus one, that more office time
        than that lies between now and the bound.
        """
        share = self.cfg.reminder_share
        today = now.astimezone(self.calendar.zone).date()
        bounds: dict[Tier, dt.datetime] = {}
        for tier in Tier:
            days = self.calendar.working_days_for(tier)
            if days is None:
                allowance = dt.timedelta(hours=self.calendar.tiers.ringan_office_hours)
            else:
                allowance = self._longest_day * (days + 1)
            remaining = allowance * (1 - share)
            whole_days = math.ceil(remaining / self._shortest_day) + 1
            last = self.calendar.add_working_days(today, whole_days)
            bounds[tier] = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=self.calendar.zone)
        return bounds

    async def candidates(self, now: dt.datetime) -> list[Ticket]:
        """Open tickets that may need an alert now (a superset; ``sweep`` decides exactly)."""
        return await watch_repo.alert_candidates(self.db, now, self.candidate_bounds(now))

    def threshold_for(self, ticket: Ticket, now: dt.datetime) -> Threshold | None:
        """The alert a ticket has earned by ``now`` (overdue wins over the reminder)."""
        if not ticket.is_open or ticket.first_answer_at is not None:
            return None
        if ticket.is_overdue(now):
            return Threshold.OVERDUE
        share = self.calendar.elapsed_share(ticket.received_at, ticket.deadline_at, now)
        if share >= self.cfg.reminder_share:
            return Threshold.REMINDER
        return None

    async def sweep(self, now: dt.datetime | None = None) -> list[str]:
        """Writes the alerts due by ``now``; returns them as ``"ADU-2026-00001:reminder"``."""
        now = now or self.clock()
        sent: list[str] = []
        for ticket in await self.candidates(now):
            if len(sent) >= self.max_alerts_per_sweep:
                log.info("deadline sweep capped at %s alerts; the rest follow", len(sent))
                break
            threshold = self.threshold_for(ticket, now)
            if threshold is None:
                continue
            if await self._alert(ticket, threshold, now):
                sent.append(f"{ticket.code}:{threshold.value}")
        if sent:
            log.info("deadline alerts written count=%s", len(sent))
        return sent

    async def _alert(self, seen: Ticket, threshold: Threshold, now: dt.datetime) -> bool:
        async with self.db.transaction() as conn:
            # The ticket may have changed since it was read (closed, reclassified).
            ticket = await repo.ticket_by_id(conn, seen.id)
            if ticket is None or self.threshold_for(ticket, now) is not threshold:
                return False
            if ticket.deadline_at != seen.deadline_at:
                return False
            if not await watch_repo.record_alert(conn, ticket.id, threshold.value, now):
                return False
            for message in self.messages(ticket, threshold, now):
                await enqueue(conn, message)
        return True

    def messages(self, ticket: Ticket, threshold: Threshold, now: dt.datetime) -> list[OutboxMessage]:
        zone = self.calendar.zone
        staff = self.staff_chat_id()
        keyboard = card_keyboard_for(ticket)
        if threshold is Threshold.REMINDER:
            share = self.calendar.elapsed_share(ticket.received_at, ticket.deadline_at, now)
            left = describe_time_left(self.calendar, ticket, now, until=False)
            html = texts.reminder_for_staff(ticket, zone, share=share, left=left)
            return [text_message(staff, html, purpose="deadline_reminder", ticket_id=ticket.id,
                                 reply_markup=keyboard)]
        out: list[OutboxMessage] = []
        citizen = ticket.citizen_chat_id
        if citizen is not None:
            out.append(text_message(citizen, texts.overdue_for_citizen(ticket, zone, now),
                                    purpose="overdue_citizen", ticket_id=ticket.id))
        late = describe_time_left(self.calendar, ticket, now)
        html = texts.overdue_for_staff(ticket, zone, late=late, citizen_told=citizen is not None)
        out.append(text_message(staff, html, purpose="deadline_overdue", ticket_id=ticket.id,
                                reply_markup=keyboard))
        return out

    # --- morning digest ----------------------------------------------------------------------

    def digest_time(self, day: dt.date) -> dt.datetime | None:
        """Office opening of ``day``, when the digest is due; None on a day off."""
        hours = self.calendar.office_hours_on(day)
        return None if hours is None else hours[0]

    def next_digest_at(self, now: dt.datetime | None = None) -> dt.datetime:
        """The first office opening strictly after ``now`` (aware, in the calendar's zone).

        Schedule with ``job_queue.run_once(callback, when=next_digest_at(now))`` and, in the
        callback, schedule the next one the same way. On start-up, also call
        :meth:`morning_digest` once: it catches up a digest missed today and does nothing
        when today's was already sent.
        """
        now = now or self.clock()
        return self.calendar.next_opening(now + dt.timedelta(microseconds=1))

    async def morning_digest(self, now: dt.datetime | None = None) -> str | None:
        """Writes today's digest to the staff chat's outbox; returns its HTML.

        None when the digest is switched off, today is not a working day, the office has
        not opened yet today, or today's digest was already written (recorded per date).
        """
        if not self.cfg.morning_digest:
            return None
        now = now or self.clock()
        zone = self.calendar.zone
        day = now.astimezone(zone).date()
        opening = self.digest_time(day)
        if opening is None or now < opening:
            return None
        if await watch_repo.digest_sent_on(self.db, day):
            return None
        end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        overdue, overdue_total = await self._open_between(None, now)
        due, due_total = await self._open_between(now, end_of_day)
        html = texts.morning_digest(
            day, zone,
            due=[(t, describe_time_left(self.calendar, t, now, until=False)) for t in due], due_total=due_total,
            overdue=[(t, describe_time_left(self.calendar, t, now, until=False)) for t in overdue],
            overdue_total=overdue_total,
        )
        async with self.db.transaction() as conn:
            if not await watch_repo.record_digest(conn, day, now):
                return None
            digest = text_message(self.staff_chat_id(), html, purpose="morning_digest")
            digest.payload["disable_notification"] = True  # a daily summary: no ping for everyone
            await enqueue(conn, digest)
        return html

    async def _open_between(
        self, start: dt.datetime | None, end: dt.datetime
    ) -> tuple[list[Ticket], int]:
        """Open unanswered tickets with start <= deadline < end (first DIGEST_LINES), and their count."""
        return await watch_repo.open_unanswered_due_between(self.db, start, end, DIGEST_LINES)
