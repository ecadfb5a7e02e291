"""Issue #13, the staff side, end to end: team notes, held replies, ownership, live cards,
time left as people count it, closing means answered (real bot, SQLite file, Bot API double)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from bot.domain.tickets import Actor, EventKind, NewComplaint
from bot.domain.tiers import MatterKind, Tier
from bot.fakebot import FakeUser, SentMessage
from bot.services.notices import card_keyboard_for, card_text
from bot.texts.common import STAFF_HELP
from storage.db import Database
from storage.outbox import card_edit, enqueue
from tests.conftest import WITA, Bench
from tests.support import FixedClock, ticket_service

# Wednesday 4 November 2026, 10.00 WITA: a working day with no holiday for weeks around.
WEDNESDAY = dt.datetime(2026, 11, 4, 10, 0, tzinfo=WITA)


def card_of(bench: Bench, code: str) -> SentMessage:
    return next(m for m in bench.fake.sent(bench.staff_chat_id) if m.rendered.startswith(f"📋 {code}"))


async def kinds(bench: Bench, code: str) -> list[str]:
    ticket = await bench.desk.tickets.get(code)
    return [e.kind.value for e in await bench.desk.tickets.history(ticket)]


def to_citizen(bench: Bench, sent: list[SentMessage]) -> list[SentMessage]:
    return [m for m in sent if m.chat_id == bench.citizen.id]


async def press(bench: Bench, message: SentMessage, data: str,
                user: FakeUser | None = None) -> tuple[list[SentMessage], dict[str, Any]]:
    driven = bench.fake.press_button(user or bench.officer, message.chat_id, message.message_id, data)
    sent = await bench.run(driven)
    assert driven.callback_query_id is not None
    return sent, bench.fake.callback_answers[driven.callback_query_id]


def held_buttons(message: SentMessage) -> dict[str, str]:
    return {label: data for label, data in message.buttons if data.startswith("bls:")}


# --- internal notes ---------------------------------------------------------------------------


async def test_catatan_is_kept_for_the_team_and_never_reaches_the_citizen(bench: Bench) -> None:
    code = await bench.file_complaint()
    sent = await bench.staff_says(f"/catatan {code} @Andi tolong cek ini, orang ini sudah 3x nanya")
    assert to_citizen(bench, sent) == []
    assert any("Catatan" in m.rendered and "tidak dikirim ke pelapor" in m.rendered for m in sent)
    card = card_of(bench, code)
    sent = await bench.staff_says("/catatan sudah ditelepon, menunggu jawaban pokja", reply_to=card.message_id)
    assert to_citizen(bench, sent) == []
    ticket = await bench.desk.tickets.get(code)
    # Not an answer: the clock keeps running, the status is unchanged.
    assert ticket.first_answer_at is None and ticket.status.value == "baru"
    assert await kinds(bench, code) == ["filed", "note", "note"]
    view = "".join(m.rendered for m in await bench.staff_says(f"/tiket {code}"))
    assert "orang ini sudah 3x nanya" in view and "menunggu jawaban pokja" in view
    status = "".join(m.rendered for m in await bench.say(bench.citizen, f"/status {code}"))
    assert "3x nanya" not in status and "pokja" not in status and "Catatan" not in status
    assert "Pakai: /catatan KODE teks" in (await bench.staff_says("/catatan"))[0].rendered
    assert "Tulis catatannya" in (await bench.staff_says(f"/catatan {code}"))[0].rendered


# --- no accidental sends ------------------------------------------------------------------------


async def test_plain_reply_to_card_is_held_until_a_button_is_pressed(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    asked = await bench.staff_says("@Andi tolong cek ini, orang ini sudah 3x nanya", reply_to=card.message_id)
    assert to_citizen(bench, asked) == []
    prompt = asked[0]
    assert prompt.reply_to_message_id is not None
    buttons = held_buttons(prompt)
    assert list(buttons) == ["📤 Kirim ke pelapor", "📝 Simpan sebagai catatan"]
    assert all(len(data.encode()) <= 64 for data in buttons.values())
    assert (await bench.desk.tickets.get(code)).first_answer_at is None
    assert await kinds(bench, code) == ["filed"]

    sent, toast = await press(bench, prompt, buttons["📝 Simpan sebagai catatan"])
    assert to_citizen(bench, sent) == [] and toast["text"] == "Disimpan sebagai catatan."
    assert "disimpan sebagai catatan" in prompt.rendered and prompt.buttons == []
    note = [e for e in await bench.desk.tickets.history(await bench.desk.tickets.get(code))
            if e.kind is EventKind.NOTE]
    assert [e.data["text"] for e in note] == ["@Andi tolong cek ini, orang ini sudah 3x nanya"]
    assert (await bench.desk.tickets.get(code)).first_answer_at is None
    assert not any("3x nanya" in m.rendered for m in bench.fake.sent(bench.citizen.id))


async def test_double_press_and_press_by_another_officer_send_once(bench: Bench) -> None:
    code = await bench.file_complaint()
    asked = await bench.staff_says("Jadwalnya Senin pukul 09.00.", reply_to=card_of(bench, code).message_id)
    prompt = asked[0]
    buttons = held_buttons(prompt)
    # The button is pressed twice from two phones before the first press is answered.
    first = bench.fake.press_button(bench.officer2, prompt.chat_id, prompt.message_id, buttons["📤 Kirim ke pelapor"])
    second = bench.fake.press_button(bench.officer, prompt.chat_id, prompt.message_id,
                                     buttons["📝 Simpan sebagai catatan"])
    await bench.settle(first)
    await bench.settle(second)
    answers = [m for m in bench.fake.sent(bench.citizen.id) if "Jadwalnya Senin" in m.rendered]
    assert len(answers) == 1
    assert bench.fake.callback_answers[second.callback_query_id]["text"].startswith("Sudah dikirim ke pelapor")
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    reply = [e for e in history if e.kind is EventKind.STAFF_REPLY]
    # The reply stays its author's; who pressed is recorded.
    assert [(e.actor.id, e.data.get("pressed_by")) for e in reply] == [(bench.officer.id, "Andi Petugas")]
    assert EventKind.NOTE not in [e.kind for e in history]


async def test_reply_edited_before_the_press_sends_the_new_text(bench: Bench) -> None:
    code = await bench.file_complaint()
    driven = bench.fake.send_text(bench.officer, bench.staff_chat_id, "Jadwalnya Selasa.",
                                  reply_to_message_id=card_of(bench, code).message_id)
    asked = await bench.run(driven)
    prompt = asked[0]
    assert driven.message_id is not None
    await bench.run(bench.fake.edit_text(bench.officer, bench.staff_chat_id, driven.message_id, "Jadwalnya Senin."))
    assert "Jadwalnya Senin." in prompt.rendered
    sent, _ = await press(bench, prompt, held_buttons(prompt)["📤 Kirim ke pelapor"])
    answer = to_citizen(bench, sent)
    assert len(answer) == 1 and "Jadwalnya Senin." in answer[0].rendered and "Selasa" not in answer[0].rendered


async def test_held_reply_survives_a_restart(bench: Bench) -> None:
    code = await bench.file_complaint()
    asked = await bench.staff_says("Berkas Anda sudah kami terima.", reply_to=card_of(bench, code).message_id)
    prompt = asked[0]
    await bench.stop()
    await bench.start()
    sent, _ = await press(bench, prompt, held_buttons(prompt)["📤 Kirim ke pelapor"])
    assert any("Berkas Anda sudah kami terima." in m.rendered for m in to_citizen(bench, sent))
    assert (await bench.desk.tickets.get(code)).first_answer_at is not None


async def test_balas_stays_a_direct_send(bench: Bench) -> None:
    code = await bench.file_complaint()
    sent = await bench.staff_says(f"/balas {code} Jadwalnya Senin.")
    assert any("Jadwalnya Senin." in m.rendered for m in to_citizen(bench, sent))
    assert not any(held_buttons(m) for m in sent)


# --- ownership ---------------------------------------------------------------------------------


async def test_ambil_owner_on_card_list_and_reminder_and_takeover_recorded(bench: Bench) -> None:
    bench.clock.set(WEDNESDAY)
    code = await bench.file_complaint()
    other = await bench.file_complaint(bench.other, kind="aturan",
                                       description="Apakah HPS boleh dirahasiakan sebelum tender dimulai?")
    card = card_of(bench, code)
    assert "Penanggung jawab: belum ada" in card.rendered
    sent = await bench.staff_says(f"/ambil {code}")
    assert to_citizen(bench, sent) == [] and "kini dipegang Rina Petugas" in sent[0].rendered
    assert "Penanggung jawab: Rina Petugas" in card.rendered
    assert "sudah Anda pegang" in (await bench.staff_says(f"/ambil {code}"))[0].rendered

    mine = (await bench.staff_says("/daftar saya"))[0].rendered
    assert code in mine and other not in mine and "👤 Rina Petugas" in mine
    theirs = (await bench.staff_says("/daftar saya", user=bench.officer2))[0].rendered
    assert code not in theirs

    # Andi takes it over with the card's button.
    _, toast = await press(bench, card, f"tk:ambil:{code}", user=bench.officer2)
    assert toast["text"] == "Dicatat."
    assert "Penanggung jawab: Andi Petugas" in card.rendered
    assigned = [e for e in await bench.desk.tickets.history(await bench.desk.tickets.get(code))
                if e.kind is EventKind.ASSIGNED]
    assert [(e.actor.id, e.data["from_name"]) for e in assigned] == [(bench.officer.id, None),
                                                                   (bench.officer2.id, "Rina Petugas")]
    history = (await bench.staff_says(f"/tiket {code}"))[-1].rendered
    assert "mengambil alih dari Rina Petugas" in history

    # The 75 % reminder (ringan: 3 office hours) names the owner, and the one without an owner says so.
    await bench.desk.watch.sweep(WEDNESDAY + dt.timedelta(hours=2, minutes=30))
    await bench.desk.outbox.drain()
    reminders = [m.rendered for m in bench.fake.sent(bench.staff_chat_id) if "Pengingat batas waktu" in m.rendered]
    assert any(code in r and "Penanggung jawab: Andi Petugas" in r for r in reminders)


async def test_daftar_filters_and_subjects(bench: Bench) -> None:
    bench.clock.set(WEDNESDAY)
    quick = await bench.file_complaint()  # ringan
    rules = await bench.file_complaint(bench.other, kind="aturan",
                                       description="Apakah HPS boleh dirahasiakan sebelum tender dimulai?")
    await bench.staff_says(f"/proses {rules}")
    bench.clock.set(WEDNESDAY + dt.timedelta(hours=5))  # the ringan one is late now
    listing = (await bench.staff_says("/daftar"))[0].rendered
    assert "Kapan jadwal pembukaan penawaran paket jalan…" in listing
    late = (await bench.staff_says("/daftar terlambat"))[0].rendered
    assert quick in late and rules not in late
    assert late.startswith("Pengaduan terbuka terlambat: 1\n")  # not "… (1 terlambat)" again
    new = (await bench.staff_says("/daftar baru"))[0].rendered
    assert quick in new and rules not in new
    normatif = (await bench.staff_says("/daftar normatif"))[0].rendered
    assert rules in normatif and quick not in normatif and "Apakah HPS boleh dirahasiakan" in normatif
    assert "Tidak ada pengaduan terbuka" in (await bench.staff_says("/daftar berkadar"))[0].rendered
    assert "Pakai: /daftar" in (await bench.staff_says("/daftar kemarin"))[0].rendered


# --- the card is the truth ----------------------------------------------------------------------


async def test_card_follows_every_change_and_fits_the_state(bench: Bench) -> None:
    bench.clock.set(WEDNESDAY)
    code = await bench.file_complaint()
    card = card_of(bench, code)
    assert "Status: Baru" in card.rendered and "Jawaban: belum dijawab" in card.rendered
    assert "🔎 Proses" in [label for label, _ in card.buttons]
    await bench.staff_says(f"/proses {code}")
    assert "Status: Diproses" in card.rendered
    assert "🔎 Proses" not in [label for label, _ in card.buttons]
    await bench.staff_says(f"/tingkat {code} normatif perlu telaah aturan")
    assert card.rendered.startswith(f"📋 {code} · Normatif") and "perlu telaah aturan" in card.rendered
    await bench.staff_says(f"/balas {code} Jadwalnya Senin.")
    assert "Status: Dijawab" in card.rendered and "Jawaban: dijawab" in card.rendered
    assert "Jawaban: dijawab" in card.rendered and "sudah dijawab" not in card.rendered  # said once (#17)
    await bench.staff_says(f"/tutup {code}")
    assert "Status: Selesai" in card.rendered
    assert [label for label, _ in card.buttons] == ["🔁 Buka kembali", "🕘 Riwayat"]
    _, toast = await press(bench, card, f"tk:buka:{code}")
    assert toast["text"] == "Dibuka kembali." and "Status: Diproses" in card.rendered
    labels = [label for label, _ in card.buttons]
    assert "✅ Tutup" in labels and "🔎 Proses" not in labels  # reopened means under way
    # Every edit went through the outbox; none failed.
    rows = await bench.desk.db.fetchall("SELECT status FROM outbox WHERE purpose = 'card_edit'")
    assert rows and {row["status"] for row in rows} == {"sent"}


async def test_card_edits_are_merged_when_several_changes_come_at_once(tmp_path: Path) -> None:
    """Changes made while nothing is delivered: one card edit waits, with the latest content."""
    db = await Database.open(tmp_path / "core.sqlite3")
    clock = FixedClock(WEDNESDAY)
    service = ticket_service(db, clock, -100555)
    try:
        complaint = NewComplaint(name="Budi Santoso", contact="081234567890", matter_kind=MatterKind.QUESTION,
                                 description="Kapan jadwal pembukaan penawaran paket jalan?",
                                 citizen_user_id=42, citizen_chat_id=42)
        code = (await service.file(complaint)).ticket.code
        officer = Actor.staff(7, "Rina Petugas")
        await service.mark_in_process(code, officer)
        await service.take(code, officer)
        await service.reclassify(code, Tier.NORMATIF, officer)
        rows = await db.fetchall("SELECT payload FROM outbox WHERE purpose = 'card_edit' AND status = 'pending'")
        assert len(rows) == 1
        payload = json.loads(rows[0]["payload"])
        assert payload["method"] == "editMessageText"
        assert "Normatif" in payload["text"] and "Penanggung jawab: <b>Rina Petugas</b>" in payload["text"]
        assert len(payload["text"]) < 4096
    finally:
        await db.close()


async def test_card_edit_after_a_failure_is_superseded_and_not_modified_is_no_error(bench: Bench) -> None:
    code = await bench.file_complaint()
    staff = bench.desk.staff_chat.id
    # The first card edit meets a 502 and waits; the next change's edit replaces it.
    bench.fake.inject("editMessageText", chat_id=staff, error="server", status=502, times=1)
    await bench.staff_says(f"/proses {code}")
    await bench.staff_says(f"/tingkat {code} normatif")
    await bench.desk.outbox.drain()
    card = card_of(bench, code)
    assert "Normatif" in card.rendered and "Status: Diproses" in card.rendered
    # The same content again: Telegram answers "message is not modified", which counts as done.
    ticket = await bench.desk.tickets.get(code)
    async with bench.desk.db.transaction() as conn:
        await enqueue(conn, card_edit(staff, ticket.id, card_text(bench.desk.calendar, ticket, bench.clock()),
                                      card_keyboard_for(ticket)))
    await bench.desk.outbox.drain()
    statuses = [row["status"] for row in await bench.desk.db.fetchall(
        "SELECT status FROM outbox WHERE purpose = 'card_edit' ORDER BY id")]
    assert statuses and set(statuses) == {"sent"}
    assert "Normatif" in card.rendered


# --- time left as people count it ---------------------------------------------------------------


async def test_time_left_reads_as_people_count_it_on_card_list_and_status(bench: Bench) -> None:
    bench.clock.set(WEDNESDAY)
    code = await bench.file_complaint(kind="aturan", description="Apakah HPS boleh dirahasiakan sebelum tender?")
    ticket = await bench.desk.tickets.get(code)
    # Received Wednesday 10.00; five working days from tomorrow: Thu, Fri, Mon, Tue, Wed 11 Nov.
    words = "sisa 5 hari kerja (hingga Rabu 11 Nov 2026 16.00)"
    assert ticket.deadline_at == dt.datetime(2026, 11, 11, 16, 0, tzinfo=WITA)
    # The card has the deadline on its own line, so its status line does not say it again.
    assert "· sisa 5 hari kerja\nBatas: Rabu, 11 November 2026 pukul 16.00 WITA" in card_of(bench, code).rendered
    assert words in (await bench.staff_says("/daftar"))[0].rendered
    # /status has the deadline on the same line: the date once, the time left beside it.
    status = "".join(m.rendered for m in await bench.say(bench.citizen, f"/status {code}"))
    assert "Batas waktu: Rabu, 11 November 2026 pukul 16.00 WITA (sisa 5 hari kerja)\n" in status
    assert "hingga" not in status
    # Friday afternoon: still whole days, never "… hari kerja 30 menit".
    bench.clock.set(dt.datetime(2026, 11, 6, 15, 30, tzinfo=WITA))
    listing = (await bench.staff_says("/daftar"))[0].rendered
    assert "sisa 3 hari kerja (hingga Rabu" in listing and "menit" not in listing
    # On the deadline day: hours and minutes.
    bench.clock.set(dt.datetime(2026, 11, 11, 13, 15, tzinfo=WITA))
    assert "sisa 2 jam 45 menit kerja (hingga Rabu 11 Nov 2026 16.00)" in (await bench.staff_says("/daftar"))[0].rendered
    # Late: working days after the deadline day.
    bench.clock.set(dt.datetime(2026, 11, 13, 9, 0, tzinfo=WITA))
    assert "terlambat 2 hari kerja" in (await bench.staff_says("/daftar"))[0].rendered


async def test_ringan_counts_hours_and_lateness_in_office_hours(bench: Bench) -> None:
    bench.clock.set(WEDNESDAY)
    code = await bench.file_complaint()  # ringan: 3 office hours, due 13.00
    assert "· sisa 3 jam kerja\nBatas: Rabu, 04 November 2026 pukul 13.00 WITA" in card_of(bench, code).rendered
    bench.clock.set(WEDNESDAY + dt.timedelta(hours=6))  # 16.00
    assert "terlambat 3 jam kerja" in (await bench.staff_says("/daftar"))[0].rendered


# --- closing means answered ---------------------------------------------------------------------


async def test_tutup_needs_an_answer_and_tutup_with_text_answers_then_closes(bench: Bench) -> None:
    code = await bench.file_complaint()
    sent = await bench.staff_says(f"/tutup {code}")
    assert to_citizen(bench, sent) == [] and "belum pernah dijawab" in sent[0].rendered
    assert (await bench.desk.tickets.get(code)).is_open
    # The card's «Tutup» asks the same.
    sent, _ = await press(bench, card_of(bench, code), f"tk:tutup:{code}")
    assert "belum pernah dijawab" in sent[0].rendered and (await bench.desk.tickets.get(code)).is_open

    sent = await bench.staff_says(f"/tutup {code} Jadwal pembukaan penawaran Senin 09.00 di SPSE.")
    citizen = to_citizen(bench, sent)
    assert "Jadwal pembukaan penawaran Senin 09.00 di SPSE." in citizen[0].rendered
    assert "selesai" in citizen[0].rendered and "Jawaban petugas" in citizen[0].rendered
    ticket = await bench.desk.tickets.get(code)
    assert not ticket.is_open and ticket.first_answer_at == ticket.closed_at


async def test_buka_reason_is_stored_and_sent_and_no_second_rating(bench: Bench) -> None:
    code = await bench.file_complaint()
    await bench.staff_says(f"/tutup {code} Sudah kami jawab.")
    ratings = [m for m in bench.fake.sent(bench.citizen.id) if "Bagaimana layanan kami" in m.rendered]
    assert len(ratings) == 1
    sent = await bench.staff_says(f"/buka {code} Pelapor menyampaikan jadwalnya berubah lagi.")
    notice = to_citizen(bench, sent)
    assert len(notice) == 1 and "Pelapor menyampaikan jadwalnya berubah lagi." in notice[0].rendered
    reopened = [e for e in await bench.desk.tickets.history(await bench.desk.tickets.get(code))
                if e.kind is EventKind.REOPENED]
    assert reopened[0].data == {"reason": "Pelapor menyampaikan jadwalnya berubah lagi."}
    await bench.staff_says(f"/tutup {code}")  # answered before: a bare closing is fine
    assert not (await bench.desk.tickets.get(code)).is_open
    ratings = [m for m in bench.fake.sent(bench.citizen.id) if "Bagaimana layanan kami" in m.rendered]
    assert len(ratings) == 1


def test_bantuan_lists_the_new_commands() -> None:
    assert "/catatan" in STAFF_HELP and "/ambil" in STAFF_HELP and "Kirim ke pelapor" in STAFF_HELP
