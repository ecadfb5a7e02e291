"""Personal-data requests under UU No. 27/2022: export everything about a person, or erase it.

Erasure anonymises rather than deletes: tickets keep their code, tier, channel, dates, status,
package code and rating, so the monthly statistics stay true, while names, contacts, texts,
file references, chat ids and the raw journaled updates of the person are removed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.domain.contacts import normalise_phone
from bot.domain.tickets import EventKind, parse_ticket_code
from storage import personal_data as repo
from storage.db import Database, to_db_time, utc_now

ERASED = "[dihapus]"
# What an erased message's payload becomes (sent or failed rows only; pending ones still go out).
_ERASED_PAYLOAD = json.dumps({"method": "erased"})


async def export_person(db: Database, user_id: int) -> dict[str, Any]:
    tickets = await repo.tickets_of_user(db, user_id)
    ids = tuple(ticket["id"] for ticket in tickets)
    events = await repo.events_of_tickets(db, ids)
    files = await repo.attachments_of_tickets(db, ids)
    for event in events:
        event["data"] = json.loads(event["data"])
    for ticket in tickets:
        ticket.pop("pin_hash", None)  # a secret of the bureau's, not personal data
        ticket.pop("idempotency_key", None)
    stored = await repo.stored_state_of_user(db, user_id)
    follows = await repo.package_follows_of_user(db, user_id)
    messages = await repo.messages_to_chat(db, user_id)
    for message in messages:
        message["payload"] = json.loads(message["payload"])
    journal = await repo.count_journaled_updates_of_user(db, user_id)
    async with db.transaction() as conn:
        await repo.record_request(conn, "export", user_id, utc_now())
    return {
        "telegram_user_id": user_id,
        "exported_at": to_db_time(utc_now()),
        "tickets": tickets,
        "ticket_history": events,
        "attachments": files,
        "conversation_state": [{**row, "value": json.loads(row["value"])} for row in stored],
        "package_follows": follows,
        "messages_to_person": messages,
        "raw_updates_kept": journal,
    }


async def erase_person(db: Database, user_id: int) -> dict[str, int]:
    """Anonymises one person in one transaction; returns counts of what was changed."""
    counts: dict[str, int] = {}
    now = utc_now()
    async with db.transaction() as conn:
        ticket_ids = await repo.ticket_ids_of_user(conn, user_id)
        counts["tickets"] = len(ticket_ids)
        quoting = 0
        for ticket_id in ticket_ids:
            quoting += await _erase_ticket(conn, ticket_id, now)
        counts["conversation_state"] = await repo.delete_stored_state_of_user(conn, user_id)
        counts["conversation_state"] += await repo.delete_private_conversations_of_user(conn, user_id)
        counts["package_follows"] = await repo.delete_package_follows_of_user(conn, user_id)
        counts["messages"] = await repo.blank_finished_messages_to_chat(conn, user_id, _ERASED_PAYLOAD)
        # Unfinished updates must still be processed; finished ones are only kept for dedup.
        counts["raw_updates"] = await repo.delete_finished_updates_of_user(conn, user_id) + quoting
        await repo.delete_pin_failures_of_user(conn, user_id)
        await repo.record_request(conn, "erase", user_id, now)
    return counts


async def _erase_ticket(conn: aiosqlite.Connection, ticket_id: int, now: dt.datetime) -> int:
    """Anonymises one ticket; returns how many finished journal entries quoting it were deleted."""
    # Before anonymising: the entries are found by the ticket's code, which stays.
    quoting = await repo.delete_finished_updates_about_ticket(conn, ticket_id)
    await repo.anonymise_ticket(conn, ticket_id, ERASED)
    # History rows stay (append-only), but their free text is personal data: blank it.
    for event_id, raw in await repo.event_data_of_ticket(conn, ticket_id):
        data = json.loads(raw)
        scrubbed = {key: (ERASED if key in ("text", "note", "comment") and value else value)
                    for key, value in data.items()}
        if scrubbed != data:
            await repo.replace_event_data(conn, event_id, json.dumps(scrubbed))
    await repo.forget_citizen_names_in_history(conn, ticket_id)
    await repo.delete_attachments(conn, ticket_id)
    await repo.blank_held_replies(conn, ticket_id, ERASED)
    await repo.blank_finished_messages_of_ticket(conn, ticket_id, _ERASED_PAYLOAD)
    await repo.add_system_event(conn, ticket_id, EventKind.ERASED.value, now)
    return quoting


# --- finding the person, and what an erasure would change -----------------------------------------
# People arrive with a ticket code or a phone number, not a Telegram id. The queries are in
# storage/personal_data.py.


@dataclass(frozen=True)
class Person:
    """Whose data a request is about: Telegram users, plus tickets recorded for someone without one."""

    user_ids: tuple[int, ...]
    ticket_ids: tuple[int, ...] = ()  # e.g. a complaint by telephone entered with /catat


class PersonNotFound(Exception):
    """Nothing is stored under this ticket code or phone number (``kind`` is "ticket" or "phone")."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(kind, value)
        self.kind, self.value = kind, value


async def find_person(db: Database, *, user_id: int | None = None, ticket_code: str | None = None,
                      phone: str | None = None) -> Person:
    if user_id is not None:
        return Person((user_id,))
    if ticket_code is not None:
        code = parse_ticket_code(ticket_code)
        row = await repo.ticket_by_code(db, code) if code else None
        if row is None:
            raise PersonNotFound("ticket", ticket_code)
        user = row["citizen_user_id"]
        return Person((int(user),)) if user is not None else Person((), (int(row["id"]),))
    assert phone is not None
    contact = normalise_phone(phone)
    rows = await repo.tickets_by_contact(db, contact) if contact else []
    if not rows:
        raise PersonNotFound("phone", phone)
    users = tuple(sorted({int(r["citizen_user_id"]) for r in rows if r["citizen_user_id"] is not None}))
    return Person(users, tuple(int(r["id"]) for r in rows if r["citizen_user_id"] is None))


async def preview_erase(db: Database, person: Person) -> dict[str, int]:
    """What :func:`erase` would anonymise, per kind; changes nothing."""
    total: dict[str, int] = {"tickets": len(person.ticket_ids)}
    for user_id in person.user_ids:
        for kind, count in (await repo.erase_counts(db, user_id)).items():
            total[kind] = total.get(kind, 0) + count
    return total


async def erase(db: Database, person: Person) -> dict[str, int]:
    total: dict[str, int] = {}
    for user_id in person.user_ids:
        for kind, count in (await erase_person(db, user_id)).items():
            total[kind] = total.get(kind, 0) + count
    if person.ticket_ids:
        now = utc_now()
        async with db.transaction() as conn:
            for ticket_id in person.ticket_ids:
                await _erase_ticket(conn, ticket_id, now)
        total["tickets"] = total.get("tickets", 0) + len(person.ticket_ids)
    return total
