"""The callback-data registry: old buttons keep parsing, nothing exceeds Telegram's 64 bytes."""

from __future__ import annotations

import pytest

from bot.domain import callbacks as cb
from bot.domain.packages import Outcome, SpseStage, Stage, StageChoice

# Callback data exactly as release 0.1 put it on buttons. Telegram keeps those buttons on old
# messages forever, so each must still parse, into the same fields.
SENT_BY_RELEASE_0_1 = {
    "menu:lapor": (cb.MENU_FILE, {}),
    "menu:paket": (cb.MENU, {"item": "paket"}),
    "lapor:nama": (cb.FILING_USE_TELEGRAM_NAME, {}),
    "lapor:jenis:pelanggaran": (cb.FILING_KIND, {"kind": "pelanggaran"}),
    "lapor:lewati": (cb.FILING_SKIP_PACKAGE, {}),
    "lapor:bukti_selesai": (cb.FILING_EVIDENCE_DONE, {}),
    "lapor:rahasia:ya": (cb.FILING_CONFIDENTIAL, {"answer": "ya"}),
    "lapor:kirim": (cb.FILING_SEND, {}),
    "lapor:ubah": (cb.FILING_EDIT, {}),
    "lapor:ubah:uraian": (cb.FILING_EDIT_FIELD, {"field": "uraian"}),
    "lapor:batal": (cb.FILING_CANCEL, {}),
    "st:ADU-2026-00042": (cb.TICKET_DETAIL, {"code": "ADU-2026-00042"}),
    "tambah:ADU-2026-00042": (cb.ADD_INFORMATION, {"code": "ADU-2026-00042"}),
    "nilai:ADU-2026-00042:5": (cb.RATING, {"code": "ADU-2026-00042", "value": "5"}),
    "tk:tutup_ya:ADU-2026-00042": (cb.CARD_ACTION, {"action": "tutup_ya", "code": "ADU-2026-00042"}),
    "tk:tier:ADU-2026-00042:tidak-berkadar": (cb.CARD_TIER, {"code": "ADU-2026-00042", "tier": "tidak-berkadar"}),
    "catat:saluran:kotak_pengaduan": (cb.RECORDING_CHANNEL, {"channel": "kotak_pengaduan"}),
    "catat:tingkat:berkadar": (cb.RECORDING_TIER, {"tier": "berkadar"}),
    "catat:batal": (cb.RECORDING_CANCEL, {}),
    "pkt:lihat:10210011000": (cb.PACKAGE_VIEW, {"code": "10210011000"}),
    "pkt:ikut:10210011000": (cb.PACKAGE_FOLLOW, {"code": "10210011000"}),
    "pkt:stop:10210011000": (cb.PACKAGE_UNFOLLOW, {"code": "10210011000"}),
    "pkt:info:10210011000": (cb.PACKAGE_INFO, {"code": "10210011000"}),
    "pkt:tahap:10210011000:gagal:evaluasi": (cb.PACKAGE_STAGE, {"code": "10210011000", "choice": "gagal:evaluasi"}),
    "lyn:menu": (cb.SERVICE_SECTION, {"key": "menu"}),
}


@pytest.mark.parametrize("data", sorted(SENT_BY_RELEASE_0_1))
def test_buttons_sent_by_earlier_releases_still_parse(data: str) -> None:
    fmt, fields = SENT_BY_RELEASE_0_1[data]
    assert fmt.parse(data) == fields
    assert fmt.build(**fields) == data


def test_no_button_data_is_claimed_by_two_formats() -> None:
    # The catch-all for stale /catat buttons is deliberately broad.
    formats = {name: fmt for name, fmt in cb.registry().items() if fmt is not cb.RECORDING_ANY}
    for data in SENT_BY_RELEASE_0_1:
        claimed = [name for name, fmt in formats.items() if fmt.matches(data)]
        assert len(claimed) == 1, (data, claimed)


def test_every_format_fits_telegrams_64_bytes_at_its_longest() -> None:
    longest = {"code": "ADU-2026-99999", "action": "tutup_ya", "tier": "tidak-berkadar"}
    package = "9" * 20
    for name, fmt in cb.registry().items():
        values = {}
        for field in fmt.fields:
            if fmt.fields[field] == cb.PACKAGE_CODE:
                values[field] = package
            elif field in longest:
                values[field] = longest[field]
        if len(values) < len(fmt.fields):
            continue  # free-form fields are bounded by their own pattern; see the next test
        assert len(fmt.build(**values).encode()) <= cb.CALLBACK_DATA_LIMIT, name
    # The longest stage choice a button can carry, on an 11-digit SPSE code (the national site's form).
    longest_choice = max((choice.key for choice in all_stage_choices()), key=len)
    stage = cb.PACKAGE_STAGE.build(code="10210011000", choice=longest_choice)
    assert len(stage.encode()) <= cb.CALLBACK_DATA_LIMIT


def all_stage_choices() -> list[StageChoice]:
    choices = [StageChoice.of_stage(stage) for stage in Stage]
    choices += [StageChoice.of_spse(spse) for spse in SpseStage]
    choices += [StageChoice.of_outcome(outcome, spse) for outcome in Outcome for spse in (None, *SpseStage)]
    return choices


def test_build_refuses_data_of_the_wrong_shape_or_too_long() -> None:
    with pytest.raises(ValueError):
        cb.RATING.build(code="ADU-2026-00001", value=9)
    with pytest.raises(ValueError):
        cb.CARD_ACTION.build(action="hapus", code="ADU-2026-00001")
    long_key = cb.CallbackFormat("x:{key}", {"key": "[a-z]+"})
    with pytest.raises(cb.CallbackDataTooLong):
        long_key.build(key="a" * 70)


def test_forged_data_parses_as_nothing() -> None:
    assert cb.CARD_ACTION.parse("tk:tutup:ADU-2026-1") is None
    assert cb.RATING.parse("nilai:ADU-2026-00001:5:extra") is None
    assert cb.PACKAGE_VIEW.parse(None) is None


def test_the_ticket_code_grammar_reads_what_people_type() -> None:
    from bot.domain.tickets import parse_ticket_code, split_leading_ticket_code

    assert parse_ticket_code(" adu_2026_7 ") == "ADU-2026-00007"
    assert parse_ticket_code("ADU-2026-123456") is None
    assert split_leading_ticket_code("adu 2026 7 besok 10.00") == ("ADU-2026-00007", "besok 10.00")
    assert split_leading_ticket_code("ADU-2026-00001") == ("ADU-2026-00001", "")
    assert split_leading_ticket_code("ADU-2026-123456 teks") is None
    assert all(cb.TICKET_DETAIL.matches(f"st:{parse_ticket_code(typed)}") for typed in ("adu 2026 1", "ADU2026-00001"))
