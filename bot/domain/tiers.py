"""Complaint tiers and the kinds of matter a citizen can bring.

The bureau's service standard sorts complaints into four tiers with different deadlines.
The citizen picks what kind of matter they bring (``MatterKind``); the kind maps to a base
tier, which the classifier (``bot.domain.classifier``) may raise from the text.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["MatterKind", "Tier"]


def _alias_key(text: str) -> str:
    """Case, spaces, underscores and hyphens do not matter when someone types a code."""
    return re.sub(r"[\s_\-]+", "", text.strip().casefold())


class Tier(StrEnum):
    """Tiers of the service standard, from the lightest to the most serious.

    Comparisons between tiers follow severity (``rank``), not the alphabet, so
    ``max(tiers)`` is the most serious one.
    """

    RINGAN = "ringan"
    NORMATIF = "normatif"
    TIDAK_BERKADAR = "tidak-berkadar"
    BERKADAR = "berkadar"

    @property
    def rank(self) -> int:
        """0 for the lightest tier, 3 for Berkadar Pengawasan."""
        return _TIER_ORDER.index(self)

    @classmethod
    def parse(cls, text: str) -> Tier:
        """Accepts a code in any case, with spaces, hyphens or underscores.

        Labels are words, so ``bot.texts.labels.parse_tier`` accepts those too.
        """
        tier = _TIER_ALIASES.get(_alias_key(text))
        if tier is None:
            codes = ", ".join(member.value for member in cls)
            raise ValueError(f"Tingkat {text.strip()!r} tidak dikenal. Pilih salah satu: {codes}.")
        return tier

    # Severity ordering. A plain string keeps str's ordering so Tier still behaves as a str.
    def __lt__(self, other: str) -> bool:
        if isinstance(other, Tier):
            return self.rank < other.rank
        return str.__lt__(self, other)

    def __le__(self, other: str) -> bool:
        if isinstance(other, Tier):
            return self.rank <= other.rank
        return str.__le__(self, other)

    def __gt__(self, other: str) -> bool:
        if isinstance(other, Tier):
            return self.rank > other.rank
        return str.__gt__(self, other)

    def __ge__(self, other: str) -> bool:
        if isinstance(other, Tier):
            return self.rank >= other.rank
        return str.__ge__(self, other)


_TIER_ORDER = (Tier.RINGAN, Tier.NORMATIF, Tier.TIDAK_BERKADAR, Tier.BERKADAR)
_TIER_ALIASES = {
    _alias_key(name): tier
    for tier in Tier
    for name in (tier.value, tier.name)
}


class MatterKind(StrEnum):
    """What the citizen says they bring; the classifier maps it to a base tier."""

    QUESTION = "pertanyaan"
    RULES = "aturan"
    SERVICE = "layanan"
    WRONGDOING = "pelanggaran"

    @classmethod
    def parse(cls, text: str) -> MatterKind:
        key = _alias_key(text)
        for kind in cls:
            if key in (_alias_key(kind.value), _alias_key(kind.name)):
                return kind
        codes = ", ".join(kind.value for kind in cls)
        raise ValueError(f"Jenis {text.strip()!r} tidak dikenal. Pilih salah satu: {codes}.")
