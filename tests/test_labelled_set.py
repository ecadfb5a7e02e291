"""The packaged rules against the labelled complaint set (tests/data/labelled_complaints.csv).

Missing an allegation is the worst error, so every expected ``berkadar`` must be classified
``berkadar``; overall agreement must stay at or above 95%. A rule change that lowers either
fails here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.domain.classifier import Classifier
from bot.domain.tiers import MatterKind, Tier
from bot.texts.classify import reason

LABELLED = Path(__file__).parent / "data" / "labelled_complaints.csv"


def _rows() -> list[dict[str, str]]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_set_is_large_and_varied() -> None:
    rows = _rows()
    assert len(rows) >= 200
    assert {row["kind"] for row in rows} == {kind.value for kind in MatterKind}
    assert {row["expected"] for row in rows} == {tier.value for tier in Tier}
    assert all(row["note"].strip() for row in rows)


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[dict[str, str], Tier]]:
    classifier = Classifier()
    return [(row, classifier.classify(MatterKind(row["kind"]), row["text"]).tier) for row in _rows()]


def test_every_allegation_is_escalated(outcomes: list[tuple[dict[str, str], Tier]]) -> None:
    missed = [row["text"] for row, tier in outcomes
              if row["expected"] == Tier.BERKADAR.value and tier is not Tier.BERKADAR]
    assert missed == []


def test_agreement_at_least_95_percent(outcomes: list[tuple[dict[str, str], Tier]]) -> None:
    agreed = sum(tier.value == row["expected"] for row, tier in outcomes)
    wrong = [(row["expected"], tier.value, row["text"]) for row, tier in outcomes
             if tier.value != row["expected"]]
    assert agreed / len(outcomes) >= 0.95, wrong


@pytest.mark.parametrize(
    ("kind", "text", "cancelled"),
    [
        (MatterKind.QUESTION, "Saya tidak menuduh ada suap, hanya bertanya jadwal.", "suap"),
        (MatterKind.SERVICE, "tidak ada pungli tapi antreannya lama", "pungli"),
        (MatterKind.SERVICE, "pelayanan di loket bebas pungli", "pungli"),
        (MatterKind.QUESTION, "Bukan soal korupsi, saya cuma lupa kata sandi", "korupsi"),
    ],
)
def test_negation_is_reported(kind: MatterKind, text: str, cancelled: str) -> None:
    result = Classifier().classify(kind, text)
    assert not result.escalated
    assert cancelled in result.cancelled
    assert "disangkal" in reason(result)


def test_conditional_negation_still_escalates() -> None:
    result = Classifier().classify(
        MatterKind.SERVICE, "Kalau tidak ada uang pelicin, berkas tidak akan diproses."
    )
    assert result.tier is Tier.BERKADAR
    assert result.rules == ("suap",)


def test_rule_question_keeps_the_kind_unless_an_act_is_alleged() -> None:
    classifier = Classifier()
    question = "Apa sanksi bagi penyedia yang terbukti melakukan persekongkolan?"
    result = classifier.classify(MatterKind.RULES, question)
    assert result.tier is Tier.NORMATIF
    assert "persekongkolan" in result.cancelled
    assert "bertanya tentang aturan" in reason(result)
    alleged = classifier.classify(MatterKind.RULES, question + " Kemarin pokja kami bersekongkol.")
    assert alleged.tier is Tier.BERKADAR


def test_everyday_extortion_escalates() -> None:
    result = Classifier().classify(
        MatterKind.SERVICE, "Kami dipaksa setor sepuluh persen dari nilai kontrak kepada oknum dinas"
    )
    assert result.tier is Tier.BERKADAR
    assert "setoran" in result.rules
