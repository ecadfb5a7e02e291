"""Staff corrections of the classifier: what it said on the original text, grouped by rule,
and the same cases as labelled-set rows with personal data taken out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.classifier import Classification, Classifier
from bot.domain.tiers import MatterKind, Tier
from bot.services.personal_data import ERASED
from storage.corrections import Reclassification, reclassifications
from storage.db import Database

NO_RULE = "-"  # the group of corrections where no rule fired (the kind's base tier stood)


@dataclass(frozen=True)
class Correction:
    """A ticket's staff correction: first tier, final tier, and the classifier's view."""

    code: str
    kind: MatterKind
    description: str
    name: str
    contact: str
    first: Tier
    final: Tier
    at: dt.datetime
    staff_reason: str
    classification: Classification

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Rules that fired, else rules a negation or rule question set aside, else none."""
        return self.classification.rules or self.classification.cancelled_rules or (NO_RULE,)


async def corrections(db: Database, classifier: Classifier, since: dt.datetime | None = None) -> list[Correction]:
    """One entry per reclassified ticket: its first tier and the tier staff left it at.

    Offline complaints have no chosen kind; they are left out (staff set their tier by hand,
    the classifier never judged them).
    """
    by_code: dict[str, list[Reclassification]] = {}
    for change in await reclassifications(db, since):
        if change.matter_kind is not None:
            by_code.setdefault(change.code, []).append(change)
    found: list[Correction] = []
    for code, changes in by_code.items():
        first, last = changes[0], changes[-1]
        assert first.matter_kind is not None
        if first.from_tier is last.to_tier:
            continue  # changed and changed back: no correction of the classifier
        found.append(Correction(
            code=code, kind=first.matter_kind, description=first.description, name=first.name,
            contact=first.contact, first=first.from_tier, final=last.to_tier, at=last.at,
            staff_reason=last.reason,
            classification=classifier.classify(first.matter_kind, first.description),
        ))
    return found


def by_rule(found: list[Correction]) -> dict[str, list[Correction]]:
    groups: dict[str, list[Correction]] = {}
    for correction in found:
        for rule_id in correction.rule_ids:
            groups.setdefault(rule_id, []).append(correction)
    return dict(sorted(groups.items(), key=lambda item: (item[0] == NO_RULE, -len(item[1]), item[0])))


# --- personal data ------------------------------------------------------------------------
# A description is free text: people write their own name, phone, e-mail or NIK in it, and
# sometimes names of officials. What can be recognised is replaced by a placeholder; names
# of other people cannot be recognised reliably, so an export is for review before sharing.

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"(?<!\w)\+?\d[\d\s.-]{7,}\d(?!\w)")  # phones, NIK, account numbers


def scrub(text: str, name: str, contact: str) -> str:
    """``text`` without the reporter's name and contact, e-mail addresses and long numbers."""
    cleaned = text
    if len(contact.strip()) >= 3:
        cleaned = re.sub(re.escape(contact.strip()), "[kontak]", cleaned, flags=re.IGNORECASE)
    cleaned = _EMAIL.sub("[email]", cleaned)
    cleaned = _LONG_NUMBER.sub("[nomor]", cleaned)
    if len(name.strip()) >= 3:
        cleaned = re.sub(re.escape(name.strip()), "[nama]", cleaned, flags=re.IGNORECASE)
    for part in name.split():
        if len(part) >= 3:
            cleaned = re.sub(rf"\b{re.escape(part)}\b", "[nama]", cleaned, flags=re.IGNORECASE)
    return cleaned


def labelled_rows(found: list[Correction]) -> list[dict[str, str]]:
    """The corrections as labelled-set rows (kind, text, expected, note), codes and names left out."""
    return [
        {
            "kind": correction.kind.value,
            "text": scrub(correction.description, correction.name, correction.contact),
            "expected": correction.final.value,
            "note": (
                f"koreksi petugas {correction.first.value} → {correction.final.value}; "
                f"aturan: {', '.join(correction.rule_ids)}"
            ),
        }
        for correction in found
        if correction.description.strip() and correction.description != ERASED
    ]
