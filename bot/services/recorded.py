"""Complaints received off Telegram (face to face, phone, e-mail, complaint box) and their PIN.

Staff record such a complaint with :func:`register_offline`; the citizen gets the ticket code
and a 6-digit PIN on a receipt. With both, :func:`link_by_pin` links the ticket to the
citizen's Telegram account so answers reach them there.

Only a salted scrypt hash of the PIN is stored (``scrypt$n$r$p$salt$hash``, salt per
ticket). A 6-digit PIN is weak against an offline attack on a stolen database, so the real
protection is the attempt limit: :data:`MAX_FAILURES` wrong attempts within
:data:`FAILURE_WINDOW`, counted per Telegram user *and* per ticket, refuse every further
attempt — even with the right PIN — until the window has passed. Failures are stored in
``pin_failures`` so a restart does not reset them. A wrong PIN and a wrong code give the
same answer (None) and both count against the user.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Literal

import aiosqlite
from pydantic import ValidationError

from bot.domain.tickets import (
    Actor,
    Channel,
    EventKind,
    NewComplaint,
    Ticket,
    parse_ticket_code,
)
from bot.domain.tiers import MatterKind, Tier
from bot.services.tickets import TicketClosed, TicketError, TicketNotFound, TicketService
from bot.texts.labels import parse_tier
from storage import pins
from storage import tickets as repo

OFFLINE_CHANNELS = frozenset({Channel.IN_PERSON, Channel.PHONE, Channel.EMAIL, Channel.COMPLAINT_BOX})
PIN_LENGTH = 6
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(hours=1)
# A complaint may be recorded after it arrived (a letter from the box), never ahead of time.
_FUTURE_TOLERANCE = dt.timedelta(minutes=5)

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32
_PIN_PATTERN = re.compile(rf"^\d{{{PIN_LENGTH}}}$")

_FIELD_NAMES = {"name": "nama", "contact": "kontak", "description": "isi pengaduan",
                "package_code": "kode paket"}


class OfflineError(ValueError):
    """Input staff must correct before a complaint can be recorded (Indonesian message)."""


class TicketAlreadyLinked(TicketError):
    """The right PIN, but the ticket already belongs to another Telegram account."""


class TooManyPinAttempts(TicketError):
    """Too many wrong attempts by this user or on this ticket; try again after ``retry_at``."""

    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__(f"too many PIN attempts; retry after {retry_at.isoformat()}")
        self.retry_at = retry_at


# --- PIN ------------------------------------------------------------------------------------


def generate_pin() -> str:
    return f"{secrets.randbelow(10**PIN_LENGTH):0{PIN_LENGTH}d}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
                            dklen=_SCRYPT_LEN)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        raw_expected = base64.b64decode(expected)
        digest = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(raw_expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, raw_expected)


def normalise_pin(text: str) -> str:
    """What people type: spaces or dashes inside the PIN do not matter."""
    return re.sub(r"[\s-]", "", text or "")


# --- recording ------------------------------------------------------------------------------


async def register_offline(
    tickets: TicketService,
    channel: Channel | str,
    name: str,
    contact: str,
    description: str,
    tier: Tier | str,
    staff_actor: Actor,
    received_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    *,
    matter_kind: MatterKind | None = None,
    package_code: str | None = None,
    confidential: bool = False,
) -> tuple[Ticket, str | None]:
    """Files an offline complaint with the tier staff chose; returns the ticket and its PIN.

    The PIN is returned once and never stored in clear. A replayed ``idempotency_key``
    returns the ticket filed the first time and None for the PIN (it cannot be recovered).
    ``matter_kind`` defaults to the kind whose base tier is ``tier``.
    Raises OfflineError for an unknown channel, bad fields or a receipt time in the future.
    """
    try:
        chosen_channel = Channel(channel)
    except ValueError:
        raise OfflineError(f"saluran {channel!r} tidak dikenal") from None
    if chosen_channel not in OFFLINE_CHANNELS:
        names = ", ".join(sorted(c.value for c in OFFLINE_CHANNELS))
        raise OfflineError(f"saluran luring harus salah satu dari: {names}")
    try:
        chosen_tier = Tier(tier) if isinstance(tier, Tier) else parse_tier(tier)
    except ValueError as exc:
        raise OfflineError(str(exc)) from None
    now = tickets.clock()
    if received_at is not None:
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise OfflineError("waktu diterima harus memiliki zona waktu")
        if received_at > now + _FUTURE_TOLERANCE:
            raise OfflineError("waktu diterima tidak boleh di masa depan")
    kind = matter_kind or _kind_for_tier(tickets, chosen_tier)
    try:
        complaint = NewComplaint(
            name=name, contact=contact, channel=chosen_channel, matter_kind=kind,
            package_code=package_code or None, description=description, confidential=confidential,
        )
    except ValidationError as exc:
        fields = sorted({_FIELD_NAMES.get(str(err["loc"][0]), str(err["loc"][0])) for err in exc.errors()})
        raise OfflineError(f"data belum lengkap atau tidak sah: {', '.join(fields)}") from None
    pin = generate_pin()
    pin_hash = await asyncio.to_thread(hash_pin, pin)
    outcome = await tickets.file(
        complaint, received_at=received_at or now, tier=chosen_tier, actor=staff_actor,
        idempotency_key=idempotency_key, pin_hash=pin_hash,
    )
    return outcome.ticket, (None if outcome.replayed else pin)


async def issue_new_pin(tickets: TicketService, code: str, staff_actor: Actor) -> tuple[Ticket, str]:
    """A fresh PIN for an offline ticket not yet linked (the old one lost or never handed over).

    The previous PIN stops working; the reset is recorded in the history. Raises
    TicketNotFound, TicketClosed or TicketAlreadyLinked.
    """
    pin = generate_pin()
    pin_hash = await asyncio.to_thread(hash_pin, pin)
    normalised = parse_ticket_code(code) or code
    async with tickets.db.transaction() as conn:
        ticket = await repo.ticket_by_code(conn, normalised)
        if ticket is None or ticket.channel not in OFFLINE_CHANNELS:
            raise TicketNotFound(code)
        if not ticket.is_open:
            raise TicketClosed(code)
        if ticket.citizen_user_id is not None:
            raise TicketAlreadyLinked(ticket.code)
        await repo.update_fields(conn, ticket.id, pin_hash=pin_hash)
        await tickets.record_event(conn, ticket.id, EventKind.PIN_RESET, staff_actor, tickets.clock(), {})
    return ticket, pin


def _kind_for_tier(tickets: TicketService, tier: Tier) -> MatterKind:
    for kind, base in tickets.classifier.base.items():
        if base is tier:
            return kind
    return MatterKind.SERVICE


# --- linking --------------------------------------------------------------------------------


async def link_by_pin(
    tickets: TicketService,
    code: str,
    pin: str,
    user_id: int,
    chat_id: int,
    *,
    now: dt.datetime | None = None,
) -> Ticket | None:
    """Links an offline ticket to a Telegram account when code and PIN match.

    None for a wrong code, a wrong PIN or a ticket without PIN (the same answer, so nothing
    is revealed); each such attempt is recorded. Raises TooManyPinAttempts while the user or
    the ticket is over the limit (checked before the PIN, so even the right PIN waits), and
    TicketAlreadyLinked for the right PIN on a ticket of another account. The owner linking
    again gets the ticket back with no new event (a redelivered update is harmless).
    """
    now = now or tickets.clock()
    cutoff = now - FAILURE_WINDOW
    normalised = parse_ticket_code(code)
    typed_pin = normalise_pin(pin)
    async with tickets.db.transaction() as conn:
        await pins.forget_failures_until(conn, cutoff)
        ticket = await repo.ticket_by_code(conn, normalised) if normalised else None
        retry_at = await _locked_until(conn, "user_id", user_id, cutoff)
        if ticket is not None:
            ticket_retry = await _locked_until(conn, "ticket_id", ticket.id, cutoff)
            if ticket_retry is not None and (retry_at is None or ticket_retry > retry_at):
                retry_at = ticket_retry
        if retry_at is not None:
            raise TooManyPinAttempts(retry_at)

        stored = None
        if ticket is not None:
            stored = await repo.pin_hash_of(conn, ticket.id)
        matches = bool(stored) and _PIN_PATTERN.match(typed_pin) is not None and await asyncio.to_thread(
            verify_pin, typed_pin, str(stored)
        )
        if ticket is None or not matches:
            await pins.add_failure(conn, user_id, ticket.id if ticket is not None else None, now)
            return None

        if ticket.citizen_user_id is not None:
            if ticket.citizen_user_id == user_id:
                return ticket
            raise TicketAlreadyLinked(ticket.code)
        await repo.update_fields(conn, ticket.id, citizen_user_id=user_id, citizen_chat_id=chat_id)
        outcome = await tickets.record_event(
            conn, ticket.id, EventKind.LINKED, Actor.citizen(user_id), now, {"chat_id": chat_id}
        )
        return outcome.ticket


async def _locked_until(
    conn: aiosqlite.Connection, column: Literal["user_id", "ticket_id"], value: int, cutoff: dt.datetime
) -> dt.datetime | None:
    """When ``column = value`` drops below MAX_FAILURES failures in the window; None if it is below."""
    # The MAX_FAILURES-th most recent failure: once it leaves the window, fewer remain.
    at = await pins.nth_latest_failure_after(conn, column, value, cutoff, MAX_FAILURES)
    return None if at is None else at + FAILURE_WINDOW
