"""Texts of /layanan: the frame around the service standard's content (which lives in
``bot/data/layanan.toml``). Functions return Telegram HTML; content from the file is escaped by
the caller (:mod:`bot.services.service_info`) before it gets here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from bot.domain.workcalendar import DAY_NAMES
from bot.texts.format import LOCALE

# Section key → (button label, heading). Keys go into callback data: short ASCII.
SECTIONS: dict[str, tuple[str, str]] = {
    "persyaratan": ("📋 Persyaratan", "Persyaratan"),
    "prosedur": ("🪜 Prosedur", "Sistem, Mekanisme dan Prosedur"),
    "waktu_biaya": ("⏱ Waktu & Biaya", "Waktu Penyelesaian dan Biaya"),
    "produk": ("📄 Produk Layanan", "Produk Pelayanan"),
    "pengaduan": ("📣 Cara Mengadu", "Pengaduan Layanan"),
    "jangka_waktu": ("⏳ Jangka Waktu Pengaduan", "Jangka Waktu Pelayanan Pengaduan"),
}


def numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(items, 1))


def heading(key: str) -> str:
    return f"<b>{SECTIONS[key][1]}</b>"


def _clock(moment: dt.time) -> str:
    return moment.strftime("%H.%M")


def office_hours(hours: Sequence[tuple[int, dt.time, dt.time]], zone_name: str) -> str:
    """'Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WITA' from (weekday, opens, closes), Monday = 0;
    consecutive days with the same hours are one range."""
    groups: list[list[Any]] = []
    for weekday, opens, closes in sorted(hours):
        last = groups[-1] if groups else None
        if last is not None and last[1] == weekday - 1 and (last[2], last[3]) == (opens, closes):
            last[1] = weekday
        else:
            groups.append([weekday, weekday, opens, closes])
    parts = []
    for first, last_day, opens, closes in groups:
        days = DAY_NAMES[first] if first == last_day else f"{DAY_NAMES[first]}–{DAY_NAMES[last_day]}"
        parts.append(f"{days} {_clock(opens)}–{_clock(closes)}")
    return f"{', '.join(parts)} {zone_name}" if parts else "tidak ada jam layanan yang diatur"


def overview(service_name: str, unit: str, agency: str, decree: str, address: str,
             website: str | None, phone: str | None, hours: str) -> str:
    """The overview's text; the sections are its buttons (listed once, there)."""
    lines = [f"ℹ️ <b>{service_name}</b>", f"{unit}, {agency}",
             f"<i>Standar pelayanan: SK No. {decree}</i>", "",
             f"🕗 Jam layanan: {hours}; di luar jam itu dan pada hari libur pesan tetap diterima "
             "dan dijawab pada jam layanan berikutnya.", "", f"📍 {address}"]
    if phone:
        lines.append(f"☎️ {phone}")
    if website:
        lines.append(f"🌐 {website}")
    # Last, right above the buttons it points to.
    lines += ["", "Pilih bagian yang ingin Anda baca:"]
    return "\n".join(lines)


def requirements(items: Sequence[str]) -> str:
    return f"{heading('persyaratan')}\n{numbered(items)}"


def procedure(steps: Sequence[str]) -> str:
    return f"{heading('prosedur')}\n{numbered(steps)}"


def time_and_fee(minutes: int, fee: str) -> str:
    return (f"{heading('waktu_biaya')}\n"
            f"⏱ Waktu penyelesaian: <b>{minutes} menit</b>\n"
            f"💰 Biaya/tarif: <b>{fee}</b>")


def products(items: Sequence[str]) -> str:
    return f"{heading('produk')}\n{numbered(items)}"


def complaints(channels: Sequence[str], steps: Sequence[str]) -> str:
    channel_lines = "\n".join(f"• {channel}" for channel in channels)
    return (f"{heading('pengaduan')}\n"
            f"Pengaduan dapat disampaikan melalui:\n{channel_lines}\n\n"
            f"<b>Alur penanganan pengaduan</b>\n{numbered(steps)}\n\n"
            "Anda juga dapat mengadu langsung lewat bot ini.")


def _number(value: float | int) -> str:
    """3 → '3', 1.5 → '1,5' (Indonesian decimal comma)."""
    return format_decimal(Decimal(str(value)).normalize(), format="#,##0.##", locale=LOCALE)


def office_hours_deadline(hours: float) -> str:
    return f"paling lambat {_number(hours)} jam kerja"


def working_days_deadline(days: int) -> str:
    return f"paling lambat {_number(days)} hari kerja"


def deadlines(rows: Sequence[tuple[str, str]], hours: str) -> str:
    """``rows``: (name of the kind of complaint, deadline phrase); ``hours``: :func:`office_hours`."""
    lines = "\n".join(f"{number}. {name} — <b>{deadline}</b>"
                      for number, (name, deadline) in enumerate(rows, 1))
    return (f"{heading('jangka_waktu')}\n{lines}\n\n"
            f"<i>Jam kerja: {hours}. Hari libur nasional dan cuti bersama tidak dihitung.</i>")


def content_file_error(source: str, problems: Sequence[str]) -> str:
    """Plain: for the operator, when the content file is broken."""
    listed = "\n".join(f"  - {problem}" for problem in problems)
    return f"{source}: isi standar pelayanan tidak sah:\n{listed}"


def content_file_unreadable(source: str, reason: str) -> str:
    return f"{source}: berkas standar pelayanan tidak dapat dibaca: {reason}"


def unknown_placeholder(name: str) -> str:
    return f"penanda {{{name}}} tidak dikenal (yang boleh: {{contact_center}}, {{email}})"


DEADLINE_IN_CONTENT = ("jangka waktu tidak boleh ditulis di berkas ini; atur di [tiers] "
                       "config.toml")
TIERS_INCOMPLETE = "harus memuat keempat tingkat tepat satu kali: ringan, normatif, tidak-berkadar, berkadar"


# --- chat (handlers/layanan.py) --------------------------------------------------------------------

BACK_BUTTON = "⬅️ Kembali ke daftar"
FILE_COMPLAINT_BUTTON = "📝 Ajukan Pengaduan"
