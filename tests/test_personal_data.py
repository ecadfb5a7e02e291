"""Personal-data export and erasure, and the online backup."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from bot.cli.main import main
from bot.services.personal_data import erase_person, export_person
from storage.db import Database
from tests.conftest import TOKEN, Bench


async def create_database(path: Path) -> None:
    await (await Database.open(path)).close()


async def test_export_then_erase_keeps_statistics(bench: Bench) -> None:
    code = await bench.file_complaint(description="Saya melihat pungutan liar di loket dinas pagi ini.",
                                      contact="081311112222")
    await bench.say(bench.citizen, "Tambahan keterangan pribadi saya.",
                    reply_to=next(m for m in bench.fake.sent(bench.citizen.id) if code in m.rendered).message_id)
    card = next(m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered)
    await bench.staff_says("Pak Budi Santoso (081311112222) sudah kami telepon.", reply_to=card.message_id)  # held
    db = bench.desk.db
    exported = await export_person(db, bench.citizen.id)
    assert [t["code"] for t in exported["tickets"]] == [code]
    assert exported["tickets"][0]["contact"] == "+6281311112222"
    assert any(e["data"].get("text") == "Tambahan keterangan pribadi saya." for e in exported["ticket_history"])
    assert "pin_hash" not in exported["tickets"][0]

    counts = await erase_person(db, bench.citizen.id)
    assert counts["tickets"] == 1
    ticket = await bench.desk.tickets.get(code)
    assert ticket.name == "[dihapus]" and ticket.contact == "[dihapus]" and ticket.description == "[dihapus]"
    assert ticket.citizen_user_id is None
    assert ticket.tier.value == "berkadar" and ticket.channel.value == "telegram"  # statistics kept
    dump = json.dumps([dict(r) for r in await db.fetchall("SELECT * FROM ticket_events")])
    dump += json.dumps([dict(r) for r in await db.fetchall("SELECT payload FROM update_journal")])
    dump += json.dumps([dict(r) for r in await db.fetchall("SELECT payload FROM outbox")])
    dump += json.dumps([dict(r) for r in await db.fetchall("SELECT text, attachments FROM held_replies")])
    for secret in ("6281311112222", "pungutan liar di loket", "keterangan pribadi", "Budi Santoso"):
        assert secret not in dump
    kinds = await db.fetchall("SELECT kind FROM data_requests ORDER BY id")
    assert [row["kind"] for row in kinds] == ["export", "erase"]
    assert (await export_person(db, bench.citizen.id))["tickets"] == []


def test_cli_export_erase_and_backup(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = tmp_path / "helpdesk.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\ntoken = "{TOKEN}"\nstaff_chat_id = -1\n[storage]\ndatabase = "{database}"\n')
    # Only run, sandbox and check --migrate create a database (issue #14); the others need one.
    asyncio.run(create_database(database))
    assert main(["data", "export", "--user", "42", "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["tickets"] == []
    assert main(["data", "erase", "--user", "42", "--config", str(config)]) == 0
    assert "dianonimkan" in capsys.readouterr().out
    backup = tmp_path / "backup" / "copy.sqlite3"
    assert main(["backup", str(backup), "--config", str(config)]) == 0
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT COUNT(*) FROM data_requests").fetchone()[0] == 2
    # An existing backup is never overwritten.
    assert main(["backup", str(backup), "--config", str(config)]) == 2
