"""What the citizen sends after (or while) filing: late evidence, a kept draft, objections, rating comments."""

from __future__ import annotations

import datetime as dt

from bot.texts.format import esc

# --- evidence after filing -----------------------------------------------------------------------


def late_evidence_received(code: str, caption: str) -> str:
    kept = " beserta keterangannya" if caption.strip() else ""
    return f"📎 Berkas Anda{kept} sudah kami lampirkan pada pengaduan <b>{esc(code)}</b> dan diteruskan ke petugas."


LATE_EVIDENCE_WHICH = "Anda punya beberapa pengaduan yang masih terbuka. Berkas ini untuk pengaduan yang mana?"
LATE_EVIDENCE_NO_TICKET = (
    "Kami menerima berkas Anda, tetapi Anda belum punya pengaduan yang masih terbuka, jadi berkas ini "
    "belum kami simpan. Ketik /lapor untuk mengajukan pengaduan; foto atau dokumen bisa dikirim pada "
    "langkah «bukti»."
)
LATE_EVIDENCE_STALE = "Berkas itu sudah tidak menunggu; kirim ulang berkasnya."


def late_evidence_too_large(limit_mb: float) -> str:
    return f"Berkas ini melebihi {limit_mb:g} MB dan tidak kami simpan. Kirim versi yang lebih kecil."


def late_evidence_button(code: str, subject: str) -> str:
    words = " ".join(subject.split()[:5])
    return f"{code} · {words}"[:60]


# --- a slow typist keeps the draft -------------------------------------------------------------------

RESUME_BUTTON = "▶️ Lanjutkan"
START_OVER_BUTTON = "🆕 Mulai baru"


def draft_paused(minutes: int, hours: int) -> str:
    return (
        f"Pengisian pengaduan dijeda karena tidak ada jawaban selama {minutes} menit. Jawaban Anda "
        f"kami simpan selama {hours} jam: kirim pesan apa saja untuk melanjutkan."
    )


def draft_waiting(minutes: int, kept_text: bool) -> str:
    note = " Pesan yang baru Anda ketik dipakai untuk langkah itu." if kept_text else ""
    return (
        f"Pengisian pengaduan Anda dijeda karena tidak ada jawaban selama {minutes} menit, tetapi "
        "jawaban Anda masih tersimpan. Tekan «Lanjutkan» untuk kembali ke langkah terakhir dengan "
        f"jawaban sebelumnya.{note} Atau tekan «Mulai baru»."
    )


RESUMED = "▶️ Melanjutkan pengisian pengaduan."
DRAFT_GONE = "Draf pengaduan itu sudah tidak ada. Ketik /lapor untuk mulai lagi."


# --- objections to a closure (keberatan) -----------------------------------------------------------

def objection_received(code: str) -> str:
    return (
        f"📨 Keberatan Anda atas penutupan pengaduan <b>{esc(code)}</b> sudah kami teruskan ke petugas. "
        "Petugas akan menilai apakah pengaduan dibuka kembali."
    )


def objection_for_staff(code: str, text: str, closed_at: dt.datetime, zone: dt.tzinfo) -> str:
    closed = closed_at.astimezone(zone).strftime("%d-%m-%Y %H.%M")
    body = f"\n\n{esc(text)}" if text.strip() else ""
    return (
        f"⚠️ <b>Keberatan pelapor {esc(code)}</b> atas penutupan ({closed} WITA){body}\n\n"
        f"Tekan «Buka kembali» untuk membuka lagi pengaduan ini."
    )


def objection_too_late(code: str, days: int) -> str:
    return (
        f"Pengaduan <b>{esc(code)}</b> sudah ditutup lebih dari {days} hari lalu, jadi keberatan tidak dapat "
        "diterima lagi lewat pesan ini. Bila masalahnya berlanjut, ajukan pengaduan baru dengan /lapor."
    )


def reopened_by_objection(code: str) -> str:
    return f"Pengaduan {esc(code)} dibuka kembali atas keberatan pelapor."


OBJECTION_ALREADY_OPEN = "Pengaduan ini sudah terbuka."


# --- a low rating invites one line of comment -------------------------------------------------------


# Sent under the rating's one-line thanks (texts.watch.rating_thanks), so it does not thank again.
ASK_RATING_COMMENT = (
    "💬 Apa yang perlu kami perbaiki? Tulis satu baris saja; ketik /batal bila tidak ingin memberi komentar."
)


def rating_comment_received(code: str) -> str:
    return f"✔️ Komentar Anda untuk <b>{esc(code)}</b> sudah kami teruskan ke petugas. Terima kasih."


def rating_comment_for_staff(code: str, rating: int, text: str) -> str:
    return f"💬 <b>Komentar penilaian {esc(code)}</b> (nilai {rating}/5)\n\n{esc(text)}"


RATING_COMMENT_CANCELLED = "Baik, tanpa komentar."


# --- long answers from staff --------------------------------------------------------------------------


def long_text_warning(code: str | None, length: int) -> str:
    continue_with = f"<code>/balas {esc(code)} …</code>" if code else "<code>/balas KODE …</code>"
    return (
        f"⚠️ Pesan ini {length} karakter, di batas Telegram (4096). Aplikasi Telegram memecah pesan yang "
        "lebih panjang, dan bot di grup hanya menerima bagian pertama: <b>sisanya mungkin tidak sampai</b>. "
        f"Periksa akhir pesan di atas; lanjutkan dengan {continue_with} — dikirim ke pelapor sebagai "
        "bagian berikutnya."
    )
