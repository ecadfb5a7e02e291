"""Deadline watch jobs, /target, /catat with PIN linking, ratings and /laporan, end to end.

Real Application and handlers against the Bot API double, a SQLite file, and the bench's
settable clock. Jobs are triggered with ``job.run(application)``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot.delivery import jobs as watch_jobs
from bot.fakebot import DrivenUpdate, SentMessage
from bot.texts import common as common_texts
from bot.texts import desk as desk_texts
from tests.conftest import WITA, Bench

RECORDING_ONE = (
    "/catat telepon normatif | Siti Aminah | 0812 9876 5432 | "
    "Menanyakan syarat kualifikasi penyedia paket jalan Tanjung Selor."
)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WITA)


def app(bench: Bench):  # type: ignore[no-untyped-def]
    assert bench.runner is not None and bench.runner.app is not None
    return bench.runner.app


async def run_job(bench: Bench, name: str) -> None:
    application = app(bench)
    jobs = application.job_queue.get_jobs_by_name(name)
    assert len(jobs) == 1, [job.name for job in application.job_queue.jobs()]
    await jobs[0].run(application)
    await bench.desk.outbox.drain()


def count(bench: Bench, chat_id: int, fragment: str) -> int:
    return sum(fragment in text for text in bench.texts(chat_id))


def pin_of(messages: list[SentMessage]) -> tuple[str, str]:
    for message in messages:
        found = re.search(r"(ADU-\d{4}-\d{5}).*PIN: (\d{6})", message.rendered, re.DOTALL)
        if found:
            return found.group(1), found.group(2)
    raise AssertionError(f"no code and PIN in {[m.rendered for m in messages]}")


def toast(bench: Bench, driven: DrivenUpdate) -> dict[str, Any]:
    assert driven.callback_query_id is not None
    return bench.fake.callback_answers[driven.callback_query_id]


def file_content(bench: Bench, message: SentMessage) -> bytes:
    assert message.file_id is not None
    return bench.fake.files[message.file_id].content


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 10**6:06d}"


# --- jobs -------------------------------------------------------------------------------------


async def test_jobs_are_scheduled_and_watch_is_stored(bench: Bench) -> None:
    names = sorted(job.name for job in app(bench).job_queue.jobs())
    assert names == sorted([watch_jobs.SWEEP_JOB, watch_jobs.DIGEST_JOB, watch_jobs.CATCH_UP_JOB,
                            watch_jobs.PRUNE_JOB])
    assert bench.desk.watch.staff_chat_id() == bench.staff_chat_id


async def test_reminder_and_overdue_reach_staff_once_even_after_restart(bench: Bench) -> None:
    bench.clock.set(at(12, 7, 10))
    code = await bench.file_complaint(kind="aturan")
    ticket = await bench.desk.tickets.get(code)
    # Normatif, received Mon 7 Dec 10:00 → Mon 14 Dec 16:00; 75 % is reached Fri 11 Dec 12:45.
    assert ticket.deadline_at == at(12, 14, 16)
    staff = bench.staff_chat_id

    bench.clock.set(at(12, 11, 12, 44))
    await run_job(bench, watch_jobs.SWEEP_JOB)
    assert count(bench, staff, "Pengingat batas waktu") == 0
    bench.clock.set(at(12, 11, 12, 45))
    await run_job(bench, watch_jobs.SWEEP_JOB)
    await run_job(bench, watch_jobs.SWEEP_JOB)
    assert count(bench, staff, f"Pengingat batas waktu · {code}") == 1

    await bench.stop()
    await bench.start()
    await run_job(bench, watch_jobs.SWEEP_JOB)
    assert count(bench, staff, "Pengingat batas waktu") == 1

    bench.clock.set(at(12, 14, 16, 1))
    await run_job(bench, watch_jobs.SWEEP_JOB)
    await run_job(bench, watch_jobs.SWEEP_JOB)
    await bench.stop()
    await bench.start()
    await run_job(bench, watch_jobs.SWEEP_JOB)
    assert count(bench, staff, f"TERLAMBAT · {code}") == 1
    assert count(bench, staff, "Pengingat batas waktu") == 1
    assert count(bench, bench.citizen.id, "Mohon maaf") == 1


async def test_digest_skips_holiday_and_weekend_and_is_sent_once_on_a_working_day(bench: Bench) -> None:
    watch = bench.desk.watch
    staff = bench.staff_chat_id
    bench.clock.set(at(12, 23, 10))
    await bench.file_complaint(kind="pertanyaan")  # Ringan: due 13:00 the same day

    for day in (25, 26, 27):  # Christmas (Friday), Saturday, Sunday
        bench.clock.set(at(12, day, 9))
        await run_job(bench, watch_jobs.DIGEST_JOB)  # runs, then schedules the next one
        assert await watch.morning_digest() is None
    assert count(bench, staff, "Ringkasan pagi") == 0

    # The chain: the job run on Sunday 09:00 scheduled its successor for the next office
    # opening, Mon 28 Dec 07:30 — 22 h 30 min later on the desk's clock.
    assert watch.next_digest_at(at(12, 25, 9)) == at(12, 28, 7, 30)
    (job,) = app(bench).job_queue.get_jobs_by_name(watch_jobs.DIGEST_JOB)
    wait = job.next_t - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=22, minutes=29) < wait <= dt.timedelta(hours=22, minutes=30)

    bench.clock.set(at(12, 28, 7, 0))  # before opening: nothing yet
    await run_job(bench, watch_jobs.CATCH_UP_JOB)
    assert count(bench, staff, "Ringkasan pagi") == 0
    bench.clock.set(at(12, 28, 8, 0))
    await run_job(bench, watch_jobs.CATCH_UP_JOB)
    await run_job(bench, watch_jobs.DIGEST_JOB)
    await run_job(bench, watch_jobs.SWEEP_JOB)
    digests = [text for text in bench.texts(staff) if "Ringkasan pagi" in text]
    assert len(digests) == 1
    assert "Senin, 28 Desember 2026" in digests[0] and "Terlambat: 1" in digests[0]
    # An empty section is one short line, not a zero and a dash.
    assert "Jatuh tempo hari ini: tidak ada" in digests[0] and "—" not in digests[0]
    # Each late line gives the deadline once: "batas …" with the time late, no second date.
    late_line = next(line for line in digests[0].splitlines() if line.startswith("• "))
    assert "terlambat" in late_line and "hingga" not in late_line


async def test_digest_switched_off_schedules_no_digest_jobs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bench = Bench(tmp_path, watch={"morning_digest": False, "check_interval_minutes": 5})
    await bench.start()
    try:
        # The journal's pruning job (issue #12) is not the watch's; only the digest's are off.
        jobs = [job for job in app(bench).job_queue.jobs() if job.name != watch_jobs.PRUNE_JOB]
        assert [job.name for job in jobs] == [watch_jobs.SWEEP_JOB]
        assert jobs[0].trigger.interval == dt.timedelta(minutes=5)
    finally:
        await bench.stop()


# --- /target ---------------------------------------------------------------------------------------


async def test_target_is_recorded_and_the_citizen_told(bench: Bench) -> None:
    bench.clock.set(at(12, 23, 10))
    code = await bench.file_complaint(kind="layanan")
    before = await bench.desk.tickets.get(code)

    sent = await bench.staff_says(f"/target {code} 30-12-2026")
    ticket = await bench.desk.tickets.get(code)
    assert ticket.target_at == at(12, 30, 16)  # Wednesday: office closes 16:00
    assert ticket.deadline_at == before.deadline_at
    citizen = bench.last(bench.citizen.id).rendered
    assert "Rabu, 30 Desember 2026 pukul 16.00 WITA" in citizen and code in citizen
    assert any("Target jawaban" in m.rendered for m in sent if m.chat_id == bench.staff_chat_id)

    await bench.staff_says(f"/target {code.lower()} 2026-12-31 pukul 09.15")
    assert (await bench.desk.tickets.get(code)).target_at == at(12, 31, 9, 15)
    await bench.staff_says(f"/target {code} 8 Januari 2027")  # a Friday: closes 16:30
    assert (await bench.desk.tickets.get(code)).target_at == at(1, 8, 16, 30, year=2027)
    # Issue #13: a day off is refused (it used to be accepted at 16:00).
    await bench.staff_says(f"/target {code} 02/01/2027")  # a Saturday
    assert (await bench.desk.tickets.get(code)).target_at == at(1, 8, 16, 30, year=2027)

    answers = {
        f"/target {code} 8 Januari 2027": "sudah tercatat",
        f"/target {code} 02/01/2027": "bukan hari kerja",
        f"/target {code} 31-02-2027": "tidak dikenali",
        f"/target {code} 30-12-2026 25:00": "tidak dikenali",
        f"/target {code} 2026-12-01": "harus di masa depan",
        "/target ADU-2026-09999 30-12-2026": "tidak ditemukan",
        f"/target {code}": "Pakai: /target",
        "/target": "Pakai: /target",
    }
    for command, expected in answers.items():
        sent = await bench.staff_says(command)
        assert expected in sent[0].rendered, (command, sent[0].rendered)


# --- /catat and linking by PIN -------------------------------------------------------------------


async def test_catat_one_command_then_reporter_links_with_status_code_pin(bench: Bench) -> None:
    bench.clock.set(at(12, 21, 9))
    sent = await bench.staff_says(RECORDING_ONE)
    code, pin = pin_of(sent)
    receipt = next(m.rendered for m in sent if pin in m.rendered)
    assert f"/status {code} {pin}" in receipt
    # Five working days after Mon 21 Dec: 22, 23, (24–27 off), 28, 29, 30.
    assert "Batas: Rabu, 30 Desember 2026 pukul 16.00 WITA" in receipt
    assert count(bench, bench.staff_chat_id, "Siti Aminah") >= 1  # the ticket card (outbox)
    ticket = await bench.desk.tickets.get(code)
    assert (ticket.channel.value, ticket.tier.value, ticket.contact) == ("telepon", "normatif", "+6281298765432")
    assert ticket.citizen_user_id is None

    not_found = (await bench.say(bench.citizen, f"/status {code} {wrong(pin)}"))[0].rendered
    assert not_found == (await bench.say(bench.citizen, "/status ADU-2026-09999"))[0].rendered
    assert pin not in not_found

    sent = await bench.say(bench.citizen, f"/status {code} {pin[:3]} {pin[3:]}")
    assert any("Riwayat" in m.rendered and code in m.rendered for m in sent)
    assert any("kini tertaut" in m.rendered for m in sent if m.chat_id == bench.citizen.id)
    assert "menautkan" in bench.last(bench.staff_chat_id).rendered
    assert (await bench.desk.tickets.get(code)).citizen_user_id == bench.citizen.id
    # Linked: the plain /status list shows it, the PIN again just shows it; someone else with
    # the right PIN learns nothing.
    assert code in (await bench.say(bench.citizen, "/status"))[0].rendered
    assert "Riwayat" in (await bench.say(bench.citizen, f"/status {code} {pin}"))[0].rendered
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM pin_failures WHERE user_id = ?",
                                        (bench.citizen.id,)) == 1
    stolen = (await bench.say(bench.other, f"/status {code} {pin}"))[0].rendered
    assert stolen == not_found


async def test_five_wrong_pins_lock_out_even_the_right_one(bench: Bench) -> None:
    bench.clock.set(at(12, 21, 9))
    code, pin = pin_of(await bench.staff_says(RECORDING_ONE))
    for _ in range(5):
        sent = await bench.say(bench.other, f"/status {code} {wrong(pin)}")
        assert sent[0].rendered == desk_texts.TICKET_NOT_FOUND.replace("<code>", "").replace("</code>", "")
    sent = await bench.say(bench.other, f"/status {code} {pin}")
    assert "Terlalu banyak percobaan" in sent[0].rendered
    assert "pukul 10.00 WITA" in sent[0].rendered  # an hour after the attempts
    assert (await bench.desk.tickets.get(code)).citizen_user_id is None
    # The ticket itself is locked for everyone for the window, then the owner can link.
    assert "Terlalu banyak" in (await bench.say(bench.citizen, f"/status {code} {pin}"))[0].rendered
    bench.clock.set(at(12, 21, 10, 1))
    sent = await bench.say(bench.citizen, f"/status {code} {pin}")
    assert any("Riwayat" in m.rendered for m in sent)


async def test_catat_one_command_validation(bench: Bench) -> None:
    answers = {
        "/catat telepon normatif | Siti": "harus empat",
        "/catat faks normatif | Siti Aminah | 081298765432 | Menanyakan syarat kualifikasi penyedia.":
            "saluran «faks» tidak dikenal",
        "/catat email | Siti Aminah | 081298765432 | Menanyakan syarat kualifikasi penyedia.":
            "tingkat belum diisi",
        "/catat email sedang | Siti Aminah | 081298765432 | Menanyakan syarat kualifikasi penyedia.":
            "tingkat «sedang» tidak dikenal",
        "/catat email ringan | 1 | 081298765432 | Menanyakan syarat kualifikasi penyedia.":
            "nama pelapor",
        "/catat email ringan | Siti Aminah | rahasia | Menanyakan syarat kualifikasi penyedia.":
            "kontak harus",
        "/catat email ringan | Siti Aminah | siti@contoh.id | pendek": "minimal 20",
        "/catat email ringan | Siti Aminah | siti@contoh.id | " + "x" * 3001: "batas 3000",
    }
    for command, expected in answers.items():
        sent = await bench.staff_says(command)
        assert expected in sent[0].rendered, (command, sent[0].rendered)
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0
    # Forgiving names: two-word channel, tier label in capitals, pipes inside the description.
    sent = await bench.staff_says(
        "/catat Kotak Pengaduan TIDAK BERKADAR PENGAWASAN | Anonim Warga | warga@contoh.id | "
        "Surat di kotak: petugas | loket meminta imbalan."
    )
    code, _ = pin_of(sent)
    ticket = await bench.desk.tickets.get(code)
    assert (ticket.channel.value, ticket.tier.value) == ("kotak_pengaduan", "tidak-berkadar")
    assert ticket.description == "Surat di kotak: petugas | loket meminta imbalan."


async def test_catat_guided_flow(bench: Bench) -> None:
    bench.clock.set(at(12, 21, 9))
    staff = bench.staff_chat_id
    sent = await bench.staff_says("/catat")
    menu = sent[0]
    assert ("Tatap muka", "catat:saluran:tatap_muka") in menu.buttons
    # Another officer's press does nothing but a toast.
    driven = bench.fake.press_button(bench.officer2, staff, menu.message_id, "catat:saluran:email")
    await bench.settle(driven)
    assert "bukan untuk sesi" in toast(bench, driven)["text"]

    await bench.press(bench.officer, menu, "catat:saluran:tatap_muka")
    edited = next(m for m in bench.fake.sent(staff) if m.message_id == menu.message_id)
    assert "Saluran: Tatap muka" in edited.rendered
    assert edited.rendered.count("Catat pengaduan luring") == 1  # the heading once, after the edit too
    assert ("Ringan", "catat:tingkat:ringan") in edited.buttons
    sent = await bench.press(bench.officer, edited, "catat:tingkat:ringan")
    assert edited.buttons == []
    # Issue #13: when it was received (default now) and its kind come next.
    sent = await bench.press(bench.officer, sent[-1], "catat:diterima:sekarang")
    sent = await bench.press(bench.officer, sent[-1], "catat:jenis:pertanyaan")
    prompt = sent[-1]
    assert "nama pelapor" in prompt.rendered
    assert prompt.reply_markup is not None and prompt.reply_markup.get("force_reply") is True

    # Plain chatter (not a reply to the bot) is not taken as the name, even when the bot sees it.
    bench.fake.privacy_mode = False
    try:
        assert await bench.staff_says("Kopi sudah siap") == []
    finally:
        bench.fake.privacy_mode = True
    sent = await bench.staff_says("Siti Aminah", reply_to=prompt.message_id)
    assert "kontak pelapor" in sent[-1].rendered
    sent = await bench.staff_says("rahasia", reply_to=sent[-1].message_id)
    assert "Kontak harus" in sent[0].rendered and "kontak pelapor" in sent[-1].rendered
    sent = await bench.staff_says("Siti@Contoh.id", reply_to=sent[-1].message_id)
    assert "uraian pengaduan" in sent[-1].rendered
    sent = await bench.staff_says("pendek", reply_to=sent[-1].message_id)
    assert "minimal 20" in sent[0].rendered
    sent = await bench.staff_says("Datang ke loket menanyakan jadwal pengumuman pemenang.",
                                  reply_to=sent[-1].message_id)
    code, _pin = pin_of(sent)
    ticket = await bench.desk.tickets.get(code)
    assert (ticket.channel.value, ticket.tier.value, ticket.name, ticket.contact) == (
        "tatap_muka", "ringan", "Siti Aminah", "siti@contoh.id")
    # The flow is over: the next reply is not another description.
    sent = await bench.staff_says("Datang lagi menanyakan jadwal pengumuman pemenang.",
                                  reply_to=sent[-1].message_id)
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 1


async def test_catat_guided_flow_cancel_and_restart_resume(bench: Bench) -> None:
    staff = bench.staff_chat_id
    menu = (await bench.staff_says("/catat"))[0]
    await bench.press(bench.officer, menu, "catat:saluran:email")
    edited = next(m for m in bench.fake.sent(staff) if m.message_id == menu.message_id)
    asked = (await bench.press(bench.officer, edited, "catat:tingkat:berkadar"))[-1]
    # Issue #13: when it was received (default now) and its kind come next.
    asked = (await bench.press(bench.officer, asked, "catat:diterima:sekarang"))[-1]
    prompt = (await bench.press(bench.officer, asked, "catat:jenis:pelanggaran"))[-1]
    # The conversation and its draft survive a restart.
    await bench.stop()
    await bench.start()
    sent = await bench.staff_says("Warga Tanpa Nama", reply_to=prompt.message_id)
    assert "kontak pelapor" in sent[-1].rendered
    sent = await bench.staff_says("/batal")
    assert "dibatalkan" in sent[0].rendered
    sent = await bench.staff_says("081234567890", reply_to=sent[-1].message_id)
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0
    assert not any("uraian" in m.rendered for m in sent)


# --- rating ---------------------------------------------------------------------------------------


async def test_closing_asks_for_a_rating_and_the_press_records_it_once(bench: Bench) -> None:
    bench.clock.set(at(12, 21, 9))
    code = await bench.file_complaint()
    await bench.staff_says(f"/tutup {code} Jadwal sudah kami kirim.")
    request = bench.last(bench.citizen.id)
    assert [data for _, data in request.buttons] == [f"nilai:{code}:{n}" for n in range(1, 6)]

    chat = bench.citizen.id
    first = bench.fake.press_button(bench.citizen, chat, request.message_id, f"nilai:{code}:4")
    second = bench.fake.press_button(bench.citizen, chat, request.message_id, f"nilai:{code}:5")
    await bench.settle(first)
    await bench.settle(second)
    assert "4/5" in toast(bench, first)["text"]
    assert "sudah Anda nilai" in toast(bench, second)["text"]
    assert toast(bench, second)["show_alert"] is False
    ticket = await bench.desk.tickets.get(code)
    assert ticket.rating == 4
    assert request.buttons == []
    assert count(bench, bench.staff_chat_id, f"{code} memberi nilai 4/5 (Puas)") == 1


async def test_history_lines_carry_their_data(bench: Bench) -> None:
    """Each line of the record says what changed, to what and why, for staff and for the citizen."""
    bench.clock.set(at(12, 23, 10))
    code = await bench.file_complaint(kind="layanan")
    await bench.staff_says(f"/proses {code}")
    await bench.staff_says(f"/target {code} 30-12-2026")
    await bench.staff_says(f"/tutup {code} Jadwal sudah kami kirim.")
    request = bench.last(bench.citizen.id)
    await bench.settle(bench.fake.press_button(bench.citizen, bench.citizen.id, request.message_id,
                                               f"nilai:{code}:4"))
    await bench.staff_says(f"/buka {code} Pelapor menyampaikan jadwalnya berubah.")

    staff_view = "\n".join(m.rendered for m in await bench.staff_says(f"/tiket {code}"))
    citizen_view = "\n".join(m.rendered for m in await bench.say(bench.citizen, f"/status {code}"))
    for view in (staff_view, citizen_view):
        assert "Status berubah: Diproses" in view
        assert "Perkiraan waktu jawaban ditetapkan: 30 Des 2026 16.00" in view
        assert "Dijawab dan ditutup: Jadwal sudah kami kirim." in view
        assert "Pengaduan dibuka kembali: Pelapor menyampaikan jadwalnya berubah." in view
    assert "Penilaian pelapor: 4/5 (Puas)" in staff_view


# --- /laporan -------------------------------------------------------------------------------------


async def test_laporan_sends_message_csv_and_chart(bench: Bench) -> None:
    bench.clock.set(at(11, 10, 9))
    await bench.file_complaint()
    await bench.staff_says(RECORDING_ONE)
    bench.clock.set(at(12, 10, 9))
    sent = await bench.staff_says("/laporan 2026-11")
    texts = [m for m in sent if not m.is_media]
    documents = [m for m in sent if m.is_media]
    assert "Laporan pengaduan · November 2026" in texts[0].rendered
    assert "Diterima: 2" in texts[0].rendered
    assert [m.media_type for m in documents] == ["document", "document"]
    assert [m.media["file_name"] for m in documents] == ["laporan-2026-11.csv", "laporan-2026-11.png"]
    csv_content = file_content(bench, documents[0])
    assert csv_content.startswith("\ufeffkode;".encode()) and csv_content.count(b"ADU-2026-") == 2
    assert file_content(bench, documents[1]).startswith(b"\x89PNG")

    for command, expected in {
        "/laporan 2026-13": "tidak sah",
        "/laporan November": "tidak sah",
        "/laporan 2027-01": "belum dimulai",
    }.items():
        sent = await bench.staff_says(command)
        assert expected in sent[0].rendered and len(sent) == 1, command


async def test_laporan_default_month(bench: Bench) -> None:
    bench.clock.set(at(12, 3, 9))  # first days of December: November's report
    sent = await bench.staff_says("/laporan")
    assert "November 2026" in sent[0].rendered
    bench.clock.set(at(12, 6, 9))
    sent = await bench.staff_says("/laporan")
    assert "Desember 2026" in sent[0].rendered and "Bulan berjalan" in sent[0].rendered


# --- staff only -------------------------------------------------------------------------------------


async def test_staff_commands_refused_in_private(bench: Bench) -> None:
    for command in ("/target ADU-2026-00001 30-12-2026", "/catat", RECORDING_ONE, "/laporan 2026-11"):
        sent = await bench.say(bench.citizen, command)
        assert [m.rendered for m in sent] == [common_texts.STAFF_ONLY], command
    assert await bench.desk.db.fetchval("SELECT COUNT(*) FROM tickets") == 0


async def test_a_failing_job_is_logged_not_raised(bench: Bench, caplog) -> None:  # type: ignore[no-untyped-def]
    async with bench.desk.db.transaction() as conn:
        await conn.execute("ALTER TABLE deadline_alerts RENAME TO deadline_alerts_away")
    try:
        await run_job(bench, watch_jobs.SWEEP_JOB)  # must not raise
        assert "deadline sweep failed error=OperationalError" in caplog.text
    finally:
        async with bench.desk.db.transaction() as conn:
            await conn.execute("ALTER TABLE deadline_alerts_away RENAME TO deadline_alerts")


async def test_lost_pin_is_replaced_and_the_old_one_stops_working(bench: Bench) -> None:
    bench.clock.set(at(12, 21, 9))
    code, old_pin = pin_of(await bench.staff_says(RECORDING_ONE))
    sent = await bench.staff_says(f"/pin {code}")
    new_code, new_pin = pin_of(sent)
    assert new_code == code
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert history[-1].kind.value == "pin_reset" and history[-1].actor.id == bench.officer.id
    if new_pin != old_pin:
        refused = (await bench.say(bench.citizen, f"/status {code} {old_pin}"))[0].rendered
        assert refused == (await bench.say(bench.citizen, "/status ADU-2026-09999"))[0].rendered
    await bench.say(bench.citizen, f"/status {code} {new_pin}")
    assert (await bench.desk.tickets.get(code)).citizen_user_id == bench.citizen.id
    assert "sudah ditautkan" in (await bench.staff_says(f"/pin {code}"))[0].rendered
    assert "tidak ditemukan sebagai pengaduan luring" in (await bench.staff_says("/pin ADU-2026-09999"))[0].rendered
    assert "Perintah ini hanya untuk petugas" in (await bench.say(bench.citizen, f"/pin {code}"))[0].rendered
