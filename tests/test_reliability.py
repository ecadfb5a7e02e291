"""Telegram faults survived: flood waits, network errors, blocked citizens, migrated groups, bad HTML."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.config import LoggingConfig
from bot.logsetup import setup_logging
from handlers.guard import FloodGate
from tests.conftest import Bench


async def outbox_rows(bench: Bench) -> list[dict[str, object]]:
    rows = await bench.desk.db.fetchall("SELECT id, chat_id, purpose, status, attempts, last_error FROM outbox")
    return [dict(row) for row in rows]


async def wait_until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await predicate():
        if loop.time() > end:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.02)


async def test_flood_wait_delays_only_that_chat(bench: Bench) -> None:
    code = await bench.file_complaint()
    bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="flood", retry_after=1)
    started = asyncio.get_running_loop().time()
    await bench.staff_says(f"/balas {code} Jawaban pertama")
    # The staff confirmation (another chat) went out at once while the citizen's reply waits.
    assert "dicatat dan dikirim" in bench.last(bench.staff_chat_id).rendered
    reply = await bench.fake.wait_for(lambda m: "Jawaban pertama" in m.rendered, chat_id=bench.citizen.id,
                                      timeout=5)
    assert asyncio.get_running_loop().time() - started >= 1.0
    assert code in reply.rendered
    await bench.desk.outbox.drain()
    rows = [r for r in await outbox_rows(bench) if r["purpose"] == "staff_reply"]
    assert rows[0]["status"] == "sent" and rows[0]["attempts"] == 2


async def test_network_errors_and_5xx_are_retried_until_delivered(bench: Bench) -> None:
    await bench.file_complaint()
    card = bench.last(bench.staff_chat_id)
    bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="network", times=1)
    bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="server", status=502, times=1)
    await bench.staff_answers("Jawaban setelah gangguan", reply_to=card.message_id)
    await bench.fake.wait_for(lambda m: "Jawaban setelah gangguan" in m.rendered, chat_id=bench.citizen.id,
                              timeout=10)
    await bench.desk.outbox.drain()
    rows = [r for r in await outbox_rows(bench) if r["purpose"] == "staff_reply"]
    assert rows[0]["status"] == "sent" and rows[0]["attempts"] == 3


async def test_blocked_citizen_is_recorded_and_staff_told(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = bench.last(bench.staff_chat_id)
    bench.fake.block_bot(bench.citizen)
    await bench.staff_answers("Jawaban yang tidak sampai", reply_to=card.message_id)
    await bench.fake.wait_for(lambda m: "tidak dapat dikirim" in m.rendered, chat_id=bench.staff_chat_id)
    ticket = await bench.desk.tickets.get(code)
    kinds = [event.kind.value for event in await bench.desk.tickets.history(ticket)]
    assert kinds[-2:] == ["staff_reply", "undelivered"]
    # The staff member's text is kept in the history.
    reply_event = next(e for e in await bench.desk.tickets.history(ticket) if e.kind.value == "staff_reply")
    assert reply_event.data["text"] == "Jawaban yang tidak sampai"
    failed = [r for r in await outbox_rows(bench) if r["status"] == "failed"]
    assert [r["purpose"] for r in failed] == ["staff_reply"]


async def test_staff_group_upgraded_to_supergroup_is_adopted(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    old_id = bench.staff_chat_id
    bench.fake.inject("sendMessage", chat_id=old_id, error="migrate")
    code = await bench.file_complaint()
    new_id = bench.desk.staff_chat.id
    assert new_id != old_id
    card = await bench.fake.wait_for(lambda m: code in m.rendered and "Pelapor" in m.rendered, chat_id=new_id)
    assert card.chat_id == new_id
    stored = await bench.desk.db.fetchval("SELECT value FROM runtime_settings WHERE key = 'staff_chat_id'")
    assert int(stored) == new_id
    assert f"staff_chat_id = {new_id}" in caplog.text
    # The next start keeps using the new id.
    await bench.stop()
    await bench.start()
    assert bench.desk.staff_chat.id == new_id


async def test_formatting_rejection_is_resent_as_plain_text(bench: Bench) -> None:
    await bench.file_complaint()
    card = bench.last(bench.staff_chat_id)
    bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="bad_request",
                      text="Bad Request: can't parse entities: unsupported start tag \"x\" at byte offset 3")
    await bench.staff_answers("Jawaban <tetap> sampai & utuh", reply_to=card.message_id)
    reply = await bench.fake.wait_for(lambda m: "Jawaban <tetap> sampai & utuh" in m.rendered,
                                      chat_id=bench.citizen.id)
    assert reply.parse_mode is None


async def test_outbox_rows_survive_a_restart(tmp_path) -> None:
    bench = Bench(tmp_path)
    await bench.start()
    try:
        await bench.file_complaint()
        card = bench.last(bench.staff_chat_id)
        bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="server", status=500, times=None)
        driven = bench.fake.send_text(bench.officer, bench.staff_chat_id, "Jawaban tertunda",
                                      reply_to_message_id=card.message_id)
        await wait_until(lambda: _journal_done(bench, driven.update_id))
        # The reply is held until «Kirim ke pelapor» (sent by the handler, not the outbox).
        prompt = bench.last(bench.staff_chat_id)
        kirim = next(data for _, data in prompt.buttons if data.startswith("bls:kirim:"))
        pressed = bench.fake.press_button(bench.officer, prompt.chat_id, prompt.message_id, kirim)
        await wait_until(lambda: _journal_done(bench, pressed.update_id))
        await bench.stop()
        bench.fake.clear_faults()
        await bench.start()
        await bench.fake.wait_for(lambda m: "Jawaban tertunda" in m.rendered, chat_id=bench.citizen.id)
        sent = [m for m in bench.fake.sent(bench.citizen.id) if "Jawaban tertunda" in m.rendered]
        assert len(sent) == 1
    finally:
        await bench.stop()


async def _journal_done(bench: Bench, update_id: int | None) -> bool:
    done = await bench.desk.db.fetchval("SELECT done_at FROM update_journal WHERE update_id = ?", (update_id,))
    return done is not None


async def test_per_person_flood_gets_one_notice_then_silence(tmp_path) -> None:
    bench = Bench(tmp_path, limits={"messages_per_minute": 3})
    await bench.start()
    try:
        for _ in range(3):
            await bench.say(bench.citizen, "/start")
        notice = await bench.say(bench.citizen, "/start")
        assert "terlalu banyak" in notice[0].rendered
        assert await bench.say(bench.citizen, "/start") == []
        # Everyone else is still served.
        assert "Halo" in (await bench.say(bench.other, "/start"))[0].rendered
    finally:
        await bench.stop()


async def test_complaints_per_day_limit(tmp_path) -> None:
    bench = Bench(tmp_path, limits={"complaints_per_day": 1})
    await bench.start()
    try:
        await bench.file_complaint()
        with pytest.raises(AssertionError):
            await bench.file_complaint()
        assert "batas harian" in bench.last(bench.citizen.id).rendered
        assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 1
    finally:
        await bench.stop()


async def test_foreign_groups_channels_and_bots_are_ignored(tmp_path) -> None:
    bench = Bench(tmp_path, telegram={"leave_foreign_groups": True})
    await bench.start()
    try:
        stranger_group = bench.fake.group("Grup Lain", [bench.other.id])
        sent = await bench.say(bench.other, "/lapor", chat_id=stranger_group.id)
        assert sent == []
        answer = await bench.say(bench.other, "/chatid", chat_id=stranger_group.id)
        assert str(stranger_group.id) in answer[0].rendered
        assert not bench.fake.calls_to("leaveChat")
        other_group = bench.fake.group("Grup Tanpa Izin", [bench.other.id], bot_status="left")
        for driven in bench.fake.add_bot_to_group(other_group.id, by=bench.other):
            if driven.delivered:
                await bench.settle(driven)
        assert [call.params["chat_id"] for call in bench.fake.calls_to("leaveChat")] == [str(other_group.id)]
    finally:
        await bench.stop()


async def test_logs_hold_no_personal_data(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    setup_logging(LoggingConfig(level="DEBUG"))  # the most talkative setting an operator can choose
    description = "Rahasia: panitia meminta uang pelicin di kantor dinas"
    code = await bench.file_complaint(description=description, contact="081299887766")
    bench.fake.block_bot(bench.citizen)
    card = next(m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered)
    await bench.staff_answers("Jawaban pribadi untuk Budi", reply_to=card.message_id)
    await bench.fake.wait_for(lambda m: "tidak dapat dikirim" in m.rendered, chat_id=bench.staff_chat_id)
    logged = caplog.text + json.dumps([r.getMessage() for r in caplog.records])
    for secret in ("081299887766", "6281299887766", "uang pelicin", "Budi Santoso", "Jawaban pribadi"):
        assert secret not in logged


def test_flood_gate_forgets_people_who_went_quiet() -> None:
    gate = FloodGate(per_minute=2)
    assert gate.admit(1, 0.0) == (True, False)
    assert gate.admit(1, 1.0) == (True, False)
    assert gate.admit(1, 2.0) == (False, True)  # over the limit: one notice…
    assert gate.admit(1, 3.0) == (False, False)  # …then silence
    assert gate.admit(1, 62.0) == (True, False)  # the window moved on
    for user_id in range(2, 10_001):
        gate.admit(user_id, 200.0)
    assert 1 not in gate._seen  # silent since t=62, forgotten at the 10,000th admission
