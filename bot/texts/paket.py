"""Texts about procurement packages: status views, notices, errors, CSV import reports.

Every function returns Telegram HTML unless it says "plain"; anything typed by a person or
read from a file goes through ``esc``. The errors of :mod:`bot.domain.packages` and
:mod:`bot.domain.package_csv` are worded in one place, :func:`describe_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain import package_csv as csv_rules
from bot.domain import packages as rules
from bot.domain.package_csv import ImportReport
from bot.domain.packages import (
    OUTCOME_NAMES,
    SPSE_STEP_NAMES,
    STAGE_NAMES,
    Outcome,
    Package,
    PackageError,
    StageChange,
    StageChoice,
    StageEntry,
    StageState,
)
from bot.texts.format import WITA, esc, format_rupiah, format_short, format_when, truncate_plain

# --- names ---------------------------------------------------------------------------------------

# The names of stages, outcomes and SPSE steps are the standard's and SPSE's: bot.domain.packages.
OUTCOME_ICONS: dict[str, str] = {
    "selesai": "🏁",
    "dikembalikan": "↩️",
    "gagal": "❌",
    "batal": "⛔",
    "tender_ulang": "🔁",
}
ICON_DONE = "✅"
ICON_CURRENT = "▶️"
ICON_TODO = "▫️"

IMPORT_ACTOR_NAME = "impor CSV"
# Chat commands the notices point to; the chat handlers register these names.
FOLLOW_COMMAND = "ikuti"
UNFOLLOW_COMMAND = "berhenti_ikuti"
UNFOLLOW_BUTTON = "🔕 Berhenti mengikuti"

# --- parse errors ---------------------------------------------------------------------------------

CODE_EMPTY = "Kode paket belum diisi. Tulis kode paket SPSE atau kode RUP SIRUP (angka saja)."
STAGE_EMPTY = "Tahap belum diisi. Tulis nomor 1–6, misalnya <code>3</code>, atau nama tahapnya."


def code_not_digits(code: str) -> str:
    return (f"Kode <code>{esc(truncate_plain(code, 40))}</code> tidak sah: kode paket dan kode RUP "
            "hanya berisi angka, tanpa huruf, spasi, atau titik.")


def code_scientific(code: str) -> str:
    return (f"Kode <code>{esc(truncate_plain(code, 40))}</code> tertulis sebagai notasi ilmiah, "
            "sehingga angkanya hilang. Di Excel, format kolom kode sebagai Teks lalu isi ulang kodenya.")


def code_bad_length(code: str, minimum: int, maximum: int) -> str:
    return (f"Kode <code>{esc(truncate_plain(code, 40))}</code> tidak sah: panjangnya {len(code)} "
            f"angka, sedangkan kode paket atau kode RUP terdiri atas {minimum}–{maximum} angka.")


def stage_bad_number(number: str) -> str:
    return f"Tahap {esc(number)} tidak ada. Nomor tahap adalah 1 sampai 6."


def stage_unknown(text: str) -> str:
    return (f"Tahap “{esc(truncate_plain(text.strip(), 60))}” tidak dikenal. Tulis nomor tahap 1–6, "
            "hasil akhir (selesai, dikembalikan, gagal, batal, tender ulang), atau tahap SPSE "
            "seperti “evaluasi” atau “masa sanggah”.")


def stage_ambiguous(text: str, candidates: Sequence[StageChoice]) -> str:
    options = "; ".join(esc(choice_label(candidate)) for candidate in candidates)
    return (f"“{esc(truncate_plain(text, 60))}” bisa berarti beberapa tahap: {options}. "
            "Mohon tulis lebih lengkap atau pilih salah satu.")


def amount_unreadable(text: str) -> str:
    return (f"angka “{esc(truncate_plain(text, 40))}” tidak dapat dibaca; tulis misalnya "
            "1.250.000.000 atau 1250000000 (koma untuk sen: 1.250.000,50)")


def amount_too_precise(text: str) -> str:
    return f"angka “{esc(truncate_plain(text, 40))}” punya lebih dari dua angka di belakang koma"


def not_found(code: str) -> str:
    return (f"Paket dengan kode <code>{esc(truncate_plain(code, 40))}</code> tidak ditemukan. "
            "Periksa kembali kode paket (SPSE) atau kode RUP (SIRUP).")


_FINISHED = {Outcome.COMPLETED: "sudah selesai", Outcome.CANCELLED: "sudah dibatalkan",
             Outcome.FAILED: "dinyatakan gagal", Outcome.RETENDERED: "diganti tender ulang dengan kode baru"}


def package_finished(code: str, outcome: Outcome | None) -> str:
    state = _FINISHED.get(outcome, "sudah selesai") if outcome is not None else "sudah selesai"
    return (f"Paket <code>{esc(truncate_plain(code, 40))}</code> {state}; tidak ada perkembangan "
            "lagi untuk diikuti.")


def too_many_follows(limit: int) -> str:
    return (f"Anda sudah mengikuti {limit} paket, batas yang kami layani. Hentikan salah satu "
            f"dengan /{UNFOLLOW_COMMAND} lalu coba lagi.")


NEW_CODE_ONLY_FOR_RETENDER = "Kode paket baru hanya dipakai untuk tender ulang."
NEW_CODE_SAME = "Kode paket tender ulang harus berbeda dari kode paket lama."


def already_retendered(code: str, other: str) -> str:
    return (f"Paket <code>{esc(code)}</code> sudah tercatat ditender ulang dengan kode "
            f"<code>{esc(other)}</code>.")


def already_retender_of_other(code: str) -> str:
    return f"Paket <code>{esc(code)}</code> sudah tercatat sebagai tender ulang dari paket lain."


def retender_of_note(code: str) -> str:
    """Plain note in the history of a re-tender."""
    return f"Tender ulang dari kode paket {code}"


def visibility_note(public: bool, note: str | None) -> str:
    """Plain note in the history of a visibility change."""
    text = "Ditampilkan untuk publik" if public else "Disembunyikan dari publik"
    return f"{text}. {note}" if note else text


# --- labels ------------------------------------------------------------------------------------------


def _stage_line(stage: int) -> str:
    return f"{stage}. {STAGE_NAMES[stage]}"


def state_label(state: StageState) -> str:
    """Plain: '5. Pemilihan penyedia oleh Pokmil — Evaluasi', 'Batal (pada tahap 3. …)'."""
    where = _stage_line(int(state.stage))
    if state.spse is not None:
        where = f"{where} — {SPSE_STEP_NAMES[state.spse]}"
    if state.outcome is None:
        return where
    if state.outcome == "selesai":
        return OUTCOME_NAMES["selesai"]
    return f"{OUTCOME_NAMES[state.outcome]} (pada tahap {where})"


def choice_label(choice: StageChoice) -> str:
    """Plain: what a parsed stage means, for confirmations and 'did you mean' lists."""
    if choice.outcome is not None:
        label = OUTCOME_NAMES[choice.outcome]
        return f"{label} — {SPSE_STEP_NAMES[choice.spse]}" if choice.spse else label
    assert choice.stage is not None
    if choice.spse is not None:
        return f"Tahap SPSE {SPSE_STEP_NAMES[choice.spse]} (tahap 5)"
    return _stage_line(int(choice.stage))


def list_button_label(package: Package) -> str:
    """Plain, short: the text of a button that picks one package from several."""
    return truncate_plain(f"{package.code} · {package.name}", 60)


# --- views -------------------------------------------------------------------------------------------


def _reached_dates(history: Sequence[StageEntry]) -> dict[int, dt.datetime]:
    """When each stage was (last) entered, from the history in chronological order."""
    reached: dict[int, dt.datetime] = {}
    previous: int | None = None
    for entry in sorted(history, key=lambda item: item.id):
        stage = int(entry.state.stage)
        if stage != previous:
            reached[stage] = entry.at
        previous = stage
    return reached


def _progress(package: Package, history: Sequence[StageEntry], zone: ZoneInfo) -> list[str]:
    state = package.state
    current = int(state.stage)
    finished = state.outcome == "selesai"
    reached = _reached_dates(history)
    lines: list[str] = []
    for number, label in STAGE_NAMES.items():
        if finished or number < current:
            icon = ICON_DONE
        elif number == current:
            icon = OUTCOME_ICONS[state.outcome] if state.outcome else ICON_CURRENT
        else:
            icon = ICON_TODO
        line = f"{icon} {number}. {esc(label)}"
        when = reached.get(number) if number <= current else None
        if when is not None:
            line += f" <i>({esc(format_short(when, zone))})</i>"
        lines.append(line)
        if number == 5 and current == 5 and state.spse is not None:
            prefix = "Tahap SPSE terakhir" if state.outcome else "Tahap SPSE"
            lines.append(f"      ↳ {prefix}: <b>{esc(SPSE_STEP_NAMES[state.spse])}</b>")
    return lines


def _headline(package: Package, *, staff: bool) -> str | None:
    outcome = package.state.outcome
    if outcome is None:
        return None
    icon = OUTCOME_ICONS[outcome]
    if outcome == "selesai":
        return f"{icon} <b>Selesai</b> — hasil pemilihan penyedia telah diterima pengguna."
    if outcome == "dikembalikan":
        return f"{icon} <b>Dokumen dikembalikan kepada pengguna untuk perbaikan.</b>"
    if outcome == "gagal":
        return f"{icon} <b>Pemilihan penyedia gagal.</b>"
    if outcome == "batal":
        return f"{icon} <b>Paket dibatalkan.</b>"
    successor = package.retendered_as if (staff or package.retendered_as_public) else None
    if successor:
        return f"{icon} <b>Tender ulang</b> dengan kode paket baru <code>{esc(successor)}</code>."
    return f"{icon} <b>Tender ulang.</b> Kode paket baru belum tersedia."


def _key_data(package: Package, *, staff: bool) -> list[str]:
    rows: list[tuple[str, str | None]] = [
        ("Satuan kerja", esc(package.work_unit)),
        ("Tahun anggaran", str(package.fiscal_year)),
        ("Jenis pengadaan", esc(package.procurement_type) if package.procurement_type else None),
        ("Metode pemilihan", esc(package.selection_method) if package.selection_method else None),
        ("Pagu", format_rupiah(package.pagu) if package.pagu is not None else None),
        ("HPS", format_rupiah(package.hps) if package.hps is not None else None),
    ]
    if staff:
        rows.append(("Pokmil", esc(package.pokmil) if package.pokmil else None))
    rows += [
        ("Pemenang", esc(package.winner) if package.winner else None),
        ("Nilai kontrak",
         format_rupiah(package.contract_value) if package.contract_value is not None else None),
    ]
    predecessor = package.retender_of if (staff or package.retender_of_public) else None
    if predecessor:
        rows.append(("Tender ulang dari", f"<code>{esc(predecessor)}</code>"))
    return [f"{label}: {value}" for label, value in rows if value]


def _codes_lines(package: Package) -> list[str]:
    lines = [f"Kode paket: <code>{esc(package.code)}</code>"]
    if package.rup_codes:
        codes = ", ".join(f"<code>{esc(code)}</code>" for code in package.rup_codes)
        lines.append(f"Kode RUP: {codes}")
    return lines


def render_status(package: Package, history: Sequence[StageEntry], *, zone: ZoneInfo = WITA) -> str:
    """The public status view: where the package is among the six stages, and its key data."""
    lines = [f"📦 <b>{esc(package.name)}</b>", *_codes_lines(package)]
    headline = _headline(package, staff=False)
    if headline:
        lines += ["", headline]
    lines += ["", "<b>Tahapan</b>", *_progress(package, history, zone)]
    lines += ["", "<b>Data paket</b>", *_key_data(package, staff=False)]
    lines += ["", f"<i>Terakhir diperbarui {esc(format_when(package.updated_at, zone))}</i>"]
    return "\n".join(lines)


_ACTOR_KIND_LABELS = {"staff": "petugas", "import": "impor", "system": "sistem"}
_ENTRY_KIND_LABELS = {"stage": "Tahap", "data": "Data", "visibility": "Tampilan"}
INFO_HISTORY_LIMIT = 30


def _entry_lines(entry: StageEntry, zone: ZoneInfo) -> list[str]:
    who = esc(entry.actor_name)
    if entry.actor_id is not None:
        who += f" (id <code>{entry.actor_id}</code>)"
    head = (f"• {esc(format_short(entry.at, zone))} — {_ENTRY_KIND_LABELS[entry.kind]}: "
            f"{esc(state_label(entry.state))} — oleh {who}")
    lines = [head]
    if entry.note:
        lines.append(f"   Catatan: {esc(entry.note)}")
    if entry.document:
        lines.append(f"   Dokumen: {esc(entry.document)}")
    if entry.source:
        lines.append(f"   Sumber: {esc(entry.source)}")
    return lines


def render_info(
    package: Package,
    history: Sequence[StageEntry],
    followers: int,
    *,
    zone: ZoneInfo = WITA,
) -> str:
    """The staff view: everything, including visibility, Pokmil, followers and the history."""
    visibility = "🌐 Publik" if package.public else "🔒 Tidak publik (hanya staf)"
    lines = [f"🗂 <b>{esc(package.name)}</b>", *_codes_lines(package), visibility, ""]
    lines.append(f"Posisi: <b>{esc(state_label(package.state))}</b>")
    headline = _headline(package, staff=True)
    if headline:
        lines.append(headline)
    lines += ["", *_key_data(package, staff=True)]
    lines += [f"Pengikut: {followers} chat",
              f"Dicatat: {esc(format_when(package.created_at, zone))}",
              f"Terakhir diperbarui: {esc(format_when(package.updated_at, zone))}",
              "", "<b>Riwayat</b>"]
    entries = sorted(history, key=lambda item: item.id)
    if len(entries) > INFO_HISTORY_LIMIT:
        lines.append(f"<i>… {len(entries) - INFO_HISTORY_LIMIT} entri lebih lama tidak ditampilkan</i>")
        entries = entries[-INFO_HISTORY_LIMIT:]
    for entry in entries:
        lines += _entry_lines(entry, zone)
    if not entries:
        lines.append("<i>Belum ada riwayat.</i>")
    return "\n".join(lines)


def render_list(packages: Sequence[Package], query: str) -> str:
    """Several packages match a code (kode paket of one, kode RUP of another): pick one."""
    lines = [f"🔎 Kode <code>{esc(query.strip())}</code> cocok dengan {len(packages)} paket. "
             "Pilih salah satu:", ""]
    for number, package in enumerate(packages, 1):
        how = "kode paket" if package.code == query.strip() else "kode RUP"
        lines.append(f"{number}. <code>{esc(package.code)}</code> — {esc(package.name)} "
                     f"({esc(package.work_unit)}, TA {package.fiscal_year}) <i>[{how}]</i>")
    return "\n".join(lines)


# --- notices and replies ---------------------------------------------------------------------------


def stage_notice(package: Package, change: StageChange, *, zone: ZoneInfo = WITA,
                 public_note: str | None = None) -> str:
    """Sent to each chat following the package when its stage changes."""
    lines = ["🔔 <b>Perkembangan paket yang Anda ikuti</b>", "",
             f"<b>{esc(package.name)}</b>", f"Kode paket: <code>{esc(package.code)}</code>", ""]
    if change.before != change.after:
        lines.append(f"Sebelumnya: {esc(state_label(change.before))}")
    lines.append(f"Sekarang: <b>{esc(state_label(change.after))}</b>")
    if public_note:
        lines.append(f"📝 Catatan petugas: {esc(public_note)}")
    if change.new_code and package.retendered_as_public:
        lines += ["", f"🔁 Paket ini ditender ulang dengan kode paket <code>{esc(change.new_code)}</code>. "
                      "Anda otomatis juga mengikuti kode baru tersebut."]
    lines += ["", f"<i>Diperbarui {esc(format_when(package.updated_at, zone))}</i>",
              f"<i>Tidak ingin menerima kabar paket ini lagi? Kirim "
              f"<code>/{UNFOLLOW_COMMAND} {esc(package.code)}</code></i>"]
    return "\n".join(lines)


def stage_change_reply(change: StageChange) -> str:
    """The answer to the staff member who changed (or tried to change) a stage."""
    prefix = "<i>Perintah ini sudah diproses sebelumnya.</i>\n" if change.replayed else ""
    code = f"<code>{esc(change.code)}</code>"
    if not change.changed:
        return (f"{prefix}ℹ️ Paket {code} sudah pada posisi <b>{esc(state_label(change.after))}</b>. "
                "Tidak ada perubahan.")
    text = f"{prefix}✅ Posisi paket {code} diperbarui"
    if change.before != change.after:
        text += f": {esc(state_label(change.before))} → <b>{esc(state_label(change.after))}</b>"
    text += "."
    if change.new_code:
        text += f"\n🔁 Tender ulang: kode paket baru <code>{esc(change.new_code)}</code>."
    if change.notices:
        text += f"\nKabar dikirim ke {change.notices} chat pengikut."
    else:
        text += "\nTidak ada pengikut yang perlu diberi kabar."
    return text


def follow_reply(package: Package, *, new: bool) -> str:
    code = f"<code>{esc(package.code)}</code>"
    if not new:
        return f"Anda sudah mengikuti paket {code}."
    return (f"🔔 Anda kini mengikuti paket {code} — {esc(package.name)}. Kami kabari setiap kali "
            f"tahapnya berubah. Untuk berhenti, kirim <code>/{UNFOLLOW_COMMAND} {esc(package.code)}</code>.")


def unfollow_reply(code: str, *, removed: bool) -> str:
    if removed:
        return f"🔕 Anda tidak lagi mengikuti paket <code>{esc(code)}</code>."
    return f"Anda memang tidak mengikuti paket <code>{esc(code)}</code>."


def visibility_reply(code: str, public: bool, *, changed: bool) -> str:
    what = "ditampilkan untuk publik" if public else "disembunyikan dari publik"
    if not changed:
        return f"Paket <code>{esc(code)}</code> memang sudah {what}."
    return f"✅ Paket <code>{esc(code)}</code> kini {what}."


# --- CSV import --------------------------------------------------------------------------------------

# Plain names of package fields in history notes ("Data diperbarui: pagu, HPS").
FIELD_LABELS: dict[str, str] = {
    "name": "nama paket",
    "work_unit": "satuan kerja",
    "fiscal_year": "tahun anggaran",
    "procurement_type": "jenis pengadaan",
    "selection_method": "metode pemilihan",
    "pagu_sen": "pagu",
    "hps_sen": "HPS",
    "pokmil": "Pokmil",
    "winner": "pemenang",
    "contract_sen": "nilai kontrak",
    "is_public": "tampilan publik",
    "retender_of": "tender ulang dari",
    "rup": "kode RUP",
}


def data_change_note(fields: Sequence[str], note: str | None) -> str:
    """Plain note of an import that changed data: which fields, then the row's catatan."""
    changed = ", ".join(FIELD_LABELS.get(field, field) for field in fields)
    text = f"Data diperbarui: {changed}" if changed else ""
    if note:
        text = f"{text}. {note}" if text else note
    return text


CSV_REQUIRED = "wajib diisi"
CSV_EMPTY_FILE = "Berkas kosong: tidak ada baris judul kolom."
CSV_EXTRA_CELLS = ("baris ini berisi lebih banyak kolom daripada baris judul "
                   "(periksa pemisah ; atau , dan tanda kutip)")
CSV_SPSE_OUTSIDE_STAGE5 = "tahap_spse hanya boleh diisi untuk tahap 5 (pemilihan penyedia)"
CSV_SPSE_SELESAI = "tahap_spse tidak boleh diisi untuk paket yang sudah selesai"
CSV_RETENDER_SELF = "kolom tender_ulang_dari: tidak boleh sama dengan kode paket itu sendiri"
CSV_RETENDER_CYCLE = "kolom tender_ulang_dari: rantai tender ulang berputar kembali ke paket ini"


def csv_unreadable(path: str, reason: str) -> str:
    return f"Berkas {esc(path)} tidak dapat dibaca: {esc(reason)}"


def csv_not_utf8(line: int) -> str:
    return (f"Berkas bukan teks UTF-8 (masalah pertama di baris {line}). Di Excel pilih "
            "Simpan Sebagai → “CSV UTF-8 (Comma delimited) (*.csv)”, lalu impor ulang.")


def csv_unknown_columns(names: Sequence[str], known: Sequence[str]) -> str:
    return (f"kolom tidak dikenal: {', '.join(esc(name) for name in names)} "
            f"(kolom yang dikenal: {', '.join(known)})")


def csv_missing_columns(names: Sequence[str]) -> str:
    return f"kolom wajib tidak ada: {', '.join(names)}"


def csv_duplicate_columns(names: Sequence[str]) -> str:
    return f"kolom tercantum lebih dari sekali: {', '.join(esc(name) for name in names)}"


def csv_too_many_rows(limit: int) -> str:
    return f"berkas berisi lebih dari {limit} baris data; bagi menjadi beberapa berkas"


def csv_column(column: str, message: str) -> str:
    return f"kolom {column}: {message}"


def csv_year_unreadable(text: str) -> str:
    return f"tahun “{esc(truncate_plain(text, 20))}” tidak dapat dibaca; tulis empat angka, misalnya 2026"


def csv_year_out_of_range(year: int, minimum: int, maximum: int) -> str:
    return f"tahun {year} di luar rentang {minimum}–{maximum}"


def csv_too_long(limit: int) -> str:
    return f"terlalu panjang (paling banyak {limit} karakter)"


def csv_bad_flag(text: str) -> str:
    return f"“{esc(truncate_plain(text, 20))}” tidak dikenal; tulis ya atau tidak"


def csv_duplicate_code(code: str, first_line: int) -> str:
    return f"kode {esc(code)} sudah muncul di baris {first_line}; satu paket satu baris"


def csv_spse_conflict(tahap: str, spse: str) -> str:
    return f"tahap “{esc(tahap)}” bertentangan dengan tahap_spse “{esc(spse)}”"


def csv_retender_unknown(code: str) -> str:
    return f"kolom tender_ulang_dari: paket {esc(code)} tidak ada di berkas maupun di basis data"


def csv_retender_taken(code: str, other: str) -> str:
    return (f"kolom tender_ulang_dari: paket {esc(code)} sudah ditender ulang dengan kode "
            f"{esc(other)}; satu tender hanya punya satu tender ulang")


REPORT_PROBLEM_LIMIT = 60


def export_done(count: int, path: str) -> str:
    """Plain, for the terminal."""
    return f"{count} paket diekspor ke {path} (UTF-8 dengan BOM, pemisah koma)."


def render_import_report(report: ImportReport, *, limit: int | None = REPORT_PROBLEM_LIMIT) -> str:
    """Summary for the staff member who sent the file; lists the problems when it failed.

    ``limit`` keeps a chat message readable; None lists every problem (terminal, file).
    """
    name = f"<b>{esc(report.file_name)}</b>"
    if report.problems:
        count = len(report.problems)
        fix = ("Perbaiki masalah berikut di berkas" if count == 1 else f"Perbaiki {count} masalah berikut di berkas")
        lines = [f"❌ Impor {name} dibatalkan; <b>tidak ada data yang diubah</b>. {fix}, lalu impor ulang:", ""]
        shown = report.problems if limit is None else report.problems[:limit]
        for problem in shown:
            where = f"Baris {problem.line}" if problem.line else "Berkas"
            lines.append(f"• {where}: {describe_error(problem.problem)}")
        if len(report.problems) > len(shown):
            lines.append(f"• … dan {len(report.problems) - len(shown)} masalah lain.")
        return "\n".join(lines)
    lines = [f"✅ Impor {name} selesai: {report.rows} baris dibaca.",
             f"• Paket baru: {len(report.created)}",
             f"• Paket diperbarui: {len(report.updated)}",
             f"• Tanpa perubahan: {report.unchanged}",
             f"• Perubahan tahap: {report.stage_changes} (kabar ke pengikut: {report.notices})"]
    return "\n".join(lines)


# --- chat: looking up and following (handlers/paket.py) -------------------------------------------

FOLLOW_BUTTON = "🔔 Ikuti perkembangan"
ASK_CODE = ("📦 Kirim <b>kode paket</b> (SPSE) atau <b>kode RUP</b> (SIRUP) yang ingin Anda cek, "
            "angka saja, misalnya <code>10130232000</code>.\n"
            "<i>Ketik /batal bila tidak jadi.</i>")
ASK_CODE_WHILE_FILING = ("📦 Untuk mengecek paket, kirim <code>/paket KODE</code>, misalnya "
                         "<code>/paket 10130232000</code>.")
ASK_CANCELLED = "Baik, pengecekan paket dibatalkan."
PACKAGE_USAGE = ("Tulis <code>/paket KODE</code> dengan kode paket (SPSE) atau kode RUP (SIRUP), "
               "misalnya <code>/paket 10130232000</code>.")
FOLLOW_USAGE = (f"Tulis <code>/{FOLLOW_COMMAND} KODE</code> untuk menerima kabar setiap kali tahap "
                f"paket itu berubah, misalnya <code>/{FOLLOW_COMMAND} 10130232000</code>.")
NOT_FOLLOWING_ANY = (f"Anda belum mengikuti paket apa pun. Cek paket dengan <code>/paket KODE</code> "
                     f"lalu tekan «{FOLLOW_BUTTON}», atau kirim <code>/{FOLLOW_COMMAND} KODE</code>.")
STAFF_PRIVATE_NOTE = ("🔒 <i>Paket ini tidak publik: warga yang menanyakannya mendapat jawaban "
                      "«tidak ditemukan» dan pengikutnya tidak diberi kabar.</i>")


def view_button_label(code: str) -> str:
    """Plain: the button that opens another package (e.g. the re-tender)."""
    return f"🔁 Lihat tender ulang {code}"


def follow_choice_label(package: Package) -> str:
    """Plain: a button that follows one package out of several matching a code."""
    return truncate_plain(f"🔔 {package.code} · {package.name}", 60)


def unfollow_choice_label(package: Package) -> str:
    return truncate_plain(f"🔕 {package.code} · {package.name}", 60)


def followed_list(packages: Sequence[Package]) -> str:
    """The packages a chat follows, with how to stop."""
    lines = [f"🔔 <b>Paket yang Anda ikuti ({len(packages)})</b>", ""]
    for number, package in enumerate(packages, 1):
        lines.append(f"{number}. <code>{esc(package.code)}</code> — {esc(package.name)}\n"
                     f"   {esc(state_label(package.state))}")
    lines += ["", f"Tekan tombol di bawah, atau kirim <code>/{UNFOLLOW_COMMAND} KODE</code>, "
                  "untuk berhenti mengikuti."]
    return "\n".join(lines)


# --- chat: staff commands ------------------------------------------------------------------------

STAGE_USAGE = (
    "<b>Ubah tahap paket</b>\n"
    "<code>/paket_tahap KODE TAHAP [catatan]</code>\n"
    "TAHAP: nomor 1–6, hasil akhir (selesai, dikembalikan, gagal, batal, tender ulang) atau tahap "
    "SPSE (mis. evaluasi, masa sanggah).\n"
    "Contoh:\n"
    "<code>/paket_tahap 10130232000 3 reviu bersama PPK</code>\n"
    "<code>/paket_tahap 10130232000 pembukaan dokumen penawaran</code>\n"
    "<code>/paket_tahap 10130232000 tender ulang 10130233000 peserta kurang dari 3</code>"
)
INFO_USAGE = "Tulis <code>/paket_info KODE</code> (kode paket atau kode RUP)."
VISIBILITY_USAGE = ("Tulis <code>/paket_publik KODE ya</code> untuk menampilkan paket kepada warga, atau "
                "<code>/paket_publik KODE tidak</code> untuk menyembunyikannya [catatan].")
STAGE_CHOICE_INVALID = "Pilihan tahap ini tidak dikenal. Ketik ulang perintah <code>/paket_tahap</code>."


def stage_choice_button(label: str) -> str:
    return truncate_plain(label, 60)


def retender_code_hint(code: str) -> str:
    return (f"<i>Bila kode paket tender ulang sudah terbit, catat dengan "
            f"<code>/paket_tahap {esc(code)} tender ulang KODE_BARU</code>.</i>")


# --- errors: the one place that words them ----------------------------------------------------------


def describe_error(error: PackageError) -> str:
    """HTML: what went wrong, for the person who asked (chat, terminal after tag stripping, CSV report)."""
    match error:
        case rules.CodeEmpty():
            return CODE_EMPTY
        case rules.CodeScientific(code=code):
            return code_scientific(code)
        case rules.CodeNotDigits(code=code):
            return code_not_digits(code)
        case rules.CodeBadLength(code=code, minimum=minimum, maximum=maximum):
            return code_bad_length(code, minimum, maximum)
        case rules.StageEmpty():
            return STAGE_EMPTY
        case rules.StageBadNumber(number=number):
            return stage_bad_number(number)
        case rules.StageUnknown(text=text):
            return stage_unknown(text)
        case rules.StageAmbiguous(text=text, candidates=candidates):
            return stage_ambiguous(text, candidates)
        case rules.AmountUnreadable(text=text):
            return amount_unreadable(text)
        case rules.AmountTooPrecise(text=text):
            return amount_too_precise(text)
        case rules.PackageNotFound(code=code):
            return not_found(code)
        case rules.TooManyFollows(limit=limit):
            return too_many_follows(limit)
        case rules.PackageFinished(code=code, outcome=outcome):
            return package_finished(code, outcome)
        case rules.NewCodeOnlyForRetender():
            return NEW_CODE_ONLY_FOR_RETENDER
        case rules.NewCodeSame():
            return NEW_CODE_SAME
        case rules.AlreadyRetendered(code=code, other=other):
            return already_retendered(code, other)
        case rules.AlreadyRetenderOfOther(code=code):
            return already_retender_of_other(code)
        case csv_rules.CsvProblem():
            return _describe_csv_problem(error)
    raise TypeError(f"no wording for {type(error).__name__}")  # a new error class needs its text here


def _describe_csv_problem(problem: csv_rules.CsvProblem) -> str:
    match problem:
        case csv_rules.FileUnreadable(path=path, reason=reason):
            return csv_unreadable(path, reason)
        case csv_rules.FileNotUtf8(line=line):
            return csv_not_utf8(line)
        case csv_rules.FileEmpty():
            return CSV_EMPTY_FILE
        case csv_rules.UnknownColumns(names=names, known=known):
            return csv_unknown_columns(names, known)
        case csv_rules.MissingColumns(names=names):
            return csv_missing_columns(names)
        case csv_rules.DuplicateColumns(names=names):
            return csv_duplicate_columns(names)
        case csv_rules.TooManyRows(limit=limit):
            return csv_too_many_rows(limit)
        case csv_rules.ExtraCells():
            return CSV_EXTRA_CELLS
        case csv_rules.InColumn(column=column, problem=inner):
            return csv_column(column, describe_error(inner))
        case csv_rules.ValidatorMessage(message=message, column=column):
            text = esc(message.removeprefix("Value error, "))  # pydantic's wording: made HTML-safe
            return csv_column(column, text) if column else text
        case csv_rules.Required():
            return CSV_REQUIRED
        case csv_rules.TooLong(limit=limit):
            return csv_too_long(limit)
        case csv_rules.YearUnreadable(text=text):
            return csv_year_unreadable(text)
        case csv_rules.YearOutOfRange(year=year, minimum=minimum, maximum=maximum):
            return csv_year_out_of_range(year, minimum, maximum)
        case csv_rules.BadFlag(text=text):
            return csv_bad_flag(text)
        case csv_rules.DuplicateCode(code=code, first_line=first_line):
            return csv_duplicate_code(code, first_line)
        case csv_rules.SpseConflict(stage=stage, spse=spse):
            return csv_spse_conflict(choice_label(stage), spse.label)
        case csv_rules.SpseOutsideStage5():
            return CSV_SPSE_OUTSIDE_STAGE5
        case csv_rules.SpseWithCompleted():
            return CSV_SPSE_SELESAI
        case csv_rules.RetenderSelf():
            return CSV_RETENDER_SELF
        case csv_rules.RetenderCycle():
            return CSV_RETENDER_CYCLE
        case csv_rules.RetenderUnknown(code=code):
            return csv_retender_unknown(code)
        case csv_rules.RetenderTaken(code=code, other=other):
            return csv_retender_taken(code, other)
    raise TypeError(f"no wording for {type(problem).__name__}")

