"""The citizen's side end to end: real Application and handlers, Bot API double, SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.texts.labels import kind_label
from tests.conftest import WITA, Bench

KINDS = {
    "pertanyaan": "Ringan",
    "aturan": "Normatif",
    "layanan": "Tidak Berkadar Pengawasan",
    "pelanggaran": "Berkadar Pengawasan",
}


async def test_start_shows_menu_and_help(bench: Bench) -> None:
    sent = await bench.say(bench.citizen, "/start")
    assert "Halo, Budi" in sent[0].rendered
    assert [data for _, data in sent[0].buttons] == ["menu:lapor", "menu:status", "menu:paket", "menu:layanan"]
    help_text = (await bench.say(bench.citizen, "/bantuan"))[0].rendered
    for command in ("/lapor", "/status", "/paket", "/layanan", "/batal"):
        assert command in help_text


async def test_commands_registered_for_private_and_staff_scopes(bench: Bench) -> None:
    private = bench.fake.visible_commands(chat_id=bench.citizen.id)
    assert {"lapor", "status", "paket", "layanan"} <= {name for name, _ in private}
    staff = bench.fake.visible_commands(chat_id=bench.staff_chat_id, user_id=bench.officer.id)
    assert {"balas", "tingkat", "tutup", "daftar"} <= {name for name, _ in staff}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_full_filing_of_each_kind(bench: Bench, kind: str) -> None:
    bench.clock.set(dt.datetime(2026, 12, 23, 10, 0, tzinfo=WITA))
    code = await bench.file_complaint(kind=kind, description="Mohon penjelasan jadwal tender jalan Tanjung Selor.")
    assert code == "ADU-2026-00001"
    confirmation = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    assert f"Tingkat: {KINDS[kind]}" in confirmation.rendered
    if kind == "aturan":
        assert "Senin, 04 Januari 2027 pukul 16.00 WITA" in confirmation.rendered
    # Code, tier, deadline and what happens next, in a few lines; the four-step flow is in /layanan.
    assert "Alur penanganan pengaduan" not in confirmation.rendered and "/layanan" in confirmation.rendered
    assert len(confirmation.rendered.splitlines()) <= 7
    card = bench.last(bench.staff_chat_id)
    assert code in card.rendered and KINDS[kind] in card.rendered
    assert ("✅ Tutup", f"tk:tutup:{code}") in card.buttons
    ticket = await bench.desk.tickets.get(code)
    assert ticket.contact == "+6281234567890" and ticket.name == "Budi Santoso"


async def test_wrongdoing_filed_as_question_is_escalated(bench: Bench) -> None:
    code = await bench.file_complaint(kind="pertanyaan",
                                      description="Saya dengar panitia disuap agar pemenangnya sudah diatur.")
    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier.value == "berkadar"
    assert "suap" in ticket.tier_reason.lower()


async def test_contact_validation_and_phone_button(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    ask = bench.last(chat)
    assert ask.reply_markup["keyboard"][0][0]["request_contact"] is True
    sent = await bench.say(user, "nomor saya rahasia")
    assert "belum terbaca" in sent[0].rendered
    sent = await bench.run(bench.fake.send_contact(user, None, phone_number="6281299998888"))
    assert any("Pengaduan Anda termasuk" in m.rendered for m in sent)
    assert bench.desk.tickets  # still nothing stored
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
     ("6281234567890", "+6281234567890"), ("Budi@Contoh.ID", "budi@contoh.id")],
)
async def test_contact_forms_are_normalised(bench: Bench, text: str, expected: str) -> None:
    code = await bench.file_complaint(contact=text)
    assert (await bench.desk.tickets.get(code)).contact == expected


async def test_bad_inputs_get_explanations_and_the_same_question(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    sent = await bench.run(bench.fake.send_sticker(user, None))
    assert "tidak bisa kami pakai" in sent[0].rendered and "nama Anda" in sent[-1].rendered
    await bench.press(user, bench.last(chat), "lapor:nama")
    sent = await bench.run(bench.fake.send_voice(user, None))
    assert "tidak bisa kami pakai" in sent[0].rendered
    # The refusal itself says what the step waits for.
    assert "Langkah ini menunggu nomor HP atau alamat e-mail" in sent[0].rendered
    await bench.say(user, "budi@contoh.id")
    sent = await bench.run(bench.fake.send_location(user, None))
    assert "Pengaduan Anda termasuk" in sent[-1].rendered
    await bench.press(user, bench.last(chat), "lapor:jenis:layanan")
    assert "angka" in (await bench.say(user, "paket jalan"))[0].rendered
    await bench.press(user, bench.last(chat), "lapor:lewati")
    assert "minimal 20" in (await bench.say(user, "terlalu pendek"))[0].rendered
    assert "melebihi batas 3000" in (await bench.say(user, "x" * 3001))[0].rendered
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0


async def test_evidence_is_attached_and_copied_to_staff(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.walk_to_evidence(user)
    await bench.run(bench.fake.send_photo(user, None))
    sent = await bench.run(bench.fake.send_document(user, None, file_name="bukti.pdf"))
    assert "Bukti ke-2" in sent[0].rendered
    await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    assert "Bukti: 2 berkas" in bench.last(chat).rendered
    await bench.press(user, bench.last(chat), "lapor:kirim")
    media = [m.media_type for m in bench.fake.sent(bench.staff_chat_id) if m.is_media]
    assert media == ["photo", "document"]


async def test_cancel_stores_nothing(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    sent = await bench.say(user, "/batal")
    assert "dibatalkan" in sent[0].rendered
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0
    # After cancelling, text is no longer taken as a contact.
    sent = await bench.say(user, "081234567890")
    assert "Pengaduan Anda termasuk" not in sent[0].rendered


async def test_menu_command_mid_conversation_is_answered_not_swallowed(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    sent = await bench.say(user, "/status")
    assert "belum punya pengaduan" in sent[0].rendered
    assert "masih berjalan" in sent[-1].rendered
    # Still at the contact step.
    sent = await bench.say(user, "081234567890")
    assert "Pengaduan Anda termasuk" in sent[-1].rendered


async def test_idle_conversation_expires_and_stores_nothing(tmp_path) -> None:
    bench = Bench(tmp_path, limits={"conversation_timeout_minutes": 1})
    await bench.start()
    try:
        user, chat = bench.citizen, bench.citizen.id
        bench.clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=WITA))
        await bench.say(user, "/lapor")
        await bench.press(user, bench.last(chat), "lapor:nama")
        bench.clock.advance(dt.timedelta(minutes=2))
        sent = await bench.say(user, "081234567890")
        assert "tidak ada jawaban selama 1 menit" in sent[0].rendered
        assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0
    finally:
        await bench.stop()


async def test_double_tap_on_send_files_once(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), "lapor:jenis:aturan")
    await bench.press(user, bench.last(chat), "lapor:lewati")
    await bench.say(user, "Apakah HPS boleh dirahasiakan sebelum pembukaan penawaran?")
    await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    summary = bench.last(chat)
    first = bench.fake.press_button(user, chat, summary.message_id, "lapor:kirim")
    second = bench.fake.press_button(user, chat, summary.message_id, "lapor:kirim")
    await bench.settle(first)
    await bench.settle(second)
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 1
    codes = [m for m in bench.fake.sent(chat) if "Kode pengaduan" in m.rendered]
    assert len(codes) == 1


async def test_status_lists_own_tickets_and_hides_others(bench: Bench) -> None:
    code = await bench.file_complaint()
    listing = (await bench.say(bench.citizen, "/status"))[0]
    assert code in listing.rendered
    detail = (await bench.say(bench.citizen, f"/status {code}"))[0]
    assert "Riwayat" in detail.rendered and "Pengaduan diterima" in detail.rendered
    stranger = (await bench.say(bench.other, f"/status {code}"))[0]
    unknown = (await bench.say(bench.other, "/status ADU-2026-09999"))[0]
    assert stranger.rendered == unknown.rendered
    assert code not in stranger.rendered
    assert "belum punya" in (await bench.say(bench.other, "/status"))[0].rendered


async def test_html_special_name_and_long_text_arrive_intact(bench: Bench) -> None:
    user = bench.fake.user("<b>Budi", '& "Sari"</b>')
    long_text = ("Uraian panjang <script>alert(1)</script> & lain-lain. " * 100)[:3000]
    code = await bench.file_complaint(user, description=long_text)
    card_parts = [m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered or "Uraian panjang" in m.rendered]
    rendered = "".join(m.rendered for m in card_parts)
    assert '<b>Budi & "Sari"</b>' in rendered
    assert "<script>alert(1)</script>" in rendered
    assert all(len(m.rendered) <= 4096 for m in bench.fake.sent())


async def test_citizen_adds_information_by_reply_and_button(bench: Bench) -> None:
    code = await bench.file_complaint()
    confirmation = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    sent = await bench.say(bench.citizen, "Tambahan: lokasi di km 12.", reply_to=confirmation.message_id)
    assert "diteruskan" in sent[0].rendered
    assert "Tambahan: lokasi di km 12." in bench.last(bench.staff_chat_id).rendered
    view = (await bench.say(bench.citizen, f"/status {code}"))[0]
    await bench.press(bench.citizen, view, f"tambah:{code}")
    await bench.run(bench.fake.send_photo(bench.citizen, None, caption="foto lokasi"))
    assert bench.last(bench.staff_chat_id).media_type == "photo"
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert [e.kind.value for e in history].count("citizen_message") == 2


async def test_citizen_sees_the_escalation_and_can_dispute_it(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), "lapor:jenis:pertanyaan")
    await bench.press(user, bench.last(chat), "lapor:lewati")
    await bench.say(user, "Apakah pokja yang menerima amplop boleh tetap bertugas di paket berikutnya?")
    sent = await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    assert any(b[1] == "lapor:rahasia:tidak" for m in sent for b in m.buttons)
    await bench.press(user, bench.last(chat), "lapor:rahasia:tidak")
    summary = bench.last(chat)
    assert "Perkiraan tingkat: Berkadar Pengawasan" in summary.rendered
    assert "Uraian Anda menyebut “amplop”, yang tergolong dugaan pelanggaran" in summary.rendered
    assert ("Ini bukan dugaan pelanggaran", "lapor:bukan") in summary.buttons

    await bench.press(user, summary, "lapor:bukan")
    disputed = bench.last(chat)
    assert "Perkiraan tingkat: Ringan" in disputed.rendered
    assert "Anda menyatakan ini bukan dugaan pelanggaran" in disputed.rendered
    assert all(b[1] != "lapor:bukan" for b in disputed.buttons)
    sent = await bench.press(user, disputed, "lapor:kirim")
    code = next(m for m in sent if "Kode pengaduan" in m.rendered).rendered.split("Kode pengaduan: ")[1].split()[0]

    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier.value == "ringan"
    assert "Pelapor menyatakan ini bukan dugaan pelanggaran" in ticket.tier_reason
    filed = (await bench.desk.tickets.history(ticket))[0]
    assert filed.data["disputed"] is True and filed.data["text_tier"] == "berkadar"
    card = next(m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered)
    assert "Pelapor menyatakan ini bukan dugaan pelanggaran" in card.rendered
    assert "amplop" in card.rendered


async def test_no_dispute_offered_when_the_kind_alone_sets_the_tier(bench: Bench) -> None:
    code = await bench.file_complaint(kind="pelanggaran", description="Panitia menerima suap dari peserta.")
    summary = next(m for m in bench.fake.sent(bench.citizen.id) if "Periksa pengaduan" in m.rendered)
    assert all(b[1] != "lapor:bukan" for b in summary.buttons)
    assert (await bench.desk.tickets.get(code)).tier.value == "berkadar"


async def test_a_kind_has_one_label_on_the_button_the_summary_and_the_card(bench: Bench) -> None:
    """One label per thing: what the citizen pressed is what the summary and the staff card say."""
    from bot.domain.tiers import MatterKind

    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    sent = await bench.say(user, "081234567890")
    buttons = dict((data, label) for message in sent for label, data in message.buttons)
    for kind in MatterKind:
        assert buttons[f"lapor:jenis:{kind.value}"].endswith(kind_label(kind))
    code = await bench.file_complaint(kind="layanan", description="Antrean loket layanan SPSE lama sekali.")
    label = kind_label(MatterKind.SERVICE)
    summary = [m for m in bench.fake.sent(chat) if "Periksa pengaduan Anda" in m.rendered][-1]
    assert f"Jenis: {label}" in summary.rendered
    card = next(m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered)
    assert label in card.rendered


@pytest.mark.parametrize(("kind", "description_words", "evidence_words"), [
    ("pertanyaan", "Tulis pertanyaan Anda", "tangkapan layar"),
    ("aturan", "aturan atau ketentuan", "dokumen pemilihan"),
    ("layanan", "layanan yang Anda alami", "Ada bukti?"),
    ("pelanggaran", "Ceritakan apa yang terjadi", "Ada bukti?"),
])
async def test_description_and_evidence_steps_are_worded_for_the_kind(
    bench: Bench, kind: str, description_words: str, evidence_words: str
) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), f"lapor:jenis:{kind}")
    sent = await bench.press(user, bench.last(chat), "lapor:lewati")
    assert description_words in sent[-1].rendered
    sent = await bench.say(user, "Mohon penjelasan jadwal tender jalan Tanjung Selor minggu ini.")
    assert evidence_words in sent[-1].rendered
    if kind == "pertanyaan":
        assert "Ceritakan apa yang terjadi" not in bench.texts(chat)[-2]
