"""Indonesian dates and money as people read them, checked against Babel's own formatter."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.texts.format import format_date, format_rupiah, format_short, format_when, split_for_telegram

WITA = ZoneInfo("Asia/Makassar")


def test_dates_match_babel_for_every_month_and_weekday() -> None:
    for day in range(0, 366, 3):
        moment = dt.datetime(2027, 1, 1, 8, 5, tzinfo=dt.UTC) + dt.timedelta(days=day)
        local = moment.astimezone(WITA)
        babel_long = format_datetime(local, "EEEE, dd MMMM yyyy 'pukul' HH.mm", tzinfo=WITA, locale="id_ID")
        assert format_when(moment, WITA) == f"{babel_long} WITA"
        assert format_short(moment, WITA) == format_datetime(local, "dd MMM yyyy HH.mm", tzinfo=WITA,
                                                             locale="id_ID")
    assert format_when(dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC)) == "Senin, 04 Januari 2027 pukul 16.00 WITA"
    assert format_date(dt.date(2026, 12, 25)) == "Jumat, 25 Desember 2026"


def test_rupiah() -> None:
    assert format_rupiah(1_250_000_000) == "Rp 1.250.000.000"
    assert format_rupiah(15602948688.5) == "Rp 15.602.948.688,50"
    assert format_rupiah(None) == "-"


def test_long_html_is_split_into_valid_chunks() -> None:
    text = "<b>Judul</b>\n" + ("kata &amp; lain " * 600) + "\n<i>" + "x" * 5000 + "</i>"
    parts = split_for_telegram(text)
    assert len(parts) > 2
    for part in parts:
        assert part.count("<i>") == part.count("</i>") and part.count("<b>") == part.count("</b>")
        assert "&amp" not in part.replace("&amp;", "")  # no entity cut in half
    assert split_for_telegram("pendek") == ["pendek"]
