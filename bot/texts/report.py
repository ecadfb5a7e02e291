"""Texts of the monthly complaint report: the Telegram message, CSV headers, chart labels.

The message is Telegram HTML; the CLI prints it with the tags stripped.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

from bot.domain.report import DEFAULT_PREVIOUS_MONTH_UNTIL_DAY
from bot.domain.tickets import Channel, Status
from bot.texts.format import LOCALE, esc, format_when
from bot.texts.labels import channel_label, status_label, tier_label

if TYPE_CHECKING:
    from bot.domain.report import MonthFigures, Timeliness

# CSV columns, in order (one row per complaint received in the month).
CSV_COLUMNS = (
    "kode", "diterima", "saluran", "tingkat", "status", "batas_waktu", "dijawab_pertama",
    "ditutup", "tepat_waktu", "penilaian", "kode_paket",
)
YES, NO = "ya", "tidak"

CHART_RECEIVED_AXIS = "Pengaduan diterima"
CHART_SHARE_AXIS = "Tepat waktu (%)"
CHART_SHARE_LEGEND = "Dijawab tepat waktu (%)"
CHART_WEEK_AXIS = "Minggu (ISO)"

def month_title(year: int, month: int) -> str:
    """'Desember 2026'."""
    return babel_format_date(dt.date(year, month, 1), "MMMM yyyy", locale=LOCALE)


def number(value: float, pattern: str = "#,##0.#") -> str:
    """Indonesian number: '66,7', '1.250'."""
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(share: float | None) -> str:
    return "–" if share is None else f"{number(share * 100)}%"


def chart_title(year: int, month: int) -> str:
    return f"Pengaduan per minggu dan ketepatan waktu jawaban — {month_title(year, month)}"


def week_label(iso_week: int, start: dt.date, end: dt.date) -> str:
    first = babel_format_date(start, "d", locale=LOCALE)
    last = babel_format_date(end, "d MMM", locale=LOCALE)
    return f"Mg {iso_week}\n{first}–{last}"


def bad_month(text: str) -> str:
    return f"--month {text!r} tidak sah; tulis bulan sebagai YYYY-MM, mis. 2026-12"


def future_month(text: str) -> str:
    return f"--month {text}: bulan itu belum dimulai, belum ada data untuk dilaporkan"


def out_not_a_folder(path: str) -> str:
    return f"--out {path} bukan folder"


def _counts(pairs: list[tuple[str, int]]) -> str:
    """'Ringan 1 · Normatif 2': the labels that have something; a zero says nothing here."""
    return " · ".join(f"{esc(label)} {count}" for label, count in pairs if count)


def _timeliness_line(label: str, item: Timeliness) -> str:
    """Each figure once: 'belum dijawab 1' alone when nothing was answered yet."""
    parts = []
    if item.answered:
        parts.append(f"{item.on_time}/{item.answered} tepat waktu ({percent(item.share_on_time)})")
        if item.late:
            parts.append(f"terlambat {item.late}")
    if item.unanswered:
        overdue = f" ({item.unanswered_overdue} lewat batas)" if item.unanswered_overdue else ""
        parts.append(f"belum dijawab {item.unanswered}{overdue}")
    return f"• {esc(label)}: {' · '.join(parts) or 'tidak ada'}"


def _hours_line(label: str, hours: float | None, figures: MonthFigures) -> str:
    """'8 jam 15 menit kerja' under one working day; beyond it the hours and, in brackets, the
    working days they make ('55 jam kerja (6 hari kerja 4 jam)'); never the same span twice."""
    if hours is None:
        return f"{label}: –"
    described = esc(figures.describe_hours(hours) or "")
    if hours * 3600 < figures.day_length.total_seconds():
        return f"{label}: {described}"
    return f"{label}: {number(hours, '#,##0.##')} jam kerja ({described})"


def month_message(figures: MonthFigures) -> str:
    zone = figures.zone
    lines = [f"📊 <b>Laporan pengaduan · {esc(month_title(figures.year, figures.month))}</b>"]
    if figures.as_of >= figures.end:
        lines.append("Pengaduan yang diterima selama bulan ini; status dan jawaban per "
                     f"{esc(format_when(figures.generated_at, zone))}.")
    else:
        lines.append(f"Bulan berjalan: data sampai {esc(format_when(figures.as_of, zone))}.")
    lines.append(f"\n<b>Diterima: {figures.received}</b>")
    if figures.received:
        lines.append("Tingkat: " + _counts([(tier_label(t), n) for t, n in figures.by_tier.items()]))
        lines.append("Saluran: " + _counts(
            [(channel_label(Channel(c)), n) for c, n in figures.by_channel.items()]))
        lines.append("Status kini: " + _counts([(status_label(Status(s)), n) for s, n in figures.by_status.items()]))

        lines.append("\n<b>Ketepatan waktu jawaban</b>")
        for tier, item in figures.timeliness.items():
            if item.answered or item.unanswered:
                lines.append(_timeliness_line(tier_label(tier), item))
        lines.append(_timeliness_line("Semua", figures.overall))

        lines.append("\n<b>Waktu sampai jawaban pertama</b>")
        lines.append(_hours_line("Median", figures.median_answer_hours, figures))
        lines.append(_hours_line("Persentil 90", figures.p90_answer_hours, figures))

        if figures.rating_count:
            assert figures.rating_average is not None
            lines.append(
                f"\n<b>Kepuasan</b>: rata-rata {number(figures.rating_average, '0.0')} dari 5 "
                f"({figures.rating_count} penilaian)"
            )
        else:
            lines.append("\n<b>Kepuasan</b>: belum ada penilaian")

        if figures.top_packages:
            lines.append("\n<b>Paket paling banyak diadukan</b>")
            lines.extend(
                f"{rank}. <code>{esc(code)}</code> — {count} pengaduan"
                for rank, (code, count) in enumerate(figures.top_packages, 1)
            )

    overdue = figures.overdue_open
    when = (
        f"akhir {month_title(figures.year, figures.month)}" if figures.as_of >= figures.end
        else format_when(figures.as_of, zone)
    )
    lines.append(
        f"\n<b>Lewat batas dan belum dijawab</b> per {esc(when)} (termasuk dari bulan sebelumnya): "
        f"{len(overdue) or 'tidak ada'}"
    )
    if overdue:
        shown = ", ".join(f"<code>{esc(code)}</code>" for code in overdue[:15])
        more = f" dan {len(overdue) - 15} lainnya" if len(overdue) > 15 else ""
        lines.append(shown + more)
    return "\n".join(lines)


# --- /laporan in the staff chat (handlers/report.py) --------------------------------------

# The month when none is given: in the first days of a month the previous month's report is
# what staff want (it is complete); later in the month, the current month so far.

REPORT_USAGE = (
    "Pakai: <code>/laporan [YYYY-MM]</code>, mis. <code>/laporan 2026-11</code>.\n"
    f"Tanpa bulan: bulan lalu bila hari ini tanggal 1–{DEFAULT_PREVIOUS_MONTH_UNTIL_DAY}, "
    "selain itu bulan berjalan sampai saat ini.\n"
    "Hasil: ringkasan di sini, lalu berkas CSV (untuk Excel) dan grafik PNG."
)


def report_bad_month(text: str) -> str:
    return f"Bulan «{esc(text[:40])}» tidak sah.\n{REPORT_USAGE}"


def report_future_month(year: int, month: int) -> str:
    return f"{esc(month_title(year, month))} belum dimulai; belum ada data untuk dilaporkan."


def csv_caption(year: int, month: int) -> str:
    return f"Data per pengaduan · {esc(month_title(year, month))} (CSV, pemisah «;»)"


def chart_caption(year: int, month: int) -> str:
    return f"Grafik mingguan · {esc(month_title(year, month))}"
