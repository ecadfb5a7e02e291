"""When a reporter is offered confidentiality (the «rahasiakan» question).

A report of alleged wrongdoing is one the citizen filed as «Dugaan pelanggaran» or one whose tier
is Berkadar Pengawasan (the classifier raised it from the text, or staff did with /tingkat). Every
such report must be offered confidentiality before it reaches the staff chat with a name on it.
"""

from __future__ import annotations

from bot.domain.tiers import MatterKind, Tier


def alleges_wrongdoing(kind: MatterKind | None, tier: Tier) -> bool:
    """True when the reporter must be asked whether their identity is to be masked.

    The kind counts on its own: a citizen who chose «Dugaan pelanggaran» is asked even if the
    configured base tier of that kind were lighter.
    """
    return tier is Tier.BERKADAR or kind is MatterKind.WRONGDOING
