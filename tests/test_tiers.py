"""Tiers, matter kinds and the rule-based classifier (packaged rules, real data file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.classifier import (
    Classification,
    Classifier,
    ClassifierError,
    default_classifier,
    normalise_text,
)
from bot.domain.tiers import MatterKind, Tier
from bot.texts.classify import reason
from bot.texts.labels import kind_label, parse_kind, parse_tier, tier_label


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


# --- Tier and MatterKind -----------------------------------------------------------------------


def test_tier_values_and_labels() -> None:
    assert [tier.value for tier in Tier] == ["ringan", "normatif", "tidak-berkadar", "berkadar"]
    assert tier_label(Tier.RINGAN) == "Ringan"
    assert tier_label(Tier.NORMATIF) == "Normatif"
    assert tier_label(Tier.TIDAK_BERKADAR) == "Tidak Berkadar Pengawasan"
    assert tier_label(Tier.BERKADAR) == "Berkadar Pengawasan"
    assert Tier("tidak-berkadar") is Tier.TIDAK_BERKADAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ringan", Tier.RINGAN),
        ("  NORMATIF ", Tier.NORMATIF),
        ("tidak berkadar", Tier.TIDAK_BERKADAR),
        ("TIDAK_BERKADAR", Tier.TIDAK_BERKADAR),
        ("Tidak-Berkadar", Tier.TIDAK_BERKADAR),
        ("Berkadar Pengawasan", Tier.BERKADAR),
        ("berkadar", Tier.BERKADAR),
    ],
)
def test_tier_parse(text: str, expected: Tier) -> None:
    assert parse_tier(text) is expected


def test_tier_parse_error_lists_codes() -> None:
    with pytest.raises(ValueError) as caught:
        Tier.parse("sedang")
    message = str(caught.value)
    assert "tidak dikenal" in message
    for tier in Tier:
        assert tier.value in message


def test_tier_severity_ordering() -> None:
    assert [tier.rank for tier in Tier] == [0, 1, 2, 3]
    assert Tier.RINGAN < Tier.NORMATIF < Tier.TIDAK_BERKADAR < Tier.BERKADAR
    assert Tier.BERKADAR > Tier.TIDAK_BERKADAR  # alphabetically it would be smaller
    assert max(Tier) is Tier.BERKADAR
    assert sorted([Tier.BERKADAR, Tier.RINGAN, Tier.TIDAK_BERKADAR, Tier.NORMATIF]) == list(Tier)
    assert Tier.RINGAN == "ringan"


def test_matter_kind_labels() -> None:
    assert [kind.value for kind in MatterKind] == ["pertanyaan", "aturan", "layanan", "pelanggaran"]
    for kind in MatterKind:
        assert kind_label(kind) and len(kind_label(kind)) <= 30
    assert parse_kind("Dugaan pelanggaran") is MatterKind.WRONGDOING


# --- normalisation -----------------------------------------------------------------------------


def test_normalise_text() -> None:
    assert normalise_text("  Pungutan\t\tLIAR!!  ") == "pungutan liar"
    assert normalise_text("Mark-Up  harga…") == "mark up harga"
    assert normalise_text("Café K.K.N") == "cafe kkn"


# --- base mapping ------------------------------------------------------------------------------

ORDINARY = "Mohon informasi jadwal pelatihan penggunaan aplikasi SPSE untuk penyedia baru."


@pytest.mark.parametrize(
    ("kind", "tier"),
    [
        (MatterKind.QUESTION, Tier.RINGAN),
        (MatterKind.RULES, Tier.NORMATIF),
        (MatterKind.SERVICE, Tier.TIDAK_BERKADAR),
        (MatterKind.WRONGDOING, Tier.BERKADAR),
    ],
)
def test_base_mapping(classifier: Classifier, kind: MatterKind, tier: Tier) -> None:
    result = classifier.classify(kind, ORDINARY)
    assert result == Classification(result.tier, kind, ())
    assert result.tier is tier
    assert not result.escalated
    assert kind_label(kind) in reason(result)
    assert tier_label(tier) in reason(result)


# --- escalation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Saya disuap oleh oknum agar mundur dari tender.", "disuap"),
        ("PANITIA MENYUAP PESERTA", "menyuap"),
        ("Ada Pungutan  liar saat pendaftaran.", "pungutan liar"),
        ("Terjadi mark-up harga pada paket ini.", "mark up"),
        ("Harga satuan di-markup.", "di markup"),
        ("markup", "markup"),
        ("Ada konflik-kepentingan anggota pokja.", "konflik kepentingan"),
        ("Katanya pemenangnya sudah diatur dari awal.", "pemenangnya sudah diatur"),
        ("Pemenang lelang sudah di atur.", "pemenang lelang sudah di atur"),
        ("Apakah ada KKN dalam tender ini?", "kkn"),
        ("Saya melihat penyuapan.", "penyuapan"),
        ("Dugaan k.k.n di dinas", "kkn"),
        ("Proyeknya dikorupsi", "dikorupsi"),
        ("mereka bersekongkol dengan pokja", "bersekongkol"),
        ("ada persekongkolan", "persekongkolan"),
        ("pengaturan pemenang oleh PPK", "pengaturan pemenang"),
        ("kami dimintai fee proyek 10%", "fee proyek"),
        ("dimintai fee oleh oknum", "dimintai fee"),
        ("harus kasih uang pelicin", "pelicin"),
        ("ada uang rokok untuk petugas", "uang rokok"),
        ("penyedia nyogok panitia", "nyogok"),
        ("SUAAAAP!!!", "suaaaap"),
        ("pekerjaan fiktif", "fiktif"),
        ("harga digelembungkan", "digelembungkan"),
        ("penggelembungan harga", "penggelembungan"),
        ("perusahaan pinjam bendera", "pinjam bendera"),
        ("ini tender arisan", "tender arisan"),
        ("ada gratifikasi ke pejabat", "gratifikasi"),
        ("kongkalikong antara PPK dan rekanan", "kongkalikong"),
        ("nepotisme dalam penunjukan", "nepotisme"),
        ("paket titipan anggota dewan", "titipan"),
        ("ada kickback ke pejabat", "kickback"),
        ("ada pungli", "pungli"),
    ],
)
def test_escalation_from_a_question(classifier: Classifier, text: str, trigger: str) -> None:
    result = classifier.classify(MatterKind.QUESTION, text)
    assert result.tier is Tier.BERKADAR
    assert result.escalated
    assert trigger in result.matched
    assert f'"{trigger}"' in reason(result)
    assert tier_label(Tier.BERKADAR) in reason(result)


@pytest.mark.parametrize("kind", [MatterKind.RULES, MatterKind.SERVICE])
def test_escalation_from_every_lighter_kind(classifier: Classifier, kind: MatterKind) -> None:
    result = classifier.classify(kind, "Petugas minta uang, ini pungli!")
    assert result.tier is Tier.BERKADAR
    assert result.matched == ("pungli",)
    assert tier_label(classifier.base[kind]) in reason(result)


def test_violation_kind_stays_berkadar(classifier: Classifier) -> None:
    result = classifier.classify(MatterKind.WRONGDOING, "saya disuap")
    assert result.tier is Tier.BERKADAR


def test_several_triggers_are_all_reported(classifier: Classifier) -> None:
    result = classifier.classify(
        MatterKind.SERVICE, "Ada suap dan pungli, juga di suap lagi oleh pejabat."
    )
    assert result.tier is Tier.BERKADAR
    assert result.matched == ("suap", "di suap", "pungli")
    assert "pungutan liar" in reason(result)


@pytest.mark.parametrize(
    "text",
    [
        ORDINARY,
        "Kapan pengumuman pemenang tender paket jalan?",
        "Bagaimana aturan pemenang tender jika harga sama?",
        "Syarat pemenang sudah diatur dalam Perpres 16/2018?",
        "Harga perkiraan sendiri terlalu tinggi.",
        "Apakah ada fee untuk konsultan? Coffee break jam berapa?",
        "Feedback: aplikasi lambat.",
        "Saya ingin tahu soal asuransi dan suasana kantor.",
        "Mohon konklusi rapat kemarin.",
        "Pelayanan helpdesk lambat, telepon tidak diangkat.",
        "Petugas tidak ramah dan korupsi waktu.",
        "Mahasiswa KKN minta data pengadaan.",
        "Barang titipan saya hilang di resepsionis.",
        "Saya titip pesan untuk pokja.",
        "Jalan menuju kantor licin.",
        "Pinjaman perusahaan ke bank.",
        "Pengaturan akun dan kata sandi SPSE.",
        "Kondisi jalan rusak.",
        "Sanggah kami belum dijawab oleh pokja.",
        "Terima kasih atas pelayanannya.",
        "Kami menyuapi anak di ruang tunggu.",
        "Ada akun palsu di media sosial.",
    ],
)
def test_ordinary_text_keeps_base_tier(classifier: Classifier, text: str) -> None:
    for kind in (MatterKind.QUESTION, MatterKind.SERVICE):
        result = classifier.classify(kind, text)
        assert result.tier is classifier.base[kind], text
        assert result.matched == ()


# --- rules files ---------------------------------------------------------------------------------


def test_custom_rules_extend_packaged_rules(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        """
[base]
aturan = "tidak berkadar"

[[rules]]
id = "ancaman"
label = "ancaman"
patterns = ["ancam", "intimidasi"]

[[rules]]
id = "lambat"
label = "layanan sangat lambat"
tier = "normatif"
patterns = ["berbulan|bertahun bulan|tahun? =tidak|=belum dijawab|dibalas"]
""",
        encoding="utf-8",
    )
    custom = Classifier(rules)
    threatened = custom.classify(MatterKind.QUESTION, "Saya diancam oleh oknum.")
    assert threatened.tier is Tier.BERKADAR
    assert threatened.matched == ("diancam",)
    assert "ancaman" in reason(threatened)
    # The packaged rules still apply.
    assert custom.classify(MatterKind.QUESTION, "ada pungli").tier is Tier.BERKADAR
    # A rule may lift to a lower tier than berkadar, and never lowers a heavier kind.
    slow = "Sudah berbulan-bulan tidak dijawab."
    assert custom.classify(MatterKind.QUESTION, slow).tier is Tier.NORMATIF
    assert custom.classify(MatterKind.SERVICE, slow).tier is Tier.TIDAK_BERKADAR
    # [base] of the added file overrides the packaged mapping.
    assert custom.classify(MatterKind.RULES, ORDINARY).tier is Tier.TIDAK_BERKADAR
    # The packaged classifier is unchanged.
    assert default_classifier().classify(MatterKind.QUESTION, "diancam").tier is Tier.RINGAN


def test_custom_rules_can_replace_packaged_rules(tmp_path: Path) -> None:
    rules = tmp_path / "only.toml"
    rules.write_text(
        """
inherit = false

[base]
pertanyaan = "ringan"
aturan = "ringan"
layanan = "ringan"
pelanggaran = "berkadar"

[[rules]]
id = "ancaman"
label = "ancaman"
patterns = ["ancam"]
""",
        encoding="utf-8",
    )
    custom = Classifier(rules)
    assert [rule.id for rule in custom.rules] == ["ancaman"]
    assert custom.classify(MatterKind.QUESTION, "ada pungli").tier is Tier.RINGAN


@pytest.mark.parametrize(
    "content",
    [
        "this is not toml = = =",
        '[base]\npertanyaan = "sedang"',
        '[[rules]]\nid = "x"\nlabel = "x"\npatterns = []',
        '[[rules]]\nid = "x"\nlabel = "x"\npatterns = ["ok"]\ntypo = 1',
        '[[rules]]\nid = "x"\nlabel = "x"\npatterns = ["kata?"]',
        'unknown = 1',
    ],
)
def test_broken_rules_file_is_reported(tmp_path: Path, content: str) -> None:
    rules = tmp_path / "broken.toml"
    rules.write_text(content, encoding="utf-8")
    with pytest.raises(ClassifierError) as caught:
        Classifier(rules)
    assert str(rules) in str(caught.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ClassifierError):
        Classifier(tmp_path / "nope.toml")


def test_packaged_rules_have_unique_ids(classifier: Classifier) -> None:
    ids = [rule.id for rule in classifier.rules]
    assert len(ids) == len(set(ids)) >= 10
    assert all(rule.tier is Tier.BERKADAR for rule in classifier.rules)
