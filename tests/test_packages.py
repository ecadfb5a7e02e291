"""Packages: codes, stage parsing, lookup, stage changes with follower notices, views."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.packages import (
    Outcome,
    PackageError,
    PackageNotFound,
    SpseStage,
    Stage,
    StageAmbiguous,
    StageChoice,
    StageState,
    parse_code,
    parse_rupiah,
    parse_stage,
)
from bot.services.package_csv import import_csv_data
from bot.services.packages import PackageService
from bot.texts import paket as texts
from bot.texts.paket import render_info, render_list, render_status
from storage.db import Database

HEADER = ("kode,kode_rup,nama_paket,satuan_kerja,tahun_anggaran,jenis_pengadaan,metode_pemilihan,"
          "pagu,hps,tahap,tahap_spse,pokmil,publik")
# 12345678 is the kode paket of an old per-LPSE tender AND the kode RUP of a national one.
ROWS = [
    '10144220000,"12345678;87654321",Jalan <Lingkar> & Jembatan,Dinas PUPR-Perkim Kaltara,2026,'
    'Pekerjaan Konstruksi,Tender,1250000000,1200000000,5,Evaluasi,Pokmil 03,ya',
    "12345678,,Alat Kesehatan Puskesmas,Dinas Kesehatan,2025,Pengadaan Barang,Tender,"
    "500000000,,3,,,ya",
    "20000001000,55550001,Paket Rahasia,RSUD dr. H. Jusuf SK,2026,Pengadaan Barang,Tender,"
    "100000000,,2,,,tidak",
]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    report = await import_csv_data(database, "\n".join([HEADER, *ROWS]).encode(), file_name="seed.csv")
    assert report.ok, report.problems
    yield database
    await database.close()


@pytest.fixture
def service(db: Database) -> PackageService:
    return PackageService(db)


async def outbox_rows(db: Database) -> list[tuple[int, str, dict[str, object]]]:
    rows = await db.fetchall("SELECT chat_id, purpose, payload FROM outbox ORDER BY id")
    return [(row["chat_id"], row["purpose"], json.loads(row["payload"])) for row in rows]


async def history_count(db: Database) -> int:
    return int(await db.fetchval("SELECT count(*) FROM package_stages"))


# --- codes -------------------------------------------------------------------------------------


def test_parse_code_accepts_digits_with_surrounding_whitespace() -> None:
    assert parse_code("  10144220000\n") == "10144220000"
    assert parse_code("106802") == "106802"
    assert parse_code("12345678") == "12345678"


@pytest.mark.parametrize("text", ["", "   ", "ABC123", "10144 220000", "10.144.220.000", "1234",
                                  "1" * 21, "１２３４５６"])
def test_parse_code_refuses_what_is_not_a_code(text: str) -> None:
    with pytest.raises(PackageError) as error:
        parse_code(text)
    assert "Kode" in texts.describe_error(error.value)
    assert isinstance(error.value, ValueError)


def test_parse_code_explains_excel_scientific_notation() -> None:
    with pytest.raises(PackageError) as error:
        parse_code("1,01442E+10")
    assert "notasi ilmiah" in texts.describe_error(error.value)


# --- stages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "stage"), [
    ("1", 1), ("5", 5), (" 6 ", 6), ("tahap 3", 3), ("Tahap ke-4", 4), ("2.", 2),
    ("reviu", 3), ("Review dokumen persiapan", 3), ("BA reviu", 4), ("pemilihan penyedia", 5),
    ("formulir", 2), ("Rencana Umum Pengadaan", 1), ("hasil pemilihan diterima", 6),
])
def test_parse_stage_numbers_and_names(text: str, stage: int) -> None:
    assert parse_stage(text) == StageChoice(stage=Stage(stage))


@pytest.mark.parametrize(("text", "outcome"), [
    ("batal", Outcome.CANCELLED), ("BATAL", Outcome.CANCELLED), ("Dibatalkan", Outcome.CANCELLED),
    ("gagal", Outcome.FAILED), ("selesai", Outcome.COMPLETED), ("dikembalikan", Outcome.RETURNED),
    ("Dikembalikan untuk perbaikan", Outcome.RETURNED), ("tender ulang", Outcome.RETENDERED),
    ("Tender-Ulang!", Outcome.RETENDERED), ("tender_ulang", Outcome.RETENDERED),
])
def test_parse_stage_outcomes(text: str, outcome: Outcome) -> None:
    assert parse_stage(text) == StageChoice(outcome=outcome)


@pytest.mark.parametrize(("text", "spse"), [
    ("pembukaan penawaran", SpseStage.PEMBUKAAN_PENAWARAN),
    ("Pembukaan Dokumen Penawaran", SpseStage.PEMBUKAAN_PENAWARAN),
    ("evaluasi", SpseStage.EVALUASI),
    ("masa sanggah", SpseStage.MASA_SANGGAH),
    ("penetapan pemenang", SpseStage.PENETAPAN_PEMENANG),
    ("Pengumuman Pemenang", SpseStage.PENGUMUMAN_PEMENANG),
    ("aanwijzing", SpseStage.PEMBERIAN_PENJELASAN),
    ("SPPBJ", SpseStage.SPPBJ),
    ("tanda tangan kontrak", SpseStage.KONTRAK),
    ("5 evaluasi", SpseStage.EVALUASI),
    ("tahap SPSE: masa sanggah", SpseStage.MASA_SANGGAH),
])
def test_parse_stage_spse_steps_imply_stage_5(text: str, spse: SpseStage) -> None:
    choice = parse_stage(text)
    assert choice == StageChoice(stage=Stage.SELECTION, spse=spse)


@pytest.mark.parametrize(("text", "expected"), [
    ("evalusi", StageChoice.of_spse(SpseStage.EVALUASI)),
    ("masa sangah", StageChoice.of_spse(SpseStage.MASA_SANGGAH)),
    ("pembukan penawaran", StageChoice.of_spse(SpseStage.PEMBUKAAN_PENAWARAN)),
    ("penetapan pemenag", StageChoice.of_spse(SpseStage.PENETAPAN_PEMENANG)),
    ("tendr ulang", StageChoice.of_outcome(Outcome.RETENDERED)),
    ("batl", StageChoice.of_outcome(Outcome.CANCELLED)),
    ("selsai", StageChoice.of_outcome(Outcome.COMPLETED)),
    ("dikembalikn", StageChoice.of_outcome(Outcome.RETURNED)),
])
def test_parse_stage_forgives_small_typos(text: str, expected: StageChoice) -> None:
    assert parse_stage(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("pemenang", {SpseStage.PENETAPAN_PEMENANG, SpseStage.PENGUMUMAN_PEMENANG}),
    ("penawaran", {SpseStage.UPLOAD_PENAWARAN, SpseStage.PEMBUKAAN_PENAWARAN}),
])
def test_parse_stage_ambiguous_offers_candidates(text: str, expected: set[SpseStage]) -> None:
    with pytest.raises(StageAmbiguous) as error:
        parse_stage(text)
    spse = {candidate.spse for candidate in error.value.candidates}
    assert expected <= spse
    assert "bisa berarti" in texts.describe_error(error.value)


def test_parse_stage_ambiguous_between_stage_and_spse() -> None:
    with pytest.raises(StageAmbiguous) as error:
        parse_stage("dokumen")
    candidates = error.value.candidates
    assert StageChoice.of_stage(3) in candidates
    assert StageChoice.of_spse(SpseStage.DOWNLOAD_DOKUMEN) in candidates


@pytest.mark.parametrize("text", ["", "0", "7", "tahap 12", "xyzzy", "kopi susu", "6 evaluasi"])
def test_parse_stage_unknown_is_a_value_error_in_indonesian(text: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_stage(text)
    assert not isinstance(error.value, StageAmbiguous)
    assert "ahap" in texts.describe_error(error.value)  # "Tahap …" / "tahap …"


@pytest.mark.parametrize("text", ["3", "masa sanggah", "batal", "tender ulang", "6"])
def test_stage_choice_key_round_trips(text: str) -> None:
    choice = parse_stage(text)
    assert StageChoice.from_key(choice.key) == choice
    assert choice.key.isascii() and len(choice.key) <= 40
    assert StageChoice.from_key("gagal:evaluasi") == StageChoice.of_outcome(Outcome.FAILED, SpseStage.EVALUASI)
    with pytest.raises(ValueError):
        StageChoice.from_key("9")


def test_stage_choice_resolution() -> None:
    at_eval = StageState(Stage.SELECTION, SpseStage.EVALUASI)
    # A bare "5" while already in stage 5 keeps the known SPSE step.
    assert StageChoice.of_stage(5).resolve(at_eval) == at_eval
    assert StageChoice.of_stage(3).resolve(at_eval) == StageState(Stage.REVIEW)
    assert StageChoice.of_outcome(Outcome.FAILED).resolve(at_eval) == StageState(
        Stage.SELECTION, SpseStage.EVALUASI, Outcome.FAILED)
    assert StageChoice.of_outcome(Outcome.CANCELLED).resolve(StageState(Stage.PREPARATION_FORM)) == StageState(
        Stage.PREPARATION_FORM, None, Outcome.CANCELLED)
    assert StageChoice.of_outcome(Outcome.COMPLETED).resolve(at_eval) == StageState(
        Stage.RESULT, None, Outcome.COMPLETED)


@pytest.mark.parametrize(("text", "value"), [
    ("1250000000", Decimal("1250000000")),
    ("1.250.000.000", Decimal("1250000000")),
    ("1.250.000.000,00", Decimal("1250000000")),
    ("Rp 1.250.000.000", Decimal("1250000000")),
    ("Rp. 15.602.948.688,00", Decimal("15602948688")),
    ("1.250.000,50", Decimal("1250000.50")),
    ("1250000.5", Decimal("1250000.5")),
    ("", None),
])
def test_parse_rupiah(text: str, value: Decimal | None) -> None:
    assert parse_rupiah(text) == value


@pytest.mark.parametrize("text", ["1,250,000,000", "satu juta", "-5", "1.25.000", "1,001x", "1.000,123"])
def test_parse_rupiah_refuses_unclear_numbers(text: str) -> None:
    with pytest.raises(PackageError):
        parse_rupiah(text)


# --- lookup ------------------------------------------------------------------------------------


async def test_find_by_kode_paket(service: PackageService) -> None:
    found = await service.find("10144220000")
    assert [package.code for package in found] == ["10144220000"]
    package = found[0]
    assert package.rup_codes == ("12345678", "87654321")
    assert package.pagu == Decimal("1250000000")
    assert package.state == StageState(Stage.SELECTION, SpseStage.EVALUASI)


async def test_find_by_kode_rup(service: PackageService) -> None:
    found = await service.find(" 87654321 ")
    assert [package.code for package in found] == ["10144220000"]


async def test_eight_digit_number_finds_both_kinds(service: PackageService) -> None:
    found = await service.find("12345678")
    # The package whose kode paket it is comes first, then the one listing it as kode RUP.
    assert [package.code for package in found] == ["12345678", "10144220000"]
    listing = render_list(found, "12345678")
    assert "[kode paket]" in listing and "[kode RUP]" in listing
    assert "Jalan &lt;Lingkar&gt; &amp; Jembatan" in listing


async def test_unknown_code_finds_nothing(service: PackageService) -> None:
    assert await service.find("99999999999") == []
    assert await service.get("99999999999") is None
    with pytest.raises(PackageError):
        await service.find("abc")


async def test_private_package_is_hidden_outside_staff(service: PackageService) -> None:
    assert await service.find("20000001000") == []
    assert await service.find("55550001") == []
    assert await service.get("20000001000") is None
    staff_view = await service.find("20000001000", include_private=True)
    assert [package.code for package in staff_view] == ["20000001000"]
    with pytest.raises(PackageNotFound):
        await service.follow("20000001000", chat_id=1, user_id=1)


# --- stage changes and notices ----------------------------------------------------------------------


async def test_stage_change_notifies_each_follower_once(db: Database, service: PackageService) -> None:
    assert await service.follow("10144220000", chat_id=101, user_id=101)
    assert await service.follow("10144220000", chat_id=-100500, user_id=102)  # a group
    assert not await service.follow("10144220000", chat_id=101, user_id=101)  # already
    assert await service.follow("12345678", chat_id=999, user_id=999)  # another package
    assert await service.followers_count("10144220000") == 2
    assert await service.is_following("10144220000", 101)
    before = await history_count(db)

    change = await service.set_stage(
        "10144220000", parse_stage("penetapan pemenang"), actor_id=7, actor_name="Sari (Biro PBJ)",
        note="Rapat Pokmil", idempotency_key="upd-1",
    )
    assert change.changed and not change.replayed
    assert change.after == StageState(Stage.SELECTION, SpseStage.PENETAPAN_PEMENANG)
    assert change.notices == 2
    rows = await outbox_rows(db)
    assert sorted(chat for chat, _, _ in rows) == [-100500, 101]
    assert {purpose for _, purpose, _ in rows} == {"package_stage"}
    text = str(rows[0][2]["text"])
    assert "Penetapan Pemenang" in text
    assert "/berhenti_ikuti 10144220000" in text
    assert "Jalan &lt;Lingkar&gt; &amp; Jembatan" in text
    assert rows[0][2]["parse_mode"] == "HTML"
    button = rows[0][2]["reply_markup"]["inline_keyboard"][0][0]  # type: ignore[index]
    assert button["callback_data"] == "pkt:stop:10144220000"
    assert await history_count(db) == before + 1

    # The same update delivered again: same answer, nothing more written.
    replay = await service.set_stage(
        "10144220000", parse_stage("penetapan pemenang"), actor_id=7, actor_name="Sari (Biro PBJ)",
        note="Rapat Pokmil", idempotency_key="upd-1",
    )
    assert replay.replayed and replay.changed and replay.notices == 2
    assert len(await outbox_rows(db)) == 2
    assert await history_count(db) == before + 1

    # Asking for the current stage again is a no-op that says so.
    same = await service.set_stage("10144220000", parse_stage("5"), actor_id=7, actor_name="Sari",
                                   idempotency_key="upd-2")
    assert not same.changed and same.notices == 0
    assert "Tidak ada perubahan" in texts.stage_change_reply(same)
    assert len(await outbox_rows(db)) == 2
    assert await history_count(db) == before + 1


async def test_history_records_actor_note_and_document(service: PackageService) -> None:
    await service.set_stage("12345678", StageChoice.of_stage(4), actor_id=42, actor_name="Andi",
                            note="BA ditandatangani")
    history = await service.history("12345678")
    last = history[-1]
    assert (last.actor_id, last.actor_name, last.note) == (42, "Andi", "BA ditandatangani")
    assert last.document == "Berita Acara Reviu Dokumen Persiapan Pemilihan Penyedia"
    assert history[0].actor_name == "impor CSV" and history[0].source == "seed.csv"


async def test_history_is_append_only(db: Database, service: PackageService) -> None:
    with pytest.raises(sqlite3.DatabaseError):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM package_stages")
    with pytest.raises(sqlite3.DatabaseError):
        async with db.transaction() as conn:
            await conn.execute("UPDATE package_stages SET note = 'x'")


async def test_private_package_sends_no_notices(db: Database, service: PackageService) -> None:
    await service.follow("12345678", chat_id=5, user_id=5)
    assert await service.set_public("12345678", False, actor_id=1, actor_name="Admin")
    assert not await service.set_public("12345678", False, actor_id=1, actor_name="Admin")
    change = await service.set_stage("12345678", StageChoice.of_stage(4), actor_id=1, actor_name="Admin")
    assert change.changed and change.notices == 0
    assert await outbox_rows(db) == []
    assert await service.find("12345678") != []  # still the kode RUP of a public package
    assert [p.code for p in await service.find("12345678")] == ["10144220000"]


async def test_unfollow_stops_notices(db: Database, service: PackageService) -> None:
    await service.follow("12345678", chat_id=5, user_id=5)
    assert await service.unfollow("12345678", chat_id=5)
    assert not await service.unfollow("12345678", chat_id=5)
    await service.set_stage("12345678", StageChoice.of_stage(4), actor_id=1, actor_name="Admin")
    assert await outbox_rows(db) == []


async def test_set_stage_unknown_package(service: PackageService) -> None:
    with pytest.raises(PackageNotFound) as error:
        await service.set_stage("99999999", StageChoice.of_stage(2), actor_id=1, actor_name="A")
    assert "tidak ditemukan" in texts.describe_error(error.value)


async def test_tender_ulang_creates_linked_package_and_moves_followers(
    db: Database, service: PackageService,
) -> None:
    await service.follow("10144220000", chat_id=101, user_id=101)
    change = await service.set_stage(
        "10144220000", parse_stage("tender ulang"), actor_id=7, actor_name="Sari",
        new_code="10144221000",
    )
    assert change.new_code == "10144221000"
    assert change.after.outcome is Outcome.RETENDERED
    old = await service.get("10144220000")
    new = await service.get("10144221000")
    assert old is not None and new is not None
    assert old.retendered_as == "10144221000" and new.retender_of == "10144220000"
    assert new.rup_codes == old.rup_codes and new.state == StageState(Stage.SELECTION)
    assert await service.is_following("10144221000", 101)
    # A kode RUP search shows the current tender, not the repeated one.
    assert [p.code for p in await service.find("87654321")] == ["10144221000"]
    rows = await outbox_rows(db)
    assert len(rows) == 1 and "10144221000" in str(rows[0][2]["text"])
    assert "Tender ulang" in render_status(old, await service.history(old.code))


# --- views ---------------------------------------------------------------------------------------


async def test_status_view(service: PackageService) -> None:
    package = await service.get("10144220000")
    assert package is not None
    html = render_status(package, await service.history(package.code))
    assert "Jalan &lt;Lingkar&gt; &amp; Jembatan" in html
    assert "<Lingkar>" not in html
    assert html.count("✅") == 4 and html.count("▶️") == 1 and html.count("▫️") == 1
    assert "Tahap SPSE: <b>Evaluasi</b>" in html
    assert "Rp 1.250.000.000" in html and "Rp 1.200.000.000" in html
    assert "Dinas PUPR-Perkim Kaltara" in html and "2026" in html
    assert "Terakhir diperbarui" in html and "WITA" in html
    assert "Pokmil 03" not in html  # staff-only detail


async def test_outcome_is_prominent(service: PackageService) -> None:
    await service.set_stage("12345678", parse_stage("batal"), actor_id=1, actor_name="A")
    package = await service.get("12345678")
    assert package is not None
    html = render_status(package, await service.history(package.code))
    assert "Paket dibatalkan" in html
    assert "⛔ 3." in html


async def test_info_view_has_everything(service: PackageService) -> None:
    await service.follow("10144220000", chat_id=1, user_id=1)
    package = await service.get("10144220000")
    assert package is not None
    html = render_info(package, await service.history(package.code),
                       await service.followers_count(package.code))
    assert "Pokmil 03" in html and "Pengikut: 1" in html and "impor CSV" in html
    assert "seed.csv" in html and "🌐 Publik" in html
