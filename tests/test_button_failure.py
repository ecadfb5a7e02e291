"""Buttons never spin forever (issue #12 item 4): a failed handler's callback query is still answered."""

from __future__ import annotations

from bot.texts.common import BUTTON_FAILED, SOMETHING_WENT_WRONG
from tests.conftest import Bench


async def test_a_button_whose_handler_fails_is_answered_with_a_short_text(bench: Bench) -> None:
    code = await bench.file_complaint(kind="layanan", description="Petugas loket lambat melayani penyedia.")
    await bench.staff_says(f"/tingkat {code} berkadar")
    offer = next(m for m in bench.fake.sent(bench.citizen.id) if any(b[1] == f"rahasia:{code}:ya" for b in m.buttons))
    # Telegram fails the edit that takes the buttons off, before the handler answered the press.
    bench.fake.inject("editMessageReplyMarkup", chat_id=bench.citizen.id, error="server", times=None)
    driven = bench.fake.press_button(bench.citizen, offer.chat_id, offer.message_id, f"rahasia:{code}:ya")
    sent = await bench.run(driven)
    assert driven.callback_query_id is not None
    answer = bench.fake.callback_answers[driven.callback_query_id]
    assert answer["text"] == BUTTON_FAILED and len(answer["text"]) <= 200
    assert SOMETHING_WENT_WRONG in [m.rendered for m in sent if m.chat_id == bench.citizen.id]


async def test_a_button_answered_before_the_failure_is_not_answered_twice(bench: Bench) -> None:
    code = await bench.file_complaint()
    view = (await bench.say(bench.citizen, f"/status {code}"))[0]
    # «Tambah keterangan» answers first, then its prompt fails to send.
    bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="server", times=4)
    driven = bench.fake.press_button(bench.citizen, view.chat_id, view.message_id, f"tambah:{code}")
    await bench.run(driven)
    assert driven.callback_query_id is not None
    assert bench.fake.callback_answers[driven.callback_query_id]["text"] is None
