"""Issue #13, the citizen's side: nothing a citizen sends is lost, offline complaints and targets,
and the small things people hit. End to end: the real Application, handlers and SQLite file,
Telegram played by the Bot API double."""

from __future__ import annotations

import pytest

from tests.conftest import Bench


async def _to_contact_step(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")


# --- contacts: phonenumbers and email-validator ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("+60 12-345 6789", "+60123456789"), ("0811-0000-111", "+628110000111"),
     ("Nama.Saya@Contoh.co.id", "nama.saya@contoh.co.id")],
)
async def test_foreign_and_indonesian_contacts_are_stored_in_one_form(bench: Bench, text: str,
                                                                      expected: str) -> None:
    code = await bench.file_complaint(contact=text)
    assert (await bench.desk.tickets.get(code)).contact == expected


@pytest.mark.parametrize("text", ["budi@contoh", "budi@@contoh.id", "0812345", "+60 12", "12-34"])
async def test_invalid_contacts_are_refused_with_the_examples(bench: Bench, text: str) -> None:
    await _to_contact_step(bench)
    sent = await bench.say(bench.citizen, text)
    assert "belum terbaca" in sent[0].rendered


async def test_a_foreign_number_shared_with_the_contact_button(bench: Bench) -> None:
    await _to_contact_step(bench)
    sent = await bench.run(bench.fake.send_contact(bench.citizen, None, phone_number="60123456789"))
    assert any("Pengaduan Anda termasuk" in m.rendered for m in sent)
    user, chat = bench.citizen, bench.citizen.id
    await bench.press(user, bench.last(chat), "lapor:jenis:pertanyaan")
    await bench.press(user, bench.last(chat), "lapor:lewati")
    await bench.say(user, "Kapan jadwal pembukaan penawaran paket jalan di Tanjung Selor?")
    await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    assert "Kontak: +60123456789" in bench.last(chat).rendered


# --- the daily limit is told at /lapor -----------------------------------------------------------


async def test_the_daily_limit_is_told_at_lapor_before_step_one(tmp_path) -> None:
    bench = Bench(tmp_path, limits={"complaints_per_day": 1})
    await bench.start()
    try:
        await bench.file_complaint()
        sent = await bench.say(bench.citizen, "/lapor")
        assert len(sent) == 1 and "batas harian" in sent[0].rendered
        assert "Langkah 1" not in sent[0].rendered
        sent = await bench.press(bench.citizen, (await bench.say(bench.citizen, "/start"))[0], "menu:lapor")
        assert "batas harian" in sent[-1].rendered
        # Someone else is not limited by Budi's complaints.
        assert "Langkah 1" in (await bench.say(bench.other, "/lapor"))[0].rendered
    finally:
        await bench.stop()
