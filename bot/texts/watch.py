"""Texts of the deadline watch, the morning digest, offline complaints (PIN), target dates
and satisfaction ratings.

Every function returns Telegram HTML; anything a person typed goes through ``esc``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.formatting import esc, format_date, format_short, format_when, truncate_plain
from bot.models import Ticket

# Command a citizen sends to link an offline complaint to their Telegram account.
LINK_COMMAND = "tautkan"

RATING_LABELS = {
    1: "Sangat tidak puas",
    2: "Tidak puas",
    3: "Cukup",
    4: "Puas",
    5: "Sangat puas",
}


def _target_line(ticket: Ticket, zone: ZoneInfo) -> str:
    if ticket.target_at is None:
        return ""
    return f"\nTarget jawaban: {esc(format_when(ticket.target_at, zone))}"


# --- deadline watch (staff chat) -----------------------------------------------------------


def reminder_for_staff(ticket: Ticket, zone: ZoneInfo, *, share: float, left: str) -> str:
    percent = min(99, int(share * 100))
    return (
        f"⏳ <b>Pengingat batas waktu · {esc(ticket.code)}</b>\n"
        f"{esc(ticket.tier.label)} · Status: <b>{esc(ticket.status.label)}</b>\n"
        f"Waktu terpakai {percent}% · {esc(left)}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}{_target_line(ticket, zone)}\n\n"
        "<i>Balas (reply) pesan ini untuk menjawab pelapor.</i>"
    )


def overdue_for_staff(ticket: Ticket, zone: ZoneInfo, *, late: str, citizen_told: bool) -> str:
    told = (
        "Pelapor sudah diberi tahu bahwa jawaban terlambat."
        if citizen_told
        else "Pelapor tidak memakai Telegram; mohon kabari lewat kontaknya."
    )
    return (
        f"⏰ <b>TERLAMBAT · {esc(ticket.code)}</b>\n"
        f"{esc(ticket.tier.label)} · Status: <b>{esc(ticket.status.label)}</b> · {esc(late)}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}{_target_line(ticket, zone)}\n"
        f"{told}\n"
        "Tetapkan perkiraan waktu jawaban dengan "
        f"<code>/target {esc(ticket.code)} TANGGAL</code>.\n\n"
        "<i>Balas (reply) pesan ini untuk menjawab pelapor.</i>"
    )


def overdue_for_citizen(ticket: Ticket, zone: ZoneInfo, now: dt.datetime) -> str:
    if ticket.target_at is not None and ticket.target_at > now:
        expect = (
            "Petugas memperkirakan jawaban dapat kami sampaikan paling lambat "
            f"<b>{esc(format_when(ticket.target_at, zone))}</b>."
        )
    else:
        expect = "Kami akan segera mengabari Anda begitu jawaban siap."
    return (
        f"🙏 <b>Mohon maaf</b>, jawaban atas pengaduan <b>{esc(ticket.code)}</b> belum dapat kami "
        f"sampaikan sampai batas waktu ({esc(format_when(ticket.deadline_at, zone))}).\n\n"
        f"Pengaduan Anda tetap kami tangani. {expect}\n"
        "Perkembangannya dapat Anda cek dengan /status."
    )


# --- morning digest (staff chat) -----------------------------------------------------------


def _digest_section(title: str, rows: list[tuple[Ticket, str]], total: int, zone: ZoneInfo) -> list[str]:
    lines = [f"\n<b>{esc(title)}: {total}</b>"]
    if not total:
        lines.append("—")
        return lines
    for ticket, note in rows:
        lines.append(
            f"• <code>{esc(ticket.code)}</code> {esc(ticket.tier.label)} · "
            f"{esc(ticket.status.label)} · batas {esc(format_short(ticket.deadline_at, zone))} "
            f"({esc(note)})"
        )
    if total > len(rows):
        lines.append(f"… dan {total - len(rows)} lainnya (lihat /daftar).")
    return lines


def morning_digest(
    day: dt.date,
    zone: ZoneInfo,
    *,
    due: list[tuple[Ticket, str]],
    due_total: int,
    overdue: list[tuple[Ticket, str]],
    overdue_total: int,
) -> str:
    lines = [f"☀️ <b>Ringkasan pagi · {esc(format_date(day))}</b>"]
    if not due_total and not overdue_total:
        lines.append("\nTidak ada pengaduan yang jatuh tempo hari ini maupun yang terlambat. 🎉")
        return "\n".join(lines)
    lines.extend(_digest_section("Terlambat", overdue, overdue_total, zone))
    lines.extend(_digest_section("Jatuh tempo hari ini", due, due_total, zone))
    return "\n".join(lines)


# --- target date ---------------------------------------------------------------------------


def target_set_for_citizen(ticket: Ticket, zone: ZoneInfo) -> str:
    assert ticket.target_at is not None
    return (
        f"📅 Petugas memperkirakan jawaban atas pengaduan <b>{esc(ticket.code)}</b> dapat "
        f"disampaikan paling lambat <b>{esc(format_when(ticket.target_at, zone))}</b>.\n"
        f"Batas waktu sesuai standar pelayanan tetap {esc(format_when(ticket.deadline_at, zone))}."
    )


def target_set_for_staff(ticket: Ticket, who: str | None, zone: ZoneInfo) -> str:
    assert ticket.target_at is not None
    return (
        f"✔️ Target jawaban <b>{esc(ticket.code)}</b>: {esc(format_when(ticket.target_at, zone))} "
        f"(oleh {esc(who or 'petugas')}). Pelapor sudah diberi tahu bila memakai Telegram."
    )


def target_in_past() -> str:
    return "Tanggal target harus di masa depan. Contoh: <code>/target ADU-2026-00001 2027-01-08</code>."


# --- satisfaction --------------------------------------------------------------------------


def rating_request(ticket: Ticket) -> str:
    scale = "\n".join(f"{value} = {label}" for value, label in RATING_LABELS.items())
    return (
        f"⭐ <b>Bagaimana layanan kami atas pengaduan {esc(ticket.code)}?</b>\n"
        f"Mohon beri nilai 1–5 dengan menekan tombol di bawah:\n{scale}\n\n"
        "Penilaian Anda membantu kami memperbaiki layanan."
    )


def rating_thanks(rating: int) -> str:
    label = RATING_LABELS.get(rating, "")
    return f"🙏 Terima kasih atas penilaian Anda: <b>{rating}/5</b> ({esc(label)})."


def rated_for_staff(ticket: Ticket, rating: int, comment: str | None) -> str:
    note = f"\n<i>{esc(truncate_plain(comment, 500))}</i>" if comment else ""
    return f"⭐ Pelapor <b>{esc(ticket.code)}</b> memberi nilai <b>{rating}/5</b>.{note}"


def rating_not_closed() -> str:
    return "Penilaian baru dapat diberikan setelah pengaduan selesai ditangani."


def rating_already_given() -> str:
    return "Pengaduan ini sudah Anda nilai. Terima kasih!"


def rating_window_over(days: int) -> str:
    return (
        f"Mohon maaf, waktu penilaian ({days} hari setelah pengaduan selesai) sudah lewat. "
        "Terima kasih atas perhatian Anda."
    )


def rating_invalid() -> str:
    return "Nilai harus 1 sampai 5."


# --- offline complaints and PIN ------------------------------------------------------------


def offline_registered_for_staff(ticket: Ticket, pin: str | None, zone: ZoneInfo) -> str:
    """Shown only to the officer who recorded the complaint, to hand over to the citizen."""
    if pin is None:
        pin_line = (
            "PIN sudah dibuat saat pencatatan pertama dan tidak dapat ditampilkan ulang."
        )
    else:
        pin_line = f"PIN: <code>{esc(pin)}</code> (berikan hanya kepada pelapor)"
    return (
        f"📝 Pengaduan luring dicatat: <b>{esc(ticket.code)}</b>\n"
        f"Saluran: {esc(ticket.channel.label)} · {esc(ticket.tier.label)}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}\n"
        f"{pin_line}\n\n"
        f"{link_instructions(ticket.code, pin)}"
    )


def link_instructions(code: str, pin: str | None) -> str:
    shown_pin = esc(pin) if pin else "PIN"
    return (
        "Pelapor dapat mengikuti pengaduan ini lewat Telegram: buka bot, lalu kirim\n"
        f"<code>/{LINK_COMMAND} {esc(code)} {shown_pin}</code>"
    )


def link_failed() -> str:
    return (
        "Kode pengaduan atau PIN tidak cocok. Periksa kembali tanda terima dari petugas, "
        f"lalu kirim <code>/{LINK_COMMAND} KODE PIN</code>."
    )


def link_locked(retry_at: dt.datetime, zone: ZoneInfo) -> str:
    return (
        "Terlalu banyak percobaan yang salah. Demi keamanan, coba lagi setelah "
        f"{esc(format_when(retry_at, zone))}."
    )


def link_already_linked() -> str:
    return (
        "Pengaduan ini sudah tertaut ke akun Telegram lain. Bila itu bukan Anda, hubungi "
        "petugas pengaduan."
    )


def linked_for_citizen(ticket: Ticket, zone: ZoneInfo) -> str:
    return (
        f"🔗 Pengaduan <b>{esc(ticket.code)}</b> kini tertaut ke akun Telegram Anda.\n"
        f"Tingkat: {esc(ticket.tier.label)} · Status: <b>{esc(ticket.status.label)}</b>\n"
        f"Batas waktu jawaban: {esc(format_when(ticket.deadline_at, zone))}\n\n"
        "Jawaban petugas akan kami kirim ke sini. Cek perkembangan dengan /status."
    )


def linked_for_staff(ticket: Ticket) -> str:
    return f"🔗 Pelapor <b>{esc(ticket.code)}</b> menautkan pengaduannya ke akun Telegram."
