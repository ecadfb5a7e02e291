"""CSV import/export of packages: formats, all-or-nothing validation, idempotence, round trip."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from bot.domain.package_csv import COLUMNS, parse_file
from bot.domain.packages import Outcome, SpseStage, Stage, StageState, parse_stage
from bot.services.package_csv import export_csv, import_csv, import_csv_data, import_demo
from bot.services.packages import PackageService
from bot.texts.paket import describe_error, render_import_report
from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.sqlite3")
    yield database
    await database.close()


async def count(db: Database, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))


def write(path: Path, text: str, *, bom: bool = False, encoding: str = "utf-8") -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


COMMA_FILE = """\
kode,kode_rup,nama_paket,satuan_kerja,tahun_anggaran,tahap,pagu,hps,tahap_spse
10144220000,12345678;87654321,Peningkatan Jalan Tanjung Selor,Dinas PUPR-Perkim Kaltara,2026,5,1250000000,1200000000,Pembukaan Dokumen Penawaran
10130232000,,Rehabilitasi Puskesmas,Dinas Kesehatan,2026,2,,,
"""

SEMICOLON_FILE = """\
kode;kode_rup;nama_paket;satuan_kerja;tahun_anggaran;jenis_pengadaan;metode_pemilihan;pagu;hps;tahap;pemenang;nilai_kontrak
10144220000;"12345678;87654321";Peningkatan Jalan Tanjung Selor;Dinas PUPR-Perkim Kaltara;2026;Pekerjaan Konstruksi;Tender;Rp 1.250.000.000;1.200.000.000,00;selesai;PT Benua Etam;1.187.654.321,50
106802;;Alat Kesehatan "Terpadu";RSUD dr. H. Jusuf SK;2026;Pengadaan Barang;Tender Cepat;750.000.000;;Dikembalikan;;
"""


async def test_import_comma_file(db: Database, tmp_path: Path) -> None:
    report = await import_csv(db, write(tmp_path / "paket.csv", COMMA_FILE))
    assert report.ok, report.problems
    assert report.delimiter == ","
    assert report.created == ("10144220000", "10130232000")
    service = PackageService(db)
    package = await service.get("10144220000")
    assert package is not None
    assert package.rup_codes == ("12345678", "87654321")
    assert package.pagu == Decimal("1250000000") and package.hps == Decimal("1200000000")
    assert package.state == StageState(Stage.SELECTION, SpseStage.PEMBUKAAN_PENAWARAN)
    history = await service.history("10144220000")
    assert len(history) == 1
    assert (history[0].actor_name, history[0].source) == ("impor CSV", "paket.csv")


async def test_import_semicolon_file_with_bom_and_indonesian_numbers(db: Database, tmp_path: Path) -> None:
    report = await import_csv(db, write(tmp_path / "excel.csv", SEMICOLON_FILE, bom=True))
    assert report.ok, report.problems
    assert report.delimiter == ";"
    service = PackageService(db)
    package = await service.get("10144220000")
    assert package is not None
    assert package.pagu == Decimal("1250000000")
    assert package.hps == Decimal("1200000000")
    assert package.contract_value == Decimal("1187654321.50")
    assert package.winner == "PT Benua Etam"
    assert package.state == StageState(Stage.RESULT, None, Outcome.COMPLETED)
    other = await service.get("106802")
    assert other is not None
    assert other.name == 'Alat Kesehatan "Terpadu"'
    assert other.state.outcome is Outcome.RETURNED
    # Money is stored exactly, in sen.
    assert await db.fetchval("SELECT contract_sen FROM packages WHERE code = '10144220000'") == 118765432150


async def test_invalid_file_imports_nothing_and_lists_every_bad_line(db: Database) -> None:
    text = "\n".join([
        "kode;nama_paket;satuan_kerja;tahun_anggaran;tahap;pagu;kode_rup",
        "10144220000;Paket baik;Dinas PUPR;2026;3;1.000.000;12345678",        # 2: fine
        "10144221000;;Dinas PUPR;2026;3;;",                                   # 3: no name
        "10144222000;Paket;Dinas PUPR;2026;3;satu juta;",                     # 4: bad number
        "10144223000;Paket;Dinas PUPR;2026;lelang cepat sekali;;",            # 5: unknown stage
        "10144220000;Paket kembar;Dinas PUPR;2026;2;;",                       # 6: duplicate kode
        "10A44224000;Paket;Dinas PUPR;2026;2;;",                              # 7: letters in code
        "10144225000;Paket;Dinas PUPR;1999;2;;",                              # 8: year out of range
        "",                                                                   # 9: blank, skipped
        "10144226000;Paket;Dinas PUPR;2026;2;;12AB",                          # 10: bad kode RUP
        "10144227000;Paket;;dua ribu;9;;",                                    # 11: three problems
    ])
    report = await import_csv_data(db, text.encode(), file_name="salah.csv")
    assert not report.ok
    lines = sorted({problem.line for problem in report.problems})
    assert lines == [3, 4, 5, 6, 7, 8, 10, 11]
    by_line = {line: [describe_error(p.problem) for p in report.problems if p.line == line] for line in lines}
    assert "nama_paket" in by_line[3][0] and "wajib diisi" in by_line[3][0]
    assert "pagu" in by_line[4][0]
    assert "tahap" in by_line[5][0]
    assert "baris 2" in by_line[6][0]
    assert "angka" in by_line[7][0]
    assert "1999" in by_line[8][0]
    assert "kode_rup" in by_line[10][0]
    assert len(by_line[11]) == 3
    assert await count(db, "packages") == 0
    assert await count(db, "package_stages") == 0
    rendered = render_import_report(report)
    assert "tidak ada data yang diubah" in rendered
    assert "Baris 11" in rendered


async def test_invalid_file_leaves_existing_data_alone(db: Database) -> None:
    assert (await import_csv_data(db, COMMA_FILE.encode(), file_name="a.csv")).ok
    changed_but_broken = COMMA_FILE.replace(",2,,,", ",4,,,") + "123,,x,y,2026,1,,,\n"
    report = await import_csv_data(db, changed_but_broken.encode(), file_name="b.csv")
    assert [problem.line for problem in report.problems] == [4]
    package = await PackageService(db).get("10130232000")
    assert package is not None and package.state.stage is Stage.PREPARATION_FORM
    assert await count(db, "package_stages") == 2


@pytest.mark.parametrize(("text", "needle"), [
    ("nama_paket,satuan_kerja,tahun_anggaran,tahap\nx,y,2026,1\n", "kode"),
    ("kode,nama_paket,satuan_kerja,tahun_anggaran,tahap,warna\n", "warna"),
    ("kode,kode,nama_paket,satuan_kerja,tahun_anggaran,tahap\n", "lebih dari sekali"),
    ("", "kosong"),
])
async def test_header_problems(db: Database, text: str, needle: str) -> None:
    report = await import_csv_data(db, text.encode(), file_name="h.csv")
    assert not report.ok
    assert needle in describe_error(report.problems[0].problem)


async def test_non_utf8_file_is_refused_clearly(db: Database) -> None:
    text = "kode;nama_paket;satuan_kerja;tahun_anggaran;tahap\n10144220000;Café Sehat;Dinas;2026;1\n"
    report = await import_csv_data(db, text.encode("cp1252"), file_name="lama.csv")
    assert not report.ok
    assert "UTF-8" in describe_error(report.problems[0].problem) and "baris 2" in describe_error(report.problems[0].problem)
    assert await count(db, "packages") == 0


async def test_reimport_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "excel.csv", SEMICOLON_FILE, bom=True)
    service = PackageService(db)
    await import_csv(db, path)
    await service.follow("106802", chat_id=77, user_id=77)
    before = await service.get("106802")
    history_before = await count(db, "package_stages")

    report = await import_csv(db, path)
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == ((), (), 2)
    assert await count(db, "package_stages") == history_before
    assert await count(db, "outbox") == 0
    after = await service.get("106802")
    assert after == before  # updated_at included


async def test_import_stage_change_notifies_followers_like_staff(db: Database) -> None:
    await import_csv_data(db, COMMA_FILE.encode(), file_name="a.csv")
    service = PackageService(db)
    await service.follow("10130232000", chat_id=77, user_id=77)
    await service.follow("10144220000", chat_id=88, user_id=88)
    # Row 1: only the HPS changes (history, no notice). Row 2: the stage changes (notice).
    edited = COMMA_FILE.replace("1200000000", "1190000000").replace(",2,,,", ",3,,,")
    report = await import_csv_data(db, edited.encode(), file_name="b.csv")
    assert report.ok
    assert report.updated == ("10144220000", "10130232000") and report.stage_changes == 1
    assert report.notices == 1
    rows = await db.fetchall("SELECT chat_id, payload FROM outbox")
    assert [row["chat_id"] for row in rows] == [77]
    assert "Reviu dokumen persiapan" in json.loads(rows[0]["payload"])["text"]
    data_entry = (await service.history("10144220000"))[-1]
    assert data_entry.kind == "data" and "HPS" in (data_entry.note or "")
    assert data_entry.source == "b.csv"


async def test_export_then_import_round_trips(db: Database, tmp_path: Path) -> None:
    assert (await import_demo(db)).ok
    service = PackageService(db)
    await service.set_stage("99999001000", parse_stage("masa sanggah"), actor_id=1, actor_name="A",
                            note="Catatan, dengan koma; dan titik koma")
    await service.set_public("99999002000", False, actor_id=1, actor_name="A")
    exported = tmp_path / "ekspor.csv"
    written = await export_csv(db, exported)
    assert written == await count(db, "packages")
    raw = exported.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)

    history_before = await count(db, "package_stages")
    report = await import_csv(db, exported)
    assert report.ok, report.problems
    assert report.unchanged == written and not report.updated and not report.created
    assert await count(db, "package_stages") == history_before

    # Into an empty database, the same file exports back identically.
    other = await Database.open(tmp_path / "other.sqlite3")
    try:
        assert (await import_csv(other, exported)).ok
        again = tmp_path / "ekspor2.csv"
        await export_csv(other, again)
        assert again.read_bytes() == raw
        hidden = await PackageService(other).get("99999002000")
        assert hidden is None  # the private flag travelled too
    finally:
        await other.close()


async def test_export_with_semicolons_for_indonesian_excel(db: Database, tmp_path: Path) -> None:
    await import_csv_data(db, SEMICOLON_FILE.encode(), file_name="a.csv")
    path = tmp_path / "x.csv"
    await export_csv(db, path, delimiter=";")
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ";".join(COLUMNS)
    assert "1187654321,50" in text
    report = await import_csv(db, path)
    assert report.ok and report.unchanged == 2


async def test_demo_file_is_labelled_and_complete(db: Database) -> None:
    raw = (resources.files("bot") / "data" / "demo_packages.csv").read_bytes()
    parsed = parse_file(raw)
    assert not parsed.problems
    rows = [row for _, row in parsed.rows]
    assert 8 <= len(rows) <= 12
    assert all(row.nama_paket.startswith("[DEMO]") for row in rows)
    assert all(row.tahun_anggaran == 2026 for row in rows)
    assert any(len(row.kode_rup) >= 2 for row in rows)
    assert any(row.tahap_spse is not None for row in rows)
    assert any(row.tahap.outcome is not None for row in rows)
    assert {int(row.tahap.stage) for row in rows if row.tahap.stage} == {1, 2, 3, 4, 5, 6}
    report = await import_demo(db)
    assert report.ok and len(report.created) == len(rows)


async def test_retender_link_from_csv(db: Database) -> None:
    text = "\n".join([
        "kode,nama_paket,satuan_kerja,tahun_anggaran,tahap,tender_ulang_dari,kode_rup",
        "10144221000,Ambulans (ulang),RSUD,2026,5,10144220000,12345678",
        "10144220000,Ambulans,RSUD,2026,tender ulang,,12345678",
    ])
    report = await import_csv_data(db, text.encode(), file_name="r.csv")
    assert report.ok, report.problems
    service = PackageService(db)
    old = await service.get("10144220000")
    assert old is not None and old.retendered_as == "10144221000"
    assert [p.code for p in await service.find("12345678")] == ["10144221000"]

    bad = "\n".join([
        "kode,nama_paket,satuan_kerja,tahun_anggaran,tahap,tender_ulang_dari",
        "10144222000,Lagi,RSUD,2026,5,10144220000",   # 2: the old tender already has a re-tender
        "10144223000,Entah,RSUD,2026,5,55555555555",  # 3: unknown package
        "10144224000,Diri,RSUD,2026,5,10144224000",   # 4: itself
    ])
    report = await import_csv_data(db, bad.encode(), file_name="r2.csv")
    assert [problem.line for problem in report.problems] == [2, 3, 4]
