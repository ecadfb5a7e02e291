"""The CLI speaks Indonesian: argparse's help, usage and errors, configuration errors, OS errors.

Run as the real process, so what is checked is exactly what the officer reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ("usage:", "options:", "show this help message and exit", "the following arguments are required",
           "invalid int value", "invalid choice", "unrecognized arguments", "positional arguments",
           "error:", "expected one argument", "one of the arguments", "Input should", "No such file")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=60, check=False, stdin=subprocess.DEVNULL)


def assert_indonesian(text: str) -> None:
    for phrase in ENGLISH:
        assert phrase.lower() not in text.lower(), f"{phrase!r} in:\n{text}"


@pytest.mark.parametrize("args", [
    ["--help"], ["run", "--help"], ["deadline", "--help"], ["check", "--help"], ["backup", "--help"],
    ["paket", "--help"], ["paket", "import", "--help"], ["paket", "hapus-demo", "--help"],
    ["data", "erase", "--help"], ["data", "export", "--help"], ["report", "--help"], ["sandbox", "--help"],
])
def test_help_is_indonesian(tmp_path: Path, args: list[str]) -> None:
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("Penggunaan: pbj-helpdesk")
    assert "tampilkan bantuan ini lalu keluar" in result.stdout and "opsi:" in result.stdout
    assert_indonesian(result.stdout)


@pytest.mark.parametrize(("args", "wording"), [
    ([], "argumen berikut wajib diisi: PERINTAH"),
    (["lapor"], "pilihan 'lapor' tidak dikenal"),
    (["report"], "argumen berikut wajib diisi: --month"),
    (["data", "export", "--user", "budi"], "«budi» bukan id pengguna Telegram"),
    (["data", "erase"], "salah satu argumen ini wajib diisi: --user --ticket --phone"),
    (["data", "erase", "--user", "1", "--ticket", "ADU-2026-00001"], "tidak boleh dipakai bersama --user"),
    (["deadline", "--tier"], "--tier: butuh satu nilai"),
    (["report", "--month", "2026-01", "--warna"], "argumen tidak dikenal: --warna"),
    (["paket"], "argumen berikut wajib diisi: AKSI"),
])
def test_argument_errors_are_indonesian(tmp_path: Path, args: list[str], wording: str) -> None:
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Penggunaan: pbj-helpdesk")
    assert wording in result.stderr, result.stderr
    assert_indonesian(result.stderr)


def test_a_bad_config_value_is_explained_in_indonesian(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[tiers]\nnormatif_working_days = 0\n[watch]\nreminder_share = 1.5\n'
                      '[telegram]\nmode = "push"\nleave_foreign_groups = "ya"\n[limits]\nmax_file_mb = "besar"\n',
                      encoding="utf-8")
    result = cli("deadline", "--tier", "ringan", "--received", "2026-12-23T10:00", "--config", str(config),
                 cwd=tmp_path)
    assert result.returncode == 2
    err = result.stderr
    assert str(config) in err
    assert "[tiers] normatif_working_days: harus angka antara 1 dan 400 (tertulis: 0)" in err
    assert "[watch] reminder_share: harus angka lebih dari 0 dan kurang dari 1 (tertulis: 1.5)" in err
    assert '[telegram] mode: harus salah satu dari: "polling", "webhook" (tertulis: "push")' in err
    assert '[telegram] leave_foreign_groups: harus true atau false' in err
    assert '[limits] max_file_mb: harus angka lebih dari 0 dan paling banyak 2000 (tertulis: "besar")' in err
    assert_indonesian(err)


def test_a_missing_config_file_is_explained(tmp_path: Path) -> None:
    result = cli("report", "--month", "2026-01", "--config", "tidak-ada.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "berkas konfigurasi tidak-ada.toml tidak ditemukan" in result.stderr
    assert "cp config.example.toml tidak-ada.toml" in result.stderr
    assert_indonesian(result.stderr)


def test_a_file_that_is_not_a_database_is_explained(tmp_path: Path) -> None:
    database = tmp_path / "helpdesk.sqlite3"
    database.write_text("ini bukan basis data, hanya teks biasa yang cukup panjang " * 20, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{database}"\n', encoding="utf-8")
    result = cli("report", "--month", "2026-01", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert "berkasnya bukan basis data SQLite" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("laporan-*"))
