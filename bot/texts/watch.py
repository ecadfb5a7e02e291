"""Texts of the deadline watch, the morning digest, offline complaints (PIN), target dates
and satisfaction ratings.

Every function returns Telegram HTML; anything a person typed goes through ``esc``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.tickets import Ticket
from bot.texts.format import esc, format_date, format_short, format_when, truncate_plain
from bot.texts.labels import RATING_LABELS, channel_label, rating_label, status_label, tier_label

# Command a citizen sends to link an offline complaint to their Telegram account:
# ``/status KODE PIN`` (the same command that shows a ticket, with the PIN added).
LINK_COMMAND = "status"


def _owner_line(ticket: Ticket) -> str:
    """Who holds the ticket, so a reminder reaches a person and not just the group."""
    if ticket.owner_name:
        return f"\nPenanggung jawab: <b>{esc(ticket.owner_name)}</b>"
    return f"\nBelum ada penanggung jawab: <code>/ambil {esc(ticket.code)}</code>"


def _target_line(ticket: Ticket, zone: ZoneInfo) -> str:
    if ticket.target_at is None:
        return ""
    return f"\nTarget jawaban: {esc(format_when(ticket.target_at, zone))}"


# --- deadline watch (staff chat) -----------------------------------------------------------


def reminder_for_staff(ticket: Ticket, zone: ZoneInfo, *, share: float, left: str) -> str:
    percent = min(99, int(share * 100))
    return (
        f"⏳ <b>Pengingat batas waktu · {esc(ticket.code)}</b>\n"
        f"{esc(tier_label(ticket.tier))} · Status: <b>{esc(status_label(ticket.status))}</b>\n"
        f"Waktu terpakai {percent}% · {esc(left)}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}{_target_line(ticket, zone)}"
        f"{_owner_line(ticket)}\n\n"
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
        f"{esc(tier_label(ticket.tier))} · Status: <b>{esc(status_label(ticket.status))}</b> · {esc(late)}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}{_target_line(ticket, zone)}"
        f"{_owner_line(ticket)}\n"
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
    if not total:
        return [f"\n<b>{esc(title)}</b>: tidak ada"]
    lines = [f"\n<b>{esc(title)}: {total}</b>"]
    for ticket, note in rows:
        owner = f" · 👤 {esc(ticket.owner_name)}" if ticket.owner_name else ""
        lines.append(
            f"• <code>{esc(ticket.code)}</code> {esc(tier_label(ticket.tier))} · "
            f"{esc(status_label(ticket.status))} · batas {esc(format_short(ticket.deadline_at, zone))} "
            f"({esc(note)}){owner}"
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


def target_not_working_day(day: dt.date, reason: str | None) -> str:
    why = f" ({esc(reason)})" if reason else ""
    return (
        f"{esc(format_date(day))} bukan hari kerja{why}; target jawaban harus pada hari kerja. "
        "Pilih tanggal lain."
    )


def target_outside_office_hours(opens: dt.datetime, closes: dt.datetime, zone: ZoneInfo) -> str:
    start, end = opens.astimezone(zone).strftime("%H.%M"), closes.astimezone(zone).strftime("%H.%M")
    return (
        f"Jam itu di luar jam kantor hari tersebut ({start}–{end} WITA); target jawaban harus dalam jam "
        "kantor. Tanpa jam, target jatuh pada jam tutup kantor."
    )


def target_after_deadline(deadline: dt.datetime, zone: ZoneInfo) -> str:
    return (
        "Target jawaban tidak boleh melewati batas waktu sesuai standar pelayanan, "
        f"{esc(format_when(deadline, zone))}. Pilih waktu paling lambat pada batas itu."
    )


# --- satisfaction --------------------------------------------------------------------------


def rating_request(ticket: Ticket) -> str:
    """Two lines on a phone: the question and the two ends of the scale (the buttons are 1–5)."""
    low, high = RATING_LABELS[1].lower(), RATING_LABELS[5].lower()
    return (
        f"⭐ <b>Bagaimana layanan kami atas pengaduan {esc(ticket.code)}?</b>\n"
        f"Tekan nilai 1 ({low}) sampai 5 ({high}); penilaian Anda membantu kami memperbaiki layanan."
    )


def rating_thanks(code: str, rating: int) -> str:
    """The rating request, once pressed, becomes this one line (the toast says the same)."""
    return f"🙏 Terima kasih atas penilaian Anda untuk <b>{esc(code)}</b>: <b>{esc(rating_label(rating))}</b>."


def rated_for_staff(ticket: Ticket, rating: int, comment: str | None) -> str:
    note = f"\n<i>{esc(truncate_plain(comment, 500))}</i>" if comment else ""
    return f"⭐ Pelapor <b>{esc(ticket.code)}</b> memberi nilai <b>{esc(rating_label(rating))}</b>.{note}"


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


def offline_registered_for_staff(
    ticket: Ticket, pin: str | None, zone: ZoneInfo, bot_username: str | None = None
) -> str:
    """Shown only to the officer who recorded the complaint, to hand over to the citizen."""
    if pin is None:
        pin_line = (
            "PIN sudah dibuat saat pencatatan pertama dan tidak dapat ditampilkan ulang. "
            f"Bila hilang, buat PIN baru dengan <code>/pin {esc(ticket.code)}</code>."
        )
    else:
        pin_line = f"PIN: <code>{esc(pin)}</code> (berikan hanya kepada pelapor)"
    return (
        f"📝 Pengaduan luring dicatat: <b>{esc(ticket.code)}</b>\n"
        f"Saluran: {esc(channel_label(ticket.channel))} · {esc(tier_label(ticket.tier))}\n"
        f"Diterima: {esc(format_when(ticket.received_at, zone))}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}\n"
        f"{pin_line}\n\n"
        f"{link_instructions(ticket.code, pin, bot_username)}"
    )


def new_pin_for_staff(ticket: Ticket, pin: str, zone: ZoneInfo, bot_username: str | None = None) -> str:
    """/pin: the fresh PIN, and that the old one no longer works."""
    return (
        f"🔑 PIN lama untuk <b>{esc(ticket.code)}</b> <b>tidak berlaku lagi</b>; berikan PIN baru ini "
        f"kepada pelapor.\n\n{offline_registered_for_staff(ticket, pin, zone, bot_username)}"
    )


def link_instructions(code: str, pin: str | None, bot_username: str | None = None) -> str:
    shown_pin = esc(pin) if pin else "PIN"
    bot = f"buka @{esc(bot_username)}" if bot_username else "buka bot ini"
    return (
        f"Pelapor dapat mengikuti pengaduan ini lewat Telegram: {bot}, lalu kirim\n"
        f"<code>/{LINK_COMMAND} {esc(code)} {shown_pin}</code>\n"
        "Jawaban petugas selanjutnya akan sampai ke Telegram pelapor."
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
        f"Tingkat: {esc(tier_label(ticket.tier))} · Status: <b>{esc(status_label(ticket.status))}</b>\n"
        f"Batas waktu jawaban: {esc(format_when(ticket.deadline_at, zone))}\n\n"
        "Jawaban petugas akan kami kirim ke sini. Cek perkembangan dengan /status."
    )


def linked_for_staff(ticket: Ticket) -> str:
    return f"🔗 Pelapor <b>{esc(ticket.code)}</b> menautkan pengaduannya ke akun Telegram."


# --- chat side: /target, /catat, rating buttons (handlers/target.py, recorded.py, rating.py) ----------------------

TARGET_USAGE = (
    "Pakai: <code>/target KODE TANGGAL [JAM]</code>\n"
    "Contoh: <code>/target ADU-2026-00001 30-12-2026</code> atau "
    "<code>/target ADU-2026-00001 2026-12-30 14.00</code>\n"
    "Tanggal: <code>2026-12-30</code>, <code>30-12-2026</code>, <code>30/12/2026</code> atau "
    "<code>30 Desember 2026</code>; jam <code>HH:MM</code> atau <code>HH.MM</code> (WITA). "
    "Tanpa jam: jam tutup kantor hari itu. Batas waktu sesuai standar pelayanan tidak berubah."
)


def target_bad_date(text: str) -> str:
    return f"Tanggal/jam «{esc(truncate_plain(text, 60))}» tidak dikenali.\n{TARGET_USAGE}"


def target_ticket_closed(code: str) -> str:
    return f"Pengaduan <b>{esc(code)}</b> sudah ditutup; target jawaban tidak dapat ditetapkan."


def target_unchanged(code: str) -> str:
    return f"Target jawaban <b>{esc(code)}</b> sudah tercatat dengan waktu yang sama."


OFFLINE_CHANNEL_CODES = "tatap_muka, telepon, email, kotak_pengaduan"
OFFLINE_TIER_CODES = "ringan, normatif, tidak-berkadar, berkadar"

RECORDING_USAGE = (
    "Pakai: <code>/catat SALURAN TINGKAT [TANGGAL JAM] | nama | kontak | uraian</code>\n"
    f"Saluran: {OFFLINE_CHANNEL_CODES}\n"
    f"Tingkat: {OFFLINE_TIER_CODES}\n"
    "Tanggal dan jam diterima (WITA) boleh ditulis sesudah tingkat, mis. <code>02-12-2026 14.30</code>; "
    "tanpa itu: sekarang.\n"
    "Contoh: <code>/catat telepon normatif | Budi Santoso | 0812 3456 7890 | Mohon penjelasan "
    "jadwal pembukaan penawaran paket jalan.</code>\n"
    "Atau kirim <code>/catat</code> saja untuk dipandu langkah demi langkah."
)


def recording_problem(problem: str) -> str:
    """One-command form: what is wrong, then the usage line."""
    return f"Belum dicatat: {esc(problem)}.\n\n{RECORDING_USAGE}"


RECORDING_MISSING_PARTS = "bagian yang dipisah «|» harus empat: saluran dan tingkat, nama, kontak, uraian"


def recording_unknown_channel(text: str) -> str:
    return f"saluran «{text}» tidak dikenal (pilih {OFFLINE_CHANNEL_CODES})"


def recording_unknown_tier(text: str) -> str:
    return f"tingkat «{text}» tidak dikenal (pilih {OFFLINE_TIER_CODES})"


RECORDING_NO_TIER = f"tingkat belum diisi (pilih {OFFLINE_TIER_CODES})"
RECORDING_NAME_INVALID = "nama pelapor harus 2–100 karakter dan memuat huruf"
RECORDING_CONTACT_INVALID = (
    "kontak harus nomor telepon Indonesia (mis. 0812 3456 7890) atau alamat e-mail"
)


def recording_description_short(minimum: int) -> str:
    return f"uraian terlalu singkat (minimal {minimum} karakter)"


def recording_description_long(length: int, maximum: int) -> str:
    return f"uraian terlalu panjang ({length} karakter; batas {maximum})"


RECORDING_DESCRIPTION_NEEDS_WORDS = "uraian perlu ditulis dengan kata-kata (bukan hanya angka atau emoji)"


def recording_refused(reason: str) -> str:
    return f"Belum dicatat: {esc(reason)}."


# Guided /catat flow (staff chat). Prompts ask for a *reply*: in privacy mode a group bot sees
# only commands and replies to its own messages.
RECORDING_ASK_CHANNEL = "📝 <b>Catat pengaduan luring</b>\nLangkah 1/7 — dari saluran mana pengaduan ini diterima?"
# Follows ``recording_chosen`` in the same message, which already carries the heading.
RECORDING_ASK_TIER = "Langkah 2/7 — tingkat pengaduan:"


def recording_chosen(channel_label: str, tier_label: str | None = None) -> str:
    tier = f" · Tingkat: <b>{esc(tier_label)}</b>" if tier_label else ""
    return f"📝 <b>Catat pengaduan luring</b>\nSaluran: <b>{esc(channel_label)}</b>{tier}"


RECORDING_ASK_NAME = "Langkah 5/7 — <b>balas</b> (reply) pesan ini dengan <b>nama pelapor</b>."
RECORDING_ASK_CONTACT = (
    "Langkah 6/7 — <b>balas</b> pesan ini dengan <b>kontak pelapor</b> (nomor telepon atau e-mail)."
)


def recording_ask_description(minimum: int, maximum: int) -> str:
    return (
        "Langkah 7/7 — <b>balas</b> pesan ini dengan <b>uraian pengaduan</b> "
        f"({minimum}–{maximum} karakter)."
    )


def recording_try_again(problem: str) -> str:
    return f"⚠️ {esc(problem[:1].upper() + problem[1:])}. Silakan balas lagi."


RECORDING_ASK_RECEIVED = (
    "Langkah 3/7 — <b>kapan pengaduan ini diterima?</b> Tekan «Sekarang», atau <b>balas</b> pesan ini "
    "dengan tanggal dan jam diterima (WITA), mis. <code>02-12-2026 14.30</code>. Batas waktu dihitung "
    "dari saat itu."
)
RECORDING_RECEIVED_NOW_BUTTON = "🕒 Sekarang"
RECORDING_RECEIVED_INVALID = "tanggal/jam diterima tidak dikenali (mis. 02-12-2026 14.30)"
RECORDING_RECEIVED_FUTURE = "waktu diterima tidak boleh di masa depan"
RECORDING_ASK_KIND = "Langkah 4/7 — <b>jenis pengaduan</b>:"


def recording_received(channel_label: str, tier_label: str, received: dt.datetime | None,
                       zone: ZoneInfo, kind_label: str | None = None) -> str:
    when = "sekarang" if received is None else format_when(received, zone)
    kind = f" · Jenis: <b>{esc(kind_label)}</b>" if kind_label else ""
    return f"{recording_chosen(channel_label, tier_label)}\nDiterima: <b>{esc(when)}</b>{kind}"


RECORDING_CANCEL_BUTTON = "✖️ Batal"
RECORDING_CANCELLED = "Pencatatan pengaduan luring dibatalkan; tidak ada yang disimpan."
RECORDING_EXPIRED = (
    "Pencatatan sebelumnya dihentikan karena terlalu lama tidak dilanjutkan; tidak ada yang "
    "disimpan. Mulai lagi dengan /catat."
)
RECORDING_TOAST_INACTIVE = "Tombol ini bukan untuk sesi pencatatan Anda yang aktif. Mulai dengan /catat."
RECORDING_NAME_PLACEHOLDER = "Nama pelapor"
RECORDING_CONTACT_PLACEHOLDER = "Nomor telepon atau e-mail"
RECORDING_DESCRIPTION_PLACEHOLDER = "Uraian pengaduan"

# Answers to rating buttons are toasts: plain text, under Telegram's 200 characters.
RATING_UNAVAILABLE = "Penilaian untuk pengaduan ini tidak dapat dicatat. Terima kasih."


def rating_thanks_toast(rating: int) -> str:
    return f"🙏 Terima kasih atas penilaian Anda: {rating_label(rating)}."



PIN_USAGE = "Pakai: <code>/pin KODE</code> — membuat PIN baru untuk pengaduan luring yang belum ditautkan."


def pin_not_offline(code: str) -> str:
    return f"<b>{esc(code)}</b> tidak ditemukan sebagai pengaduan luring (tatap muka, telepon, e-mail, kotak)."


def pin_already_linked(code: str) -> str:
    return f"<b>{esc(code)}</b> sudah ditautkan ke akun Telegram pelapor; PIN tidak diperlukan lagi."
