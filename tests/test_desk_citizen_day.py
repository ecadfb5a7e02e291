"""Issue #13, the citizen's side: nothing a citizen sends is lost, offline complaints and targets,
and the small things people hit. End to end: the real Application, handlers and SQLite file,
Telegram played by the Bot API double."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.fakebot import FakeUser, SentMessage
from tests.conftest import WITA, Bench


async def _toast(bench: Bench, user: FakeUser, message: SentMessage, data: str) -> str:
    """Presses a button; the text of the short answer (toast) the bot gave."""
    driven = bench.fake.press_button(user, message.chat_id, message.message_id, data)
    await bench.settle(driven)
    assert driven.callback_query_id is not None
    return str(bench.fake.callback_answers[driven.callback_query_id]["text"] or "")


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


# --- evidence after filing -------------------------------------------------------------------------


def _card_of(bench: Bench, code: str):
    return next(m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered and m.buttons)


async def test_a_file_sent_later_is_attached_to_the_only_open_ticket(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = _card_of(bench, code)
    sent = await bench.run(bench.fake.send_photo(bench.citizen, None, caption="Foto papan pengumuman"))
    mine = [m for m in sent if m.chat_id == bench.citizen.id]
    assert len(mine) == 1 and code in mine[0].rendered and "lampirkan" in mine[0].rendered
    staff = [m for m in sent if m.chat_id == bench.staff_chat_id]
    assert [m.media_type for m in staff if m.is_media] == ["photo"]
    assert all(m.reply_to_message_id == card.message_id for m in staff)
    assert any("Foto papan pengumuman" in m.rendered for m in staff)
    ticket = await bench.desk.tickets.get(code)
    events = await bench.desk.tickets.history(ticket)
    assert events[-1].data["text"] == "Foto papan pengumuman" and len(events[-1].attachments) == 1
    assert "belum memahami" not in " ".join(m.rendered for m in mine)


async def test_with_several_open_tickets_the_citizen_picks_one(bench: Bench) -> None:
    first = await bench.file_complaint()
    second = await bench.file_complaint(kind="layanan",
                                        description="Petugas loket tidak ramah dan meminta kami datang berulang kali.")
    ask = (await bench.run(bench.fake.send_document(bench.citizen, None, file_name="kontrak.pdf")))[-1]
    assert sorted(data for _, data in ask.buttons) == [f"bukti:{first}", f"bukti:{second}"]
    later = (await bench.run(bench.fake.send_photo(bench.citizen, None)))[-1]
    sent = await bench.press(bench.citizen, ask, f"bukti:{second}")
    assert any(second in m.rendered and "lampirkan" in m.rendered for m in sent)
    second_events = await bench.desk.tickets.history(await bench.desk.tickets.get(second))
    first_events = await bench.desk.tickets.history(await bench.desk.tickets.get(first))
    assert second_events[-1].kind.value == "citizen_message"
    assert [a.kind for a in second_events[-1].attachments] == ["document"]
    assert first_events[-1].kind.value == "filed"
    # The second file waited for its own question.
    await bench.press(bench.citizen, later, f"bukti:{first}")
    first_events = await bench.desk.tickets.history(await bench.desk.tickets.get(first))
    assert [a.kind for a in first_events[-1].attachments] == ["photo"]


async def test_a_file_without_any_open_ticket_is_told_how_to_file(bench: Bench) -> None:
    sent = await bench.run(bench.fake.send_photo(bench.citizen, None))
    assert "/lapor" in sent[0].rendered and "belum memahami" not in sent[0].rendered
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM ticket_events") == 0


# --- a slow typist keeps the draft ---------------------------------------------------------------

LONG_TEXT = "Saya sudah tiga kali datang ke loket dan berkas penawaran kami tetap tidak diterima tanpa alasan."


async def _to_description_step(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    bench.clock.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=WITA))
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), "lapor:jenis:layanan")
    await bench.press(user, bench.last(chat), "lapor:lewati")


async def test_a_slow_typist_continues_with_the_text_just_typed(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await _to_description_step(bench)
    bench.clock.advance(dt.timedelta(hours=2))
    sent = await bench.say(user, LONG_TEXT)
    offer = sent[-1]
    assert [data for _, data in offer.buttons] == ["lapor:lanjut", "lapor:baru"]
    assert "Lanjutkan" in offer.rendered and "Mulai baru" in offer.rendered
    sent = await bench.press(user, offer, "lapor:lanjut")
    assert "Langkah 6" in sent[-1].rendered  # the description was taken: on to the evidence step
    await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    summary = bench.last(chat).rendered
    assert LONG_TEXT in summary and "+6281234567890" in summary and "Budi Santoso" in summary
    sent = await bench.press(user, bench.last(chat), "lapor:kirim")
    assert any("Kode pengaduan" in m.rendered for m in sent)
    ticket = await bench.desk.tickets.get("ADU-2026-00001")
    assert ticket.description == LONG_TEXT


async def test_the_draft_is_kept_for_a_day_and_mulai_baru_starts_over(bench: Bench) -> None:
    user = bench.citizen
    await _to_description_step(bench)
    bench.clock.advance(dt.timedelta(hours=23))
    offer = (await bench.say(user, "halo"))[-1]
    assert offer.buttons
    # A button press while the choice is open does not lose the draft either.
    sent = await bench.press(user, offer, "lapor:baru")
    assert "Langkah 1" in sent[-1].rendered
    assert "Kontak" not in sent[-1].rendered


async def test_a_draft_older_than_a_day_is_gone(bench: Bench) -> None:
    user = bench.citizen
    await _to_description_step(bench)
    bench.clock.advance(dt.timedelta(hours=2))
    await bench.say(user, "halo")  # paused and offered
    bench.clock.advance(dt.timedelta(hours=25))
    sent = await bench.say(user, "halo lagi")
    assert not any(data == "lapor:lanjut" for m in sent for _, data in m.buttons)


async def test_a_kept_draft_resumes_at_a_button_step(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    bench.clock.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=WITA))
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    kind_question = bench.last(chat)
    bench.clock.advance(dt.timedelta(hours=1))
    offer = (await bench.press(user, kind_question, "lapor:jenis:aturan"))[-1]
    assert offer.buttons[0][1] == "lapor:lanjut"
    sent = await bench.press(user, offer, "lapor:lanjut")
    assert "Langkah 3" in sent[-1].rendered


# --- a citizen can object to a closure ---------------------------------------------------------------


async def _answered_and_closed(bench: Bench) -> str:
    bench.clock.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=WITA))
    code = await bench.file_complaint()
    await bench.staff_says(f"/balas {code} Jadwal pembukaan penawaran tanggal 10 Desember.")
    await bench.staff_says(f"/tutup {code}")
    return code


def _rating_request(bench: Bench) -> SentMessage:
    return next(m for m in reversed(bench.fake.sent(bench.citizen.id))
                if any((data or "").startswith("nilai:") for _, data in m.buttons))


async def test_a_reply_to_a_closed_ticket_is_an_objection_staff_can_act_on(bench: Bench) -> None:
    code = await _answered_and_closed(bench)
    closing = next(m for m in reversed(bench.fake.sent(bench.citizen.id)) if code in m.rendered)
    bench.clock.advance(dt.timedelta(days=29))
    sent = await bench.say(bench.citizen, "Jawaban ini tidak menjawab pertanyaan saya.", reply_to=closing.message_id)
    mine = [m for m in sent if m.chat_id == bench.citizen.id]
    assert "Keberatan" in mine[0].rendered and code in mine[0].rendered
    objection = next(m for m in sent if m.chat_id == bench.staff_chat_id)
    assert "Keberatan pelapor" in objection.rendered and "tidak menjawab" in objection.rendered
    assert objection.buttons == [("🔁 Buka kembali", f"keberatan:buka:{code}")]  # as on the card
    ticket = await bench.desk.tickets.get(code)
    assert (await bench.desk.tickets.history(ticket))[-1].kind.value == "objection"
    sent = await bench.press(bench.officer, objection, f"keberatan:buka:{code}")
    assert (await bench.desk.tickets.get(code)).is_open
    assert any(m.chat_id == bench.citizen.id for m in sent)  # the citizen is told it was reopened


async def test_an_objection_after_thirty_days_is_refused_politely(bench: Bench) -> None:
    code = await _answered_and_closed(bench)
    closing = next(m for m in reversed(bench.fake.sent(bench.citizen.id)) if code in m.rendered)
    bench.clock.advance(dt.timedelta(days=31))
    sent = await bench.say(bench.citizen, "Saya keberatan.", reply_to=closing.message_id)
    assert [m.chat_id for m in sent] == [bench.citizen.id]
    assert "30 hari" in sent[0].rendered and "/lapor" in sent[0].rendered


async def test_a_low_rating_invites_one_line_that_reaches_staff(bench: Bench) -> None:
    code = await _answered_and_closed(bench)
    sent = await bench.press(bench.citizen, _rating_request(bench), f"nilai:{code}:2")
    assert any("satu baris" in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    sent = await bench.say(bench.citizen, "Jawabannya lambat\ndan kurang jelas")
    assert "teruskan ke petugas" in sent[0].rendered
    staff = next(m for m in sent if m.chat_id == bench.staff_chat_id)
    assert "Jawabannya lambat dan kurang jelas" in staff.rendered and "2/5" in staff.rendered
    # Only one line is invited: the next text is not a comment.
    sent = await bench.say(bench.citizen, "tambahan lagi")
    assert not any(m.chat_id == bench.staff_chat_id for m in sent)


async def test_a_good_rating_invites_no_comment(bench: Bench) -> None:
    code = await _answered_and_closed(bench)
    sent = await bench.press(bench.citizen, _rating_request(bench), f"nilai:{code}:5")
    assert not any("satu baris" in m.rendered for m in sent)


# --- long answers ---------------------------------------------------------------------------------------


async def test_a_staff_text_at_telegrams_limit_gets_a_warning(bench: Bench) -> None:
    code = await bench.file_complaint()
    body = ("Penjelasan panjang tentang jadwal. " * 200)[: 4096 - len(f"/balas {code} ")]
    sent = await bench.staff_says(f"/balas {code} {body}")
    warning = [m for m in sent if m.chat_id == bench.staff_chat_id and "batas Telegram" in m.rendered]
    assert len(warning) == 1 and f"/balas {code}" in warning[0].rendered
    assert any(m.chat_id == bench.citizen.id for m in sent)  # the part that arrived was still sent
    sent = await bench.staff_says(f"/balas {code} Bagian kedua dari jawaban.")
    assert not any("batas Telegram" in m.rendered for m in sent)
    assert any("Bagian kedua" in m.rendered for m in sent if m.chat_id == bench.citizen.id)


# --- /target refuses what the office cannot promise ----------------------------------------------


async def test_target_refuses_days_off_off_hours_the_past_and_past_the_deadline(bench: Bench) -> None:
    bench.clock.set(dt.datetime(2026, 12, 2, 10, 0, tzinfo=WITA))  # a Wednesday
    code = await bench.file_complaint(kind="aturan")  # normatif: 5 working days, Wed 9 Dec 16.00
    answers = {
        f"/target {code} 05-12-2026": "bukan hari kerja",  # Saturday
        f"/target {code} 25-12-2026": "bukan hari kerja",  # Christmas
        f"/target {code} 07-12-2026 19.00": "di luar jam kantor",
        f"/target {code} 07-12-2026 06.30": "di luar jam kantor",
        f"/target {code} 01-12-2026": "masa depan",
        f"/target {code} 10-12-2026": "tidak boleh melewati batas waktu",
        f"/target {code} 09-12-2026 16.01": "di luar jam kantor",
    }
    for command, expected in answers.items():
        sent = await bench.staff_says(command)
        assert expected in sent[0].rendered, (command, sent[0].rendered)
        assert (await bench.desk.tickets.get(code)).target_at is None
    assert "Rabu, 09 Desember 2026 pukul 16.00" in (await bench.staff_says(f"/target {code} 10-12-2026"))[0].rendered
    await bench.staff_says(f"/target {code} 09-12-2026")
    ticket = await bench.desk.tickets.get(code)
    assert ticket.target_at == ticket.deadline_at


# --- /catat asks when the complaint was received, and its kind -----------------------------------------


async def test_catat_guided_takes_the_receipt_time_and_kind(bench: Bench) -> None:
    bench.clock.set(dt.datetime(2026, 12, 4, 9, 0, tzinfo=WITA))  # a Friday
    staff = bench.staff_chat_id
    menu = (await bench.staff_says("/catat"))[0]
    await bench.press(bench.officer, menu, "catat:saluran:kotak_pengaduan")
    edited = next(m for m in bench.fake.sent(staff) if m.message_id == menu.message_id)
    asked = (await bench.press(bench.officer, edited, "catat:tingkat:normatif"))[-1]
    assert "kapan pengaduan ini diterima" in asked.rendered and "Langkah 3/7" in asked.rendered
    assert asked.buttons[0] == ("🕒 Sekarang", "catat:diterima:sekarang")
    sent = await bench.staff_says("05-12-2026 10.00", reply_to=asked.message_id)  # tomorrow
    assert "masa depan" in sent[0].rendered
    sent = await bench.staff_says("besok pagi", reply_to=sent[-1].message_id)
    assert "tidak dikenali" in sent[0].rendered
    sent = await bench.staff_says("01-12-2026 14.30", reply_to=sent[-1].message_id)
    assert "Selasa, 01 Desember 2026 pukul 14.30" in sent[0].rendered
    kinds = sent[-1]
    assert [data for _, data in kinds.buttons][:4] == [
        "catat:jenis:pertanyaan", "catat:jenis:aturan", "catat:jenis:layanan", "catat:jenis:pelanggaran"]
    prompt = (await bench.press(bench.officer, kinds, "catat:jenis:aturan"))[-1]
    sent = await bench.staff_says("Siti Aminah", reply_to=prompt.message_id)
    sent = await bench.staff_says("+60 12-345 6789", reply_to=sent[-1].message_id)
    sent = await bench.staff_says("Surat di kotak pengaduan menanyakan aturan jaminan penawaran.",
                                  reply_to=sent[-1].message_id)
    code = next(m.rendered for m in sent if "dicatat" in m.rendered).split("dicatat: ")[1].split()[0]
    ticket = await bench.desk.tickets.get(code)
    assert ticket.received_at == dt.datetime(2026, 12, 1, 14, 30, tzinfo=WITA)
    # Normatif: 5 working days counted from the receipt (Tue 1 Dec), not from Friday's recording.
    assert ticket.deadline_at == dt.datetime(2026, 12, 8, 16, 0, tzinfo=WITA)
    assert ticket.matter_kind is not None and ticket.matter_kind.value == "aturan"
    assert ticket.contact == "+60123456789"


async def test_catat_one_command_takes_an_optional_receipt_time(bench: Bench) -> None:
    bench.clock.set(dt.datetime(2026, 12, 4, 9, 0, tzinfo=WITA))
    sent = await bench.staff_says("/catat surat normatif 01-12-2026 14.30 | Siti Aminah | 081298765432 | "
                                  "Menanyakan syarat kualifikasi penyedia paket jalan.")
    code = sent[0].rendered.split("dicatat: ")[1].split()[0]
    assert (await bench.desk.tickets.get(code)).received_at == dt.datetime(2026, 12, 1, 14, 30, tzinfo=WITA)
    sent = await bench.staff_says("/catat surat normatif 07-12-2026 | Siti Aminah | 081298765432 | "
                                  "Menanyakan syarat kualifikasi penyedia paket jalan.")
    assert "masa depan" in sent[0].rendered


# --- small things people hit ------------------------------------------------------------------------


async def _walk_to_summary(bench: Bench, *, package: str | None = None, typed_skip: bool = False,
                           kind: str = "layanan") -> SentMessage:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), f"lapor:jenis:{kind}")
    if package:
        await bench.say(user, package)
    elif typed_skip:
        sent = await bench.say(user, "Lewati")
        assert "Langkah 5" in sent[-1].rendered
    else:
        await bench.press(user, bench.last(chat), "lapor:lewati")
    await bench.say(user, "Petugas loket tidak ramah dan meminta kami datang berulang kali.")
    sent = await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    if any(b[1] == "lapor:rahasia:tidak" for m in sent for b in m.buttons):
        sent = await bench.press(user, bench.last(chat), "lapor:rahasia:tidak")
    return sent[-1]


async def test_every_step_names_batal_and_the_count_is_true(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    questions = [(await bench.say(user, "/lapor"))[-1]]
    questions.append((await bench.press(user, bench.last(chat), "lapor:nama"))[-1])
    sent = await bench.say(user, "081234567890")
    questions.append(sent[-1])
    questions.append((await bench.press(user, bench.last(chat), "lapor:jenis:pelanggaran"))[-1])
    questions.append((await bench.press(user, bench.last(chat), "lapor:lewati"))[-1])
    questions.append((await bench.say(user, "Panitia meminta uang pelicin agar berkas kami lolos evaluasi."))[-1])
    questions.append((await bench.press(user, bench.last(chat), "lapor:bukti_selesai"))[-1])
    questions.append((await bench.press(user, bench.last(chat), "lapor:rahasia:tidak"))[-1])
    for question in questions:
        assert "/batal" in question.rendered or "lapor:batal" in [d for _, d in question.buttons], question.rendered
    assert "Langkah 7 dari 8" in questions[6].rendered and "dirahasiakan" in questions[6].rendered
    assert "Langkah 8 dari 8" in questions[7].rendered and "Periksa pengaduan" in questions[7].rendered


async def test_a_summary_without_confidentiality_counts_seven(bench: Bench) -> None:
    summary = await _walk_to_summary(bench)
    assert "Langkah 7 dari 7" in summary.rendered


async def test_the_summary_names_the_files_as_the_step_asked_for_them(bench: Bench) -> None:
    """A question was asked for attachments, a complaint for evidence; none is "tidak ada"."""
    complaint = await _walk_to_summary(bench)
    assert "\nBukti: tidak ada\n" in complaint.rendered and "0 berkas" not in complaint.rendered
    await bench.say(bench.citizen, "/batal")
    question = await _walk_to_summary(bench, kind="pertanyaan")
    assert "\nLampiran: tidak ada\n" in question.rendered and "Bukti" not in question.rendered


async def test_typing_lewati_skips_the_package_like_the_button(bench: Bench) -> None:
    summary = await _walk_to_summary(bench, typed_skip=True)
    assert "Kode paket: tidak ada" in summary.rendered


async def test_a_known_package_shows_its_name_and_an_unknown_one_is_flagged(bench: Bench) -> None:
    from bot.services.package_csv import import_demo

    await import_demo(bench.desk.db)
    summary = await _walk_to_summary(bench, package="99999001000")
    known = await bench.desk.packages.get("99999001000")
    assert f"99999001000 — {known.name}" in summary.rendered
    await bench.press(bench.citizen, summary, "lapor:batal")
    summary = await _walk_to_summary(bench, package="12345678901")
    assert "12345678901 (belum ada di data paket kami" in summary.rendered
    sent = await bench.press(bench.citizen, summary, "lapor:kirim")
    code = next(m for m in sent if "Kode pengaduan" in m.rendered).rendered.split("Kode pengaduan: ")[1].split()[0]
    assert (await bench.desk.tickets.get(code)).package_code == "12345678901"


async def test_ubah_uraian_returns_to_the_summary_and_ubah_bukti_adds(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.walk_to_evidence(user)
    await bench.run(bench.fake.send_photo(user, None))
    summary = (await bench.press(user, bench.last(chat), "lapor:bukti_selesai"))[-1]
    await bench.press(user, summary, "lapor:ubah")
    await bench.press(user, bench.last(chat), "lapor:ubah:uraian")
    sent = await bench.say(user, "Petugas loket meminta kami datang lima kali untuk satu berkas.")
    assert "Periksa pengaduan" in sent[-1].rendered and "lima kali" in sent[-1].rendered
    assert "Bukti: 1 berkas" in sent[-1].rendered
    await bench.press(user, sent[-1], "lapor:ubah")
    sent = await bench.press(user, bench.last(chat), "lapor:ubah:bukti")
    assert any("tetap tersimpan" in m.rendered for m in sent)
    await bench.run(bench.fake.send_document(user, None, file_name="surat.pdf"))
    sent = await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    assert "Bukti: 2 berkas" in sent[-1].rendered


async def test_a_description_needs_letters(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), "lapor:jenis:layanan")
    await bench.press(user, bench.last(chat), "lapor:lewati")
    sent = await bench.say(user, "😡" * 21)
    assert "kata-kata" in sent[0].rendered
    sent = await bench.say(user, "1234567890 1234567890 !!")
    assert "kata-kata" in sent[0].rendered
    sent = await bench.say(user, "Petugas loket tidak ramah 😡😡 dan meminta kami datang berulang kali.")
    assert "Langkah 6" in sent[-1].rendered


async def test_a_stale_button_gets_a_short_toast(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    kinds = bench.last(chat)
    await bench.say(user, "/batal")
    assert await _toast(bench, user, kinds, "lapor:jenis:aturan") == "Tombol ini sudah tidak berlaku."


async def test_citizen_commands_in_the_staff_group_get_a_pointer(bench: Bench) -> None:
    for command in ("/lapor", "/status", "/start", "/ikuti 99999001000"):
        sent = await bench.staff_says(command)
        assert len(sent) == 1 and "chat pribadi" in sent[0].rendered, command
    sent = await bench.staff_says("/batal")
    assert "Tidak ada pencatatan" in sent[0].rendered
    assert "hanya untuk petugas" in (await bench.say(bench.citizen, "/daftar"))[0].rendered


async def test_a_wrong_pin_answer_mentions_the_pin_and_pin_says_the_old_one_is_void(bench: Bench) -> None:
    sent = await bench.staff_says("/catat telepon normatif | Siti Aminah | 081298765432 | "
                                  "Menanyakan syarat kualifikasi penyedia paket jalan.")
    code = sent[0].rendered.split("dicatat: ")[1].split()[0]
    answer = (await bench.say(bench.citizen, f"/status {code} 000000"))[0].rendered
    assert "PIN" in answer
    sent = await bench.staff_says(f"/pin {code}")
    assert "PIN lama" in sent[0].rendered and "tidak berlaku lagi" in sent[0].rendered
