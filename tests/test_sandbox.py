"""``pbj-helpdesk sandbox``: scripted sessions through the CLI, and the Sandbox class directly."""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.cli.sandbox import Sandbox, _split_utf16, sandbox_settings, styled
from bot.config import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "sandbox-contoh.txt"
CODE = re.compile(r"ADU-\d{4}-\d{5}")


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{tmp_path / "produksi.sqlite3"}"\n', encoding="utf-8")
    return path


def blocks(transcript: str) -> list[tuple[str, str]]:
    """(header, body) of every bot message in a transcript."""
    found: list[tuple[str, str]] = []
    for line in transcript.splitlines():
        if line.startswith("  🤖 "):
            found.append((line, ""))
        elif line.startswith("     ") and found:
            header, body = found[-1]
            found[-1] = (header, body + line.strip() + "\n")
    return found


def one(found: list[tuple[str, str]], marker: str | None, *needles: str) -> tuple[str, str]:
    matches = [
        (header, body) for header, body in found
        if (marker in header if marker else "[ke " not in header) and all(n in body for n in needles)
    ]
    assert len(matches) == 1, f"{marker} {needles}: {matches or found}"
    return matches[0]


def run_script(
    config: Path, script: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = cli.main(["sandbox", "--config", str(config), "--script", str(script), "--database", str(database)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_example_script_files_answers_and_closes(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_script(config, EXAMPLE, tmp_path / "sandbox.sqlite3", capsys)
    assert code == 0, out + err
    assert "\x1b[" not in out  # no ANSI in a transcript
    assert "> [warga] /lapor" in out and "> [staf Rina] :balas " in out
    found = blocks(out)

    _, confirmation = one(found, None, "Kode pengaduan:")
    ticket = CODE.search(confirmation)
    assert ticket is not None
    ticket_code = ticket.group(0)
    assert ticket_code.endswith("-00001")

    card_header, card = one(found, "[ke staf]", ticket_code, "Balas (reply) pesan ini")
    assert re.match(r"  🤖 #\d+ \[ke staf\]$", card_header)
    assert "[1] 🔎 Proses" in card

    _, answer = one(found, "[ke warga]", f"Jawaban atas pengaduan {ticket_code}")
    assert "Pembukaan penawaran dijadwalkan Senin" in answer
    assert "— Petugas Pengelola Pengaduan" in answer
    one(found, None, f"Balasan untuk {ticket_code} dikirim ke pelapor (dipilih Rina Wulandari)")
    assert f"Jawaban Rina Wulandari untuk {ticket_code}" not in out  # the prompt is the confirmation
    # Edits of the card show the lines they change, not the whole card again.
    edits = [body for header, body in found if header.startswith("  🤖 #" + card_header.split("#")[1].split()[0])
             and "(diubah, " in header]
    assert len(edits) == 2 and "~ Status: Dijawab" in edits[0] and "~ Status: Selesai" in edits[1]
    assert out.count("Balas (reply) pesan ini") == 1

    _, closing = one(found, "[ke warga]", f"Pengaduan {ticket_code} telah selesai ditangani")
    assert "Pertanyaan sudah dijawab." in closing
    # /status {kode} was expanded with the ticket's code.
    assert f"> [warga] /status {ticket_code}" not in out and "> [warga] /status {kode}" in out
    one(found, None, "Riwayat", "Pengaduan ditutup")


def test_reused_database_continues_ids(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second session on the same database: new updates are not taken for redeliveries, and the
    staff reply lands on the new ticket, not on an old one that had the same message number."""
    database = tmp_path / "sandbox.sqlite3"
    assert run_script(config, EXAMPLE, database, capsys)[0] == 0
    code, out, err = run_script(config, EXAMPLE, database, capsys)
    assert code == 0, out + err
    found = blocks(out)
    _, confirmation = one(found, None, "Kode pengaduan:")
    second = CODE.search(confirmation)
    assert second is not None and second.group(0).endswith("-00002")
    one(found, "[ke warga]", f"Jawaban atas pengaduan {second.group(0)}")


def test_pressing_a_missing_button_fails_the_script(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "salah.txt"
    script.write_text("# menu punya 4 tombol\n\n/start\n9\n/bantuan\n", encoding="utf-8")
    code, out, err = run_script(config, script, tmp_path / "sandbox.sqlite3", capsys)
    assert code == 1
    assert "✘ tidak ada tombol [9] pada pesan #2 (tombolnya [1]–[4])" in out
    assert "baris 4" in err and "salah.txt" in err
    assert "> [warga] /bantuan" not in out  # the script stops at the failed line


def test_script_errors_are_reported(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "sandbox.sqlite3"
    for line, message in [
        (":tekan Kirim", "tidak ada pesan bot bertombol"),
        (":entah", "perintah sandbox tidak dikenal: :entah"),
        (":foto tidak-ada.jpg", "berkas tidak ditemukan: tidak-ada.jpg"),
        ("/tutup {kode}", "belum ada kode pengaduan"),
        (":balas 99 halo", "tidak ada pesan #99"),
    ]:
        script = tmp_path / "s.txt"
        script.write_text(line + "\n", encoding="utf-8")
        code, out, _ = run_script(config, script, database, capsys)
        assert code == 1 and message in out, out


def test_missing_script_and_production_database_are_usage_errors(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_script(config, tmp_path / "tidak-ada.txt", tmp_path / "s.sqlite3", capsys)
    assert code == 2 and "tidak dapat dibaca" in err
    code, _, err = run_script(config, EXAMPLE, tmp_path / "produksi.sqlite3", capsys)
    assert code == 2 and "basis data produksi" in err


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_contact_keyboard_numbers_and_files(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lokasi.png").write_bytes(png())
    (tmp_path / "bukti.pdf").write_bytes(b"%PDF-1.4 bukti\n")
    (tmp_path / "catatan.txt").write_text("bukan gambar", encoding="utf-8")
    script = tmp_path / "bukti.txt"
    script.write_text(
        "\n".join([
            "/lapor",
            "1",  # the only button: use the Telegram name
            ":kontak",
            ":tekan 3",  # third kind button
            ":tekan Lewati",
            "Petugas loket meminta kami datang berulang kali tanpa kejelasan.",
            ":foto lokasi.png foto loket",  # relative to the script's folder
            ':dokumen "bukti.pdf"',
            ":tekan Selesai",
        ]) + "\n",
        encoding="utf-8",
    )
    code, out, err = run_script(config, script, tmp_path / "sandbox.sqlite3", capsys)
    assert code == 0, out + err
    assert "⌨ «📱 Kirim nomor saya» (ketik :kontak)" in out
    assert "· foto lokasi.png" in out and "· dokumen bukti.pdf" in out
    found = blocks(out)
    one(found, None, "Bukti ke-2 diterima")
    one(found, None, "Bukti: 2 berkas", "Jenis: Keluhan / saran")

    script.write_text("/lapor\n:tekan Pakai nama\n:kontak\n:foto catatan.txt\n", encoding="utf-8")
    code, out, _ = run_script(config, script, tmp_path / "lain.sqlite3", capsys)
    assert code == 1 and "catatan.txt bukan gambar" in out


async def test_telegram_refusal_is_shown_not_raised(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = sandbox_settings(Settings(), tmp_path / "sandbox.sqlite3", scripted=True)
    sandbox = Sandbox(settings, out=out)
    await sandbox.start()
    try:
        sandbox.fake.inject("sendMessage", sandbox.citizen.id, "bad_request", text="message is too long", times=2)
        assert await sandbox.handle("/start") is False
        text = out.getvalue()
        assert "✘ Telegram menolak sendMessage ke warga: 400 Bad Request: message is too long" in text
        assert "✘ log error handlers.errors: update failed" in text
        # The session goes on.
        assert await sandbox.handle("/start") is True
        assert "Halo, Budi" in out.getvalue()
        # Messages to the other side carry a marker; numbers and replies work from the staff side.
        assert await sandbox.handle(":staf 2") is True
        assert sandbox.prompt() == "staf Andi> "
        assert await sandbox.handle("/chatid") is True
        assert "Id obrolan ini" in out.getvalue()
    finally:
        await sandbox.stop()


def test_styled_uses_utf16_offsets_and_shows_links() -> None:
    text = "😀 tebal miring\nlink"
    entities = [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "italic", "offset": 9, "length": 6},
        {"type": "text_link", "offset": 16, "length": 4, "url": "https://lpse.kaltaraprov.go.id"},
    ]
    plain = styled(text, entities, ansi=False, indent="  ")
    assert plain == "  😀 tebal miring\n  link <https://lpse.kaltaraprov.go.id>"
    ansi = styled(text, entities, ansi=True, indent="  ")
    assert "\x1b[1mtebal\x1b[0m" in ansi and "\x1b[3mmiring\x1b[0m" in ansi
    assert "\n  \x1b[4mlink\x1b[0m <https://" in ansi


def test_long_input_is_split_like_telegram_apps() -> None:
    parts = _split_utf16("😀" * 3000, 4096)
    assert [len(p) for p in parts] == [2048, 952]  # each emoji is 2 UTF-16 units
    assert _split_utf16("abc", 4096) == ["abc"]


def test_sandbox_starts_with_a_malformed_token_it_never_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\ntoken = "bukan-token"\nstaff_chat_id = -100\n\n'
                      f'[storage]\ndatabase = "{tmp_path / "produksi.sqlite3"}"\n', encoding="utf-8")
    script = tmp_path / "s.txt"
    script.write_text("/start\n", encoding="utf-8")
    code, out, err = run_script(config, script, tmp_path / "sb.sqlite3", capsys)
    assert code == 0, err
    assert "Ajukan Pengaduan" in out


def test_reply_answers_the_prompt_it_follows(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a /catat step asks for a reply, `:balas teks` answers that prompt, not the last card."""
    script = tmp_path / "s.txt"
    # channel, tier, received «Sekarang», kind: then the name is asked for as a reply.
    script.write_text(":staf\n/catat\n:tekan 2\n:tekan 1\n:tekan Sekarang\n:tekan 1\n:balas Ibu Wati\n",
                      encoding="utf-8")
    code, out, err = run_script(config, script, tmp_path / "sb.sqlite3", capsys)
    assert code == 0, err
    after_reply = out.split("Ibu Wati", 1)[1]
    assert "kontak" in after_reply.lower()


def test_reply_with_a_phone_number_is_text_not_a_message_number(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`:balas 0812 …` answers the contact prompt; `:balas #N teks` still replies to message N."""
    script = tmp_path / "s.txt"
    script.write_text(":staf\n/catat\n:tekan 2\n:tekan 1\n:tekan Sekarang\n:tekan 1\n:balas Ibu Wati\n"
                      ":balas 0812 3456 7891\n", encoding="utf-8")
    code, out, err = run_script(config, script, tmp_path / "sb.sqlite3", capsys)
    assert code == 0, err
    after_contact = out.split("0812 3456 7891", 1)[1]
    assert "uraian pengaduan" in after_contact and "tidak ada pesan" not in out


def test_a_long_script_reports_progress_on_stderr(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.txt"
    script.write_text("/bantuan\n" * 40, encoding="utf-8")
    code, out, err = run_script(config, script, tmp_path / "sb.sqlite3", capsys)
    assert code == 0, err
    progress = [line for line in err.splitlines() if "langkah" in line]
    assert progress[0].endswith("langkah 4 dari 40") and progress[-1].endswith("langkah 40 dari 40")
    assert "dari 40" not in out
