"""SPSE end to end: the real bot and SQLite file, the Bot API double, and a loopback LPSE.

Also staff /paket_tahap beside SPSE: confirmations for contradictions and odd jumps, public notes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as cli_main
from bot.cli.check import check_spse, run_checks
from bot.fakebot import SentMessage
from bot.fakebot.request import FakeRequest
from bot.services.package_csv import import_csv
from bot.services.spse import SpseService
from bot.texts import common as common_texts
from bot.texts import paket as paket_texts
from storage.db import Database
from tests.conftest import WITA, Bench, make_settings
from tests.lpse_double import FakePackage, LpseDouble

JALAN = "10210011000"  # tender in evaluation, re-tender, two kode RUP
ATK = "10210012000"  # non-tender, running
JEMBATAN = "10210013000"  # finished, with a winner and a contract
RUP_JALAN = "51234567"
EVALUASI = "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga"


def jalan() -> FakePackage:
    return FakePackage(
        JALAN, "Pembangunan Jalan Lingkar Tanjung Selor Segmen 2", stage=EVALUASI,
        rup=(RUP_JALAN, "51234599"), badges=("Tender Ulang",), hps="Rp. 12.350.000.000,00",
        work_unit="Dinas Pekerjaan Umum dan Penataan Ruang",
        schedule=[("Pengumuman Pascakualifikasi", "01 Desember 2026 08:00", "03 Desember 2026 16:00", ""),
                  ("Upload Dokumen Penawaran", "02 Desember 2026 08:00", "04 Desember 2026 23:59", ""),
                  (EVALUASI, "07 Desember 2026 08:00", "08 Desember 2026 16:00", "1 kali perubahan"),
                  ("Pembuktian Kualifikasi", "09 Desember 2026 08:00", "10 Desember 2026 16:00", ""),
                  ("Pengumuman Pemenang", "11 Desember 2026 08:00", "11 Desember 2026 16:00", "")])


def lpse_packages() -> list[FakePackage]:
    return [
        jalan(),
        FakePackage(ATK, "Belanja Alat Tulis Kantor Biro PBJ", kind="non_tender", stage="Paket Sedang Berjalan",
                    rup=("51234568",), method="Pengadaan Langsung", procurement_type="Pengadaan Barang",
                    work_unit="Biro Pengadaan Barang dan Jasa"),
        FakePackage(JEMBATAN, "Rehabilitasi Jembatan Sesayap", stage="Tender Sudah Selesai", rup=("51234569",),
                    contract="Rp. 4.100.000.000,00", winner=("PT Benuanta Jaya Konstruksi", "Rp. 4.100.000.000,00")),
    ]


@pytest.fixture
def lpse() -> Iterator[LpseDouble]:
    double = LpseDouble().start()
    for package in lpse_packages():
        double.add(package)
    try:
        yield double
    finally:
        double.down()


def spse_section(lpse: LpseDouble, **extra: Any) -> dict[str, Any]:
    return {"enabled": True, "base_url": lpse.base_url, "years": [2026], "request_interval_seconds": 0,
            "backoff_seconds": 0, "retries": 1, "lookup_timeout_seconds": 5, **extra}


@pytest.fixture
async def bench(tmp_path: Path, lpse: LpseDouble) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path, spse=spse_section(lpse))
    bench.clock.set(dt.datetime(2026, 12, 3, 10, 0, tzinfo=WITA))
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()
    for message in bench.fake.sent():
        assert common_texts.SOMETHING_WENT_WRONG not in message.rendered
        assert len(message.rendered) <= 4096


async def sinkron(bench: Bench) -> str:
    """/sinkron in the staff chat; returns the summary the bot posts when the sync is done."""
    started = await bench.staff_says("/sinkron")
    assert any("Sinkronisasi SPSE dimulai" in m.rendered for m in started)
    await bench.desk.spse.wait()
    await bench.desk.outbox.drain()
    return bench.last(bench.staff_chat_id).rendered


async def view(bench: Bench, code: str) -> str:
    sent = await bench.say(bench.citizen, f"/paket {code}")
    assert len(sent) == 1
    return sent[0].rendered


async def test_sync_creates_packages_found_by_kode_tender_and_kode_rup(bench: Bench, lpse: LpseDouble) -> None:
    summary = await sinkron(bench)
    assert "Sinkronisasi SPSE selesai: 3 paket terbaca" in summary and "Paket baru: 3" in summary

    shown = await view(bench, JALAN)
    assert "📦 Pembangunan Jalan Lingkar Tanjung Selor Segmen 2" in shown
    assert "<span" not in shown and "badge" not in shown  # the HTML badge is no part of the name
    assert f"Kode RUP: {RUP_JALAN}, 51234599" in shown
    assert "▶️ 5. Pemilihan penyedia oleh Pokmil" in shown and "Tahap SPSE: Evaluasi" in shown
    assert "Instansi: Pemerintah Daerah Provinsi Kalimantan Utara" in shown
    assert "Satuan kerja: Dinas Pekerjaan Umum dan Penataan Ruang" in shown
    assert "🔁 Tender ulang (ditandai di SPSE)" in shown
    assert f"Jadwal: {EVALUASI} s.d. Selasa, 8 Desember 2026 16.00" in shown
    assert "Berikutnya: Pembuktian Kualifikasi, mulai Rabu, 9 Desember 2026 08.00" in shown
    assert "HPS: Rp 12.350.000.000" in shown
    assert "data SPSE per Kamis, 03 Desember 2026 pukul 10.00 WITA" in shown

    by_rup = await view(bench, RUP_JALAN)
    assert "Pembangunan Jalan Lingkar Tanjung Selor Segmen 2" in by_rup
    non_tender = await view(bench, "51234568")
    assert "Belanja Alat Tulis Kantor Biro PBJ" in non_tender and "Tahap di SPSE: Paket Sedang Berjalan" in non_tender
    finished = await view(bench, JEMBATAN)
    assert "🏁 Selesai" in finished and "Pemenang: PT Benuanta Jaya Konstruksi" in finished
    assert "Nilai kontrak: Rp 4.100.000.000" in finished
    # Known codes are answered from the database: SPSE hears nothing of these lookups.
    assert lpse.count("announcement") == 3


async def test_resync_updates_and_tells_followers_of_each_change(bench: Bench, lpse: LpseDouble) -> None:
    await sinkron(bench)
    follow = await bench.say(bench.citizen, f"/ikuti {JALAN}")
    assert "Anda kini mengikuti" in follow[0].rendered

    # Nothing changed on SPSE: nothing to tell, no detail page asked again.
    lpse.reset_counts()
    summary = await sinkron(bench)
    assert "Paket baru: 0" in summary and "Kabar ke pengikut: 0" in summary
    assert lpse.count("announcement") == 0 and lpse.count("schedule") == 0
    assert not [m for m in bench.fake.sent(bench.citizen.id) if "Perkembangan paket" in m.rendered]

    bench.clock.set(dt.datetime(2026, 12, 9, 10, 0, tzinfo=WITA))
    lpse.packages[JALAN].stage = "Pembuktian Kualifikasi"
    before = len(bench.fake.sent(bench.citizen.id))
    summary = await sinkron(bench)
    assert "Perubahan tahap: 1" in summary and "Kabar ke pengikut: 1" in summary
    assert f"{JALAN} Pembangunan Jalan" in summary and "→ 5. Pemilihan penyedia oleh Pokmil — Pembuktian" in summary
    notices = [m.rendered for m in bench.fake.sent(bench.citizen.id)[before:]]
    assert len(notices) == 1
    notice = notices[0]
    assert "Pembangunan Jalan Lingkar Tanjung Selor Segmen 2" in notice and JALAN in notice
    assert "Sebelumnya: 5. Pemilihan penyedia oleh Pokmil — Evaluasi" in notice
    assert "Sekarang: 5. Pemilihan penyedia oleh Pokmil — Pembuktian Kualifikasi" in notice
    assert "Jadwal: Pembuktian Kualifikasi s.d. Kamis, 10 Desember 2026 16.00" in notice

    # The schedule moves: followers hear it too.
    lpse.packages[JALAN].schedule[3] = ("Pembuktian Kualifikasi", "09 Desember 2026 08:00",
                                        "14 Desember 2026 16:00", "1 kali perubahan")
    bench.clock.set(dt.datetime(2026, 12, 9, 17, 0, tzinfo=WITA))  # past the 6-hour refresh
    before = len(bench.fake.sent(bench.citizen.id))
    summary = await sinkron(bench)
    assert "Jadwal berubah: 1" in summary
    notice = bench.fake.sent(bench.citizen.id)[before:][0].rendered
    assert "Jadwal tender di SPSE berubah" in notice and "s.d. Senin, 14 Desember 2026 16.00" in notice

    # The winner is announced.
    lpse.packages[JALAN].stage = "Pengumuman Pemenang"
    lpse.packages[JALAN].winner = ("CV Kayan Mandiri", "Rp. 11.900.000.000,00")
    before = len(bench.fake.sent(bench.citizen.id))
    summary = await sinkron(bench)
    assert "Pemenang diumumkan: 1" in summary
    notice = bench.fake.sent(bench.citizen.id)[before:][0].rendered
    assert "Pemenang diumumkan: CV Kayan Mandiri — Rp 11.900.000.000" in notice
    assert "Pemenang: CV Kayan Mandiri" in await view(bench, JALAN)

    # The history says where each change came from.
    info = [m for m in await bench.staff_says(f"/paket_info {JALAN}") if m.chat_id == bench.staff_chat_id][-1]
    assert "oleh SPSE" in info.rendered and "Sumber: SPSE kaltaraprov" in info.rendered
    assert "Tahap di SPSE: Pembuktian Kualifikasi" in info.rendered


async def test_staff_stages_1_to_4_still_show_beside_spse(bench: Bench, lpse: LpseDouble, tmp_path: Path) -> None:
    csv = tmp_path / "paket.csv"
    csv.write_text(
        "kode;kode_rup;nama_paket;satuan_kerja;tahun_anggaran;tahap\n"
        "10210014000;51234570;Gedung Arsip;Biro Umum;2026;3\n", encoding="utf-8")
    assert not (await import_csv(bench.desk.db, csv)).problems
    lpse.add(FakePackage("10210014000", "Pembangunan Gedung Arsip Daerah", stage="Download Dokumen Pemilihan",
                         rup=("51234570",)))
    await sinkron(bench)
    shown = await view(bench, "10210014000")
    assert "✅ 3. Reviu dokumen persiapan" in shown and "(03 Des 2026" in shown
    assert "▶️ 5. Pemilihan penyedia oleh Pokmil" in shown and "Tahap SPSE: Download Dokumen Pemilihan" in shown
    assert "Pembangunan Gedung Arsip Daerah" in shown


async def test_unknown_code_is_looked_up_live_and_stored(bench: Bench, lpse: LpseDouble) -> None:
    lpse.add(FakePackage("10210021000", "Pengadaan Kapal Patroli", stage="Upload Dokumen Penawaran",
                         rup=("51239991",),
                         schedule=[("Upload Dokumen Penawaran", "01 Desember 2026 08:00", "04 Desember 2026 16:00", "")]))
    shown = await view(bench, "10210021000")
    assert "Pengadaan Kapal Patroli" in shown and "Tahap SPSE: Upload Dokumen Penawaran" in shown
    assert "Jadwal: Upload Dokumen Penawaran s.d. Jumat, 4 Desember 2026 16.00" in shown
    asked = len(lpse.requests)
    assert "Pengadaan Kapal Patroli" in await view(bench, "10210021000")
    assert len(lpse.requests) == asked  # stored: the second answer comes from the database
    assert "Anda kini mengikuti" in (await bench.say(bench.citizen, "/ikuti 10210021000"))[0].rendered

    # By kode RUP: SPSE's search, then the candidate's announcement.
    lpse.add(FakePackage("10210022000", "Pengadaan Mobil Ambulans", kind="non_tender",
                         stage="Paket Sedang Berjalan", rup=("51239992",)))
    assert "Pengadaan Mobil Ambulans" in await view(bench, "51239992")

    unknown = await view(bench, "10299999000")
    assert "10299999000 tidak ditemukan" in unknown


async def test_spse_down_says_so_and_cached_packages_still_show(bench: Bench, lpse: LpseDouble,
                                                                tmp_path: Path) -> None:
    await sinkron(bench)
    lpse.down()
    cached = await view(bench, JALAN)
    assert "Pembangunan Jalan Lingkar" in cached and "data SPSE per" in cached
    unknown = await view(bench, "10299999000")
    assert "SPSE sedang tidak dapat dihubungi" in unknown and "tidak ditemukan" not in unknown

    bench.clock.set(dt.datetime(2026, 12, 3, 11, 0, tzinfo=WITA))
    summary = await sinkron(bench)
    assert "Sinkronisasi SPSE gagal; data tidak diubah" in summary
    assert "data SPSE per Kamis, 03 Desember 2026 pukul 10.00 WITA" in await view(bench, JALAN)

    # An LPSE that answers with its error page is just as unreachable.
    lpse.up()
    lpse.mode = "error"
    assert "SPSE sedang tidak dapat dihubungi" in await view(bench, "10299998000")

    result = check_spse(bench.settings)
    assert result.ok and result.warning
    assert result.detail.startswith(f"{lpse.base_url}/kaltaraprov: terakhir berhasil Kamis, 03 Desember 2026")
    assert ", gagal Kamis, 03 Desember 2026" in result.detail and "SpseUnavailable" in result.detail


async def test_malformed_responses_are_refused_without_crashing(bench: Bench, lpse: LpseDouble) -> None:
    # A garbage announcement page: the package still comes from its list row.
    lpse.page_modes["announcement"] = "garbage"
    summary = await sinkron(bench)
    assert "Paket baru: 3" in summary and "ditolak/tidak ada: 3" in summary
    assert "Pembangunan Jalan Lingkar" in await view(bench, JALAN)
    # Without the page there is no kode RUP; asked live, SPSE still answers garbage: said as such.
    assert "SPSE sedang tidak dapat dihubungi" in await view(bench, RUP_JALAN)
    lpse.page_modes.clear()

    # Wrong JSON, or a response far beyond any real one: the sync fails and changes nothing.
    lpse.packages[JALAN].stage = "Tender Batal"
    for mode in ("wrong_json", "huge"):
        lpse.page_modes["list"] = mode
        summary = await sinkron(bench)
        assert "Sinkronisasi SPSE gagal; data tidak diubah" in summary and "SpseRefused" in summary
        assert "Tahap SPSE: Evaluasi" in await view(bench, JALAN)
    lpse.page_modes.clear()
    lpse.mode = "huge"
    assert "SPSE sedang tidak dapat dihubungi" in await view(bench, "10299997000")
    lpse.mode = None
    summary = await sinkron(bench)
    assert "Perubahan tahap: 1" in summary
    assert "⛔ Paket dibatalkan" in await view(bench, JALAN)


async def test_unknown_stage_text_is_kept_verbatim_and_logged_once(bench: Bench, lpse: LpseDouble,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    await sinkron(bench)
    lpse.packages[JALAN].stage = "Tahap Uji Coba Versi Baru"
    lpse.add(FakePackage("10210031000", "Paket Lain", stage="Tahap Uji Coba Versi Baru"))
    with caplog.at_level(logging.WARNING, logger="bot.services.spse"):
        summary = await sinkron(bench)
        await sinkron(bench)
    assert "tidak dikenal (disimpan apa adanya): “Tahap Uji Coba Versi Baru”" in summary
    logged = [r for r in caplog.records if "not recognised" in r.getMessage()]
    assert len(logged) == 1
    shown = await view(bench, JALAN)
    assert "Tahap di SPSE: Tahap Uji Coba Versi Baru" in shown and "Tahap SPSE: Evaluasi" in shown


def test_cli_sync_and_check(tmp_path: Path, lpse: LpseDouble, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nstaff_chat_id = -100\n[storage]\ndatabase = "{tmp_path / "db.sqlite3"}"\n'
        f'[spse]\nenabled = true\nbase_url = "{lpse.base_url}"\nyears = [2026]\n'
        "request_interval_seconds = 0\nbackoff_seconds = 0\n", encoding="utf-8")
    assert cli_main(["check", "--config", str(config), "--migrate"]) == 1  # no token: fine here
    out = capsys.readouterr().out
    assert "⚠ SPSE:" in out and "belum pernah berhasil" in out
    assert cli_main(["spse", "sync", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Sinkronisasi SPSE selesai: 3 paket terbaca." in out and "Paket baru: 3" in out
    settings = make_settings(tmp_path, -100, storage={"database": str(tmp_path / "db.sqlite3")},
                             spse=spse_section(lpse))
    results = asyncio.run(run_checks(settings, migrate=False, request=FakeRequest(_fake_telegram())))
    spse = next(r for r in results if r.name == "SPSE")
    assert spse.ok and not spse.warning and "terakhir berhasil" in spse.detail and "belum pernah gagal" in spse.detail

    off = tmp_path / "off.toml"
    off.write_text(f'[storage]\ndatabase = "{tmp_path / "db.sqlite3"}"\n', encoding="utf-8")
    assert cli_main(["spse", "sync", "--config", str(off)]) == 2


def _fake_telegram() -> Any:
    from bot.fakebot import FakeTelegram
    from tests.conftest import TOKEN

    return FakeTelegram(token=TOKEN)


async def test_syncs_never_overlap(tmp_path: Path, lpse: LpseDouble) -> None:
    settings = make_settings(tmp_path, -100, spse=spse_section(lpse))
    db = await Database.open(settings.storage.database)
    try:
        first, second = SpseService(db, settings.spse), SpseService(db, settings.spse)
        reports = await asyncio.gather(first.sync("a"), first.sync("b"), second.sync("c"))
        assert sum(r.ok for r in reports) == 1 and sum(r.skipped for r in reports) == 2
        assert lpse.count("session") == 1
    finally:
        await db.close()


# --- staff /paket_tahap beside SPSE ------------------------------------------------------------

REVIU = "10210041000"  # staff's own package, stage 3, not on SPSE


async def staff(bench: Bench, text: str) -> SentMessage:
    sent = [m for m in await bench.staff_says(text) if m.chat_id == bench.staff_chat_id]
    assert sent, f"no answer to {text!r}"
    return sent[-1]


async def press(bench: Bench, message: SentMessage, data: str) -> list[SentMessage]:
    return await bench.press(bench.officer, message, data)


async def stage_of(bench: Bench, code: str) -> str:
    package = await bench.desk.packages.get(code, include_private=True)
    return paket_texts.state_label(package.state)


async def add_reviu_package(bench: Bench, tmp_path: Path) -> None:
    csv = tmp_path / "reviu.csv"
    csv.write_text("kode;kode_rup;nama_paket;satuan_kerja;tahun_anggaran;tahap\n"
                   f"{REVIU};51234580;Pengadaan Meubelair Kantor;Biro Umum;2026;3\n", encoding="utf-8")
    assert not (await import_csv(bench.desk.db, csv)).problems


async def test_staff_contradicting_spse_is_told_spse_stage_and_asked(bench: Bench) -> None:
    await sinkron(bench)
    await bench.say(bench.citizen, f"/ikuti {JALAN}")
    question = await staff(bench, f"/paket_tahap {JALAN} masa sanggah sanggahan masuk")
    assert "Menurut SPSE" in question.rendered
    assert "5. Pemilihan penyedia oleh Pokmil — Evaluasi" in question.rendered
    assert "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga" in question.rendered
    assert [data for _, data in question.buttons] == [f"pkt:yakin:ya:{JALAN}", f"pkt:yakin:tidak:{JALAN}"]
    assert "Evaluasi" in await stage_of(bench, JALAN)  # nothing recorded yet

    before = len(bench.fake.sent(bench.citizen.id))
    answers = await press(bench, question, f"pkt:yakin:ya:{JALAN}")
    assert any("Posisi paket" in m.rendered and "Masa Sanggah" in m.rendered for m in answers)
    assert "Masa Sanggah" in await stage_of(bench, JALAN)
    notices = bench.fake.sent(bench.citizen.id)[before:]
    assert len(notices) == 1 and "Sekarang: 5. Pemilihan penyedia oleh Pokmil — Masa Sanggah" in notices[0].rendered

    # Going back to SPSE's own step agrees with SPSE, but is still a step backwards: asked too.
    back = await staff(bench, f"/paket_tahap {JALAN} evaluasi")
    assert "langkah mundur" in back.rendered and "Menurut SPSE" not in back.rendered


async def test_backwards_jump_and_early_outcome_ask_first(bench: Bench, tmp_path: Path) -> None:
    await add_reviu_package(bench, tmp_path)
    question = await staff(bench, f"/paket_tahap {REVIU} 1 salah catat")
    assert "langkah mundur" in question.rendered and "3. Reviu" in question.rendered
    dropped = await press(bench, question, f"pkt:yakin:tidak:{REVIU}")
    assert any("tidak diubah" in m.rendered for m in dropped)
    assert (await stage_of(bench, REVIU)).startswith("3.")

    early = await staff(bench, f"/paket_tahap {REVIU} selesai")
    assert "hasil akhir" in early.rendered and "Selesai" in early.rendered
    assert (await stage_of(bench, REVIU)).startswith("3.")
    await press(bench, early, f"pkt:yakin:ya:{REVIU}")
    assert await stage_of(bench, REVIU) == "Selesai"

    # Forward steps and returned documents are ordinary: no question.
    await add_reviu_package_second(bench, tmp_path)
    assert "✅ Posisi paket" in (await staff(bench, "/paket_tahap 10210042000 4")).rendered
    assert "✅ Posisi paket" in (await staff(bench, "/paket_tahap 10210042000 dikembalikan")).rendered


async def add_reviu_package_second(bench: Bench, tmp_path: Path) -> None:
    csv = tmp_path / "reviu2.csv"
    csv.write_text("kode;kode_rup;nama_paket;satuan_kerja;tahun_anggaran;tahap\n"
                   "10210042000;51234581;Pengadaan Laptop;Biro Umum;2026;3\n", encoding="utf-8")
    assert not (await import_csv(bench.desk.db, csv)).problems


async def test_public_note_reaches_followers_and_private_note_does_not(bench: Bench, tmp_path: Path) -> None:
    await add_reviu_package(bench, tmp_path)
    await bench.say(bench.citizen, f"/ikuti {REVIU}")
    before = len(bench.fake.sent(bench.citizen.id))
    await staff(bench, f"/paket_tahap {REVIU} 4 publik: semua dokumen sudah lengkap")
    await staff(bench, f"/paket_tahap {REVIU} 5 pokmil rapat internal")
    notices = [m.rendered for m in bench.fake.sent(bench.citizen.id)[before:]]
    assert len(notices) == 2
    assert "📝 Catatan petugas: semua dokumen sudah lengkap" in notices[0]
    assert "Catatan petugas" not in notices[1] and "rapat internal" not in notices[1]


# --- the scheduled sync ---------------------------------------------------------------------------


async def test_scheduled_sync_runs_in_office_hours_and_backs_off_after_failures(bench: Bench,
                                                                                lpse: LpseDouble) -> None:
    from bot.delivery.jobs import SPSE_SKIP_KEY, _run_spse_sync

    desk = bench.desk
    bench.clock.set(dt.datetime(2026, 12, 5, 10, 0, tzinfo=WITA))  # a Saturday: office closed
    await _run_spse_sync(desk)
    assert lpse.requests == []
    bench.clock.set(dt.datetime(2026, 12, 7, 10, 0, tzinfo=WITA))  # Monday morning
    await _run_spse_sync(desk)
    assert lpse.count("list") == 2 and await desk.packages.get(JALAN) is not None

    lpse.down()
    await _run_spse_sync(desk)  # first failure: the next run still tries
    assert desk.spse.failures == 1 and desk.extras[SPSE_SKIP_KEY] == 0
    await _run_spse_sync(desk)  # second failure: one run is skipped
    assert desk.spse.failures == 2 and desk.extras[SPSE_SKIP_KEY] == 1
    lpse.up()
    lpse.reset_counts()
    await _run_spse_sync(desk)
    assert lpse.requests == [] and desk.extras[SPSE_SKIP_KEY] == 0
    await _run_spse_sync(desk)
    assert lpse.count("list") == 2 and desk.spse.failures == 0
