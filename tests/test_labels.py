"""One label per thing (issue #17): every view takes a ticket's words from ``bot.texts.labels``."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.domain.tickets import Channel, Status
from bot.domain.tiers import MatterKind, Tier
from bot.texts.labels import (
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    channel_label,
    kind_label,
    parse_kind,
    parse_tier,
    status_label,
    tier_label,
)
from tests.conftest import Bench

ROOT = Path(__file__).resolve().parent.parent
TABLES = ((Tier, TIER_LABELS), (MatterKind, KIND_LABELS), (Status, STATUS_LABELS), (Channel, CHANNEL_LABELS))


def test_every_stored_value_has_one_distinct_label() -> None:
    for enum, table in TABLES:
        assert set(table) == set(enum), enum
        assert len(set(table.values())) == len(table), f"two {enum.__name__} share a label"


def test_a_label_people_read_can_be_typed_back() -> None:
    for tier in Tier:
        assert parse_tier(tier_label(tier)) is tier
        assert parse_tier(tier_label(tier).upper()) is tier
        assert parse_tier(tier.value) is tier
    for kind in MatterKind:
        assert parse_kind(kind_label(kind)) is kind
        assert parse_kind(kind.value) is kind


def test_no_label_is_written_out_anywhere_else() -> None:
    """A label spelt out as a literal elsewhere would drift from the table; only multi-word
    labels are checked, since one-word ones ("Baru", "Telegram") are ordinary words too."""
    labels = {label for _, table in TABLES for label in table.values() if " " in label}
    found = []
    for folder in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "bot" / "texts" / "labels.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip() in labels:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []


async def test_status_card_and_list_say_the_same_words(bench: Bench) -> None:
    """The citizen's /status, the staff card, /tiket and /daftar name tier, status and kind alike."""
    code = await bench.file_complaint(kind="layanan", description="Antrean loket layanan SPSE lama sekali.")
    await bench.staff_says(f"/proses {code}")
    tier, status = tier_label(Tier.TIDAK_BERKADAR), status_label(Status.IN_PROGRESS)
    citizen_view = (await bench.say(bench.citizen, f"/status {code}"))[-1].rendered
    ticket_view = (await bench.staff_says(f"/tiket {code}"))[0].rendered
    list_line = next(line for line in (await bench.staff_says("/daftar"))[0].rendered.splitlines() if code in line)
    card = [m for m in bench.fake.sent(bench.staff_chat_id) if m.rendered.startswith("📋")][-1].rendered
    for view in (citizen_view, ticket_view, list_line, card):
        assert tier in view, view
        assert status in view, view
    for view in (ticket_view, card):
        assert kind_label(MatterKind.SERVICE) in view
        assert channel_label(Channel.TELEGRAM) in view
