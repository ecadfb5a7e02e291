"""Texts shared by every area: welcome, help, menus, refusals and generic errors."""

from __future__ import annotations

from bot.formatting import esc

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
    ("daftar", "Pengaduan terbuka menurut batas waktu"),
    ("tiket", "Kartu lengkap + riwayat: /tiket KODE"),
    ("balas", "Jawab pelapor: /balas KODE teks"),
    ("proses", "Terima & proses: /proses KODE"),
    ("tingkat", "Ubah tingkat: /tingkat KODE TINGKAT [alasan]"),
    ("tutup", "Tutup: /tutup KODE [catatan]"),
    ("buka", "Buka kembali: /buka KODE"),
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

BUTTON_FILE = "📝 Ajukan Pengaduan"
BUTTON_STATUS = "🔎 Cek Status Pengaduan"
BUTTON_PACKAGE = "📦 Cek Status Paket"
BUTTON_SERVICE = "ℹ️ Informasi Layanan"

# Callback data of the main menu buttons.
MENU_FILE = "menu:lapor"
MENU_STATUS = "menu:status"
MENU_PACKAGE = "menu:paket"
MENU_SERVICE = "menu:layanan"


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
    "tentang pengaduan itu, atau tekan tombol «Tambah keterangan» pada tampilan status."
)

STAFF_HELP = (
    "<b>Perintah staf</b>\n"
    + "\n".join(f"/{name} — {esc(text)}" for name, text in STAFF_COMMANDS)
    + "\n\nBalas (reply) kartu tiket atau pesan bot tentang tiket untuk menjawab pelapor."
)


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
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
NOT_UNDERSTOOD = (
    "Maaf, kami belum memahami pesan ini. Pilih menu di bawah atau ketik /bantuan."
)
SOMETHING_WENT_WRONG = (
    "Maaf, terjadi gangguan saat memproses pesan Anda. Data Anda aman; silakan coba lagi sebentar lagi."
)
