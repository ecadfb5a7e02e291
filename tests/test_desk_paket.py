"""Packages in chat end to end: real Application and handlers, Bot API double, SQLite file."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.packages import Outcome, PackageError, SpseStage, Stage
from bot.fakebot import SentMessage
from bot.services.package_csv import import_csv, import_demo
from bot.services.packages import PackageService
from bot.texts import common as common_texts
from tests.conftest import WITA, Bench

JALAN = "99999001000"  # stage 5, SPSE Evaluasi, RUP 99990001
ALKES = "99999002000"  # stage 3, RUP 99990002 and 99990003
OBAT = "99999003000"  # stage 1, RUP 99990004
HIDDEN = "99999011000"  # batal, not public

HEADER = ("kode;kode_rup;nama_paket;satuan_kerja;tahun_anggaran;jenis_pengadaan;metode_pemilihan;"
          "pagu;hps;tahap;tahap_spse;pokmil;pemenang;nilai_kontrak;catatan;publik;tender_ulang_dari")


@pytest.fixture
async def demo(bench: Bench) -> AsyncIterator[Bench]:
    """The bench with the demo packages; afterwards, every message passed Telegram's checks."""
    bench.clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=WITA))
    report = await import_demo(bench.desk.db)
    assert not report.problems
    yield bench
    strict_checks_passed(bench)


def service(bench: Bench) -> PackageService:
    packages: PackageService = bench.desk.packages
    return packages


async def staff(bench: Bench, text: str) -> SentMessage:
    """The bot's last answer in the staff chat to a staff command (notices go elsewhere)."""
    sent = [m for m in await bench.staff_says(text) if m.chat_id == bench.staff_chat_id]
    assert sent, f"no answer in the staff chat to {text!r}"
    return sent[-1]


def strict_checks_passed(bench: Bench) -> None:
    for message in bench.fake.sent():
        assert common_texts.SOMETHING_WENT_WRONG not in message.rendered
        assert len(message.rendered) <= 4096
        assert all(data is None or len(data.encode()) <= 64 for _, data in message.buttons)


async def test_paket_by_kode_paket_shows_public_status(demo: Bench) -> None:
    sent = await demo.say(demo.citizen, f"/paket {JALAN}")
    assert len(sent) == 1
    view = sent[0].rendered
    assert "[DEMO] Pembangunan Jalan Lingkar Tanjung Selor Segmen 1" in view
    assert f"Kode paket: {JALAN}" in view and "Kode RUP: 99990001" in view
    for number in range(1, 7):
        assert f"{number}. " in view
    assert "✅ 1. Rencana Umum Pengadaan diumumkan" in view
    assert "▶️ 5. Pemilihan penyedia oleh Pokmil" in view
    assert "▫️ 6. Hasil pemilihan diterima pengguna" in view
    assert view.index("▶️ 5.") < view.index("Tahap SPSE: Evaluasi") < view.index("▫️ 6.")
    assert "Pagu: Rp 12.500.000.000" in view and "HPS: Rp 12.350.000.000" in view
    assert "Terakhir diperbarui" in view
    assert "Pokmil" not in view.split("Data paket")[1]  # staff-only data stays out
    assert sent[0].buttons == [("🔔 Ikuti perkembangan", f"pkt:ikut:{JALAN}")]


async def test_paket_by_kode_rup(demo: Bench) -> None:
    view = (await demo.say(demo.citizen, "/paket 99990003"))[0].rendered
    assert "[DEMO] Pengadaan Alat Kesehatan Puskesmas" in view
    assert "Kode RUP: 99990002, 99990003" in view
    # A kode RUP whose first tender was repeated answers with the re-tender only.
    retender = (await demo.say(demo.citizen, "/paket 99990008"))[0]
    assert "99999008000" in retender.rendered and "Tender ulang dari: 99999007000" in retender.rendered


async def test_code_matching_two_packages_offers_a_choice(bench: Bench, tmp_path: Path) -> None:
    csv = tmp_path / "dua.csv"
    csv.write_text("\n".join([
        HEADER,
        "12345678;70000001;Paket Kode Pendek;Biro PBJ;2026;Jasa Lainnya;Tender;100.000.000;;2;;;;;;ya;",
        "5555500001;12345678;Paket Dengan RUP Sama;Dinas Kominfo;2026;Pengadaan Barang;Tender;"
        "200.000.000;;5;Pengumuman;;;;;ya;",
    ]), encoding="utf-8")
    assert not (await import_csv(bench.desk.db, csv)).problems
    listing = (await bench.say(bench.citizen, "/paket 12345678"))[0]
    assert "cocok dengan 2 paket" in listing.rendered
    assert "12345678 — Paket Kode Pendek" in listing.rendered and "[kode paket]" in listing.rendered
    assert "5555500001 — Paket Dengan RUP Sama" in listing.rendered and "[kode RUP]" in listing.rendered
    assert [data for _, data in listing.buttons] == ["pkt:lihat:12345678", "pkt:lihat:5555500001"]
    view = (await bench.press(bench.citizen, listing, "pkt:lihat:5555500001"))[0]
    assert "Paket Dengan RUP Sama" in view.rendered and "Tahap SPSE: Pengumuman" in view.rendered
    assert ("🔔 Ikuti perkembangan", "pkt:ikut:5555500001") in view.buttons
    strict_checks_passed(bench)


async def test_unknown_and_malformed_codes(demo: Bench) -> None:
    unknown = (await demo.say(demo.citizen, "/paket 99999999999"))[0].rendered
    # A well-formed code that is not found gets no repeat of the code format (#17).
    assert "99999999999 tidak ditemukan" in unknown and "5–20 digit" not in unknown
    letters = (await demo.say(demo.citizen, "/paket 9999A001000"))[0].rendered
    assert "tidak sah" in letters and "hanya berisi angka" in letters
    long = (await demo.say(demo.citizen, "/paket " + "1" * 40))[0].rendered
    assert "panjangnya 40 angka" in long and "5–20" in long
    spaced = (await demo.say(demo.citizen, "/paket 99999 001000"))[0].rendered
    assert "tanpa huruf, spasi" in spaced
    strict_checks_passed(demo)


async def test_private_package_answers_like_an_unknown_one(demo: Bench) -> None:
    hidden = (await demo.say(demo.citizen, f"/paket {HIDDEN}"))[0]
    unknown = (await demo.say(demo.citizen, "/paket 99999011999"))[0]
    assert hidden.rendered.replace(HIDDEN, "X") == unknown.rendered.replace("99999011999", "X")
    assert hidden.buttons == [] and "Kendaraan" not in hidden.rendered
    # Free text and following give nothing away either.
    assert (await demo.say(demo.citizen, HIDDEN))[0].rendered == hidden.rendered
    follow = (await demo.say(demo.citizen, f"/ikuti {HIDDEN}"))[0].rendered
    assert "tidak ditemukan" in follow
    assert await service(demo).followers_count(HIDDEN) == 0
    # Staff see it, marked as hidden.
    staff_view = (await demo.staff_says(f"/paket {HIDDEN}"))[0].rendered
    assert "Pengadaan Kendaraan Dinas" in staff_view and "tidak publik" in staff_view


async def test_free_text_code_in_private_chat(demo: Bench) -> None:
    view = (await demo.say(demo.citizen, f"  {OBAT} "))[0]
    assert "[DEMO] Pengadaan Obat" in view.rendered
    # Not a plausible code: the usual "not understood".
    for text in ("1234", "apa kabar", "9" * 21):
        assert (await demo.say(demo.citizen, text))[0].rendered == common_texts.NOT_UNDERSTOOD


async def test_menu_button_asks_then_takes_the_next_text_as_the_code(demo: Bench) -> None:
    user, chat = demo.citizen, demo.citizen.id
    menu = (await demo.say(user, "/start"))[0]
    ask = (await demo.press(user, menu, "menu:paket"))[0]
    assert "kode paket" in ask.rendered and "kode RUP" in ask.rendered
    view = (await demo.say(user, "99990004"))[0]
    assert "[DEMO] Pengadaan Obat" in view.rendered
    # Used up: ordinary text is no longer read as a code.
    assert (await demo.say(user, "terima kasih"))[0].rendered == common_texts.NOT_UNDERSTOOD
    # Asked again, a wrong answer is explained.
    await demo.press(user, demo.fake.sent(chat)[0], "menu:paket")
    assert "hanya berisi angka" in (await demo.say(user, "kode saya ABC-12"))[0].rendered
    # /batal withdraws the question.
    await demo.press(user, demo.fake.sent(chat)[0], "menu:paket")
    assert "dibatalkan" in (await demo.say(user, "/batal"))[0].rendered
    assert (await demo.say(user, "ABC-12"))[0].rendered == common_texts.NOT_UNDERSTOOD
    # /paket without a code asks too.
    assert "Kirim" in (await demo.say(user, "/paket"))[0].rendered
    assert "[DEMO] Pembangunan Jalan" in (await demo.say(user, "99990001"))[0].rendered


async def test_question_expires(demo: Bench) -> None:
    user = demo.citizen
    await demo.say(user, "/paket")
    demo.clock.advance(dt.timedelta(hours=2))
    assert (await demo.say(user, "ABC")).pop().rendered == common_texts.NOT_UNDERSTOOD


async def test_follow_then_stage_change_reaches_only_followers(demo: Bench) -> None:
    citizen, other = demo.citizen, demo.other
    view = (await demo.say(citizen, f"/paket {JALAN}"))[0]
    sent = await demo.press(citizen, view, f"pkt:ikut:{JALAN}")
    assert "Anda kini mengikuti paket" in sent[0].rendered
    assert demo.fake.sent(citizen.id)[-2].buttons == [("🔕 Berhenti mengikuti", f"pkt:stop:{JALAN}")]
    assert await service(demo).is_following(JALAN, citizen.id)
    other_view = (await demo.say(other, f"/paket {JALAN}"))[0]
    assert other_view.buttons == [("🔔 Ikuti perkembangan", f"pkt:ikut:{JALAN}")]  # nobody else's follow shows
    before_other = len(demo.fake.sent(other.id))

    reply = (await staff(demo, f"/paket_tahap {JALAN} masa sanggah sanggahan tidak ada")).rendered
    assert "Masa Sanggah" in reply and "Kabar dikirim ke 1 chat pengikut" in reply
    notice = demo.last(citizen.id)
    assert "Perkembangan paket yang Anda ikuti" in notice.rendered and "Masa Sanggah" in notice.rendered
    assert notice.buttons == [("🔕 Berhenti mengikuti", f"pkt:stop:{JALAN}")]
    assert len(demo.fake.sent(other.id)) == before_other
    history = await service(demo).history(JALAN)
    assert history[-1].note == "sanggahan tidak ada"

    # Stop from the notice itself; the button turns back into «Ikuti».
    sent = await demo.press(citizen, notice, f"pkt:stop:{JALAN}")
    assert "tidak lagi mengikuti" in sent[0].rendered
    assert demo.fake.message(citizen.id, notice.message_id)["reply_markup"]["inline_keyboard"][0][0][
        "callback_data"] == f"pkt:ikut:{JALAN}"
    count = len(demo.fake.sent(citizen.id))
    reply = (await staff(demo, f"/paket_tahap {JALAN} 6")).rendered
    assert "Tidak ada pengikut" in reply
    assert len(demo.fake.sent(citizen.id)) == count


async def test_follow_and_unfollow_commands(demo: Bench) -> None:
    user = demo.citizen
    assert "/ikuti KODE" in (await demo.say(user, "/ikuti"))[0].rendered
    assert "Anda kini mengikuti" in (await demo.say(user, "/ikuti 99990002"))[0].rendered  # by kode RUP
    assert "sudah mengikuti" in (await demo.say(user, f"/ikuti {ALKES}"))[0].rendered
    listing = (await demo.say(user, "/berhenti_ikuti"))[0]
    assert ALKES in listing.rendered and listing.buttons[0][1] == f"pkt:stop:{ALKES}"
    assert "tidak lagi mengikuti" in (await demo.say(user, f"/berhenti_ikuti {ALKES}"))[0].rendered
    assert "memang tidak mengikuti" in (await demo.say(user, f"/berhenti_ikuti {ALKES}"))[0].rendered
    assert "belum mengikuti" in (await demo.say(user, "/berhenti_ikuti"))[0].rendered
    # By kode RUP as well.
    await demo.say(user, f"/ikuti {OBAT}")
    assert "tidak lagi mengikuti" in (await demo.say(user, "/berhenti_ikuti 99990004"))[0].rendered
    assert not await service(demo).is_following(OBAT, user.id)


async def test_stage_commands_are_staff_only(demo: Bench) -> None:
    for command in (f"/paket_tahap {JALAN} 6", f"/paket_info {HIDDEN}", f"/paket_publik {HIDDEN} ya"):
        sent = await demo.say(demo.citizen, command)
        assert [m.rendered for m in sent] == [common_texts.STAFF_ONLY]
    package = await service(demo).get(JALAN)
    assert package is not None and package.state.stage is Stage.SELECTION
    assert await service(demo).get(HIDDEN) is None


async def confirmed(bench: Bench, question: SentMessage, code: str) -> SentMessage:
    """Answers «Ya, catat» to a /paket_tahap confirmation; returns the bot's reply."""
    assert "Catat tetap?" in question.rendered
    sent = [m for m in await bench.press(bench.officer, question, f"pkt:yakin:ya:{code}")
            if m.chat_id == bench.staff_chat_id]
    return sent[-1]


async def test_multi_word_spse_stage_and_note(demo: Bench) -> None:
    command = f"/paket_tahap {JALAN} pembukaan dokumen penawaran dihadiri 5 peserta"
    question = await staff(demo, command)
    assert "langkah mundur" in question.rendered  # from Evaluasi back to the opening of offers
    reply = (await confirmed(demo, question, JALAN)).rendered
    assert "Pembukaan Dokumen Penawaran" in reply
    package = await service(demo).get(JALAN)
    assert package is not None and package.state.spse is SpseStage.PEMBUKAAN_PENAWARAN
    assert (await service(demo).history(JALAN))[-1].note == "dihadiri 5 peserta"
    # A number, then a note whose first word alone would be an ambiguous stage name.
    reply = (await staff(demo, f"/paket_tahap {ALKES} 4 dokumen lengkap")).rendered
    assert "Berita Acara Hasil Reviu" in reply
    assert (await service(demo).history(ALKES))[-1].note == "dokumen lengkap"


async def test_ambiguous_stage_offers_buttons_then_applies(demo: Bench) -> None:
    sent = await demo.staff_says(f"/paket_tahap {JALAN} dokumen sudah diunggah")
    offer = sent[-1]
    assert "bisa berarti beberapa tahap" in offer.rendered
    datas = [data for _, data in offer.buttons]
    assert len(datas) >= 2 and all(data and data.startswith(f"pkt:tahap:{JALAN}:") for data in datas)
    chosen = f"pkt:tahap:{JALAN}:5:upload_penawaran"
    assert chosen in datas
    package = await service(demo).get(JALAN)
    assert package is not None and package.state.spse is SpseStage.EVALUASI  # nothing applied yet
    question = (await demo.press(demo.officer2, offer, chosen))[-1]
    assert "langkah mundur" in question.rendered  # from Evaluasi back to the upload of offers
    sent = await demo.press(demo.officer2, question, f"pkt:yakin:ya:{JALAN}")
    reply = [m for m in sent if m.chat_id == demo.staff_chat_id][-1].rendered
    assert "Upload Dokumen Penawaran" in reply
    package = await service(demo).get(JALAN)
    assert package is not None and package.state.spse is SpseStage.UPLOAD_PENAWARAN
    last = (await service(demo).history(JALAN))[-1]
    assert last.note == "sudah diunggah" and last.actor_name == "Andi Petugas"
    assert demo.fake.message(demo.staff_chat_id, offer.message_id).get("reply_markup") is None


async def test_unknown_stage_and_usage(demo: Bench) -> None:
    assert "tidak dikenal" in (await staff(demo, f"/paket_tahap {JALAN} zzzz")).rendered
    assert "Tahap 9 tidak ada" in (await staff(demo, f"/paket_tahap {JALAN} 9")).rendered
    assert "/paket_tahap KODE TAHAP" in (await staff(demo, "/paket_tahap")).rendered
    assert "tidak ditemukan" in (await staff(demo, "/paket_tahap 99999999999 3")).rendered


async def test_tender_ulang_with_new_code(demo: Bench) -> None:
    view = (await demo.say(demo.citizen, f"/paket {JALAN}"))[0]
    await demo.press(demo.citizen, view, f"pkt:ikut:{JALAN}")
    command = f"/paket_tahap {JALAN} tender ulang 99999001001 peserta kurang dari tiga"
    reply = (await staff(demo, command)).rendered
    assert "Tender ulang" in reply and "kode paket baru 99999001001" in reply
    old = await service(demo).get(JALAN)
    assert old is not None and old.state.outcome is Outcome.RETENDERED and old.retendered_as == "99999001001"
    assert (await service(demo).history(JALAN))[-1].note == "peserta kurang dari tiga"
    assert await service(demo).is_following("99999001001", demo.citizen.id)
    notice = demo.last(demo.citizen.id)
    assert "99999001001" in notice.rendered
    # Without the new code: recorded, with a hint how to add it later.
    question = await staff(demo, f"/paket_tahap {OBAT} tender ulang")
    assert "hasil akhir" in question.rendered  # a tender's outcome while still at stage 1
    reply = (await confirmed(demo, question, OBAT)).rendered
    assert "Kode paket baru" not in reply and f"/paket_tahap {OBAT} tender ulang KODE_BARU" in reply


async def test_paket_info_shows_history_followers_and_private_packages(demo: Bench) -> None:
    view = (await demo.say(demo.citizen, f"/paket {JALAN}"))[0]
    await demo.press(demo.citizen, view, f"pkt:ikut:{JALAN}")
    await demo.staff_says(f"/paket_tahap {JALAN} penetapan pemenang rapat Pokmil")
    info = (await staff(demo, f"/paket_info {JALAN}")).rendered
    assert "🌐 Publik" in info and "Pokmil: Pokmil DEMO-01" in info
    assert "Pengikut: 1 chat" in info
    assert "Riwayat" in info and "impor CSV" in info and "Rina Petugas" in info
    assert "Catatan: rapat Pokmil" in info and "Penetapan Pemenang" in info
    hidden = (await staff(demo, f"/paket_info {HIDDEN}")).rendered
    assert "Tidak publik" in hidden and "Pengadaan Kendaraan Dinas" in hidden
    by_rup = (await staff(demo, "/paket_info 99990011")).rendered
    assert HIDDEN in by_rup and "Riwayat" in by_rup
    assert "/paket_info KODE" in (await staff(demo, "/paket_info")).rendered


async def test_paket_publik_toggles_visibility(demo: Bench) -> None:
    reply = (await staff(demo, f"/paket_publik {JALAN} tidak data sedang diperiksa")).rendered
    assert "disembunyikan" in reply
    assert "tidak ditemukan" in (await demo.say(demo.citizen, f"/paket {JALAN}"))[0].rendered
    assert "memang sudah" in (await staff(demo, f"/paket_publik {JALAN} tidak")).rendered
    assert "ditampilkan" in (await staff(demo, f"/paket_publik {JALAN} ya")).rendered
    assert "Jalan Lingkar" in (await demo.say(demo.citizen, f"/paket {JALAN}"))[0].rendered
    assert "ya</code>" in str((await staff(demo, f"/paket_publik {JALAN} mungkin")).text)
    history = await service(demo).history(JALAN, include_private=True)
    assert any(entry.note and "data sedang diperiksa" in entry.note for entry in history)


async def test_retender_button_opens_the_new_code(demo: Bench) -> None:
    view = (await demo.say(demo.citizen, "/paket 99999007000"))[0]
    assert "Tender ulang dengan kode paket baru 99999008000" in view.rendered
    assert ("🔁 Lihat tender ulang 99999008000", "pkt:lihat:99999008000") in view.buttons
    new = (await demo.press(demo.citizen, view, "pkt:lihat:99999008000"))[0]
    assert "tender ulang (data rekaan)" in new.rendered
    strict_checks_passed(demo)


async def test_paket_command_mid_filing_is_answered(demo: Bench) -> None:
    user = demo.citizen
    await demo.say(user, "/lapor")
    sent = await demo.say(user, f"/paket {JALAN}")
    assert "Jalan Lingkar" in sent[0].rendered and "masih berjalan" in sent[-1].rendered
    sent = await demo.say(user, "/paket")
    assert "/paket KODE" in sent[0].rendered


def test_split_stage_reads_the_longest_stage() -> None:
    from bot.domain.packages import StageAmbiguous, StageChoice
    from handlers.paket import split_stage

    def split(text: str) -> tuple[object, int]:
        return split_stage(text.split())

    assert split("pembukaan dokumen penawaran dihadiri lima") == (
        StageChoice.of_spse(SpseStage.PEMBUKAAN_PENAWARAN), 3)
    assert split("evaluasi sudah selesai") == (StageChoice.of_spse(SpseStage.EVALUASI), 1)
    assert split("5 evaluasi") == (StageChoice.of_spse(SpseStage.EVALUASI), 2)
    assert split("5 dokumen lengkap") == (StageChoice.of_stage(5), 1)
    assert split("tender ulang 12345") == (StageChoice.of_outcome(Outcome.RETENDERED), 2)
    assert split("masa sanggah") == (StageChoice.of_spse(SpseStage.MASA_SANGGAH), 2)
    choice, used = split("dokumen sudah diunggah")
    assert isinstance(choice, StageAmbiguous) and used == 1 and choice.text == "dokumen"
    assert split("tahap 5 catatan") == (StageChoice.of_stage(5), 2)
    with pytest.raises(PackageError):
        split("zzz 5")


async def test_messages_fit_telegram(demo: Bench) -> None:
    for command in (f"/paket {JALAN}", f"/paket {ALKES}", "/berhenti_ikuti", "/ikuti 99990001"):
        await demo.say(demo.citizen, command)
    await demo.staff_says(f"/paket_info {JALAN}")
    strict_checks_passed(demo)



async def test_a_finished_package_offers_nothing_to_follow(demo: Bench) -> None:
    """Selesai (or batal, gagal, tender ulang): the view has no «Ikuti», and /ikuti says why."""
    finished = "99999006000"  # [DEMO] Pengadaan Meubelair Sekolah: selesai
    view = (await demo.say(demo.citizen, f"/paket {finished}"))[0]
    assert "Meubelair" in view.rendered
    assert not any(data and data.startswith("pkt:ikut:") for _, data in view.buttons)
    reply = (await demo.say(demo.citizen, f"/ikuti {finished}"))[0].rendered
    assert "sudah selesai" in reply and "tidak ada perkembangan lagi" in reply
    assert not await demo.desk.packages.is_following(finished, demo.citizen.id)
