"""Domain records of the complaint desk (no Telegram, no SQL)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.tiers import MatterKind, Tier

# The ticket-code grammar, in one place. The code as the bot writes it: ADU-YYYY-NNNNN.
TICKET_CODE = r"ADU-\d{4}-\d{5}"
TICKET_CODE_PATTERN = re.compile(r"^ADU-(\d{4})-(\d{5})$")
# Forgiving form for what people type: case, spaces, missing dashes or zero padding.
LOOSE_TICKET_CODE = r"ADU[ \t_-]*\d{4}[ \t_-]*\d{1,5}"
_LOOSE_CODE = re.compile(r"^\s*ADU[\s_-]*(\d{4})[\s_-]*(\d{1,5})\s*$", re.IGNORECASE)
_LEADING_CODE = re.compile(rf"^\s*({LOOSE_TICKET_CODE})(?=\s|$)\s*(.*)$", re.IGNORECASE | re.DOTALL)


def format_ticket_code(year: int, seq: int) -> str:
    return f"ADU-{year:04d}-{seq:05d}"


def split_leading_ticket_code(text: str) -> tuple[str, str] | None:
    """'adu 2026 7 besok 10.00' → ('ADU-2026-00007', 'besok 10.00'): a command's code and the rest."""
    match = _LEADING_CODE.match(text or "")
    if not match:
        return None
    code = parse_ticket_code(match.group(1))
    return (code, match.group(2).strip()) if code else None


def parse_ticket_code(text: str) -> str | None:
    """Normalises a typed ticket code ('adu 2026 7' → 'ADU-2026-00007'); None if it is not one."""
    match = _LOOSE_CODE.match(text or "")
    if not match:
        return None
    return format_ticket_code(int(match.group(1)), int(match.group(2)))


class Channel(StrEnum):
    TELEGRAM = "telegram"
    IN_PERSON = "tatap_muka"
    PHONE = "telepon"
    EMAIL = "email"
    COMPLAINT_BOX = "kotak_pengaduan"


class Status(StrEnum):
    NEW = "baru"
    IN_PROGRESS = "diproses"
    ANSWERED = "dijawab"
    CLOSED = "selesai"


class EventKind(StrEnum):
    FILED = "filed"
    CITIZEN_MESSAGE = "citizen_message"
    STAFF_REPLY = "staff_reply"
    STATUS_CHANGED = "status_changed"
    RECLASSIFIED = "reclassified"
    CLOSED = "closed"
    REOPENED = "reopened"
    UNDELIVERED = "undelivered"
    TARGET_SET = "target_set"
    IDENTITY_REVEALED = "identity_revealed"
    LINKED = "linked"
    PIN_RESET = "pin_reset"
    RATED = "rated"
    ERASED = "erased"
    # The citizen answered the confidentiality offer made when staff raised the tier (issue #12).
    CONFIDENTIALITY_CHOSEN = "confidentiality_chosen"
    NOTE = "note"  # an internal note of the team: never shown or sent to the citizen
    ASSIGNED = "assigned"  # /ambil: the ticket's owner (data: to_id, to_name, from_id, from_name)
    OBJECTION = "objection"  # keberatan: the citizen objects to a closure
    RATING_COMMENT = "rating_comment"  # the one line a low rating invites


class ActorKind(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None
    name: str | None = None

    @classmethod
    def staff(cls, user_id: int, name: str) -> Actor:
        return cls(ActorKind.STAFF, user_id, name)

    @classmethod
    def citizen(cls, user_id: int | None, name: str | None = None) -> Actor:
        return cls(ActorKind.CITIZEN, user_id, name)


SYSTEM = Actor(ActorKind.SYSTEM)


class Attachment(BaseModel):
    """Evidence kept by reference: Telegram keeps the bytes, we keep the file_id."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(pattern="^(photo|document)$")
    file_id: str = Field(min_length=1, max_length=256)
    file_unique_id: str | None = None
    file_name: str | None = Field(default=None, max_length=255)
    mime_type: str | None = Field(default=None, max_length=255)
    file_size: int | None = Field(default=None, ge=0)
    # What the citizen wrote on this file when sending it while filing (Telegram allows 1024
    # characters; the bound here only guards the database). An addition's caption is its text instead.
    caption: str | None = Field(default=None, max_length=4096)


class NewComplaint(BaseModel):
    """What a filing needs, validated before anything touches the database."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=100)
    contact: str = Field(min_length=3, max_length=120)
    channel: Channel = Channel.TELEGRAM
    matter_kind: MatterKind
    package_code: str | None = Field(default=None, pattern=r"^\d{5,20}$")
    description: str = Field(min_length=1, max_length=20000)
    citizen_user_id: int | None = None
    citizen_chat_id: int | None = None
    confidential: bool = False
    attachments: tuple[Attachment, ...] = ()
    # The citizen pressed «Ini bukan dugaan pelanggaran»: the chosen kind's tier stands.
    escalation_disputed: bool = False

    @field_validator("name", "description")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable())


@dataclass(frozen=True)
class Ticket:
    id: int
    code: str
    citizen_user_id: int | None
    citizen_chat_id: int | None
    name: str
    contact: str
    channel: Channel
    matter_kind: MatterKind | None
    package_code: str | None
    description: str
    tier: Tier
    tier_reason: str
    status: Status
    confidential: bool
    received_at: dt.datetime
    deadline_at: dt.datetime
    first_answer_at: dt.datetime | None
    closed_at: dt.datetime | None
    target_at: dt.datetime | None
    rating: int | None
    # The officer who took the ticket with /ambil (None: nobody yet).
    owner_id: int | None = None
    owner_name: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is not Status.CLOSED

    @property
    def awaiting_answer(self) -> bool:
        """Open and not answered yet: the deadline's clock is still running."""
        return self.is_open and self.first_answer_at is None

    def is_overdue(self, now: dt.datetime) -> bool:
        """Past the legal deadline with no answer yet (an answered ticket met or missed it already)."""
        return self.awaiting_answer and now > self.deadline_at


@dataclass(frozen=True)
class TicketEvent:
    id: int
    ticket_id: int
    at: dt.datetime
    kind: EventKind
    actor: Actor
    data: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class HeldReply:
    """A staff reply to a ticket message, held until «Kirim ke pelapor» or «Simpan sebagai catatan»."""

    id: int
    ticket_id: int
    chat_id: int
    source_message_id: int
    prompt_message_id: int | None
    author: Actor
    text: str
    attachments: tuple[Attachment, ...]
    resolution: str | None  # None while waiting; "kirim" or "catatan" once pressed
    resolved_by: str | None = None

    @property
    def is_pending(self) -> bool:
        return self.resolution is None
