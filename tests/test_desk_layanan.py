"""/layanan end to end: the overview, each section on a press, and the configured deadlines."""

from __future__ import annotations

from pathlib import Path

from bot.fakebot import SentMessage
from bot.texts import common as common_texts
from tests.conftest import Bench

SECTIONS = ["lyn:persyaratan", "lyn:prosedur", "lyn:waktu_biaya", "lyn:produk", "lyn:pengaduan",
            "lyn:jangka_waktu"]


async def open_section(bench: Bench, overview: SentMessage, data: str) -> SentMessage:
    """Presses a section button; the same message now shows the section."""
    await bench.press(bench.citizen, overview, data)
    return next(m for m in bench.fake.sent(overview.chat_id) if m.message_id == overview.message_id)


async def test_overview_lists_every_section(bench: Bench) -> None:
    overview = (await bench.say(bench.citizen, "/layanan"))[0]
    assert "Pelayanan Pengadaan Barang dan Jasa" in overview.rendered
    assert "188/139/K.Setda/2021" in overview.rendered
    assert "Jl. Kolonel H. Soetadji Nomor 01" in overview.rendered
    assert [data for _, data in overview.buttons] == SECTIONS
    # Listed once, as buttons; the text gives the office hours the service follows.
    assert all(label not in overview.rendered for label, _ in overview.buttons)
    assert "Jam layanan: Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WITA" in overview.rendered


async def test_sections_match_the_service_standard(bench: Bench) -> None:
    overview = (await bench.say(bench.citizen, "/layanan"))[0]
    count = len(bench.fake.sent(bench.citizen.id))

    text = (await open_section(bench, overview, "lyn:persyaratan")).rendered
    requirements = ["Aplikasi SPSE", "Rencana Umum Pengadaan", "RKA/DPA/DPPA", "KAK/Spesifikasi Teknis",
                    "HPS", "Rancangan Kontrak"]
    for number, item in enumerate(requirements, 1):
        assert f"{number}. {item}" in text
    assert "7." not in text
    section = next(m for m in bench.fake.sent(bench.citizen.id) if m.message_id == overview.message_id)
    assert section.buttons == [("⬅️ Kembali ke daftar", "lyn:menu")]

    await open_section(bench, section, "lyn:menu")
    text = (await open_section(bench, overview, "lyn:prosedur")).rendered
    assert "1. Pengguna mengumumkan Rencana Umum Pengadaan." in text
    assert "6. Pengguna menerima hasil pemilihan penyedia." in text and "7." not in text

    await open_section(bench, overview, "lyn:menu")
    text = (await open_section(bench, overview, "lyn:waktu_biaya")).rendered
    assert "60 menit" in text and "Tidak dipungut biaya" in text

    await open_section(bench, overview, "lyn:menu")
    text = (await open_section(bench, overview, "lyn:produk")).rendered
    assert "4. Berita Acara Hasil Pemilihan Penyedia" in text

    await open_section(bench, overview, "lyn:menu")
    section = await open_section(bench, overview, "lyn:pengaduan")
    assert "Contact center: 08115919998" in section.rendered
    assert "E-mail: helpdesk.lpsekaltara@gmail.com" in section.rendered
    assert "Tatap muka langsung" in section.rendered
    assert ("📝 Ajukan Pengaduan", "menu:lapor") in section.buttons

    await open_section(bench, overview, "lyn:menu")
    text = (await open_section(bench, overview, "lyn:jangka_waktu")).rendered
    assert "1. Pengaduan ringan — paling lambat 3 jam kerja" in text
    assert "2. Pengaduan bersifat normatif — paling lambat 5 hari kerja" in text
    assert "3. Pengaduan tidak berkadar pengawasan — paling lambat 14 hari kerja" in text
    assert "4. Pengaduan berkadar pengawasan dan memerlukan pemeriksaan — paling lambat 60 hari kerja" in text

    back = await open_section(bench, overview, "lyn:menu")
    assert [data for _, data in back.buttons] == SECTIONS
    # Everything happened in the one message.
    assert len(bench.fake.sent(bench.citizen.id)) == count


async def test_menu_button_and_complaint_button(bench: Bench) -> None:
    menu = (await bench.say(bench.citizen, "/start"))[0]
    overview = (await bench.press(bench.citizen, menu, "menu:layanan"))[0]
    assert [data for _, data in overview.buttons] == SECTIONS
    section = await open_section(bench, overview, "lyn:pengaduan")
    sent = await bench.press(bench.citizen, section, "menu:lapor")
    assert any("nama" in m.rendered.lower() for m in sent)  # the filing conversation started


async def test_double_press_and_command_mid_filing(bench: Bench) -> None:
    overview = (await bench.say(bench.citizen, "/layanan"))[0]
    # A double tap: both presses arrive before the first one changed the message.
    first = bench.fake.press_button(bench.citizen, overview.chat_id, overview.message_id, "lyn:produk")
    second = bench.fake.press_button(bench.citizen, overview.chat_id, overview.message_id, "lyn:produk")
    await bench.settle(first)
    await bench.settle(second)
    assert "Produk Pelayanan" in overview.rendered
    assert not any(common_texts.SOMETHING_WENT_WRONG in m.rendered for m in bench.fake.sent())
    await bench.say(bench.citizen, "/lapor")
    sent = await bench.say(bench.citizen, "/layanan")
    assert [data for _, data in sent[0].buttons] == SECTIONS and "masih berjalan" in sent[-1].rendered


async def test_staff_chat_sees_sections_without_the_filing_button(bench: Bench) -> None:
    overview = (await bench.staff_says("/layanan"))[0]
    await bench.press(bench.officer, overview, "lyn:pengaduan")
    section = bench.fake.message(bench.staff_chat_id, overview.message_id)
    datas = [button["callback_data"] for row in section["reply_markup"]["inline_keyboard"] for button in row]
    assert datas == ["lyn:menu"]


async def test_deadlines_follow_the_configured_tiers(tmp_path: Path) -> None:
    bench = Bench(tmp_path, tiers={"normatif_working_days": 7, "ringan_office_hours": 1.5})
    await bench.start()
    try:
        overview = (await bench.say(bench.citizen, "/layanan"))[0]
        text = (await open_section(bench, overview, "lyn:jangka_waktu")).rendered
        assert "Pengaduan ringan — paling lambat 1,5 jam kerja" in text
        assert "Pengaduan bersifat normatif — paling lambat 7 hari kerja" in text
        assert "tidak berkadar pengawasan — paling lambat 14 hari kerja" in text
        assert "memerlukan pemeriksaan — paling lambat 60 hari kerja" in text
        assert "5 hari kerja" not in text
    finally:
        await bench.stop()
