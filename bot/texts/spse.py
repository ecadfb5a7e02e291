"""Texts about SPSE data: the SPSE part of a status view, sync summaries, notices, errors.

Telegram HTML unless a function says "plain"; everything that came from SPSE goes through ``esc``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.texts.format import WITA, esc, format_rupiah, format_when, truncate_plain
from bot.texts.paket import UNFOLLOW_COMMAND, state_label

if TYPE_CHECKING:
    from bot.domain.packages import Package, StageState
    from bot.domain.spse import ScheduleRow, SpseView, StageNews, SyncReport, Winner

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
SYNC_COMMAND = "sinkron"
SOURCE_LABEL = "SPSE"


def spse_time(moment: dt.datetime) -> str:
    """Plain: SPSE's wall-clock time as people say it, 'Selasa, 8 Desember 2026 16.00'."""
    return f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year} {moment:%H.%M}"


def schedule_line(row: ScheduleRow) -> str:
    """Plain: 'Evaluasi s.d. Selasa, 8 Desember 2026 16.00'."""
    if row.end is not None:
        return f"{row.step} s.d. {spse_time(row.end)}"
    if row.start is not None:
        return f"{row.step} mulai {spse_time(row.start)}"
    return row.step


def next_line(row: ScheduleRow) -> str:
    """Plain: 'Pembuktian Kualifikasi, mulai Rabu, 9 Desember 2026 08.00'."""
    if row.start is not None:
        return f"{row.step}, mulai {spse_time(row.start)}"
    return row.step


def history_note(stage_text: str) -> str:
    """Plain note of a history entry written by a sync."""
    return f"Tahap di SPSE: {truncate_plain(stage_text, 300)}" if stage_text else "Data dari SPSE"


# --- the status view -----------------------------------------------------------------------------


def render_section(view: SpseView, package: Package, *, zone: ZoneInfo = WITA) -> str:
    """The SPSE lines appended to the status view of a synced package."""
    lines = ["", "<b>Data SPSE</b>"]
    if view.agency:
        lines.append(f"Instansi: {esc(view.agency)}")
    if view.retender:
        lines.append("🔁 <b>Tender ulang</b> (ditandai di SPSE)")
    if view.stage_text:
        lines.append(f"Tahap di SPSE: <b>{esc(view.stage_text)}</b>")
    if view.current is not None:
        lines.append(f"Jadwal: {esc(schedule_line(view.current))}")
    if view.following is not None:
        lines.append(f"Berikutnya: {esc(next_line(view.following))}")
    if package.hps is None and view.hps_text:
        lines.append(f"HPS (dibulatkan SPSE): {esc(view.hps_text)}")
    lines.append(f"<i>data SPSE per {esc(format_when(view.seen_at, zone))}</i>")
    return "\n".join(lines)


def unreachable(code: str) -> str:
    return (f"⚠️ SPSE sedang tidak dapat dihubungi, jadi kode <code>{esc(truncate_plain(code, 40))}</code> "
            "belum dapat dicek di sana. Silakan coba lagi beberapa saat lagi. "
            "Paket yang sudah tercatat di bot tetap dapat dicek.")


# --- sync --------------------------------------------------------------------------------------------

SYNC_DISABLED = "Sinkronisasi SPSE tidak aktif. Aktifkan di <code>[spse] enabled = true</code>."
SYNC_BUSY = "⏳ Sinkronisasi SPSE sedang berjalan. Hasilnya dikirim ke sini setelah selesai."
SYNC_STARTED = "🔄 Sinkronisasi SPSE dimulai. Hasilnya dikirim ke sini setelah selesai."
SYNC_CHANGE_LIMIT = 15


def _news_line(news: StageNews) -> str:
    if news.before is None:
        return (f"• 🆕 <code>{esc(news.code)}</code> {esc(truncate_plain(news.name, 60))}: "
                f"{esc(state_label(news.after))}")
    return (f"• <code>{esc(news.code)}</code> {esc(truncate_plain(news.name, 60))}: "
            f"{esc(state_label(news.before))} → <b>{esc(state_label(news.after))}</b>")


def sync_report(report: SyncReport, *, zone: ZoneInfo = WITA) -> str:
    """What a sync changed (HTML), for staff /sinkron and the CLI."""
    if report.skipped:
        return SYNC_BUSY
    if not report.ok:
        return (f"❌ Sinkronisasi SPSE gagal; <b>data tidak diubah</b>.\nPenyebab: {esc(report.error or '-')}\n"
                f"Permintaan ke SPSE: {report.requests}")
    changed = [news for news in report.stage_changes if news.before is not None]
    lines = [
        f"✅ Sinkronisasi SPSE selesai: {report.listed} paket terbaca.",
        f"• Paket baru: {report.created}",
        f"• Paket diperbarui: {report.updated}",
        f"• Perubahan tahap: {len(changed)}",
        f"• Jadwal berubah: {report.schedule_changes}",
        f"• Pemenang diumumkan: {report.winners}",
        f"• Kabar ke pengikut: {report.notices}",
        f"• Permintaan ke SPSE: {report.requests}",
    ]
    if report.deferred:
        lines.append(f"• Halaman rinci ditunda ke sinkronisasi berikutnya: {report.deferred}")
    if report.detail_failures:
        lines.append(f"• Halaman rinci yang ditolak/tidak ada: {report.detail_failures}")
    if report.unknown_texts:
        shown = ", ".join(f"“{esc(truncate_plain(text, 60))}”" for text in report.unknown_texts[:5])
        lines.append(f"• Tahap SPSE yang tidak dikenal (disimpan apa adanya): {shown}")
    if changed:
        lines += ["", "<b>Perubahan tahap</b>", *(_news_line(news) for news in changed[:SYNC_CHANGE_LIMIT])]
        if len(changed) > SYNC_CHANGE_LIMIT:
            lines.append(f"• … dan {len(changed) - SYNC_CHANGE_LIMIT} lainnya")
    return "\n".join(lines)


def sync_report_plain(report: SyncReport) -> str:
    """The same summary for the terminal (no HTML)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", sync_report(report)))


def sync_notice(
    package: Package,
    *,
    before: StageState | None,
    stage_text: str,
    stage_changed: bool,
    schedule_changed: bool,
    current: ScheduleRow | None,
    following: ScheduleRow | None,
    winner: Winner | None,
    zone: ZoneInfo = WITA,
) -> str:
    """Sent to each chat following the package when a sync sees SPSE move it."""
    lines = ["🔔 <b>Perkembangan paket yang Anda ikuti</b>", "",
             f"<b>{esc(package.name)}</b>", f"Kode paket: <code>{esc(package.code)}</code>", ""]
    if stage_changed:
        if before is not None and before != package.state:
            lines.append(f"Sebelumnya: {esc(state_label(before))}")
        lines.append(f"Sekarang: <b>{esc(state_label(package.state))}</b>")
        if stage_text:
            lines.append(f"Tahap di SPSE: {esc(stage_text)}")
    if schedule_changed:
        lines.append("🗓 <b>Jadwal tender di SPSE berubah.</b>")
        if not stage_changed:
            lines.append(f"Tahap sekarang: <b>{esc(state_label(package.state))}</b>")
    if current is not None:
        lines.append(f"Jadwal: {esc(schedule_line(current))}")
    if following is not None:
        lines.append(f"Berikutnya: {esc(next_line(following))}")
    if winner is not None:
        value = f" — {format_rupiah(winner.value)}" if winner.value is not None else ""
        lines.append(f"🏆 Pemenang diumumkan: <b>{esc(winner.name)}</b>{value}")
    lines += ["", f"<i>Sumber: SPSE, {esc(format_when(package.updated_at, zone))}</i>",
              f"<i>Tidak ingin menerima kabar paket ini lagi? Kirim "
              f"<code>/{UNFOLLOW_COMMAND} {esc(package.code)}</code></i>"]
    return "\n".join(lines)


# --- staff /paket_tahap against SPSE ---------------------------------------------------------------

CONFIRM_YES = "✅ Ya, catat"
CONFIRM_NO = "✖️ Batal"
CONFIRM_EXPIRED = "Pertanyaan ini sudah kedaluwarsa. Ketik ulang perintah <code>/paket_tahap</code>."
CONFIRM_DROPPED = "Baik, tahap paket tidak diubah."
PUBLIC_NOTE_PREFIXES = ("publik:", "umum:")


def contradicts_spse(code: str, spse_state: str, stage_text: str, wanted: str) -> str:
    return (f"⚠️ Menurut SPSE, paket <code>{esc(code)}</code> berada pada <b>{esc(spse_state)}</b>"
            f" (tahap di SPSE: “{esc(stage_text)}”).\n"
            f"Anda meminta: <b>{esc(wanted)}</b>. Catat tetap?")


def backwards(code: str, current: str, wanted: str) -> str:
    return (f"⚠️ Paket <code>{esc(code)}</code> kini pada <b>{esc(current)}</b>; "
            f"<b>{esc(wanted)}</b> adalah langkah mundur. Catat tetap?")


def early_outcome(code: str, current: str, wanted: str) -> str:
    return (f"⚠️ Paket <code>{esc(code)}</code> baru pada <b>{esc(current)}</b>; "
            f"mencatat hasil akhir <b>{esc(wanted)}</b> dari tahap sedini ini jarang terjadi. Catat tetap?")


def public_note_line(note: str) -> str:
    return f"📝 Catatan petugas: {esc(note)}"


# --- check -----------------------------------------------------------------------------------------


def check_detail(last_ok: Any, last_failed: Any, zone: ZoneInfo, when: Sequence[dt.datetime | None]) -> str:
    """Plain: 'terakhir berhasil …, gagal …' for ``pbj-helpdesk check``."""
    ok_at, failed_at = when
    ok = f"terakhir berhasil {format_when(ok_at, zone)}" if ok_at else "belum pernah berhasil"
    if failed_at is None:
        return f"{ok}, belum pernah gagal"
    reason = f" ({truncate_plain(str(last_failed['error'] or '-'), 120)})" if last_failed is not None else ""
    return f"{ok}, gagal {format_when(failed_at, zone)}{reason}"
