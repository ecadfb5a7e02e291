"""Texts shared by every area: welcome, help, menus, refusals and generic errors."""

from __future__ import annotations

from bot.texts.format import esc

BUREAU = "Biro Pengadaan Barang dan Jasa Provinsi Kalimantan Utara"

# Command menus registered with setMyCommands (names ≤ 32 chars, lower case).
PRIVATE_COMMANDS = (
    ("lapor", "Ajukan pengaduan"),
    ("status", "Cek status pengaduan Anda"),
    ("paket", "Cek status paket pengadaan"),
    ("layanan", "Informasi standar pelayanan"),
    ("ikuti", "Ikuti perubahan tahap paket: /ikuti KODE"),
    ("berhenti_ikuti", "Berhenti mengikuti paket"),
    ("bantuan", "Penjelasan semua perintah"),
    ("batal", "Batalkan pengisian pengaduan"),
)
STAFF_COMMANDS = (
    ("daftar", "Pengaduan terbuka: /daftar [terlambat|saya|baru|TINGKAT]"),
    ("tiket", "Kartu lengkap + riwayat: /tiket KODE"),
    ("balas", "Jawab pelapor: /balas KODE teks"),
    ("catatan", "Catatan tim (tidak dikirim ke pelapor): /catatan KODE teks"),
    ("ambil", "Pegang tiket ini: /ambil KODE"),
    ("proses", "Terima & proses: /proses KODE"),
    ("tingkat", "Ubah tingkat: /tingkat KODE TINGKAT [alasan]"),
    ("tutup", "Tutup: /tutup KODE [jawaban/catatan]"),
    ("buka", "Buka kembali: /buka KODE alasan"),
    ("target", "Janji waktu jawaban: /target KODE TANGGAL"),
    ("catat", "Catat pengaduan luring (tatap muka, telepon, e-mail, kotak)"),
    ("pin", "PIN baru pengaduan luring: /pin KODE"),
    ("identitas", "Buka identitas pelapor (admin): /identitas KODE"),
    ("laporan", "Laporan bulanan: /laporan [YYYY-MM] (bawaan: bulan ini; tgl 1–5: bulan lalu)"),
    ("paket_tahap", "Ubah tahap paket: /paket_tahap KODE TAHAP [catatan]"),
    ("paket_info", "Rincian paket: /paket_info KODE"),
    ("paket_publik", "Tampilkan/sembunyikan paket: /paket_publik KODE ya|tidak"),
    ("sinkron", "Sinkronkan data paket dengan SPSE sekarang"),
    ("chatid", "Tampilkan id obrolan ini"),
)

# Shown only to the staff group's administrators (scope chat_administrators).
ADMIN_COMMANDS = frozenset({"identitas"})

BUTTON_FILE = "📝 Ajukan Pengaduan"
BUTTON_STATUS = "🔎 Cek Status Pengaduan"
BUTTON_PACKAGE = "📦 Cek Status Paket"
BUTTON_SERVICE = "ℹ️ Informasi Layanan"

# Callback data of the main menu buttons.


def welcome(first_name: str | None) -> str:
    greeting = f"Halo, {esc(first_name)}!" if first_name else "Halo!"
    return (
        f"{greeting} Ini layanan pengaduan dan informasi <b>{BUREAU}</b>.\n\n"
        "Lewat bot ini Anda dapat:\n"
        "• mengajukan pengaduan dan menerima kode serta batas waktu jawabannya;\n"
        "• memantau status pengaduan Anda;\n"
        "• mengecek tahap paket pengadaan dengan kodenya;\n"
        "• membaca standar pelayanan kami.\n\n"
        "Layanan ini <b>tidak dipungut biaya</b>. Pilih menu di bawah atau ketik /bantuan."
    )


HELP = (
    "<b>Perintah yang tersedia</b>\n"
    "/lapor — ajukan pengaduan (dipandu langkah demi langkah)\n"
    "/status — daftar pengaduan Anda; <code>/status KODE</code> untuk rinciannya; "
    "<code>/status KODE PIN</code> untuk menautkan pengaduan yang dicatat petugas (tatap muka, telepon, e-mail)\n"
    "/paket <code>KODE</code> — tahap paket pengadaan (kode paket SPSE atau kode RUP)\n"
    "/layanan — standar pelayanan: persyaratan, prosedur, waktu, biaya, pengaduan\n"
    "/ikuti <code>KODE</code> — kabari saya bila tahap paket berubah; /berhenti_ikuti untuk berhenti\n"
    "/batal — batalkan pengisian pengaduan yang sedang berjalan\n"
    "/bantuan — pesan ini\n\n"
    "Untuk menambah keterangan pada pengaduan yang masih terbuka, <b>balas</b> (reply) pesan bot "
    "tentang pengaduan itu, atau tekan tombol «Tambah keterangan» pada tampilan status. Foto atau "
    "dokumen yang dikirim kemudian dilampirkan pada pengaduan Anda yang masih terbuka.\n"
    "Tidak puas dengan penutupan? <b>Balas</b> pesan bot tentang pengaduan itu dalam 30 hari: "
    "keberatan Anda sampai ke petugas."
)

STAFF_HELP = (
    "<b>Perintah staf</b>\n"
    + "\n".join(f"/{name} — {esc(text)}" for name, text in STAFF_COMMANDS)
    + "\n\nBalas (reply) kartu tiket atau pesan bot tentang tiket: bot menanyakan «Kirim ke pelapor» "
    "atau «Simpan sebagai catatan» sebelum apa pun sampai ke pelapor."
    + "\n\n<b>Bila ada bot lain di grup ini:</b> Telegram meneruskan perintah tanpa nama bot "
    "(mis. <code>/daftar</code>) hanya ke bot yang terakhir mengirim pesan di grup. Tulis "
    "perintah dengan nama bot, mis. <code>/daftar@{bot}</code>, atau balas pesan bot ini; "
    "cara itu selalu sampai."
)


def staff_help(bot_username: str | None) -> str:
    """The staff help with this bot's own @name in the example."""
    return STAFF_HELP.replace("{bot}", esc(bot_username or "nama_bot"))


def chat_id_answer(chat_id: int, title: str | None) -> str:
    name = f" ({esc(title)})" if title else ""
    return (
        f"Id obrolan ini{name}: <code>{chat_id}</code>\n"
        "Salin angka ini ke <code>[telegram] staff_chat_id</code> di berkas konfigurasi bila ini grup staf."
    )


RATE_LIMITED = (
    "Mohon maaf, pesan Anda terlalu banyak dalam waktu singkat. Silakan tunggu sebentar lalu coba lagi."
)
COMPLAINTS_PER_DAY_REACHED = (
    "Anda sudah mengajukan {count} pengaduan hari ini, batas harian kami. Silakan lanjutkan besok, "
    "atau tambahkan keterangan pada pengaduan yang sudah ada dengan /status."
)
STAFF_ONLY = "Perintah ini hanya untuk petugas di grup staf."
STALE_BUTTON = "Tombol ini sudah tidak berlaku."
NOTHING_TO_CANCEL_IN_GROUP = "Tidak ada pencatatan /catat Anda yang sedang berjalan untuk dibatalkan."


def private_only_command(command: str, bot_username: str | None) -> str:
    where = f"chat pribadi dengan @{bot_username}" if bot_username else "chat pribadi dengan bot"
    return f"/{command} dipakai warga di {where}, bukan di grup staf. Ketik /bantuan untuk perintah petugas."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
NOT_UNDERSTOOD = (
    "Maaf, kami belum memahami pesan ini. Pilih menu di bawah atau ketik /bantuan."
)
# The toast of a button whose handler failed (Telegram allows 200 characters): the button stops spinning.
BUTTON_FAILED = "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi."
SOMETHING_WENT_WRONG = (
    "Maaf, terjadi gangguan saat memproses pesan Anda. Data Anda aman; silakan coba lagi sebentar lagi."
)


# --- setup mode and /chatid in a private chat -------------------------------------------------

# A citizen who writes while the bot is still being set up (no staff group configured yet).
def setup_mode_private(contact_center: str) -> str:
    return (
        f"Mohon maaf, layanan pengaduan <b>{BUREAU}</b> di Telegram sedang disiapkan dan belum dapat "
        "menerima pesan. Silakan coba lagi dalam beberapa hari, atau hubungi contact center kami di "
        f"<b>{esc(contact_center)}</b>."
    )


def setup_chat_id_answer(chat_id: int, title: str | None) -> str:
    """Setup mode, in a group: the id and the exact line for the configuration file."""
    name = f" «{esc(title)}»" if title else ""
    return (
        f"Bot sedang dalam mode penyiapan. Id grup{name} ini: <code>{chat_id}</code>\n\n"
        "Bila ini grup staf, tulis baris berikut di bagian <code>[telegram]</code> berkas konfigurasi:\n"
        f"<code>staff_chat_id = {chat_id}</code>\n"
        "lalu mulai ulang bot (mis. <code>sudo systemctl restart pbj-helpdesk</code>)."
    )


# /chatid typed by a citizen in a private chat: nothing about configuration files.
CHAT_ID_PRIVATE = (
    "Perintah /chatid hanya dipakai petugas saat menyiapkan bot di grup staf. "
    "Ketik /bantuan untuk melihat yang dapat Anda lakukan di sini."
)


# --- command line (operator-facing) -----------------------------------------------------------


def missing_database(path: str, config: str) -> str:
    """One line: a command that only reads or changes an existing database found none."""
    return (
        f"basis data {path} tidak ada; tidak ada yang dibuat. Periksa [storage] database di {config}, "
        f"atau buat basis datanya dengan: pbj-helpdesk check --config {config} --migrate"
    )


def setup_mode_steps(config: str) -> str:
    return (
        f"[telegram] staff_chat_id belum diisi. Jalankan pbj-helpdesk run --config {config}: bot mulai "
        "dalam mode penyiapan dan hanya menjawab /chatid. Tambahkan bot ke grup staf, kirim /chatid di "
        "grup itu, salin baris «staff_chat_id = …» yang dijawab bot ke bagian [telegram] berkas ini, "
        "lalu mulai ulang bot"
    )


def count_phrase(count: int, noun: str) -> str:
    return f"{count:,}".replace(",", ".") + f" {noun}"


# What `data erase` anonymises, per kind, as it is said in a sentence.
ERASE_KINDS = {
    "tickets": "pengaduan (nama, kontak, uraian dan lampiran dihapus; kode, jenis, tanggal dan status tetap)",
    "conversation_state": "catatan percakapan yang tersimpan",
    "package_follows": "langganan kabar paket",
    "messages": "salinan pesan yang pernah dikirim kepadanya",
    "raw_updates": "pesan mentah dari Telegram yang masih tersimpan",
}


def erase_preview(who: str, counts: dict[str, int]) -> str:
    parts = [count_phrase(counts.get(kind, 0), label) for kind, label in ERASE_KINDS.items()
             if counts.get(kind, 0)]
    if not parts:
        return f"Tidak ada data pribadi tersimpan untuk {who}; tidak ada yang perlu dianonimkan."
    return f"Untuk {who} akan dianonimkan: " + "; ".join(parts) + "."


def erase_done(who: str, counts: dict[str, int]) -> str:
    parts = [count_phrase(counts.get(kind, 0), label.split(" (")[0]) for kind, label in ERASE_KINDS.items()
             if counts.get(kind, 0)]
    if not parts:
        return f"Tidak ada data pribadi {who} yang perlu dianonimkan; permintaannya dicatat."
    return f"Data pribadi {who} sudah dianonimkan: " + "; ".join(parts) + "."


ERASE_NEEDS_YES = (
    "Tidak ada yang diubah: tidak ada terminal untuk meminta konfirmasi. Jalankan lagi dengan --yes "
    "bila data ini memang harus dianonimkan."
)
ERASE_DECLINED = "Dibatalkan; tidak ada yang diubah."
ERASE_CONFIRM = "Anonimkan sekarang? Tindakan ini tidak dapat dibatalkan. Ketik «ya» untuk melanjutkan: "


def demo_removed(count: int) -> str:
    if not count:
        return "Tidak ada paket demo ([DEMO]) di basis data; tidak ada yang dihapus."
    return f"{count_phrase(count, 'paket demo')} ([DEMO]) dihapus, beserta riwayat, kode RUP dan pengikutnya."


def person_not_found(kind: str, value: str) -> str:
    if kind == "ticket":
        return f"tidak ada pengaduan berkode {value}"
    return f"tidak ada pengaduan dengan nomor HP {value}"


def person_label(user_ids: tuple[int, ...], ticket_count: int) -> str:
    parts = [f"pengguna Telegram {user_id}" for user_id in user_ids]
    if ticket_count:
        parts.append(f"{ticket_count} pengaduan tanpa akun Telegram")
    return " dan ".join(parts) if parts else "orang ini"


# --- issue #12: deep link and copy button of the receipt, the staff chat's move ----------------

# The receipt's buttons. The deep link's "{bot}" is filled in with the bot's @name when the
# outbox sends the receipt (the name is Telegram's, known only to the running bot).
BUTTON_COPY_CODE = "📋 Salin kode"
BUTTON_OPEN_STATUS = "🔎 Lihat status"
DEEP_LINK_BOT = "{bot}"
STATUS_START_PREFIX = "status_"


def status_deep_link(code: str, bot_username: str = DEEP_LINK_BOT) -> str:
    """``https://t.me/<bot>?start=status_ADU-…``: opens the chat with /start and this payload."""
    return f"https://t.me/{bot_username}?start={STATUS_START_PREFIX}{code}"


def receipt_keyboard(code: str) -> dict[str, object]:
    """Bot API InlineKeyboardMarkup of the receipt: copy the code, open the ticket's status."""
    return {
        "inline_keyboard": [[
            {"text": BUTTON_COPY_CODE, "copy_text": {"text": code}},
            {"text": BUTTON_OPEN_STATUS, "url": status_deep_link(code)},
        ]]
    }


def staff_chat_moved(new_chat_id: int, open_count: int) -> str:
    cards = (
        f"Kartu {open_count} pengaduan terbuka dikirim ulang di bawah ini; balas kartu-kartu itu "
        "untuk menjawab pelapor (kartu lama di grup sebelumnya tidak dapat dibalas dari sini)."
        if open_count else "Tidak ada pengaduan terbuka saat ini."
    )
    return (
        "ℹ️ Grup staf ini sekarang <b>supergrup</b> dengan id baru "
        f"<code>{new_chat_id}</code>. Bot sudah memakai id baru ini; minta petugas TI memperbarui "
        "<code>[telegram] staff_chat_id</code> di berkas konfigurasi.\n\n" + cards
    )
