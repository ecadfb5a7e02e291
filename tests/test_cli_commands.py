"""The real CLI process (``python -m bot``): commands that never create a database, ``data erase``
that asks first, ``paket hapus-demo``, relative paths from another working directory, exit codes."""

from __future__ import annotations

import asyncio
import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import Database
from tests.conftest import TOKEN, Bench

ROOT = Path(__file__).resolve().parents[1]
DEMO_CSV = ROOT / "bot" / "data" / "demo_packages.csv"
NO_NETWORK = "http://127.0.0.1:9/bot"


def cli(*args: str, cwd: Path, stdin: int | None = subprocess.DEVNULL, input_text: str | None = None,
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, text=True,
                          stdin=None if input_text is not None else stdin, input=input_text,
                          capture_output=True, timeout=120, check=False)


def write_config(folder: Path, database: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    # A closed loopback port as the Bot API: nothing here may reach the network.
    config.write_text(f'[telegram]\ntoken = "{TOKEN}"\nstaff_chat_id = -1001\nbase_url = "{NO_NETWORK}"\n'
                      f'[storage]\ndatabase = "{database}"\n{extra}', encoding="utf-8")
    return config


def create_database(path: Path) -> None:
    async def go() -> None:
        await (await Database.open(path)).close()

    asyncio.run(go())


# --- commands that need an existing database ------------------------------------------------


@pytest.mark.parametrize("args", [
    ["report", "--month", "2026-01", "--out", "laporan"],
    ["backup", "salinan.sqlite3"],
    ["paket", "export", "paket.csv"],
    ["paket", "import", str(DEMO_CSV)],
    ["paket", "hapus-demo"],
    ["data", "export", "--user", "42"],
    ["data", "export", "--user", "42", "--out", "orang.json"],
    ["data", "erase", "--user", "42", "--yes"],
    ["data", "erase", "--ticket", "ADU-2026-00001"],
])
def test_missing_database_is_refused_and_nothing_is_created(tmp_path: Path, args: list[str]) -> None:
    config = write_config(tmp_path / "etc", "db/helpdesk.sqlite3")
    work = tmp_path / "work"
    work.mkdir()
    result = cli(*args, "--config", str(config), cwd=work)
    assert result.returncode == 2, result
    expected = tmp_path / "etc" / "db" / "helpdesk.sqlite3"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(expected) in lines[0] and "tidak ada" in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "etc" / "db").exists()
    assert list(work.iterdir()) == []  # no report, backup, export or database file either


def test_outdated_database_is_not_migrated_by_other_commands(tmp_path: Path) -> None:
    database = tmp_path / "helpdesk.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA user_version = 1")
    config = write_config(tmp_path, str(database))
    result = cli("report", "--month", "2026-01", "--out", str(tmp_path / "out"), "--config", str(config),
                 cwd=tmp_path)
    assert result.returncode == 2 and "perlu migrasi" in result.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not (tmp_path / "out").exists()


def test_report_with_an_unwritable_folder_fails(tmp_path: Path) -> None:
    database = tmp_path / "helpdesk.sqlite3"
    create_database(database)
    config = write_config(tmp_path, str(database))
    (tmp_path / "berkas").write_text("bukan folder")
    result = cli("report", "--month", "2026-01", "--out", str(tmp_path / "berkas" / "sub"),
                 "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1, result
    assert "salah satu bagian jalurnya bukan folder" in result.stderr
    assert "Not a directory" not in result.stderr and "File exists" not in result.stderr
    assert "Traceback" not in result.stderr
    ok = cli("report", "--month", "2026-01", "--out", str(tmp_path / "laporan"), "--config", str(config),
             cwd=tmp_path)
    assert ok.returncode == 0, ok
    assert (tmp_path / "laporan" / "laporan-2026-01.csv").exists()


def test_os_errors_are_translated(tmp_path: Path) -> None:
    database = tmp_path / "helpdesk.sqlite3"
    create_database(database)
    config = write_config(tmp_path, str(database))
    result = cli("data", "export", "--user", "42", "--out", str(tmp_path / "tidak-ada" / "x.json"),
                 "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert "berkas atau folder tidak ada" in result.stderr and "No such file" not in result.stderr


# --- relative paths -----------------------------------------------------------------------------


def test_relative_paths_resolve_from_the_config_folder(tmp_path: Path) -> None:
    etc = tmp_path / "etc" / "pbj"
    content = (ROOT / "bot" / "data" / "layanan.toml").read_text(encoding="utf-8")
    etc.mkdir(parents=True)
    marker = "Layanan PBJ (isi dari berkas sendiri)"
    original = 'nama_layanan = "Pelayanan Pengadaan Barang dan Jasa"'
    assert original in content
    (etc / "layanan-sendiri.toml").write_text(content.replace(original, f'nama_layanan = "{marker}"'),
                                              encoding="utf-8")
    config = write_config(etc, "data/helpdesk.sqlite3", '[service]\ncontent_file = "layanan-sendiri.toml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    created = cli("check", "--config", str(config), "--migrate", cwd=elsewhere)  # no network: fails at getMe
    assert "dibuat, skema versi" in created.stdout, created
    assert (etc / "data" / "helpdesk.sqlite3").is_file()
    assert not (elsewhere / "data").exists()

    # Another folder, a relative --config: the same database.
    other = tmp_path / "other"
    other.mkdir()
    relative = os.path.relpath(config, other)
    report = cli("report", "--month", "2026-01", "--out", "laporan", "--config", relative, cwd=other)
    assert report.returncode == 0, report
    assert (other / "laporan" / "laporan-2026-01.csv").exists()  # --out is a command-line path: cwd
    backup = cli("backup", "salinan.sqlite3", "--config", relative, cwd=other)
    assert backup.returncode == 0 and (other / "salinan.sqlite3").is_file()

    # content_file too: the sandbox (same settings as run) shows the bureau's own text.
    script = other / "skrip.txt"
    script.write_text("/layanan\n", encoding="utf-8")
    shown = cli("sandbox", "--config", relative, "--script", str(script), "--database", "sb.sqlite3",
                cwd=other)
    assert shown.returncode == 0, shown
    assert marker in shown.stdout


# --- data erase ---------------------------------------------------------------------------------


async def filed_ticket(tmp_path: Path) -> tuple[Path, str, int]:
    bench = Bench(tmp_path)
    await bench.start()
    try:
        code = await bench.file_complaint(contact="0813 1111 2222",
                                          description="Jadwal pembukaan penawaran paket jalan belum diumumkan.")
        return tmp_path / "helpdesk.sqlite3", code, bench.citizen.id
    finally:
        await bench.stop()


def ticket_row(database: Path, code: str) -> tuple[str, str, int | None]:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT name, contact, citizen_user_id FROM tickets WHERE code = ?", (code,)).fetchone()


async def test_erase_without_terminal_and_without_yes_changes_nothing(tmp_path: Path) -> None:
    database, code, user_id = await filed_ticket(tmp_path)
    config = write_config(tmp_path / "etc", str(database))
    before = ticket_row(database, code)
    assert before[2] == user_id and before[1] == "+6281311112222"
    for selector in (["--ticket", code], ["--phone", "0813-1111-2222"], ["--user", str(user_id)]):
        result = await asyncio.to_thread(cli, "data", "erase", *selector, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 2, result
        assert f"pengguna Telegram {user_id}" in result.stdout
        assert "1 pengaduan" in result.stdout and "akan dianonimkan" in result.stdout
        assert "--yes" in result.stderr
        assert ticket_row(database, code) == before
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM data_requests").fetchone()[0] == 0

    unknown = await asyncio.to_thread(cli, "data", "erase", "--ticket", "ADU-2026-99999", "--config", str(config),
                                      cwd=tmp_path)
    assert unknown.returncode == 2 and "ADU-2026-99999" in unknown.stderr

    done = await asyncio.to_thread(cli, "data", "erase", "--phone", "+62 813 1111 2222", "--yes",
                                   "--config", str(config), cwd=tmp_path)
    assert done.returncode == 0, done
    assert "sudah dianonimkan" in done.stdout and "1 pengaduan" in done.stdout
    assert ticket_row(database, code) == ("[dihapus]", "[dihapus]", None)


def run_on_terminal(args: list[str], answer: str, cwd: Path) -> tuple[int, str]:
    """The CLI with a pseudo-terminal as stdin (so it may ask), typing ``answer``."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        process = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, stdin=terminal,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(controller, answer.encode() + b"\n")
        out, err = process.communicate(timeout=120)
    finally:
        os.close(controller)
        os.close(terminal)
    return process.returncode, out + err


async def test_erase_on_a_terminal_asks_first(tmp_path: Path) -> None:
    database, code, _ = await filed_ticket(tmp_path)
    config = write_config(tmp_path / "etc", str(database))
    before = ticket_row(database, code)
    args = ["data", "erase", "--ticket", code, "--config", str(config)]
    status, output = await asyncio.to_thread(run_on_terminal, args, "tidak", tmp_path)
    assert status == 1 and "Ketik «ya»" in output and "Dibatalkan" in output
    assert ticket_row(database, code) == before
    status, output = await asyncio.to_thread(run_on_terminal, args, "ya", tmp_path)
    assert status == 0, output
    assert ticket_row(database, code)[0] == "[dihapus]"


# --- paket hapus-demo ---------------------------------------------------------------------------


def test_hapus_demo_removes_only_the_demo_packages(tmp_path: Path) -> None:
    database = tmp_path / "helpdesk.sqlite3"
    create_database(database)
    config = write_config(tmp_path, str(database))
    real = tmp_path / "paket.csv"
    real.write_text("kode;nama_paket;satuan_kerja;tahun_anggaran;tahap\n"
                    "10012345000;Pembangunan Jembatan Sesayap;Dinas PUPR-Perkim;2026;2\n", encoding="utf-8")
    assert cli("paket", "import", str(DEMO_CSV), "--config", str(config), cwd=tmp_path).returncode == 0
    assert cli("paket", "import", str(real), "--config", str(config), cwd=tmp_path).returncode == 0
    with sqlite3.connect(database) as conn:
        demo = conn.execute("SELECT COUNT(*) FROM packages WHERE name LIKE '[DEMO]%'").fetchone()[0]
        demo_ids = [r[0] for r in conn.execute("SELECT id FROM packages WHERE name LIKE '[DEMO]%'")]
        conn.execute("INSERT INTO package_followers (package_id, chat_id, since) VALUES (?, 5, '2026')",
                     (demo_ids[0],))
    assert demo >= 3

    result = cli("paket", "hapus-demo", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result
    assert result.stdout.strip().startswith(f"{demo} paket demo ([DEMO]) dihapus")
    with sqlite3.connect(database) as conn:
        assert [r[0] for r in conn.execute("SELECT code FROM packages")] == ["10012345000"]
        marks = ",".join("?" * len(demo_ids))
        assert conn.execute(f"SELECT COUNT(*) FROM package_stages WHERE package_id IN ({marks})",
                            demo_ids).fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM package_followers").fetchone()[0] == 0
        # The real package's history is still append-only.
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM package_stages")
    again = cli("paket", "hapus-demo", "--config", str(config), cwd=tmp_path)
    assert again.returncode == 0 and "tidak ada yang dihapus" in again.stdout


def test_deadline_explain_for_ringan_shows_the_office_time_used_each_day(tmp_path: Path) -> None:
    """Ringan counts office hours, not days: the explanation says which hours of which day."""
    result = cli("deadline", "--tier", "ringan", "--received", "2026-12-04T15:00", "--explain", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    # In calendar order; the weekend is named once (the date already says "Sabtu").
    assert lines[2:6] == [
        "  jam kerja Jumat, 04 Desember 2026: 15.00–16.30 (1 jam 30 menit)",
        "  dilewati Sabtu, 05 Desember 2026: akhir pekan",
        "  dilewati Minggu, 06 Desember 2026: akhir pekan",
        "  jam kerja Senin, 07 Desember 2026: 07.30–09.00 (1 jam 30 menit)",
    ]
    assert "Jam kerja dihitung: 3 jam" in lines
    assert not any(line.startswith("Hari kerja dihitung") for line in lines)
    assert lines[-1] == "2026-12-07T09:00+08:00"


def test_paket_import_at_the_terminal_says_what_to_fix_in_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, "helpdesk.sqlite3")
    create_database(tmp_path / "helpdesk.sqlite3")
    bad = tmp_path / "paket.csv"
    bad.write_text("kode_paket;nama_paket\n12AB;Jalan\n", encoding="utf-8")
    result = cli("paket", "import", str(bad), "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert "di berkas, lalu impor ulang" in result.stdout and "kirim ulang" not in result.stdout
    missing = cli("paket", "import", str(tmp_path / "tidak-ada.csv"), "--config", str(config), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "tidak ada" in missing.stderr
    assert "masalah" not in missing.stderr + missing.stdout
