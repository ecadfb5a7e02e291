"""/layanan content: matches the service standard, deadlines from [tiers], broken files reported."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from bot.config import CalendarConfig, ServiceConfig, TiersConfig
from bot.services.service_info import ServiceInfo, ServiceInfoError, load_content

CUSTOM_TIERS = TiersConfig(ringan_office_hours=4, normatif_working_days=7,
                           tidak_berkadar_working_days=21, berkadar_working_days=45)


@pytest.fixture
def info() -> ServiceInfo:
    return ServiceInfo.load()


def test_sections_have_short_ascii_keys(info: ServiceInfo) -> None:
    sections = info.sections()
    keys = [key for key, _ in sections]
    assert keys == ["persyaratan", "prosedur", "waktu_biaya", "produk", "pengaduan", "jangka_waktu"]
    assert len(set(keys)) == len(keys)
    for key, label in sections:
        assert key.isascii() and len(key) <= 20 and label
        assert info.render(key, CUSTOM_TIERS)
    with pytest.raises(KeyError):
        info.render("tidak_ada", CUSTOM_TIERS)


def test_requirements_match_the_standard(info: ServiceInfo) -> None:
    html = info.render("persyaratan", CUSTOM_TIERS)
    for number, item in enumerate(["Aplikasi SPSE", "Rencana Umum Pengadaan", "RKA/DPA/DPPA",
                                   "KAK/Spesifikasi Teknis", "HPS", "Rancangan Kontrak"], 1):
        assert f"{number}. {item}\n" in html + "\n"
    assert "7." not in html


def test_procedure_has_six_steps_with_typos_fixed(info: ServiceInfo) -> None:
    html = info.render("prosedur", CUSTOM_TIERS)
    assert "6. Pengguna menerima hasil pemilihan penyedia." in html
    assert "1. Pengguna mengumumkan Rencana Umum Pengadaan." in html
    assert "Berita Acara Hasil Reviu" in html
    assert "7." not in html
    assert "Review" not in html and ";" not in html


def test_time_fee_and_products(info: ServiceInfo) -> None:
    assert "60 menit" in info.render("waktu_biaya", CUSTOM_TIERS)
    assert "Tidak dipungut biaya" in info.render("waktu_biaya", CUSTOM_TIERS)
    products = info.render("produk", CUSTOM_TIERS)
    assert "4. Berita Acara Hasil Pemilihan Penyedia" in products
    assert "1. Berita Acara Reviu Dokumen Persiapan Pemilihan Penyedia" in products
    assert "Penvedia" not in products and ";;;" not in products


def test_complaint_channels_and_flow(info: ServiceInfo) -> None:
    html = info.render("pengaduan", CUSTOM_TIERS)
    assert "Tatap muka langsung" in html and "kotak pengaduan" in html
    assert "08115919998" in html and "helpdesk.lpsekaltara@gmail.com" in html
    assert "4. Pengguna layanan menerima jawaban pengaduan." in html
    assert "{" not in html


def test_deadlines_come_from_tiers_config(info: ServiceInfo) -> None:
    html = info.render("jangka_waktu", CUSTOM_TIERS)
    assert "Pengaduan ringan — <b>paling lambat 4 jam kerja</b>" in html
    assert "normatif — <b>paling lambat 7 hari kerja</b>" in html
    assert "tidak berkadar pengawasan — <b>paling lambat 21 hari kerja</b>" in html
    assert "memerlukan pemeriksaan — <b>paling lambat 45 hari kerja</b>" in html
    for default in ("lambat 3 jam", "lambat 5 hari", "lambat 14 hari", "lambat 60 hari"):
        assert default not in html
    defaults = info.render("jangka_waktu", TiersConfig())
    assert "paling lambat 3 jam kerja" in defaults and "paling lambat 60 hari kerja" in defaults
    half = info.render("jangka_waktu", TiersConfig(ringan_office_hours=1.5))
    assert "paling lambat 1,5 jam kerja" in half


def test_packaged_file_holds_no_deadlines_nor_contacts() -> None:
    text = (resources.files("bot") / "data" / "layanan.toml").read_text(encoding="utf-8")
    assert "hari kerja" not in text and "3 Jam" not in text
    assert "08115919998" not in text and "@gmail.com" not in text


def test_overview_states_decree_and_office_hours_and_leaves_the_sections_to_its_buttons(info: ServiceInfo) -> None:
    html = info.render_overview()
    assert "188/139/K.Setda/2021" in html
    assert "Jl. Kolonel H. Soetadji Nomor 01" in html
    # The defaults of [calendar.office_hours]: Monday–Thursday alike, Friday longer.
    assert "Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WITA" in html
    for _, label in info.sections():
        assert label not in html  # listed once: as the overview's buttons


def test_office_hours_follow_the_configuration() -> None:
    calendar = CalendarConfig.model_validate(
        {"office_hours": {"monday": "08:00-15:00", "tuesday": "08:00-15:00", "wednesday": "07:00-12:00",
                          "thursday": "08:00-15:00", "friday": "08:00-11:30"}})
    info = ServiceInfo.load(calendar=calendar)
    assert "Senin–Selasa 08.00–15.00, Rabu 07.00–12.00, Kamis 08.00–15.00, Jumat 08.00–11.30 WITA" in \
        info.render_overview()
    assert "Jam kerja: Senin–Selasa 08.00–15.00" in info.render("jangka_waktu", TiersConfig())


def test_contact_overrides_are_applied_and_escaped() -> None:
    info = ServiceInfo.load(ServiceConfig(contact_center="0811<000>", email="aduan@kaltaraprov.go.id"))
    html = info.render("pengaduan", TiersConfig())
    assert "0811&lt;000&gt;" in html and "aduan@kaltaraprov.go.id" in html
    assert "08115919998" not in html


def _packaged_text() -> str:
    return (resources.files("bot") / "data" / "layanan.toml").read_text(encoding="utf-8")


def test_custom_content_file(tmp_path: Path) -> None:
    path = tmp_path / "layanan.toml"
    path.write_text(_packaged_text().replace("Aplikasi SPSE", "Aplikasi SPSE <versi 4.5>"), encoding="utf-8")
    info = ServiceInfo.load(ServiceConfig(content_file=path))
    assert "Aplikasi SPSE &lt;versi 4.5&gt;" in info.render("persyaratan", TiersConfig())


@pytest.mark.parametrize(("change", "needle"), [
    (lambda text: text.replace("biaya = ", "biayaa = "), "biayaa"),
    (lambda text: text.replace("waktu_penyelesaian_menit = 60", "waktu_penyelesaian_menit = -1"),
     "waktu_penyelesaian_menit"),
    (lambda text: text.replace('nama = "Pengaduan ringan"', 'nama = "Pengaduan ringan"\nhari = 3'),
     "pengaduan.jangka_waktu[1]"),
    (lambda text: text.replace("{email}", "{surel}"), "surel"),
    (lambda text: text.replace('tingkat = "berkadar"', 'tingkat = "ringan"'), "jangka_waktu"),
    (lambda text: text.replace("[pengaduan]", "[pengaduan"), "TOML"),
])
def test_broken_content_file_names_file_and_key(
    tmp_path: Path, change: Callable[[str], str], needle: str,
) -> None:
    path = tmp_path / "rusak.toml"
    path.write_text(change(_packaged_text()), encoding="utf-8")
    with pytest.raises(ServiceInfoError) as error:
        ServiceInfo.load(ServiceConfig(content_file=path))
    message = str(error.value)
    assert str(path) in message and needle in message


def test_deadline_typed_into_content_is_refused_with_a_pointer(tmp_path: Path) -> None:
    path = tmp_path / "rusak.toml"
    path.write_text(_packaged_text().replace('tingkat = "normatif"', 'tingkat = "normatif"\nbatas = 5'),
                    encoding="utf-8")
    with pytest.raises(ServiceInfoError) as error:
        load_content(path)
    assert "[tiers]" in str(error.value)


def test_missing_content_file(tmp_path: Path) -> None:
    with pytest.raises(ServiceInfoError) as error:
        load_content(tmp_path / "tidak-ada.toml")
    assert "tidak-ada.toml" in str(error.value)
