"""The one table of what people read for each stored value of a ticket.

Buttons, the summary, the card, ``/status``, notices, the CLI and the report all take their
labels from here, so a thing is called the same everywhere (issue #17). The stored values
themselves (``Tier.BERKADAR == "berkadar"``) are the domain's; only the words are here.

An officer may type a label back (``/tingkat ADU-… Berkadar Pengawasan``), so the parsers
below accept every label shown, as well as the codes the domain parses.
"""

from __future__ import annotations

import re

from bot.domain.tickets import Channel, Status
from bot.domain.tiers import MatterKind, Tier

__all__ = [
    "CHANNEL_LABELS", "KIND_LABELS", "RATING_LABELS", "STATUS_LABELS", "TIER_LABELS",
    "channel_label", "kind_label", "parse_kind", "parse_tier", "rating_label", "status_label",
    "tier_label",
]

TIER_LABELS: dict[Tier, str] = {
    Tier.RINGAN: "Ringan",
    Tier.NORMATIF: "Normatif",
    Tier.TIDAK_BERKADAR: "Tidak Berkadar Pengawasan",
    Tier.BERKADAR: "Berkadar Pengawasan",
}
# Short enough for a Telegram button (checked by a test).
KIND_LABELS: dict[MatterKind, str] = {
    MatterKind.QUESTION: "Pertanyaan / informasi",
    MatterKind.RULES: "Penjelasan aturan",
    MatterKind.SERVICE: "Keluhan / saran layanan",
    MatterKind.WRONGDOING: "Dugaan pelanggaran",
}
STATUS_LABELS: dict[Status, str] = {
    Status.NEW: "Baru",
    Status.IN_PROGRESS: "Diproses",
    Status.ANSWERED: "Dijawab",
    Status.CLOSED: "Selesai",
}
CHANNEL_LABELS: dict[Channel, str] = {
    Channel.TELEGRAM: "Telegram",
    Channel.IN_PERSON: "Tatap muka",
    Channel.PHONE: "Telepon / contact center",
    Channel.EMAIL: "E-mail",
    Channel.COMPLAINT_BOX: "Kotak pengaduan",
}

# A citizen's satisfaction rating, 1–5 (the stored value is the number).
RATING_LABELS: dict[int, str] = {
    1: "Sangat tidak puas",
    2: "Tidak puas",
    3: "Cukup",
    4: "Puas",
    5: "Sangat puas",
}


def tier_label(tier: Tier | str) -> str:
    return TIER_LABELS[Tier(tier)]


def kind_label(kind: MatterKind | str | None) -> str:
    """'-' for a ticket recorded before kinds were asked."""
    return KIND_LABELS[MatterKind(kind)] if kind else "-"


def status_label(status: Status | str) -> str:
    return STATUS_LABELS[Status(status)]


def channel_label(channel: Channel | str) -> str:
    return CHANNEL_LABELS[Channel(channel)]


def rating_label(rating: int) -> str:
    """'4/5 (Puas)'."""
    return f"{rating}/5 ({RATING_LABELS[rating]})" if rating in RATING_LABELS else f"{rating}/5"


def _key(text: str) -> str:
    return re.sub(r"[\s_\-/]+", "", text.strip().casefold())


_TIER_BY_LABEL = {_key(label): tier for tier, label in TIER_LABELS.items()}
_KIND_BY_LABEL = {_key(label): kind for kind, label in KIND_LABELS.items()}


def parse_tier(text: str) -> Tier:
    """A tier from its label or its code; ValueError (worded by the domain) otherwise."""
    return _TIER_BY_LABEL.get(_key(text)) or Tier.parse(text)


def parse_kind(text: str) -> MatterKind:
    """A kind from its label or its code; ValueError (worded by the domain) otherwise."""
    return _KIND_BY_LABEL.get(_key(text)) or MatterKind.parse(text)
