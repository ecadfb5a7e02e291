"""Texts of the complaint desk: the citizen's filing, ticket views and the staff chat.

Every function returns Telegram HTML; anything a person typed goes through ``esc``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.tickets import Actor, ActorKind, EventKind, Ticket, TicketEvent
from bot.domain.tiers import Tier
from bot.domain.time_left import TimeLeft, TimeLeftKind
from bot.domain.workcalendar import DAY_NAMES
from bot.texts.format import esc, format_short, format_when, truncate_plain
from bot.texts.labels import channel_label, kind_label, rating_label, status_label, tier_label

# --- citizen: filing -------------------------------------------------------------------

def filed_for_citizen(ticket: Ticket, zone: ZoneInfo) -> str:
    return (
        "✅ <b>Pengaduan Anda sudah kami terima.</b>\n\n"
        f"Kode pengaduan: <code>{esc(ticket.code)}</code>\n"
        f"Tingkat: <b>{esc(tier_label(ticket.tier))}</b>\n"
        f"Batas waktu jawaban: <b>{esc(format_when(ticket.deadline_at, zone))}</b>\n\n"
        "Petugas kami memeriksanya dan jawabannya datang di obrolan ini. Balas pesan ini untuk "
        "menambah keterangan atau bukti; /status untuk perkembangannya; alur lengkapnya di /layanan."
    )


TIER_SET_AT_RECORDING = "Ditetapkan petugas saat mencatat pengaduan."
TIER_CHANGED_BY_STAFF = "Diklasifikasi ulang oleh petugas."


def disputed_reason(reason: str, base: Tier) -> str:
    """The tier reason of a filing whose citizen disputed the text's escalation."""
    return (
        f"{reason} Pelapor menyatakan ini bukan dugaan pelanggaran, sehingga ditangani sebagai "
        f"{tier_label(base)} sesuai jenis yang dipilih; petugas dapat mengubahnya dengan /tingkat."
    )


DISPUTED_MARK = "⚠️ <b>Pelapor menyatakan ini bukan dugaan pelanggaran</b> (teks menaikkan tingkat)."


# --- masks for confidential reporters ---------------------------------------------------


def masked_name(name: str) -> str:
    initials = [part[0].upper() + "." for part in name.split() if part]
    return " ".join(initials) or "***"


def masked_contact(contact: str) -> str:
    if "@" in contact:
        local, _, domain = contact.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = [ch for ch in contact if ch.isdigit()]
    return "***" + "".join(digits[-3:]) if digits else "***"


def reporter_line(ticket: Ticket, *, reveal: bool = False) -> str:
    if ticket.confidential and not reveal:
        return (
            f"{esc(masked_name(ticket.name))} · {esc(masked_contact(ticket.contact))} "
            "🔒 <i>identitas dirahasiakan</i>"
        )
    return f"{esc(ticket.name)} · {esc(ticket.contact)}"


# --- ticket views -----------------------------------------------------------------------


def time_left(ticket: Ticket, now: dt.datetime, left: str | None) -> str:
    """'sisa 2 hari kerja' / 'terlambat 3 jam kerja', computed by the caller on the work calendar."""
    if not ticket.is_open:
        return "selesai"
    return left or ""


def _clock(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} jam" if hours else "", f"{rest} menit" if rest else ""]
    return " ".join(part for part in parts if part) + " kerja"


def _until(deadline: dt.datetime, zone: ZoneInfo) -> str:
    local = deadline.astimezone(zone)
    return f"hingga {DAY_NAMES[local.weekday()]} {format_short(deadline, zone)}"


def time_left_words(left: TimeLeft, zone: ZoneInfo, *, until: bool = True) -> str:
    """'sisa 5 hari kerja (hingga Rabu 30 Des 2026 16.00)', 'sisa 2 jam 30 menit kerja (…)',
    'terlambat 2 hari kerja', 'terlambat 3 jam kerja': the same words on every view; without
    ``until`` where the deadline has its own line (the card)."""
    kind = left.kind
    if kind is TimeLeftKind.CLOSED:
        return "selesai"
    if kind is TimeLeftKind.ANSWERED:
        return "sudah dijawab"
    if kind is TimeLeftKind.DAYS_LEFT:
        return f"sisa {left.days} hari kerja" + (f" ({_until(left.deadline, zone)})" if until else "")
    if kind is TimeLeftKind.CLOCK_LEFT:
        amount = _clock(left.minutes) if left.minutes else "kurang dari 1 menit kerja"
        return f"sisa {amount}" + (f" ({_until(left.deadline, zone)})" if until else "")
    if kind is TimeLeftKind.DAYS_LATE:
        return f"terlambat {left.days} hari kerja"
    return f"terlambat {_clock(left.minutes)}" if left.minutes else "terlambat (batas waktu baru lewat)"


# On the card the description stays within one Telegram message, so the card can be edited.
CARD_DESCRIPTION_LIMIT = 3000


def is_disputed(ticket: Ticket) -> bool:
    """Whether the tier still stands on the citizen's «Ini bukan dugaan pelanggaran» (until /tingkat)."""
    return "Pelapor menyatakan ini bukan dugaan pelanggaran" in ticket.tier_reason


def owner_line(ticket: Ticket) -> str:
    if ticket.owner_name:
        return f"Penanggung jawab: <b>{esc(ticket.owner_name)}</b>"
    if not ticket.is_open:
        return "Penanggung jawab: -"
    return f"Penanggung jawab: belum ada (<code>/ambil {esc(ticket.code)}</code>)"


def answered_line(ticket: Ticket, zone: ZoneInfo) -> str:
    if ticket.first_answer_at is None:
        return "Jawaban: <b>belum dijawab</b>"
    on_time = "tepat waktu" if ticket.first_answer_at <= ticket.deadline_at else "melewati batas"
    return f"Jawaban: dijawab {esc(format_short(ticket.first_answer_at, zone))} ({on_time})"


# Buttons of the ticket card (callback actions are stored names; the words are these).
CARD_ACTION_BUTTONS = {"proses": "🔎 Proses", "tingkat": "🏷 Ubah tingkat", "tutup": "✅ Tutup",
                       "riwayat": "🕘 Riwayat"}
TAKE_BUTTON = "🙋 Ambil"
REOPEN_BUTTON = "🔁 Buka kembali"


def ticket_card(
    ticket: Ticket, zone: ZoneInfo, *, now: dt.datetime, left: str, reveal: bool = False,
    disputed: bool = False, full: bool = False,
) -> str:
    """The ticket card; ``full`` keeps a long description whole (the /tiket view, which may split)."""
    overdue = "⏰ <b>TERLAMBAT</b> · " if ticket.is_overdue(now) else ""
    package = f"\nPaket: <code>{esc(ticket.package_code)}</code>" if ticket.package_code else ""
    target = (
        f"\nTarget jawaban: {esc(format_when(ticket.target_at, zone))}" if ticket.target_at else ""
    )
    description = ticket.description if full else truncate_plain(ticket.description, CARD_DESCRIPTION_LIMIT)
    footer = (
        "<i>Balas (reply) pesan ini untuk menulis jawaban atau catatan tim; bot menanyakan dulu "
        "sebelum mengirim ke pelapor.</i>" if ticket.is_open
        else f"<i>Selesai. Buka kembali dengan <code>/buka {esc(ticket.code)} alasan</code>.</i>"
    )
    # Time left only while it is running: once answered, the answer line says it (no "Selesai · selesai").
    clock = f" · {esc(left)}" if ticket.awaiting_answer else ""
    return (
        f"📋 <b>{esc(ticket.code)}</b> · {esc(tier_label(ticket.tier))}\n"
        f"{overdue}Status: <b>{esc(status_label(ticket.status))}</b>{clock}\n"
        f"Batas: {esc(format_when(ticket.deadline_at, zone))}{target}\n"
        f"{answered_line(ticket, zone)}\n"
        f"{owner_line(ticket)}\n"
        f"Pelapor: {reporter_line(ticket, reveal=reveal)}\n"
        f"Saluran: {esc(channel_label(ticket.channel))} · Jenis: {esc(kind_label(ticket.matter_kind))}"
        f"{package}\n"
        f"Alasan tingkat: <i>{esc(ticket.tier_reason)}</i>\n"
        f"{DISPUTED_MARK + chr(10) if disputed else ''}\n"
        f"{esc(description)}\n\n"
        f"{footer}"
    )


def _citizen_clock(ticket: Ticket, now: dt.datetime, left: str) -> str:
    """' (sisa 2 hari kerja)' while the deadline runs, ' (⏰ terlambat …)' past it, nothing once
    answered or closed: the status line already says that."""
    if not ticket.awaiting_answer or not left:
        return ""
    return f" (⏰ {esc(left)})" if ticket.is_overdue(now) else f" ({esc(left)})"


def citizen_ticket_view(ticket: Ticket, events: list[TicketEvent], zone: ZoneInfo, *, now: dt.datetime,
                        left: str) -> str:
    """``left`` without the "hingga …" date: the deadline is on the same line."""
    lines = [
        f"📄 <b>{esc(ticket.code)}</b>",
        f"Tingkat: {esc(tier_label(ticket.tier))}",
        f"Status: <b>{esc(status_label(ticket.status))}</b>",
        f"Diterima: {esc(format_when(ticket.received_at, zone))}",
        f"Batas waktu: {esc(format_when(ticket.deadline_at, zone))}{_citizen_clock(ticket, now, left)}",
    ]
    if ticket.target_at and ticket.is_open:
        lines.append(f"Perkiraan jawaban: {esc(format_when(ticket.target_at, zone))}")
    lines.append(f"\n<b>Isi pengaduan</b>\n{esc(truncate_plain(ticket.description, 600))}")
    lines.append("\n<b>Riwayat</b>")
    lines.extend(line for event in events if (line := history_line(event, zone, for_citizen=True)))
    return "\n".join(lines)


def citizen_ticket_list(rows: list[tuple[Ticket, str]], zone: ZoneInfo, now: dt.datetime) -> str:
    """``left`` as in ``citizen_ticket_view``."""
    if not rows:
        return "Anda belum punya pengaduan. Ketik /lapor untuk mengajukan pengaduan."
    lines = ["<b>Pengaduan Anda</b>"]
    for ticket, left in rows:
        lines.append(
            f"<code>{esc(ticket.code)}</code> · {esc(tier_label(ticket.tier))} · "
            f"{esc(status_label(ticket.status))} · batas {esc(format_short(ticket.deadline_at, zone))}"
            f"{_citizen_clock(ticket, now, left)}"
        )
    lines.append("\nKetik <code>/status KODE</code> untuk melihat rincian dan riwayat.")
    return "\n".join(lines)


_EVENT_LABELS = {
    EventKind.FILED: "Pengaduan diterima",
    EventKind.CITIZEN_MESSAGE: "Tambahan keterangan dari pelapor",
    EventKind.STAFF_REPLY: "Jawaban petugas",
    EventKind.STATUS_CHANGED: "Status berubah",
    EventKind.RECLASSIFIED: "Tingkat pengaduan diubah",
    EventKind.CLOSED: "Pengaduan ditutup",
    EventKind.REOPENED: "Pengaduan dibuka kembali",
    EventKind.UNDELIVERED: "Pesan tidak terkirim",
    EventKind.TARGET_SET: "Perkiraan waktu jawaban ditetapkan",
    EventKind.IDENTITY_REVEALED: "Identitas dibuka oleh admin",
    EventKind.LINKED: "Ditautkan ke akun Telegram",
    EventKind.PIN_RESET: "PIN baru dibuat petugas",
    EventKind.RATED: "Penilaian pelapor",
    EventKind.ERASED: "Data pribadi dihapus",
    EventKind.CONFIDENTIALITY_CHOSEN: "Pilihan pelapor",
    EventKind.NOTE: "📝 Catatan tim",
    EventKind.ASSIGNED: "Penanggung jawab",
    EventKind.OBJECTION: "Keberatan pelapor atas penutupan",
    EventKind.RATING_COMMENT: "Komentar atas penilaian",
}

# Internal events staff need but the citizen does not.
_STAFF_ONLY = {EventKind.UNDELIVERED, EventKind.IDENTITY_REVEALED, EventKind.PIN_RESET, EventKind.NOTE,
               EventKind.ASSIGNED}


def actor_label(actor: Actor, *, for_citizen: bool) -> str:
    if actor.kind is ActorKind.STAFF:
        return "Petugas pengaduan" if for_citizen else f"{actor.name or 'petugas'}"
    if actor.kind is ActorKind.CITIZEN:
        return "Pelapor"
    return "Sistem"


# What an undelivered message was, by its outbox purpose (a stored name); others: "pesan".
UNDELIVERED_WHAT = {
    "staff_reply": "jawaban petugas",
    "staff_reply_file": "lampiran jawaban petugas",
    "closed_notice": "pemberitahuan selesai",
    "status_notice": "pemberitahuan status",
    "target_notice": "perkiraan waktu jawaban",
    "overdue_citizen": "permohonan maaf keterlambatan",
    "rating_request": "permintaan penilaian",
    "confidentiality_offer": "tawaran kerahasiaan identitas",
    "confidentiality_citizen": "konfirmasi kerahasiaan identitas",
    "linked_citizen": "konfirmasi tautan akun",
    "filed_citizen": "tanda terima",
}


def undelivered_what(purpose: str) -> str:
    return UNDELIVERED_WHAT.get(purpose, "pesan")


def _event_detail(event: TicketEvent, zone: ZoneInfo, *, for_citizen: bool) -> str:
    """The data of an event, after its label: what changed, to what, and why."""
    data, kind = event.data, event.kind
    if kind is EventKind.RECLASSIFIED:
        detail = f": {tier_label(Tier(data['from']))} → {tier_label(Tier(data['to']))}"
        if data.get("deadline_to"):
            detail += f", batas baru {format_short(dt.datetime.fromisoformat(data['deadline_to']), zone)}"
        if not for_citizen and data.get("reason"):
            detail += f" ({data['reason']})"
        return detail
    if kind is EventKind.STATUS_CHANGED and data.get("to"):
        return f": {status_label(data['to'])}"
    if kind is EventKind.TARGET_SET and data.get("target"):
        return f": {format_short(dt.datetime.fromisoformat(data['target']), zone)}"
    if kind in (EventKind.STAFF_REPLY, EventKind.CITIZEN_MESSAGE, EventKind.OBJECTION) and data.get("text"):
        return f": {truncate_plain(data['text'], 200)}"
    if kind is EventKind.NOTE:
        # The team's notes are their working record: shown whole in /tiket.
        return f": {data.get('text', '')}"
    if kind is EventKind.ASSIGNED:
        taken = f" (mengambil alih dari {data['from_name']})" if data.get("from_name") else ""
        return f": {data.get('to_name', '')}{taken}"
    if kind in (EventKind.CLOSED, EventKind.REOPENED):
        why = data.get("note") if kind is EventKind.CLOSED else data.get("reason")
        return f": {truncate_plain(why, 200)}" if why else ""
    if kind is EventKind.RATED and data.get("rating"):
        return f": {rating_label(int(data['rating']))}"
    if kind is EventKind.RATING_COMMENT and data.get("comment"):
        return f": {truncate_plain(data['comment'], 200)}"
    if kind is EventKind.CONFIDENTIALITY_CHOSEN and "confidential" in data:
        return ": identitas dirahasiakan" if data["confidential"] else ": identitas tidak dirahasiakan"
    if kind is EventKind.UNDELIVERED and data.get("purpose"):
        return f": {undelivered_what(data['purpose'])}"
    return ""


def history_line(event: TicketEvent, zone: ZoneInfo, *, for_citizen: bool) -> str | None:
    if for_citizen and event.kind in _STAFF_ONLY:
        return None
    label = _EVENT_LABELS.get(event.kind, event.kind.value)
    if event.kind is EventKind.CLOSED and event.data.get("answer"):
        label = "Dijawab dan ditutup"
    detail = _event_detail(event, zone, for_citizen=for_citizen)
    files = f" 📎{len(event.attachments)}" if event.attachments else ""
    who = actor_label(event.actor, for_citizen=for_citizen)
    return f"• {esc(format_short(event.at, zone))} — {esc(label)}{esc(detail)}{files} <i>({esc(who)})</i>"


def staff_history(ticket: Ticket, events: list[TicketEvent], zone: ZoneInfo) -> str:
    lines = [f"<b>Riwayat {esc(ticket.code)}</b>"]
    lines.extend(line for e in events if (line := history_line(e, zone, for_citizen=False)))
    return "\n".join(lines)


SUBJECT_WORDS = 6


def subject_of(ticket: Ticket) -> str:
    """The first words of the description, as a short subject for lists."""
    words = ticket.description.split()
    subject = " ".join(words[:SUBJECT_WORDS])
    return truncate_plain(subject + ("…" if len(words) > SUBJECT_WORDS else ""), 60)


def open_list(rows: list[tuple[Ticket, str]], zone: ZoneInfo, now: dt.datetime) -> str:
    if not rows:
        return "Tidak ada pengaduan terbuka. 🎉"
    overdue = sum(1 for ticket, _ in rows if ticket.is_overdue(now))
    lines = [f"<b>Pengaduan terbuka: {len(rows)}</b>{overdue_count(overdue)}"]
    lines.extend(open_list_line(ticket, left, now) for ticket, left in rows)
    return "\n".join(lines)


def overdue_count(overdue: int) -> str:
    """' (2 terlambat)' after a list's count; nothing when none is late."""
    return f" ({overdue} terlambat)" if overdue else ""


def open_list_line(ticket: Ticket, left: str, now: dt.datetime) -> str:
    mark = "⏰" if ticket.is_overdue(now) else "•"
    owner = f" · 👤 {esc(ticket.owner_name)}" if ticket.owner_name else ""
    return (
        f"{mark} <code>{esc(ticket.code)}</code> {esc(tier_label(ticket.tier))} · "
        f"{esc(status_label(ticket.status))} · {esc(left)}{owner} · <i>{esc(subject_of(ticket))}</i>"
    )


# --- notices owed to people (sent through the outbox) -----------------------------------


def staff_reply_for_citizen(ticket: Ticket, text: str) -> str:
    return (
        f"💬 <b>Jawaban atas pengaduan {esc(ticket.code)}</b>\n\n{esc(text)}\n\n"
        "— <i>Petugas Pengelola Pengaduan, Biro PBJ Prov. Kaltara</i>\n"
        "Balas pesan ini bila ada yang ingin Anda sampaikan."
    )


def staff_attachment_caption(ticket: Ticket) -> str:
    return f"Lampiran jawaban atas pengaduan {esc(ticket.code)}"


def citizen_message_for_staff(ticket: Ticket, text: str) -> str:
    body = f"\n\n{esc(text)}" if text else ""
    return f"📨 <b>Tambahan dari pelapor {esc(ticket.code)}</b>{body}"


def citizen_attachment_caption(ticket: Ticket) -> str:
    return f"Bukti dari pelapor {esc(ticket.code)}"


def in_process_for_citizen(ticket: Ticket) -> str:
    return (
        f"🔎 Pengaduan <b>{esc(ticket.code)}</b> sedang diproses oleh petugas. "
        "Kami akan mengabari Anda."
    )


def reclassified_for_citizen(ticket: Ticket, zone: ZoneInfo) -> str:
    return (
        f"ℹ️ Tingkat pengaduan <b>{esc(ticket.code)}</b> diubah menjadi "
        f"<b>{esc(tier_label(ticket.tier))}</b>.\n"
        f"Batas waktu jawaban kini: <b>{esc(format_when(ticket.deadline_at, zone))}</b>."
    )


def closed_for_citizen(ticket: Ticket, note: str, *, answer: bool = False) -> str:
    """The closing notice; with ``answer`` the note is the bureau's answer (/tutup KODE teks on
    a ticket never answered before), sent together with the closing."""
    heading = "Jawaban petugas" if answer else "Catatan petugas"
    body = f"\n\n{heading}:\n{esc(note)}" if note else ""
    return (
        f"✅ Pengaduan <b>{esc(ticket.code)}</b> telah <b>selesai</b> ditangani.{body}\n\n"
        "Terima kasih telah menyampaikan pengaduan."
    )


def reopened_for_citizen(ticket: Ticket, reason: str = "") -> str:
    why = f"\n\nAlasan:\n{esc(reason)}" if reason else ""
    return f"🔁 Pengaduan <b>{esc(ticket.code)}</b> dibuka kembali dan akan ditindaklanjuti.{why}"


def staff_confirmation(ticket: Ticket, event: TicketEvent, zone: ZoneInfo) -> str:
    who = esc(event.actor.name or "petugas")
    code = esc(ticket.code)
    if event.kind is EventKind.STAFF_REPLY:
        if ticket.citizen_chat_id is None:
            return (
                f"✔️ Jawaban {who} untuk <b>{code}</b> dicatat. Pelapor belum terhubung ke Telegram: "
                "sampaikan jawabannya lewat kontak di kartu tiket."
            )
        return f"✔️ Jawaban {who} untuk <b>{code}</b> dicatat dan dikirim ke pelapor."
    if event.kind is EventKind.STATUS_CHANGED:
        return f"✔️ <b>{code}</b> kini <b>{esc(status_label(ticket.status))}</b> (oleh {who})."
    if event.kind is EventKind.RECLASSIFIED:
        return (
            f"✔️ <b>{code}</b> diubah ke <b>{esc(tier_label(ticket.tier))}</b> oleh {who}. "
            f"Batas baru: {esc(format_when(ticket.deadline_at, zone))}."
        )
    if event.kind is EventKind.CLOSED and event.data.get("answer"):
        return f"✔️ <b>{code}</b> dijawab dan ditutup oleh {who}; jawabannya dikirim ke pelapor."
    if event.kind is EventKind.CLOSED:
        return f"✔️ <b>{code}</b> ditutup oleh {who}."
    if event.kind is EventKind.REOPENED:
        reason = event.data.get("reason")
        why = f" Alasan (dikirim ke pelapor): {esc(reason)}" if reason else ""
        return f"✔️ <b>{code}</b> dibuka kembali oleh {who}.{why}"
    if event.kind is EventKind.NOTE:
        return f"📝 Catatan {who} untuk <b>{code}</b> disimpan (tidak dikirim ke pelapor)."
    if event.kind is EventKind.ASSIGNED:
        previous = event.data.get("from_name")
        taken = f", mengambil alih dari {esc(previous)}" if previous else ""
        return f"👤 <b>{code}</b> kini dipegang {who}{taken}."
    return f"✔️ {code}: {esc(_EVENT_LABELS.get(event.kind, event.kind.value))}."


def undelivered_for_staff(ticket_code: str, purpose: str) -> str:
    what = undelivered_what(purpose)
    return (
        f"⚠️ {esc(what[:1].upper() + what[1:])} untuk pelapor <b>{esc(ticket_code)}</b> tidak dapat dikirim: pelapor memblokir "
        "bot atau menghapus akunnya. Isi jawaban tetap tersimpan di riwayat tiket; hubungi pelapor "
        "lewat kontak yang ia berikan."
    )


# --- citizen: status and additions -----------------------------------------------------

# The same answer for a wrong code, someone else's code and a wrong PIN (it reveals nothing), so it
# names the PIN too.
TICKET_NOT_FOUND = (
    "Pengaduan dengan kode itu tidak ditemukan di akun Anda. Periksa kodenya (bentuknya "
    "<code>ADU-TAHUN-NOMOR</code>) dan, untuk pengaduan yang dicatat petugas, PIN 6 angka pada tanda "
    "terimanya; atau ketik /status untuk daftar pengaduan Anda."
)
STATUS_USAGE = "Ketik <code>/status</code> untuk daftar pengaduan Anda, atau <code>/status KODE</code> untuk rinciannya."
ADD_INFO_BUTTON = "➕ Tambah keterangan"
DETAIL_BUTTON = "Rincian {code}"


def ask_addition(code: str) -> str:
    return (
        f"Kirim keterangan tambahan untuk <b>{esc(code)}</b>: teks, foto, atau dokumen (satu pesan). "
        "Ketik /batal bila tidak jadi."
    )


def addition_received(code: str) -> str:
    return f"✔️ Keterangan tambahan untuk <b>{esc(code)}</b> sudah diteruskan ke petugas."


def ticket_closed_for_citizen(code: str) -> str:
    return (
        f"Pengaduan <b>{esc(code)}</b> sudah selesai, jadi tambahan tidak dapat diterima lagi. "
        "Bila masalahnya berlanjut, ajukan pengaduan baru dengan /lapor."
    )


ADDITION_CANCELLED = "Baik, tidak jadi menambah keterangan."
ADDITION_EMPTY = "Kirim teks, foto, atau dokumen sebagai keterangan tambahan, atau /batal."
