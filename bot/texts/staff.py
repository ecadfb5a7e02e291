"""Texts of the staff group: usage lines, refusals, prompts and the admin's identity view.

Confirmations of actions are not here: the outbox sends them (``bot.texts.desk.staff_confirmation``).
Every function returns Telegram HTML; anything a person typed goes through ``esc``. Toasts
(answers to button presses) are plain text and stay under Telegram's 200 characters.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.tickets import HeldReply, Status, Ticket
from bot.domain.tiers import Tier
from bot.texts import desk
from bot.texts.format import esc, truncate_plain
from bot.texts.labels import status_label, tier_label

# --- usage lines (also the answer to a malformed code or argument) ------------------------

TIER_CODES = ", ".join(tier.value for tier in Tier)

USAGE = {
    "balas": "Pakai: <code>/balas KODE teks jawaban</code> (teks boleh beberapa baris)",
    "proses": "Pakai: <code>/proses KODE</code>",
    "tingkat": f"Pakai: <code>/tingkat KODE TINGKAT [alasan]</code>\nTingkat: {TIER_CODES}",
    "tutup": "Pakai: <code>/tutup KODE [jawaban atau catatan untuk pelapor]</code>",
    "buka": "Pakai: <code>/buka KODE alasan</code> (alasannya dikirim ke pelapor)",
    "catatan": "Pakai: <code>/catatan KODE teks</code> (catatan tim, tidak dikirim ke pelapor)",
    "ambil": "Pakai: <code>/ambil KODE</code>",
    "daftar": f"Pakai: <code>/daftar</code>, <code>/daftar terlambat</code>, <code>/daftar saya</code>, "
              f"<code>/daftar baru</code> atau <code>/daftar TINGKAT</code> ({TIER_CODES})",
    "tiket": "Pakai: <code>/tiket KODE</code>",
    "identitas": "Pakai: <code>/identitas KODE</code>",
}


def usage(command: str) -> str:
    return USAGE[command]


def not_found(code: str) -> str:
    """A well-formed code that names no ticket: one line, no usage (the command was typed right)."""
    return f"Pengaduan <code>{esc(code)}</code> tidak ditemukan. Lihat /daftar."


def unknown_tier(text: str) -> str:
    return f"Tingkat «{esc(text)}» tidak dikenal.\n{usage('tingkat')}"


# --- refusals ---------------------------------------------------------------------------------


def ticket_closed(code: str) -> str:
    return (
        f"Pengaduan <b>{esc(code)}</b> sudah ditutup. Buka kembali dengan "
        f"<code>/buka {esc(code)}</code> bila masih perlu ditindaklanjuti."
    )


def already_open(code: str) -> str:
    return f"Pengaduan <b>{esc(code)}</b> masih terbuka; tidak perlu dibuka kembali."


def already_in_process(ticket: Ticket) -> str:
    return f"Pengaduan <b>{esc(ticket.code)}</b> sudah berstatus <b>{esc(status_label(ticket.status))}</b>."


def same_tier(ticket: Ticket) -> str:
    return f"Pengaduan <b>{esc(ticket.code)}</b> sudah bertingkat <b>{esc(tier_label(ticket.tier))}</b>."


def file_too_large(limit_mb: float) -> str:
    return (
        f"Berkas ini melebihi {limit_mb:g} MB sehingga tidak diteruskan ke pelapor. "
        "Kirim versi yang lebih kecil."
    )


UNSUPPORTED_REPLY = (
    "Tidak diteruskan: yang dapat dikirim ke pelapor hanya teks, foto, atau dokumen."
)
EMPTY_REPLY = "Tulis jawabannya setelah kode, misalnya <code>/balas KODE Terima kasih, ...</code>"

# --- button prompts ---------------------------------------------------------------------------


def choose_tier(ticket: Ticket) -> str:
    return (
        f"🏷 Pilih tingkat baru untuk <b>{esc(ticket.code)}</b> "
        f"(sekarang: {esc(tier_label(ticket.tier))}). Batas waktu dihitung ulang dari waktu pengaduan diterima.\n"
        f"Untuk menyertakan alasan, pakai <code>/tingkat {esc(ticket.code)} TINGKAT alasan</code>."
    )


def tier_button(tier: Tier, current: Tier) -> str:
    return f"• {tier_label(tier)} (sekarang)" if tier is current else tier_label(tier)


def confirm_close(ticket: Ticket) -> str:
    return (
        f"Tutup pengaduan <b>{esc(ticket.code)}</b> tanpa catatan? Pelapor akan diberi tahu.\n"
        f"Untuk menutup dengan catatan, pakai <code>/tutup {esc(ticket.code)} catatan</code>."
    )


CONFIRM_CLOSE_BUTTON = "✅ Ya, tutup"
CANCEL_BUTTON = "↩️ Batal"
CANCELLED = "Dibatalkan."

# --- toasts (plain text, short) ---------------------------------------------------------------

TOAST_NOT_FOUND = "Pengaduan tidak ditemukan."
TOAST_CLOSED = "Pengaduan ini sudah ditutup. Pakai /buka KODE bila perlu."
TOAST_IN_PROCESS = "Pengaduan ini sudah diproses."
TOAST_SAME_TIER = "Tingkatnya sudah itu."
TOAST_DONE = "Dicatat."
TOAST_CANCELLED = "Dibatalkan."
TOAST_STAFF_ONLY = "Hanya untuk petugas di grup staf."

# --- ticket views -----------------------------------------------------------------------------


def full_ticket(card: str, history: str) -> str:
    return f"{card}\n\n{history}"


def open_tickets(
    rows: list[tuple[Ticket, str]], zone: ZoneInfo, now: dt.datetime, *, total: int, overdue: int
) -> str:
    """The open list (``desk.open_list``), capped: the header counts every open ticket."""
    listing = desk.open_list(rows, zone, now)
    hidden = total - len(rows)
    if hidden <= 0:
        return listing
    body = listing.split("\n", 1)[1] if "\n" in listing else ""
    return (
        f"<b>Pengaduan terbuka: {total}</b>{desk.overdue_count(overdue)}; "
        f"ditampilkan {len(rows)} dengan batas waktu terdekat.\n"
        f"{body}\n… dan {hidden} pengaduan lain. Lihat satu per satu dengan <code>/tiket KODE</code>."
    )


# --- confidential identity (admins only) -------------------------------------------------------

ADMIN_ONLY = "Maaf, hanya admin yang dapat membuka identitas pelapor yang dirahasiakan."


def not_confidential(code: str) -> str:
    return (
        f"Pelapor <b>{esc(code)}</b> tidak meminta identitasnya dirahasiakan; "
        "nama dan kontaknya sudah tampil di kartu tiket."
    )


def identity_for_admin(ticket: Ticket) -> str:
    account = (
        f"\nAkun Telegram: <code>{ticket.citizen_user_id}</code>" if ticket.citizen_user_id else ""
    )
    return (
        f"🔓 <b>Identitas pelapor {esc(ticket.code)}</b>\n"
        f"Nama: {esc(ticket.name)}\n"
        f"Kontak: {esc(ticket.contact)}{account}\n\n"
        "<i>Informasi ini rahasia: jangan diteruskan. Pembukaan identitas dicatat di riwayat pengaduan.</i>"
    )


def identity_sent(code: str, admin_name: str) -> str:
    return (
        f"🔓 Identitas pelapor <b>{esc(code)}</b> dikirim ke obrolan pribadi {esc(admin_name)} "
        "dengan bot. Pembukaan ini dicatat di riwayat."
    )


def identity_undeliverable(code: str, bot_username: str | None) -> str:
    where = f"@{esc(bot_username)}" if bot_username else "bot ini"
    return (
        f"Identitas pelapor <b>{esc(code)}</b> belum dapat dikirim karena Anda belum memulai obrolan "
        f"pribadi dengan bot. Buka {where}, tekan <b>Start</b>, lalu ulangi "
        f"<code>/identitas {esc(code)}</code>. Identitas tidak dibuka."
    )


# --- closing means answered -------------------------------------------------------------------


def close_needs_answer(code: str) -> str:
    return (
        f"Pengaduan <b>{esc(code)}</b> belum pernah dijawab, jadi belum dapat ditutup.\n"
        f"Tulis jawabannya: <code>/tutup {esc(code)} teks jawaban</code> — teks itu dikirim ke pelapor "
        "sebagai jawaban, lalu pengaduan ditutup."
    )


TOAST_NOT_ANSWERED = "Belum pernah dijawab: pakai /tutup KODE teks jawaban."

# --- internal notes ---------------------------------------------------------------------------

EMPTY_NOTE = "Tulis catatannya setelah kode, misalnya <code>/catatan KODE sudah dicek ke pokja</code>"

# --- replies held until a button is pressed ---------------------------------------------------

SEND_HELD_BUTTON = "📤 Kirim ke pelapor"
NOTE_HELD_BUTTON = "📝 Simpan sebagai catatan"


def held_prompt(ticket: Ticket, held: HeldReply) -> str:
    files = f"\n📎 {len(held.attachments)} lampiran" if held.attachments else ""
    preview = esc(truncate_plain(held.text, 500)) if held.text else "<i>(tanpa teks)</i>"
    return (
        f"✋ <b>Belum dikirim.</b> Balasan {esc(held.author.name or 'petugas')} untuk "
        f"<b>{esc(ticket.code)}</b>:\n{preview}{files}\n\n"
        "Kirim ke pelapor sebagai jawaban, atau simpan sebagai catatan tim? "
        f"(Jawaban langsung: <code>/balas {esc(ticket.code)} teks</code>.)"
    )


def held_done(code: str, choice: str, by: str | None) -> str:
    who = esc(by or "petugas")
    if choice == "kirim":
        return f"📤 Balasan untuk <b>{esc(code)}</b> dikirim ke pelapor (dipilih {who})."
    return f"📝 Balasan untuk <b>{esc(code)}</b> disimpan sebagai catatan tim (dipilih {who})."


def toast_held_resolved(choice: str | None, by: str | None) -> str:
    done = "dikirim ke pelapor" if choice == "kirim" else "disimpan sebagai catatan"
    return (f"Sudah {done}" + (f" oleh {by}." if by else "."))[:190]


TOAST_HELD_GONE = "Balasan ini tidak ditemukan lagi."
TOAST_SENT = "Dikirim ke pelapor."
TOAST_NOTED = "Disimpan sebagai catatan."

# --- ownership --------------------------------------------------------------------------------


def already_yours(code: str) -> str:
    return f"Pengaduan <b>{esc(code)}</b> sudah Anda pegang."


TOAST_ALREADY_YOURS = "Tiket ini sudah Anda pegang."
TOAST_REOPENED = "Dibuka kembali."
TOAST_ALREADY_OPEN = "Pengaduan ini masih terbuka."

# --- /daftar with a filter --------------------------------------------------------------------

FILTER_LABELS = {"terlambat": "terlambat", "saya": "yang Anda pegang", "baru": f"berstatus {status_label(Status.NEW)}"}


def filtered_list(
    label: str, rows: list[tuple[Ticket, str]], zone: ZoneInfo, now: dt.datetime, *, total: int, overdue: int
) -> str:
    if not rows:
        return f"Tidak ada pengaduan terbuka {esc(label)}."
    # «/daftar terlambat» would say it twice ("terlambat: 3 (3 terlambat)").
    late = desk.overdue_count(overdue) if label != FILTER_LABELS["terlambat"] else ""
    lines = [f"<b>Pengaduan terbuka {esc(label)}: {total}</b>{late}"]
    lines.extend(desk.open_list_line(ticket, left, now) for ticket, left in rows)
    if total > len(rows):
        lines.append(f"… dan {total - len(rows)} pengaduan lain.")
    return "\n".join(lines)


def tier_filter_label(tier: Tier) -> str:
    return f"bertingkat {tier_label(tier)}"
