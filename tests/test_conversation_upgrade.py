"""Conversations in flight survive the upgrade that turned their integer states into names.

Release 0.1 stored the filing and /catat steps as integers (schema version 6). The test walks both
conversations halfway with today's bot, rewrites what is stored into 0.1's form (integers, no step
in the draft, schema version 6), restarts the bot — which runs migration 0007 — and continues: the
citizen and the officer must be at the same question, with their earlier answers kept.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from handlers.filing import FilingStep
from handlers.recorded import RecordingStep
from storage.db import migrations
from tests.conftest import Bench

# 0.1's numbering: the position of each step in its tuple.
FILING_NUMBERS = {step.value: index for index, step in enumerate(FilingStep)}
RECORDING_NUMBERS = {step.value: index for index, step in enumerate(RecordingStep)}


def downgrade_to_release_0_1(path: Path) -> dict[str, int]:
    """Replaces the database by one of release 0.1 (schema 6, migrations 1–6 only) holding the same
    conversations in 0.1's form: integer states and no step in the draft. Returns the states by name."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT kind, key, value FROM persistence").fetchall()
    finally:
        conn.close()
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    conn = sqlite3.connect(path)
    try:
        for version, _name, sql in migrations()[:6]:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        states: dict[str, int] = {}
        for kind, key, value in rows:
            data = json.loads(value)
            if kind == "conversation":
                name = json.loads(key)[0]
                numbers = FILING_NUMBERS if name == "filing" else RECORDING_NUMBERS
                data = states[name] = numbers[data]
            elif kind == "user" and "draft" in data:
                data["draft"].pop("step", None)
            conn.execute("INSERT INTO persistence (kind, key, value) VALUES (?, ?, ?)", (kind, key, json.dumps(data)))
        conn.commit()
        return states
    finally:
        conn.close()


async def test_conversations_in_flight_resume_at_the_same_step_after_the_upgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bench = Bench(tmp_path)
    await bench.start()
    citizen, chat = bench.citizen, bench.citizen.id
    try:
        await bench.say(citizen, "/lapor")
        await bench.press(citizen, bench.last(chat), "lapor:nama")
        await bench.say(citizen, "081234567890")
        await bench.press(citizen, bench.last(chat), "lapor:jenis:pertanyaan")
        await bench.press(citizen, bench.last(chat), "lapor:lewati")  # now at the description step
        await bench.staff_says("/catat")
        await bench.press(bench.officer, bench.last(bench.staff_chat_id), "catat:saluran:telepon")
        await bench.press(bench.officer, bench.last(bench.staff_chat_id), "catat:tingkat:ringan")
        # Issue #13 added the receipt time and the kind before the name.
        await bench.press(bench.officer, bench.last(bench.staff_chat_id), "catat:diterima:sekarang")
        await bench.press(bench.officer, bench.last(bench.staff_chat_id), "catat:jenis:pertanyaan")
        name_prompt = bench.last(bench.staff_chat_id)  # now at the reporter's name
    finally:
        await bench.stop()

    states = downgrade_to_release_0_1(tmp_path / "helpdesk.sqlite3")
    assert states == {"filing": 4, "catat": 2}  # DESCRIPTION and NAME in 0.1's numbering

    await bench.start()
    try:
        assert await bench.desk.db.fetchval("PRAGMA user_version") == len(migrations())
        sent = await bench.say(citizen, "Kapan jadwal pembukaan penawaran paket jalan di Tanjung Selor?")
        assert any("Langkah 6 dari" in m.rendered for m in sent), [m.rendered for m in sent]  # evidence
        sent = await bench.press(citizen, bench.last(chat), "lapor:bukti_selesai")
        summary = sent[-1].rendered
        assert "Budi Santoso" in summary and "+6281234567890" in summary and "Tanjung Selor" in summary

        sent = await bench.staff_says("Ibu Wati", reply_to=name_prompt.message_id)
        assert any("kontak" in m.rendered.lower() for m in sent), [m.rendered for m in sent]

        # A wrong kind of input repeats the question of the step the draft recorded.
        sent = await bench.run(bench.fake.send_sticker(citizen, None))
        assert any(b[1] == "lapor:kirim" for m in sent for b in m.buttons), \
            [m.rendered for m in sent]
    finally:
        await bench.stop()
