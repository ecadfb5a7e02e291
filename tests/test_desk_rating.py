"""Issue #17: the rating's thanks stays in the chat as one line, and a low rating's invitation to
comment does not say it again. End to end against the Bot API double."""

from __future__ import annotations

import datetime as dt

from bot.fakebot import SentMessage
from tests.conftest import WITA, Bench


async def _closed(bench: Bench) -> tuple[str, SentMessage]:
    """A ticket answered and closed; its rating request."""
    bench.clock.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=WITA))
    code = await bench.file_complaint()
    await bench.staff_says(f"/tutup {code} Jadwal pembukaan penawaran tanggal 10 Desember.")
    request = bench.last(bench.citizen.id)
    assert request.buttons and "Bagaimana layanan kami" in request.rendered
    return code, request


async def test_a_rating_turns_the_request_into_one_line_of_thanks(bench: Bench) -> None:
    code, request = await _closed(bench)
    driven = bench.fake.press_button(bench.citizen, request.chat_id, request.message_id, f"nilai:{code}:4")
    sent = await bench.run(driven)
    assert request.rendered == f"🙏 Terima kasih atas penilaian Anda untuk {code}: 4/5 (Puas)."
    assert request.buttons == [] and "\n" not in request.rendered
    assert [m.chat_id for m in sent] == [bench.staff_chat_id]  # no second message to the citizen
    assert driven.callback_query_id is not None
    toast = str(bench.fake.callback_answers[driven.callback_query_id]["text"])
    assert toast == "🙏 Terima kasih atas penilaian Anda: 4/5 (Puas)."  # the same words, shorter


async def test_a_low_rating_thanks_once_and_asks_once(bench: Bench) -> None:
    code, request = await _closed(bench)
    sent = await bench.press(bench.citizen, request, f"nilai:{code}:2")
    assert request.rendered == f"🙏 Terima kasih atas penilaian Anda untuk {code}: 2/5 (Tidak puas)."
    mine = [m for m in sent if m.chat_id == bench.citizen.id]
    assert len(mine) == 1 and "Apa yang perlu kami perbaiki?" in mine[0].rendered
    assert "Terima kasih" not in mine[0].rendered and "2/5" not in mine[0].rendered
    sent = await bench.say(bench.citizen, "/batal")
    assert [m.rendered for m in sent] == ["Baik, tanpa komentar."]


async def test_a_request_telegram_will_not_edit_gets_the_line_as_a_message(bench: Bench) -> None:
    code, request = await _closed(bench)
    bench.fake.inject("editMessageText", chat_id=bench.citizen.id, error="bad_request",
                      text="Bad Request: message can't be edited")
    sent = await bench.press(bench.citizen, request, f"nilai:{code}:5")
    mine = [m.rendered for m in sent if m.chat_id == bench.citizen.id]
    assert mine == [f"🙏 Terima kasih atas penilaian Anda untuk {code}: 5/5 (Sangat puas)."]
    assert request.buttons == [] and (await bench.desk.tickets.get(code)).rating == 5
