"""The staff side end to end: the staff group answers and moves tickets (real bot, Bot API double)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.domain.tiers import Tier
from bot.fakebot import FakeUser, SentMessage
from bot.texts.common import STAFF_ONLY
from bot.texts.format import format_when
from handlers import staff
from tests.conftest import WITA, Bench

# Wednesday 23 December 2026, 10.00 WITA: a working day.
FILED_AT = dt.datetime(2026, 12, 23, 10, 0, tzinfo=WITA)


# --- helpers -----------------------------------------------------------------------------


def card_of(bench: Bench, code: str) -> SentMessage:
    return next(m for m in bench.fake.sent(bench.staff_chat_id) if m.rendered.startswith(f"📋 {code}"))


async def press(bench: Bench, message: SentMessage, data: str,
                user: FakeUser | None = None) -> tuple[list[SentMessage], dict[str, Any]]:
    """Presses a button; returns what the bot sent and its answer to the callback query."""
    driven = bench.fake.press_button(user or bench.officer, message.chat_id, message.message_id, data)
    sent = await bench.run(driven)
    assert driven.callback_query_id is not None
    return sent, bench.fake.callback_answers[driven.callback_query_id]


async def events(bench: Bench, code: str) -> list[Any]:
    return await bench.desk.tickets.history(await bench.desk.tickets.get(code))


async def file_confidential(bench: Bench, user: FakeUser | None = None) -> str:
    """A wrongdoing report whose reporter asks for confidentiality."""
    return await bench.file_complaint(
        user, kind="pelanggaran", confidential=True,
        description="Panitia meminta uang pelicin agar kami dimenangkan dalam tender jalan.",
    )


@pytest.fixture
async def admin_bench(tmp_path: Path) -> AsyncIterator[Bench]:
    """The bench with Rina (officer) as admin, plus an admin who never started the bot."""
    bench = Bench(tmp_path, telegram={"admin_user_ids": []})
    late = bench.fake.user("Dodi", "Admin", started=False)
    bench.fake.add_member(bench.staff_chat_id, late)
    bench.sections["telegram"]["admin_user_ids"] = [bench.officer.id, late.id]
    bench.late_admin = late  # type: ignore[attr-defined]
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()


# --- answering the citizen -----------------------------------------------------------------


async def test_reply_to_card_reaches_citizen_signed_as_officer(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    sent = await bench.staff_answers("Jadwal pembukaan penawaran: Senin pukul 09.00.", reply_to=card.message_id)
    to_citizen = [m for m in sent if m.chat_id == bench.citizen.id]
    assert len(to_citizen) == 1
    answer = to_citizen[0].rendered
    assert "Jadwal pembukaan penawaran: Senin pukul 09.00." in answer
    assert "Petugas Pengelola Pengaduan" in answer
    assert "Rina" not in answer and "Petugas Pengelola Pengaduan" in answer
    # The held prompt itself becomes the one confirmation; no second message says it again.
    assert [m for m in sent if m.chat_id == bench.staff_chat_id] == []
    prompt = [m for m in bench.fake.sent(bench.staff_chat_id) if "Balasan untuk" in m.rendered]
    assert len(prompt) == 1 and "dikirim ke pelapor (dipilih Rina Petugas)" in prompt[0].rendered
    assert not any("dicatat dan dikirim" in m.rendered for m in bench.fake.sent(bench.staff_chat_id))
    ticket = await bench.desk.tickets.get(code)
    assert ticket.status.value == "dijawab" and ticket.first_answer_at is not None
    reply = [e for e in await events(bench, code) if e.kind.value == "staff_reply"]
    assert [(e.actor.id, e.actor.name) for e in reply] == [(bench.officer.id, "Rina Petugas")]


async def test_photo_reply_is_relayed_with_caption(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    asked = await bench.run(bench.fake.send_photo(bench.officer, bench.staff_chat_id, caption="Foto papan pengumuman",
                                                  reply_to_message_id=card.message_id))
    sent = await bench.send_held(asked)
    to_citizen = [m for m in sent if m.chat_id == bench.citizen.id]
    assert [m.media_type for m in to_citizen] == [None, "photo"]
    assert "Foto papan pengumuman" in to_citizen[0].rendered
    assert code in to_citizen[1].rendered and "Rina" not in to_citizen[1].rendered
    reply = next(e for e in await events(bench, code) if e.kind.value == "staff_reply")
    assert [a.kind for a in reply.attachments] == ["photo"]


async def test_too_large_file_is_refused(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    sent = await bench.run(bench.fake.send_document(
        bench.officer, bench.staff_chat_id, file_name="besar.pdf", file_size=21 * 1024 * 1024,
        reply_to_message_id=card.message_id))
    assert [m.chat_id for m in sent] == [bench.staff_chat_id]
    assert "melebihi 20 MB" in sent[0].rendered
    assert "staff_reply" not in [e.kind.value for e in await events(bench, code)]


async def test_balas_keeps_lines_and_reply_to_confirmation_works(bench: Bench) -> None:
    code = await bench.file_complaint()
    sent = await bench.staff_says(f"/balas {code} Terima kasih.\nJadwal: Senin.\n\nSalam.")
    answer = next(m for m in sent if m.chat_id == bench.citizen.id)
    assert "Terima kasih.\nJadwal: Senin.\n\nSalam." in answer.rendered
    confirmation = bench.last(bench.staff_chat_id)
    assert "dicatat dan dikirim" in confirmation.rendered
    sent = await bench.staff_answers("Tambahan: lokasinya di aula.", reply_to=confirmation.message_id)
    assert any("Tambahan: lokasinya di aula." in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    # A loosely typed code works too.
    sent = await bench.staff_says(f"/balas {code.lower().replace('-00', ' ')} Satu lagi.")
    assert any("Satu lagi." in m.rendered for m in sent if m.chat_id == bench.citizen.id)


async def test_reply_to_non_ticket_message_is_ignored(bench: Bench) -> None:
    await bench.file_complaint()
    listing = (await bench.staff_says("/daftar"))[0]
    sent = await bench.staff_says("Siapa yang pegang ini?", reply_to=listing.message_id)
    assert sent == []


async def test_commands_as_reply_to_card_act_on_its_ticket(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    await bench.staff_says("/proses", reply_to=card.message_id)
    assert (await bench.desk.tickets.get(code)).status.value == "diproses"
    sent = await bench.staff_says("/balas Aduan Anda sedang kami periksa.", reply_to=card.message_id)
    assert any("Aduan Anda sedang kami periksa." in m.rendered for m in sent if m.chat_id == bench.citizen.id)


# --- changing a ticket ----------------------------------------------------------------------


async def test_proses_notifies_and_records(bench: Bench) -> None:
    code = await bench.file_complaint()
    sent = await bench.staff_says(f"/proses {code}")
    assert any("sedang diproses" in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    assert any("Diproses" in m.rendered and "Rina Petugas" in m.rendered
               for m in sent if m.chat_id == bench.staff_chat_id)
    again = await bench.staff_says(f"/proses {code}")
    assert [m.chat_id for m in again] == [bench.staff_chat_id]
    assert "sudah berstatus" in again[0].rendered
    changed = [e for e in await events(bench, code) if e.kind.value == "status_changed"]
    assert [(e.actor.id, e.actor.name) for e in changed] == [(bench.officer.id, "Rina Petugas")]


async def test_tingkat_recomputes_deadline_from_receipt(bench: Bench) -> None:
    bench.clock.set(dt.datetime(2026, 11, 4, 10, 0, tzinfo=WITA))  # a Wednesday, no holidays near
    code = await bench.file_complaint(kind="aturan", description="Apakah HPS boleh dirahasiakan sebelum tender?")
    received = (await bench.desk.tickets.get(code)).received_at
    bench.clock.advance(dt.timedelta(days=2))
    sent = await bench.staff_says(f"/tingkat {code} tidak berkadar butuh telaah lintas bagian")
    ticket = await bench.desk.tickets.get(code)
    calendar = bench.desk.calendar
    expected = calendar.deadline(Tier.TIDAK_BERKADAR, received)
    assert ticket.tier is Tier.TIDAK_BERKADAR
    assert ticket.deadline_at == expected
    assert expected != calendar.deadline(Tier.TIDAK_BERKADAR, bench.clock())
    assert ticket.tier_reason == "butuh telaah lintas bagian"
    notice = next(m for m in sent if m.chat_id == bench.citizen.id)
    assert format_when(expected, bench.desk.zone) in notice.rendered
    assert "Tidak Berkadar Pengawasan" in notice.rendered
    event = next(e for e in await events(bench, code) if e.kind.value == "reclassified")
    assert (event.actor.id, event.data["from"], event.data["to"]) == (bench.officer.id, "normatif", "tidak-berkadar")
    same = await bench.staff_says(f"/tingkat {code} tidak-berkadar")
    assert "sudah bertingkat" in same[0].rendered


async def test_tutup_with_note_then_reply_refused_then_buka(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    sent = await bench.staff_says(f"/tutup {code} Jadwal sudah diumumkan di SPSE.\nTerima kasih.")
    closed = next(m for m in sent if m.chat_id == bench.citizen.id)
    assert "selesai" in closed.rendered and "Jadwal sudah diumumkan di SPSE.\nTerima kasih." in closed.rendered
    refused = await bench.staff_says("Satu hal lagi.", reply_to=card.message_id)
    assert [m.chat_id for m in refused] == [bench.staff_chat_id]
    assert "sudah ditutup" in refused[0].rendered and f"/buka {code}" in refused[0].rendered
    assert (await bench.staff_says(f"/tutup {code}"))[0].rendered == refused[0].rendered
    sent = await bench.staff_says(f"/buka {code}")
    assert any("dibuka kembali" in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    assert "masih terbuka" in (await bench.staff_says(f"/buka {code}"))[0].rendered
    sent = await bench.staff_answers("Satu hal lagi.", reply_to=card.message_id)
    assert any("Satu hal lagi." in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    kinds = [(e.kind.value, e.actor.id) for e in await events(bench, code)]
    assert kinds[1:] == [("closed", bench.officer.id), ("reopened", bench.officer.id),
                         ("staff_reply", bench.officer.id)]


# --- card buttons ---------------------------------------------------------------------------


async def test_card_buttons(bench: Bench) -> None:
    bench.clock.set(FILED_AT)
    code = await bench.file_complaint()
    card = card_of(bench, code)

    sent, answer = await press(bench, card, f"tk:proses:{code}")
    assert answer["text"] and any("sedang diproses" in m.rendered for m in sent)
    # The card no longer offers «Proses» once it is under way.
    assert f"tk:proses:{code}" not in [data for _, data in card.buttons]

    sent, answer = await press(bench, card, f"tk:tingkat:{code}", user=bench.officer2)
    prompt = sent[0]
    assert answer["text"] is None and prompt.reply_to_message_id == card.message_id
    assert f"tk:tier:{code}:tidak-berkadar" in [data for _, data in prompt.buttons]
    assert all(len(data.encode()) <= 64 for _, data in prompt.buttons if data)
    _, answer = await press(bench, prompt, f"tk:tier:{code}:ringan", user=bench.officer2)
    assert answer["text"] == "Tingkatnya sudah itu."
    sent, _ = await press(bench, prompt, f"tk:tier:{code}:normatif", user=bench.officer2)
    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier is Tier.NORMATIF
    assert ticket.deadline_at == bench.desk.calendar.deadline(Tier.NORMATIF, ticket.received_at)
    assert any("Normatif" in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    assert bench.fake.sent(bench.staff_chat_id)[-1].chat_id == bench.staff_chat_id
    assert next(m for m in bench.fake.sent() if m.message_id == prompt.message_id
                and m.chat_id == prompt.chat_id).buttons == []

    # Never answered: «Tutup» asks for the answer instead of closing bare.
    sent, answer = await press(bench, card, f"tk:tutup:{code}")
    assert "belum pernah dijawab" in sent[0].rendered and f"/tutup {code} teks jawaban" in sent[0].rendered
    assert sent[0].buttons == [] and (await bench.desk.tickets.get(code)).is_open
    await bench.staff_says(f"/balas {code} Jadwalnya Senin.")

    sent, _ = await press(bench, card, f"tk:tutup:{code}")
    confirm = sent[0]
    assert (await bench.desk.tickets.get(code)).is_open
    sent, answer = await press(bench, confirm, f"tk:batal:{code}")
    assert answer["text"] == "Dibatalkan." and (await bench.desk.tickets.get(code)).is_open
    sent, _ = await press(bench, card, f"tk:tutup:{code}")
    sent, answer = await press(bench, sent[0], f"tk:tutup_ya:{code}")
    assert not (await bench.desk.tickets.get(code)).is_open
    assert any("selesai" in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    # The card now fits the closed ticket: «Buka kembali» and «Riwayat», no «Proses» or «Tutup».
    assert [data for _, data in card.buttons] == [f"tk:buka:{code}", f"tk:riwayat:{code}"]

    sent, _ = await press(bench, card, f"tk:riwayat:{code}")
    history = sent[0].rendered
    assert history.startswith(f"Riwayat {code}")
    for label in ("Pengaduan diterima", "Status berubah", "Tingkat pengaduan diubah", "Pengaduan ditutup"):
        assert label in history
    assert "Andi Petugas" in history and "Rina Petugas" in history
    recorded = [(e.kind.value, e.actor.id) for e in await events(bench, code)][1:]
    assert recorded == [("status_changed", bench.officer.id), ("reclassified", bench.officer2.id),
                        ("staff_reply", bench.officer.id), ("closed", bench.officer.id)]


# --- looking things up ----------------------------------------------------------------------


async def test_tiket_shows_card_and_history_and_is_linked(bench: Bench) -> None:
    code = await bench.file_complaint()
    await bench.staff_says(f"/proses {code}")
    view = (await bench.staff_says(f"/tiket {code}"))[-1]
    assert code in view.rendered and "Riwayat" in view.rendered and "Status berubah" in view.rendered
    assert ("🕘 Riwayat", f"tk:riwayat:{code}") in view.buttons
    sent = await bench.staff_answers("Dijawab dari tampilan tiket.", reply_to=view.message_id)
    assert any("Dijawab dari tampilan tiket." in m.rendered for m in sent if m.chat_id == bench.citizen.id)


async def test_daftar_orders_by_deadline_and_marks_overdue(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    bench.clock.set(FILED_AT)
    slow = await bench.file_complaint(kind="layanan", description="Petugas loket lambat melayani kami.")
    fast = await bench.file_complaint(bench.other, kind="pertanyaan")
    # None late: the header is the count alone, not "(terlambat: 0)".
    assert (await bench.staff_says("/daftar"))[0].rendered.splitlines()[0] == "Pengaduan terbuka: 2"
    bench.clock.advance(dt.timedelta(days=1))
    listing = (await bench.staff_says("/daftar"))[0].rendered
    lines = listing.splitlines()
    assert lines[0] == "Pengaduan terbuka: 2 (1 terlambat)"
    assert lines[1].startswith(f"⏰ {fast}") and "terlambat" in lines[1]
    assert lines[2].startswith(f"• {slow}") and "sisa" in lines[2]
    monkeypatch.setattr(staff, "LIST_LIMIT", 1)
    capped = (await bench.staff_says("/daftar"))[0].rendered
    assert "Pengaduan terbuka: 2 (1 terlambat)" in capped
    assert fast in capped and slow not in capped and "dan 1 pengaduan lain" in capped


async def test_staff_commands_refused_in_private_chat(bench: Bench) -> None:
    code = await bench.file_complaint()
    answers: list[str] = []
    for text in (f"/proses {code}", "/proses ADU-2026-09999", f"/tiket {code}", "/tiket ADU-2026-09999",
                 "/daftar", f"/balas {code} halo", f"/identitas {code}", "/tingkat"):
        answers.extend(m.rendered for m in await bench.say(bench.officer, text))
    assert answers == [STAFF_ONLY] * 8
    assert (await bench.desk.tickets.get(code)).status.value == "baru"


@pytest.mark.parametrize(
    ("text", "usage"),
    [("/balas", "/balas KODE"), ("/balas ADU-2026-1234567 teks", "/balas KODE"),
     ("/proses kemarin", "/proses KODE"), ("/tingkat", "/tingkat KODE TINGKAT"),
     ("/tutup xyz", "/tutup KODE"), ("/buka", "/buka KODE"), ("/tiket 12", "/tiket KODE")],
)
async def test_malformed_arguments_get_usage(bench: Bench, text: str, usage: str) -> None:
    sent = await bench.staff_says(text)
    assert len(sent) == 1 and f"Pakai: {usage}" in sent[0].rendered


async def test_unknown_code_and_tier(bench: Bench) -> None:
    code = await bench.file_complaint()
    # A correctly typed code that names no ticket: one line, no usage to re-read.
    for command in ("/proses ADU-2026-09999", "/tiket ADU-2026-09999", "/tutup ADU-2026-09999",
                    "/target ADU-2026-09999 2027-01-08", "/buka ADU-2026-09999 salah tutup"):
        sent = await bench.staff_says(command)
        assert [m.rendered for m in sent] == ["Pengaduan ADU-2026-09999 tidak ditemukan. Lihat /daftar."]
    sent = await bench.staff_says(f"/tingkat {code} sedang")
    assert "«sedang» tidak dikenal" in sent[0].rendered and "ringan, normatif" in sent[0].rendered
    sent = await bench.staff_says(f"/tingkat {code}")
    assert "Pakai: /tingkat KODE TINGKAT" in sent[0].rendered


# --- confidential reporters -------------------------------------------------------------------


async def test_confidential_identity_masked_and_revealed_to_admin_only(admin_bench: Bench) -> None:
    bench = admin_bench
    code = await file_confidential(bench)
    card = card_of(bench, code)
    assert "B. S." in card.rendered and "***890" in card.rendered
    for secret in ("Budi", "Santoso", "081234567890", "+6281234567890"):
        assert secret not in card.rendered
    view = "".join(m.rendered for m in await bench.staff_says(f"/tiket {code}"))
    assert "Budi" not in view and "B. S." in view

    refused = await bench.staff_says(f"/identitas {code}", user=bench.officer2)
    assert [m.chat_id for m in refused] == [bench.staff_chat_id] and "hanya admin" in refused[0].rendered

    sent = await bench.staff_says(f"/identitas {code}")
    private = [m for m in sent if m.chat_id == bench.officer.id]
    assert len(private) == 1
    assert "Budi Santoso" in private[0].rendered and "+6281234567890" in private[0].rendered
    group = [m for m in sent if m.chat_id == bench.staff_chat_id]
    assert len(group) == 1 and "obrolan pribadi" in group[0].rendered
    assert "Budi" not in group[0].rendered and "+62812" not in group[0].rendered
    revealed = [e for e in await events(bench, code) if e.kind.value == "identity_revealed"]
    assert [(e.actor.id, e.actor.name) for e in revealed] == [(bench.officer.id, "Rina Petugas")]
    # The citizen's own history does not show it.
    status = (await bench.say(bench.citizen, f"/status {code}"))[0].rendered
    assert "Identitas dibuka" not in status


async def test_identitas_for_admin_who_never_started_the_bot(admin_bench: Bench) -> None:
    bench = admin_bench
    late: FakeUser = bench.late_admin  # type: ignore[attr-defined]
    code = await file_confidential(bench)
    sent = await bench.staff_says(f"/identitas {code}", user=late)
    assert [m.chat_id for m in sent] == [bench.staff_chat_id]
    assert "Start" in sent[0].rendered and "Budi" not in sent[0].rendered
    assert "identity_revealed" not in [e.kind.value for e in await events(bench, code)]


async def test_identitas_on_open_ticket_is_not_confidential(admin_bench: Bench) -> None:
    bench = admin_bench
    code = await bench.file_complaint()
    sent = await bench.staff_says(f"/identitas {code}")
    assert [m.chat_id for m in sent] == [bench.staff_chat_id]
    assert "tidak meminta identitasnya dirahasiakan" in sent[0].rendered
    assert "identity_revealed" not in [e.kind.value for e in await events(bench, code)]
