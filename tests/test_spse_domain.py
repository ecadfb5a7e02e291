"""SPSE rules without I/O: stage words, list rows, pages (real captures in tests/data/spse/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.packages import Outcome, SpseStage
from bot.domain.spse import (
    STEP_ORDER,
    ScheduleRow,
    SpseFormatError,
    SpseKind,
    StateValues,
    current_and_next,
    is_backwards,
    parse_abbreviated,
    parse_announcement,
    parse_list_page,
    parse_rupiah,
    parse_schedule,
    parse_when,
    parse_winner,
    read_stage,
    split_name,
    state_from_spse,
)
from tests.lpse_double import FakePackage, LpseDouble

DATA = Path(__file__).parent / "data" / "spse"


@pytest.mark.parametrize(("text", "step", "outcome"), [
    ("Pengumuman Pascakualifikasi", "pengumuman", None),
    ("Pengumuman Prakualifikasi", "pengumuman", None),
    ("Download Dokumen Pemilihan", "download_dokumen", None),
    ("Pemberian Penjelasan", "pemberian_penjelasan", None),
    ("Upload Dokumen Penawaran", "upload_penawaran", None),
    ("Pembukaan Dokumen Penawaran", "pembukaan_penawaran", None),
    ("Pembukaan dan Evaluasi Penawaran File I: Administrasi dan Teknis", "evaluasi", None),
    ("Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga", "evaluasi", None),
    ("Klarifikasi dan Negosiasi Teknis dan Biaya", "evaluasi", None),
    ("Pembuktian Kualifikasi", "pembuktian_kualifikasi", None),
    ("Penetapan Pemenang", "penetapan_pemenang", None),
    ("Pengumuman Pemenang", "pengumuman_pemenang", None),
    ("Masa Sanggah", "masa_sanggah", None),
    ("Masa Sanggah Hasil Tender", "masa_sanggah", None),
    ("Pengumuman Hasil Prakualifikasi", "evaluasi", None),
    ("Surat Penunjukan Penyedia Barang/Jasa", "sppbj", None),
    ("Penandatanganan Kontrak", "kontrak", None),
    ("Tender Sudah Selesai", None, "selesai"),
    ("Paket Sudah Selesai", None, "selesai"),
    ("Tender Batal", None, "batal"),
    ("Tender Gagal", None, "gagal"),
    ("Paket Sedang Berjalan", None, None),
])
def test_stage_words_map_onto_the_projects_steps(text: str, step: str | None, outcome: str | None) -> None:
    reading = read_stage(text)
    assert reading.known and reading.text == text
    assert (reading.step, reading.outcome) == (step, outcome)


def test_every_mapped_value_is_a_project_value_and_unknown_text_is_kept() -> None:
    assert [SpseStage(step).value for step in STEP_ORDER] == [s.value for s in SpseStage]
    for outcome in ("selesai", "gagal", "batal"):
        Outcome(outcome)
    odd = read_stage("Tahap Baru <b>Versi 6</b>")
    assert not odd.known and odd.text == "Tahap Baru Versi 6"
    assert state_from_spse(odd, StateValues(5, "evaluasi")) is None  # nothing changes
    assert state_from_spse(odd, None) == StateValues(5)  # a new package starts in stage 5


def test_state_from_spse() -> None:
    staff_stage_3 = StateValues(3)
    assert state_from_spse(read_stage("Evaluasi Penawaran"), staff_stage_3) == StateValues(5, "evaluasi")
    assert state_from_spse(read_stage("Tender Sudah Selesai"), None) == StateValues(6, None, "selesai")
    assert state_from_spse(read_stage("Tender Gagal"), StateValues(5, "evaluasi")) == StateValues(5, "evaluasi", "gagal")
    assert state_from_spse(read_stage("Paket Sedang Berjalan"), StateValues(5, "evaluasi")) == StateValues(5, "evaluasi")
    assert is_backwards(StateValues(5, "evaluasi"), StateValues(5, "pengumuman"))
    assert is_backwards(StateValues(4), StateValues(2))
    assert not is_backwards(StateValues(3), StateValues(5, "pengumuman"))


def test_real_list_rows() -> None:
    page = parse_list_page((DATA / "dt_lelang_rows.json").read_bytes(), SpseKind.TENDER)
    assert page.received == 2 and page.skipped == 0
    first, second = page.rows
    assert first.code == "10144220000"
    assert first.name == "Peningkatan Perkuatan Tebing Sungai Singkawang Segmen II"
    assert first.labels == ("Tender Ulang",) and first.retender
    assert first.agency == "Kota Singkawang" and first.stage_text == "Tender Sudah Selesai"
    assert first.procurement_type == "Pekerjaan Konstruksi" and first.fiscal_year == 2026
    assert first.selection_method == "Tender" and first.hps_text == "15,9 M"
    assert first.contract_value == Decimal("15602948688.00")
    assert not second.retender and second.contract_value is None  # "Nilai Kontrak belum dibuat"


def test_real_announcement_page_gives_the_kode_rup() -> None:
    announcement = parse_announcement((DATA / "pengumuman_nonspk.html").read_bytes())
    assert announcement.code == "10942236000"
    assert announcement.rup_codes == ("62075727",)
    assert announcement.work_unit == "IM01 KANTOR IMIGRASI KELAS II TPI SABANG"
    assert announcement.agency == "Kementerian Imigrasi dan Pemasyarakatan"
    assert announcement.fiscal_year == 2026 and announcement.pagu == Decimal("3800000.00")


def test_loopback_pages_parse_like_spse() -> None:
    double = LpseDouble()
    package = FakePackage(
        "10210011000", "Jalan Lingkar", stage="Evaluasi Penawaran", rup=("51234567", "51234568"),
        badges=("Tender Ulang",), winner=("PT Benuanta Jaya", "Rp. 1.100.000.000,00"),
        schedule=[("Pengumuman Pascakualifikasi", "01 Desember 2026 08:00", "05 Desember 2026 16:00", ""),
                  ("Evaluasi Penawaran", "07 Desember 2026 08:00", "08 Desember 2026 16:00", "1 kali"),
                  ("Pembuktian Kualifikasi", "09 Desember 2026 08:00", "10 Desember 2026 16:00", "")])
    announcement = parse_announcement(double.announcement_html(package))
    assert announcement.name == "Jalan Lingkar" and announcement.labels == ("Tender Ulang",)
    assert announcement.rup_codes == ("51234567", "51234568")
    assert announcement.stage_text == "Evaluasi Penawaran" and announcement.hps == Decimal("1250000000.00")
    schedule = parse_schedule(double.schedule_html(package))
    assert [row.step for row in schedule] == ["Pengumuman Pascakualifikasi", "Evaluasi Penawaran",
                                              "Pembuktian Kualifikasi"]
    assert schedule[1].end == dt.datetime(2026, 12, 8, 16, 0)
    current, following = current_and_next(schedule, "Evaluasi Penawaran", dt.datetime(2026, 12, 1))
    assert current is schedule[1] and following is schedule[2]
    # Without a matching name the period around "now" decides.
    current, _ = current_and_next(schedule, "", dt.datetime(2026, 12, 2, 9))
    assert current is schedule[0]
    winner = parse_winner(double.winner_html(package))
    assert winner is not None and winner.name == "PT Benuanta Jaya" and winner.value == Decimal("1100000000.00")
    package.winner = None
    assert parse_winner(double.winner_html(package)) is None


def test_values() -> None:
    assert split_name("Jalan <span class='badge'>Tender Ulang</span> <span>Konsolidasi</span>") == (
        "Jalan", ("Tender Ulang", "Konsolidasi"))
    assert parse_rupiah("Rp. 15.602.948.688,00") == Decimal("15602948688.00")
    assert parse_rupiah("Nilai Kontrak belum dibuat") is None
    assert parse_abbreviated("15,9 M") == Decimal("15900000000.0")
    assert parse_abbreviated("3,8 Jt") == Decimal("3800000.0")
    assert parse_when("08 Desember 2026 16:00") == dt.datetime(2026, 12, 8, 16, 0)
    assert parse_when("31 Februari 2026 10:00") is None
    assert ScheduleRow.from_json(ScheduleRow("A", None, dt.datetime(2026, 1, 2, 3, 4)).to_json()).end == dt.datetime(
        2026, 1, 2, 3, 4)


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[1, 2, 3]", b'{"data": {"rows": 1}}', b'{"nodata": []}', bytes(range(256)),
])
def test_wrong_list_json_is_refused(body: bytes) -> None:
    with pytest.raises(SpseFormatError):
        parse_list_page(body, SpseKind.TENDER)


def test_odd_rows_are_skipped_not_fatal() -> None:
    body = b'{"data": [["abc", "x"], ["10210011000", ""], "row", null, ["10210012000", "Nama", "I", "Evaluasi"]]}'
    page = parse_list_page(body, SpseKind.NON_TENDER)
    assert [row.code for row in page.rows] == ["10210012000"] and page.skipped == 4


@pytest.mark.parametrize("body", [
    b"", bytes(range(256)) * 10, b"<html><body><p>Tidak ada tabel</p></body></html>",
    b"<table><tr><td>x</td></tr>", b"<" * 5000, b"<div class='content'><table></table></div>",
])
def test_garbage_pages_are_refused(body: bytes) -> None:
    with pytest.raises(SpseFormatError):
        parse_announcement(body)
    with pytest.raises(SpseFormatError):
        parse_schedule(body)


def test_deeply_nested_garbage_is_bounded() -> None:
    with pytest.raises(SpseFormatError):
        parse_announcement(b"<div>" * 300_000)
