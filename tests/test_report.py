"""Monthly report: a hand-counted December 2026 (with the Christmas holiday week).

Office hours: Mon–Thu 07:30–16:00 (8.5 h), Fri 07:30–16:30 (9 h). Days off in the month:
weekends, Thu 24 Dec (cuti bersama Natal), Fri 25 Dec (Natal); Fri 1 Jan 2027 is New Year and
Tue 5 Jan 2027 Isra Mikraj. Ringan = 3 office hours; other tiers = closing time of the N-th
working day after the day of receipt (normatif 5, tidak berkadar 14, berkadar 60).

Complaints received in December (code · received · tier · channel · what happened):

 #1  Tue 01 09:00 ringan   telegram   pkg 11111  deadline 01 12:00; answered 01 11:00 (on time,
     2.0 h); closed 01 11:30; rated 5
 #2  Wed 02 15:00 ringan   telepon               1 h on 02 + 2 h on 03 → deadline 03 09:30;
     answered 03 10:30 (late; 1 h + 3 h = 4.0 h); stays "dijawab"
 #3  Fri 04 10:00 normatif telegram   pkg 11111  7, 8, 9, 10, 11 → deadline Fri 11 16:30;
     answered 08 10:00 (on time; 6.5 + 8.5 + 2.5 = 17.5 h); closed 09 09:00; rated 4
 #4  Mon 07 08:00 t.berkadar email    pkg 22222  8–11, 14–18, 21–23, 28, 29 → Tue 29 16:00;
     answered 22 09:00 (on time; 8 + 25.5 + 9 + 34 + 9 + 8.5 + 1.5 = 95.5 h); "dijawab"
 #5  Wed 09 13:00 berkadar kotak                 deadline Thu 18 Mar 2027; untouched ("baru")
 #6  Thu 10 14:00 ringan   telegram              2 h on 10 + 1 h on 11 → deadline 11 08:30;
     closed without reply 11 10:00 (answered = closed, late; 2 + 2.5 = 4.5 h); rated 2
 #7  Mon 14 09:00 normatif tatap muka pkg 22222  15–18, 21 → Mon 21 16:00; answered 22 08:00
     (late; 7 + 25.5 + 9 + 8.5 + 0.5 = 50.5 h); "dijawab"
 #8  Wed 16 10:00 normatif telegram   pkg 33333  17, 18, 21, 22, 23 → Wed 23 16:00; only
     "diproses" → overdue and unanswered at the end of the month
 #9  Tue 22 10:00 normatif telegram   pkg 22222  23, (24–27 off), 28, 29, 30, 31 → Thu 31 16:00;
     answered 30 14:00 (on time; 6 + 8.5 + 8.5 + 8.5 + 6.5 = 38.0 h); closed 31 09:00; rated 3
 #10 Wed 23 15:00 ringan   telegram              1 h on 23, (24–27 off), 2 h on 28 → 28 09:30;
     answered 28 09:00 (on time; 1 + 1.5 = 2.5 h); "dijawab"
 #11 Thu 24 10:00 ringan   telegram              received on a holiday: the clock starts Mon 28
     07:30 → deadline 28 10:30; answered 28 10:00 (on time; 0 + 2.5 = 2.5 h); closed 28 11:00;
     rated 4
 #12 Tue 29 11:00 t.berkadar telepon             deadline Wed 20 Jan 2027; untouched ("baru")
 #13 Thu 31 15:00 normatif telegram   pkg 33333  4, (5 off), 6, 7, 8, 11 → Mon 11 Jan 16:00;
     answered Wed 6 Jan 2027 10:00 (on time; 1 + 8.5 + 2.5 = 12.0 h); "dijawab"

Outside the month: #14 received Fri 27 Nov 10:00 (normatif, deadline Fri 4 Dec 16:30,
answered only 4 Jan 2027); #15 received Mon 30 Nov 09:00 (normatif, deadline Mon 7 Dec 16:00,
closed without reply 4 Jan 2027); ADU-2027-00001 received Mon 4 Jan 2027.
The report is made on Sun 10 Jan 2027 12:00, so "as of" is the end of December.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
from pathlib import Path

import matplotlib.image
import pytest

from bot.cli.errors import UsageError
from bot.cli.report import cmd_report
from bot.config import CalendarConfig, Settings, TiersConfig
from bot.domain.classifier import Classifier
from bot.domain.report import MonthFigures, Timeliness
from bot.domain.tickets import Actor, Channel, NewComplaint, Status
from bot.domain.tiers import MatterKind, Tier
from bot.domain.workcalendar import WorkCalendar
from bot.services.notices import DeskNotifier, StaffChat
from bot.services.recorded import register_offline
from bot.services.report import (
    build_chart,
    month_figures,
    plain_text,
    render_message,
    write_chart,
    write_csv,
)
from bot.services.tickets import TicketService
from bot.texts.labels import tier_label
from storage.db import Database
from tests.support import FixedClock as Clock
from tests.support import at, ticket_service

STAFF = Actor.staff(7001, "Petugas Satu")
KINDS = {Tier.RINGAN: MatterKind.QUESTION, Tier.NORMATIF: MatterKind.RULES,
         Tier.TIDAK_BERKADAR: MatterKind.SERVICE, Tier.BERKADAR: MatterKind.WRONGDOING}


# (received, tier, channel, package, answered, closed, rating)
FIXTURE: list[tuple[dt.datetime, Tier, Channel, str | None, dt.datetime | None, dt.datetime | None,
                    int | None]] = [
    (at(12, 1, 9), Tier.RINGAN, Channel.TELEGRAM, "11111", at(12, 1, 11), at(12, 1, 11, 30), 5),
    (at(12, 2, 15), Tier.RINGAN, Channel.PHONE, None, at(12, 3, 10, 30), None, None),
    (at(12, 4, 10), Tier.NORMATIF, Channel.TELEGRAM, "11111", at(12, 8, 10), at(12, 9, 9), 4),
    (at(12, 7, 8), Tier.TIDAK_BERKADAR, Channel.EMAIL, "22222", at(12, 22, 9), None, None),
    (at(12, 9, 13), Tier.BERKADAR, Channel.COMPLAINT_BOX, None, None, None, None),
    (at(12, 10, 14), Tier.RINGAN, Channel.TELEGRAM, None, None, at(12, 11, 10), 2),
    (at(12, 14, 9), Tier.NORMATIF, Channel.IN_PERSON, "22222", at(12, 22, 8), None, None),
    (at(12, 16, 10), Tier.NORMATIF, Channel.TELEGRAM, "33333", None, None, None),
    (at(12, 22, 10), Tier.NORMATIF, Channel.TELEGRAM, "22222", at(12, 30, 14), at(12, 31, 9), 3),
    (at(12, 23, 15), Tier.RINGAN, Channel.TELEGRAM, None, at(12, 28, 9), None, None),
    (at(12, 24, 10), Tier.RINGAN, Channel.TELEGRAM, None, at(12, 28, 10), at(12, 28, 11), 4),
    (at(12, 29, 11), Tier.TIDAK_BERKADAR, Channel.PHONE, None, None, None, None),
    (at(12, 31, 15), Tier.NORMATIF, Channel.TELEGRAM, "33333", at(1, 6, 10, year=2027), None, None),
]
EXPECTED_DEADLINES = [
    at(12, 1, 12), at(12, 3, 9, 30), at(12, 11, 16, 30), at(12, 29, 16), at(3, 18, 16, year=2027),
    at(12, 11, 8, 30), at(12, 21, 16), at(12, 23, 16), at(12, 31, 16), at(12, 28, 9, 30),
    at(12, 28, 10, 30), at(1, 20, 16, year=2027), at(1, 11, 16, year=2027),
]
REPORT_TIME = at(1, 10, 12, year=2027)


async def populate(path: Path) -> None:
    """Files and works the fixture through the real TicketService with a controlled clock."""
    clock = Clock(at(12, 1, 8))
    db = await Database.open(path)
    service = ticket_service(db, clock, -100777)
    try:
        for number, (received, tier, channel, package, answered, closed, rating) in enumerate(FIXTURE, 1):
            clock.now = received
            if channel is Channel.TELEGRAM:
                user = 500 + number
                complaint = NewComplaint(
                    name="Warga Kaltara", contact="081234567890", matter_kind=KINDS[tier],
                    package_code=package, citizen_user_id=user, citizen_chat_id=user,
                    description="Mohon informasi jadwal dan persyaratan paket pengadaan ini.",
                )
                ticket = (await service.file(complaint, received_at=received)).ticket
            else:
                ticket, _ = await register_offline(
                    service, channel, "Warga Kaltara", "081234567890",
                    "Mohon informasi jadwal dan persyaratan paket pengadaan ini.", tier, STAFF,
                    received_at=received, package_code=package,
                )
            assert ticket.code == f"ADU-2026-{number:05d}"
            assert ticket.tier is tier
            assert ticket.deadline_at == EXPECTED_DEADLINES[number - 1], number
            if answered is not None:
                clock.now = answered
                await service.staff_reply(ticket.code, STAFF, "Berikut jawaban kami.")
            if closed is not None:
                clock.now = closed
                # Closing means answered: one never answered is closed with its answer.
                await service.close(ticket.code, STAFF, None if answered else "Berikut jawaban kami.")
            if rating is not None:
                clock.now += dt.timedelta(hours=1)
                await service.rate(ticket.code, 500 + number, rating)
        code8 = "ADU-2026-00008"
        clock.now = at(12, 17, 9)
        await service.mark_in_process(code8, STAFF)

        # Backlog from November and a January complaint.
        for received in (at(11, 27, 10), at(11, 30, 9)):
            clock.now = received
            await register_offline(service, Channel.IN_PERSON, "Warga Lama", "081200000000",
                                   "Mohon informasi hasil evaluasi paket pengadaan.", Tier.NORMATIF, STAFF,
                                   received_at=received)
        clock.now = at(1, 4, 10, year=2027)
        await service.staff_reply("ADU-2026-00014", STAFF, "Maaf terlambat, berikut jawabannya.")
        clock.now = at(1, 4, 9, year=2027)
        await service.close("ADU-2026-00015", STAFF, "Ditutup.")
        clock.now = at(1, 4, 11, year=2027)
        await register_offline(service, Channel.EMAIL, "Warga Baru", "081200000001",
                               "Mohon informasi jadwal tender tahun ini.", Tier.RINGAN, STAFF)
    finally:
        await db.close()


@pytest.fixture
async def figures(tmp_path: Path) -> MonthFigures:
    path = tmp_path / "helpdesk.sqlite3"
    await populate(path)
    db = await Database.open(path)
    try:
        return await month_figures(db, WorkCalendar(CalendarConfig(), TiersConfig()), 2026, 12,
                                   now=REPORT_TIME)
    finally:
        await db.close()


async def test_closed_without_any_answer_counts_as_unanswered(tmp_path: Path) -> None:
    """Data from before closing required an answer: a ticket closed bare is not answered on time."""
    path = tmp_path / "helpdesk.sqlite3"
    await populate(path)
    db = await Database.open(path)
    try:
        # #11 (ringan) was answered on time and closed; as old data it was closed with no answer.
        async with db.transaction() as conn:
            await conn.execute("UPDATE tickets SET first_answer_at = NULL WHERE code = 'ADU-2026-00011'")
        figures = await month_figures(db, WorkCalendar(CalendarConfig(), TiersConfig()), 2026, 12, now=REPORT_TIME)
    finally:
        await db.close()
    eleventh = next(row for row in figures.rows if row.code == "ADU-2026-00011")
    assert eleventh.on_time is None and eleventh.answer_hours is None
    assert figures.timeliness[Tier.RINGAN] == Timeliness(on_time=2, late=2, unanswered=1, unanswered_overdue=1)
    assert figures.overall.on_time == 6


async def test_a_small_month_says_only_what_it_has(tmp_path: Path) -> None:
    """November holds #14 and #15 only: the tiers, channels and statuses with nothing are left
    out, and no overdue ticket reads "tidak ada", not a bare zero."""
    path = tmp_path / "helpdesk.sqlite3"
    await populate(path)
    db = await Database.open(path)
    try:
        figures = await month_figures(db, WorkCalendar(CalendarConfig(), TiersConfig()), 2026, 11,
                                      now=REPORT_TIME)
    finally:
        await db.close()
    lines = plain_text(render_message(figures)).splitlines()
    assert "Tingkat: Normatif 2" in lines
    assert next(line for line in lines if line.startswith("Status kini: ")).count("·") == 1
    assert not any(" 0" in line for line in lines if line.startswith(("Tingkat", "Saluran", "Status")))
    assert lines[-1].endswith("(termasuk dari bulan sebelumnya): tidak ada")


async def test_hand_counted_figures(figures: MonthFigures) -> None:
    assert figures.as_of == at(1, 1, 0, year=2027)  # end of December, earlier than "now"
    assert figures.received == 13
    assert [r.code for r in figures.rows] == [f"ADU-2026-{n:05d}" for n in range(1, 14)]
    # Tiers: ringan #1 #2 #6 #10 #11; normatif #3 #7 #8 #9 #13; t.berkadar #4 #12; berkadar #5.
    assert figures.by_tier == {Tier.RINGAN: 5, Tier.NORMATIF: 5, Tier.TIDAK_BERKADAR: 2, Tier.BERKADAR: 1}
    # Channels: telegram #1 #3 #6 #8 #9 #10 #11 #13; telepon #2 #12; e-mail #4; kotak #5; tatap muka #7.
    assert figures.by_channel == {Channel.TELEGRAM: 8, Channel.IN_PERSON: 1, Channel.PHONE: 2,
                                  Channel.EMAIL: 1, Channel.COMPLAINT_BOX: 1}
    # Status now: selesai #1 #3 #6 #9 #11; dijawab #2 #4 #7 #10 #13; diproses #8; baru #5 #12.
    assert figures.by_status == {Status.NEW: 2, Status.IN_PROGRESS: 1, Status.ANSWERED: 5, Status.CLOSED: 5}

    # Ringan: on time #1 #10 #11, late #2 #6 → 3/5 = 60 %.
    # Normatif: on time #3 #9 #13, late #7, unanswered #8 (past its deadline) → 3/4 = 75 %.
    # Tidak berkadar: on time #4, unanswered #12 (deadline 20 Jan, not yet passed) → 1/1.
    # Berkadar: unanswered #5 (deadline March).
    assert figures.timeliness == {
        Tier.RINGAN: Timeliness(on_time=3, late=2),
        Tier.NORMATIF: Timeliness(on_time=3, late=1, unanswered=1, unanswered_overdue=1),
        Tier.TIDAK_BERKADAR: Timeliness(on_time=1, late=0, unanswered=1),
        Tier.BERKADAR: Timeliness(unanswered=1),
    }
    assert figures.timeliness[Tier.RINGAN].share_on_time == pytest.approx(0.6)
    assert figures.timeliness[Tier.NORMATIF].share_on_time == pytest.approx(0.75)
    assert figures.timeliness[Tier.BERKADAR].share_on_time is None
    # All: 7 on time of 10 answered = 70 %.
    assert figures.overall == Timeliness(on_time=7, late=3, unanswered=3, unanswered_overdue=1)
    assert figures.overall.share_on_time == pytest.approx(0.7)

    # Office hours to the first answer, sorted:
    # #1 2.0, #10 2.5, #11 2.5, #2 4.0, #6 4.5, #13 12.0, #3 17.5, #9 38.0, #7 50.5, #4 95.5.
    assert figures.answer_hours == pytest.approx((2.0, 2.5, 2.5, 4.0, 4.5, 12.0, 17.5, 38.0, 50.5, 95.5))
    # Median: rank 0.5 × 9 = 4.5 → 4.5 + 0.5 × (12.0 − 4.5) = 8.25 h.
    assert figures.median_answer_hours == pytest.approx(8.25)
    # P90: rank 0.9 × 9 = 8.1 → 50.5 + 0.1 × (95.5 − 50.5) = 55.0 h.
    assert figures.p90_answer_hours == pytest.approx(55.0)
    # Working days of 8.5 h: 8.25 h is less than a day; 55 h = 6 × 8.5 h + 4 h.
    assert figures.describe_hours(figures.median_answer_hours) == "8 jam 15 menit kerja"
    assert figures.describe_hours(figures.p90_answer_hours) == "6 hari kerja 4 jam"

    # Ratings: #1 5, #3 4, #6 2, #9 3, #11 4 → 18 / 5 = 3.6.
    assert figures.rating_count == 5
    assert figures.rating_average == pytest.approx(3.6)
    # Packages: 22222 (#4 #7 #9) 3; 11111 (#1 #3) 2; 33333 (#8 #13) 2 — ties by code.
    assert figures.top_packages == (("22222", 3), ("11111", 2), ("33333", 2))

    # Past deadline and neither answered nor closed on 1 Jan 2027 00:00, any month:
    # #14 (deadline 4 Dec, answered 4 Jan), #15 (deadline 7 Dec, closed 4 Jan), #8 (23 Dec).
    # Not #2 or #7: late, but answered within December.
    assert figures.overdue_open == ("ADU-2026-00014", "ADU-2026-00015", "ADU-2026-00008")

    # ISO weeks inside December:
    #   49 (1–6): #1 R, #2 R, #3 N; answered 3, on time #1 #3 → 2
    #   50 (7–13): #4 TB, #5 B, #6 R; answered #4 #6, on time #4 → 1
    #   51 (14–20): #7 N, #8 N; answered #7 (late) → 0
    #   52 (21–27): #9 N, #10 R, #11 R; answered 3, all on time
    #   53 (28–31): #12 TB, #13 N; answered #13, on time
    weeks = [(w.iso_week, w.start.day, w.end.day, w.received_by_tier[Tier.RINGAN],
              w.received_by_tier[Tier.NORMATIF], w.received_by_tier[Tier.TIDAK_BERKADAR],
              w.received_by_tier[Tier.BERKADAR], w.answered, w.on_time) for w in figures.weeks]
    assert weeks == [
        (49, 1, 6, 2, 1, 0, 0, 3, 2),
        (50, 7, 13, 1, 0, 1, 1, 2, 1),
        (51, 14, 20, 0, 2, 0, 0, 1, 0),
        (52, 21, 27, 2, 1, 0, 0, 3, 3),
        (53, 28, 31, 0, 1, 1, 0, 1, 1),
    ]


async def test_message_csv_and_chart_agree(figures: MonthFigures, tmp_path: Path) -> None:
    message = render_message(figures)
    text = plain_text(message)
    assert "Laporan pengaduan · Desember 2026" in text
    assert "Diterima: 13" in text
    assert "Tingkat: Ringan 5 · Normatif 5 · Tidak Berkadar Pengawasan 2 · Berkadar Pengawasan 1" in text
    assert "Ringan: 3/5 tepat waktu (60%) · terlambat 2" in text
    assert "Normatif: 3/4 tepat waktu (75%) · terlambat 1 · belum dijawab 1 (1 lewat batas)" in text
    assert "Semua: 7/10 tepat waktu (70%) · terlambat 3 · belum dijawab 3 (1 lewat batas)" in text
    assert "Median: 8 jam 15 menit kerja" in text and "8,25 jam" not in text  # one form under a day
    assert "Tidak Berkadar Pengawasan: 1/1 tepat waktu (100%) · belum dijawab 1\n" in text
    assert "Berkadar Pengawasan: belum dijawab 1\n" in text
    assert "Persentil 90: 55 jam kerja (6 hari kerja 4 jam)" in text
    assert "rata-rata 3,6 dari 5 (5 penilaian)" in text
    assert "1. 22222 — 3 pengaduan" in text
    assert "belum dijawab per akhir Desember 2026 (termasuk dari bulan sebelumnya): 3" in text
    assert "ADU-2026-00014, ADU-2026-00015, ADU-2026-00008" in text
    assert len(text) < 4096
    # Every tag is closed and only Telegram's tags are used.
    for tag in ("b", "code", "i"):
        assert message.count(f"<{tag}>") == message.count(f"</{tag}>")

    csv_path = write_csv(figures, tmp_path / "out" / "laporan-2026-12.csv")
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        parsed = list(csv.DictReader(handle, delimiter=";"))
    assert list(parsed[0]) == ["kode", "diterima", "saluran", "tingkat", "status", "batas_waktu",
                               "dijawab_pertama", "ditutup", "tepat_waktu", "penilaian", "kode_paket"]
    assert len(parsed) == figures.received == 13
    first = parsed[0]
    assert first == {
        "kode": "ADU-2026-00001", "diterima": "2026-12-01 09:00", "saluran": "Telegram",
        "tingkat": "Ringan", "status": "Selesai", "batas_waktu": "2026-12-01 12:00",
        "dijawab_pertama": "2026-12-01 11:00", "ditutup": "2026-12-01 11:30", "tepat_waktu": "ya",
        "penilaian": "5", "kode_paket": "11111",
    }
    # #6 was closed with its answer (closing means answered): answered late, at its closing.
    sixth = parsed[5]
    assert (sixth["dijawab_pertama"], sixth["ditutup"], sixth["tepat_waktu"]) == (
        "2026-12-11 10:00", "2026-12-11 10:00", "tidak")
    for tier in Tier:
        assert sum(1 for row in parsed if row["tingkat"] == tier_label(tier)) == figures.by_tier[tier]
        item = figures.timeliness[tier]
        assert sum(1 for row in parsed if row["tingkat"] == tier_label(tier) and row["tepat_waktu"] == "ya") == item.on_time
        assert sum(1 for row in parsed if row["tingkat"] == tier_label(tier) and row["tepat_waktu"] == "tidak") == item.late
    ratings = [int(row["penilaian"]) for row in parsed if row["penilaian"]]
    assert len(ratings) == figures.rating_count and sum(ratings) / len(ratings) == pytest.approx(3.6)

    png_path = tmp_path / "out" / "laporan-2026-12.png"
    data = write_chart(figures, png_path)
    for tier in Tier:
        assert sum(data.received[tier]) == figures.by_tier[tier]
    assert data.received[Tier.RINGAN] == (2, 1, 0, 2, 0)
    assert data.on_time_percent == pytest.approx((200 / 3, 50.0, 0.0, 100.0, 100.0))
    assert [label.split("\n")[0] for label in data.labels] == ["Mg 49", "Mg 50", "Mg 51", "Mg 52", "Mg 53"]
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(str(png_path))
    assert image.shape == (550, 990, 4)

    # The legend sits outside the plot area: it covers no bar and no point.
    figure, _ = build_chart(figures)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    (legend,) = figure.legends
    legend_box = legend.get_window_extent(renderer)
    for axis in figure.axes:
        assert not legend_box.overlaps(axis.get_window_extent(renderer))
    assert figure.axes[0].get_xlabel() == "Minggu (ISO)" and figure.axes[0].get_ylabel() == "Pengaduan diterima"


def test_cli_report_writes_both_files_and_prints_plain_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data" / "helpdesk.sqlite3"

    async def one_october_complaint() -> None:
        clock = Clock(at(10, 6, 9))
        calendar = WorkCalendar(CalendarConfig(), TiersConfig())
        db = await Database.open(path)
        service = TicketService(db, calendar, Classifier(), DeskNotifier(calendar, StaffChat(-1), clock), clock)
        try:
            await register_offline(service, Channel.EMAIL, "Warga <Kaltara>", "081200000002",
                                   "Mohon informasi jadwal tender.", Tier.RINGAN, STAFF)
        finally:
            await db.close()

    asyncio.run(one_october_complaint())
    settings = Settings.model_validate({"storage": {"database": str(path)}})
    out = tmp_path / "laporan"
    assert cmd_report(settings, argparse.Namespace(month="2026-10", out=out)) == 0
    printed = capsys.readouterr().out
    assert "Laporan pengaduan · Oktober 2026" in printed and "Diterima: 1" in printed
    assert "<b>" not in printed
    assert (out / "laporan-2026-10.csv").exists()
    assert (out / "laporan-2026-10.png").read_bytes()[:4] == b"\x89PNG"

    for bad in ("2026-13", "10-2026", "2026/10", "abc"):
        with pytest.raises(UsageError, match="YYYY-MM"):
            cmd_report(settings, argparse.Namespace(month=bad, out=out))
    with pytest.raises(UsageError, match="belum dimulai"):
        cmd_report(settings, argparse.Namespace(month="2099-01", out=out))
