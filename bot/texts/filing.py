"""Texts of the guided filing conversation (/lapor)."""

from __future__ import annotations

from bot.domain.tiers import MatterKind, Tier
from bot.texts.format import esc
from bot.texts.labels import kind_label, tier_label

STEP_COUNT = 7
# With the confidentiality question (alleged wrongdoing) the filing has one step more.
STEP_COUNT_CONFIDENTIAL = 8


def step(number: int, text: str, total: int = STEP_COUNT) -> str:
    return f"<i>Langkah {number} dari {total} · /batal untuk berhenti</i>\n{text}"


ASK_NAME = step(1, "Siapa nama Anda? Tekan tombol di bawah untuk memakai nama Telegram Anda, atau ketik nama lain.")
ASK_NAME_TYPED = step(1, "Siapa nama Anda? Ketik nama lengkap Anda.")
NAME_INVALID = "Nama harus 2–100 huruf. Silakan ketik nama Anda."


def use_name_button(name: str) -> str:
    return f"👤 Pakai nama: {name[:40]}"


ASK_CONTACT = step(
    2,
    "Bagaimana kami menghubungi Anda? Tekan «Kirim nomor saya», atau ketik nomor HP "
    "(mis. 0812…, +62812…) atau alamat e-mail.",
)
SHARE_PHONE_BUTTON = "📱 Kirim nomor saya"
CONTACT_INVALID = (
    "Itu belum terbaca sebagai nomor HP atau e-mail. Contoh yang benar: <code>081234567890</code>, "
    "<code>+6281234567890</code> atau <code>nama@contoh.id</code>. Silakan coba lagi."
)
CONTACT_SAVED = "✔️ Kontak dicatat."
CONTACT_NOT_YOURS = "Mohon kirim nomor Anda sendiri dengan tombol «Kirim nomor saya», atau ketik nomornya."

# The buttons carry the kind's one label (bot.texts.labels) with an icon.
KIND_ICONS = {MatterKind.QUESTION: "❓", MatterKind.RULES: "📘", MatterKind.SERVICE: "🗣", MatterKind.WRONGDOING: "⚠️"}
KIND_BUTTONS = {kind: f"{icon} {kind_label(kind)}" for kind, icon in KIND_ICONS.items()}
ASK_KIND = step(3, "Pengaduan Anda termasuk yang mana? Dugaan pelanggaran mencakup KKN, suap, "
                "persekongkolan dan pungutan liar.")
KIND_BY_BUTTON_TEXT = "Silakan pilih salah satu tombol di atas."

ASK_PACKAGE = step(
    4,
    "Apakah pengaduan ini tentang paket pengadaan tertentu? Ketik kode paket (angka saja, dari SPSE "
    "atau SIRUP), atau tekan «Lewati».",
)
SKIP_BUTTON = "⏭ Lewati"
PACKAGE_INVALID = "Kode paket hanya berisi angka (5–20 digit), mis. <code>10144220000</code>. Ketik lagi atau tekan «Lewati»."

ASK_DESCRIPTION = step(
    5,
    "Ceritakan apa yang terjadi: kapan, di mana, siapa yang terlibat, dan apa yang Anda harapkan. "
    "Minimal {min} karakter.",
)
# Each kind asks for what it needs: a question is not an incident, a rule question names the rule.
_DESCRIPTION_BY_KIND = {
    MatterKind.QUESTION: "Tulis pertanyaan Anda selengkap mungkin (misalnya paket, jadwal atau akun SPSE yang "
                         "dimaksud). Minimal {min} karakter.",
    MatterKind.RULES: "Tulis aturan atau ketentuan yang ingin Anda pahami, dan untuk keadaan apa. "
                      "Minimal {min} karakter.",
    MatterKind.SERVICE: "Ceritakan layanan yang Anda alami: kapan, di mana, apa yang terjadi, dan apa yang "
                        "Anda harapkan. Minimal {min} karakter.",
}


def ask_description(kind: MatterKind | None, minimum: int) -> str:
    return step(5, _DESCRIPTION_BY_KIND[kind].format(min=minimum)) if kind in _DESCRIPTION_BY_KIND \
        else ASK_DESCRIPTION.format(min=minimum)


def description_too_short(length: int, minimum: int) -> str:
    return f"Uraian Anda baru {length} karakter; mohon tulis minimal {minimum} karakter agar kami dapat menindaklanjuti."


def description_too_long(length: int, maximum: int) -> str:
    return (
        f"Uraian Anda {length} karakter, melebihi batas {maximum}. Mohon ringkas; dokumen panjang "
        "bisa dikirim sebagai berkas bukti pada langkah berikutnya."
    )


ASK_EVIDENCE = step(
    6,
    "Ada bukti? Kirim foto atau dokumen (boleh beberapa). Tekan «Selesai» bila sudah, atau bila tidak ada bukti.",
)
_EVIDENCE_BY_KIND = {
    MatterKind.QUESTION: "Ada lampiran yang membantu, misalnya tangkapan layar SPSE? Kirim foto atau dokumen, "
                         "atau tekan «Selesai» bila tidak ada.",
    MatterKind.RULES: "Ada dokumen yang berkaitan, misalnya potongan dokumen pemilihan? Kirim foto atau dokumen, "
                      "atau tekan «Selesai» bila tidak ada.",
}


# What the summary calls the files: a question has attachments, not evidence (as step 6 asks).
_FILES_LABEL_BY_KIND = {MatterKind.QUESTION: "Lampiran", MatterKind.RULES: "Lampiran"}


def files_line(kind: MatterKind, count: int) -> str:
    """'Bukti: 2 berkas', 'Lampiran: tidak ada'."""
    return f"{_FILES_LABEL_BY_KIND.get(kind, 'Bukti')}: {f'{count} berkas' if count else 'tidak ada'}"


def ask_evidence(kind: MatterKind | None) -> str:
    return step(6, _EVIDENCE_BY_KIND[kind]) if kind in _EVIDENCE_BY_KIND else ASK_EVIDENCE
EVIDENCE_DONE_BUTTON = "✅ Selesai / tidak ada bukti"


def evidence_received(count: int, *, noted: bool = False) -> str:
    """``noted``: the file came with a caption, kept with it for the staff."""
    what = f"Bukti ke-{count} beserta keterangannya" if noted else f"Bukti ke-{count}"
    return f"📎 {what} diterima. Kirim lagi, atau tekan «Selesai»."


def evidence_limit(limit: int) -> str:
    return f"Maksimal {limit} berkas bukti. Tekan «Selesai» untuk melanjutkan."


def file_too_large(limit_mb: float) -> str:
    return f"Berkas ini melebihi {limit_mb:g} MB dan tidak kami simpan. Kirim versi yang lebih kecil, atau tekan «Selesai»."


DESCRIPTION_STILL_NEEDED = "Sekarang tulis uraiannya sebagai teks (boleh juga sebagai keterangan foto)."


def file_kept_ask_description(kept: int | None, refusal: str | None, problem: str | None) -> str:
    """A file sent at step 5 without a caption that can be the description: what became of the
    file (``kept``: its number as evidence), then what the step still needs."""
    head = f"📎 Berkas disimpan sebagai bukti ke-{kept}." if kept is not None else (refusal or "")
    need = problem or DESCRIPTION_STILL_NEEDED
    return f"{head}\n{need}" if head else need

EVIDENCE_WRONG_TYPE = "Bukti harus berupa foto atau dokumen. Kirim berkasnya, atau tekan «Selesai»."

ASK_CONFIDENTIAL = step(
    7,
    "Pengaduan ini menyangkut dugaan pelanggaran. Apakah Anda ingin <b>identitas Anda dirahasiakan</b>? "
    "Petugas hanya akan melihat inisial dan sebagian nomor Anda; hanya admin yang dapat membukanya, "
    "dan setiap pembukaan dicatat.",
    STEP_COUNT_CONFIDENTIAL,
)
CONFIDENTIAL_YES = "🔒 Ya, rahasiakan identitas saya"
CONFIDENTIAL_NO = "Tidak perlu"

SEND_BUTTON = "📨 Kirim pengaduan"
EDIT_BUTTON = "✏️ Ubah"
CANCEL_BUTTON = "✖️ Batal"
EDIT_FIELDS = {
    "nama": "Nama",
    "kontak": "Kontak",
    "jenis": "Jenis",
    "paket": "Kode paket",
    "uraian": "Uraian",
    "bukti": "Bukti",
}
ASK_WHICH_FIELD = "Bagian mana yang ingin diubah?"


NOT_WRONGDOING_BUTTON = "Ini bukan dugaan pelanggaran"


def escalation_note(quotes: tuple[str, ...], tier: Tier) -> str:
    """One plain sentence: the text, not the chosen kind, raised the tier."""
    words = ", ".join(f"“{quote}”" for quote in quotes[:3])
    return (
        f"ℹ️ Uraian Anda menyebut {esc(words)}, yang tergolong dugaan pelanggaran, sehingga "
        f"pengaduan ini ditangani sebagai <b>{esc(tier_label(tier))}</b>. Bila bukan, tekan "
        f"«{NOT_WRONGDOING_BUTTON}»."
    )


def disputed_note(tier: Tier) -> str:
    return (
        f"ℹ️ Anda menyatakan ini bukan dugaan pelanggaran; pengaduan ditangani sebagai "
        f"<b>{esc(tier_label(tier))}</b> sesuai jenis yang Anda pilih, dan petugas dapat menilainya ulang."
    )


def package_line(draft: dict[str, object]) -> str:
    """The package code as the summary shows it: with its name when we know it, flagged when not."""
    code = draft.get("package_code")
    if not code:
        return "tidak ada"
    if draft.get("package_name"):
        return f"{code} — {draft['package_name']}"
    if draft.get("package_unknown"):
        return f"{code} (belum ada di data paket kami; tetap dicatat dan diperiksa petugas)"
    return str(code)


def package_not_known(code: str) -> str:
    return (
        f"ℹ️ Kode paket <code>{esc(code)}</code> belum ada di data paket kami. Kode tetap dicatat dan "
        "petugas akan memeriksanya."
    )


def summary(draft: dict[str, object], kind: MatterKind, tier: Tier, confidential: bool,
            note: str = "") -> str:
    files = draft.get("attachments")
    count = len(files) if isinstance(files, list) else 0
    package = package_line(draft)
    secret = "\n🔒 Identitas dirahasiakan" if confidential else ""
    total = STEP_COUNT_CONFIDENTIAL if "confidential" in draft else STEP_COUNT
    return (
        f"{step(total, '<b>Periksa pengaduan Anda</b>', total)}\n\n"
        f"Nama: {esc(draft.get('name', ''))}\n"
        f"Kontak: {esc(draft.get('contact', ''))}\n"
        f"Jenis: {esc(kind_label(kind))}\n"
        f"Kode paket: {esc(package)}\n"
        f"{files_line(kind, count)}{secret}\n"
        f"Perkiraan tingkat: <b>{esc(tier_label(tier))}</b>\n\n"
        f"<b>Uraian</b>\n{esc(draft.get('description', ''))}\n\n"
        f"{note + chr(10) + chr(10) if note else ''}"
        "Tekan «Kirim pengaduan» bila sudah benar."
    )


DESCRIPTION_NEEDS_WORDS = (
    "Uraian perlu ditulis dengan kata-kata agar petugas dapat memahaminya: apa yang terjadi, kapan, "
    "di mana. Silakan ketik lagi."
)


def evidence_kept(count: int) -> str:
    return (
        f"Bukti yang sudah ada ({count} berkas) tetap tersimpan; berkas yang Anda kirim sekarang "
        "ditambahkan. Tekan «Selesai» bila sudah."
    )


CANCELLED = "Pengisian pengaduan dibatalkan; tidak ada yang disimpan. Ketik /lapor untuk mulai lagi."
ALREADY_SENT = "Pengaduan ini sudah terkirim. Cek dengan /status."
SENT_MARK = "📨 Terkirim."
WRONG_INPUT = "Maaf, jenis pesan itu tidak bisa kami pakai di langkah ini."
# What each step waits for (keys: FilingStep values), said with the refusal of the wrong kind of message.
STEP_EXPECTS = {
    "filing.name": "nama Anda sebagai teks, atau tombol nama Telegram",
    "filing.contact": "nomor HP atau alamat e-mail sebagai teks, atau tombol «Kirim nomor saya»",
    "filing.kind": "pilihan jenis pengaduan: tekan salah satu tombol",
    "filing.package": "kode paket (angka), atau tombol «Lewati»",
    "filing.description": "uraian pengaduan sebagai teks",
    "filing.evidence": "foto atau dokumen, atau tombol «Selesai / tidak ada bukti»",
    "filing.confidential": "jawaban dengan salah satu tombol",
    "filing.confirm": "tombol «Kirim pengaduan», «Ubah» atau «Batal»",
    "filing.edit": "bagian yang ingin diubah: tekan salah satu tombol",
}


def wrong_input(step: str | None) -> str:
    expected = STEP_EXPECTS.get(step or "")
    return f"{WRONG_INPUT} Langkah ini menunggu {expected}." if expected else WRONG_INPUT
STILL_FILING = "<i>Pengisian pengaduan Anda masih berjalan — lanjutkan jawab pertanyaan terakhir, atau /batal.</i>"
RESTARTED = "Mengulang pengisian pengaduan dari awal."
