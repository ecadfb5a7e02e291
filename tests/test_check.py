"""``pbj-helpdesk check`` against the Bot API double: in process, over loopback HTTP, and via the CLI."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.cli.check import CheckResult, cmd_check, format_results, run_checks
from bot.fakebot import FakeRequest, FakeTelegram, FakeTelegramServer
from tests.conftest import TOKEN, make_settings


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    # The CLI installs its own root handler; give pytest's logging back afterwards.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def world(bot_status: str = "member", *, supergroup: bool = True) -> tuple[FakeTelegram, int]:
    fake = FakeTelegram(token=TOKEN)
    officer = fake.user("Rina", "Petugas")
    group = fake.group("Staf Pengaduan PBJ", [officer], supergroup=supergroup, bot_status=bot_status)
    return fake, group.id


async def test_all_checks_pass_with_bot_in_staff_group(tmp_path: Path) -> None:
    fake, group_id = world()
    settings = make_settings(tmp_path, group_id)
    results = await run_checks(settings, migrate=True, request=FakeRequest(fake))
    assert all(r.ok for r in results), format_results(results)
    named = by_name(results)
    assert "dibuat, skema versi" in named["Basis data"].detail
    assert "@pbj_helpdesk_bot" in named["Telegram"].detail
    assert "«Staf Pengaduan PBJ»" in named["Grup staf"].detail and "member" in named["Grup staf"].detail
    assert named["Kirim ke grup staf"].ok
    # The double runs in privacy mode, which is all the desk needs.
    assert named["Mode privasi"].ok and not named["Mode privasi"].warning
    # Second run: nothing to migrate, still all green.
    again = await run_checks(settings, migrate=False, request=FakeRequest(fake))
    assert all(r.ok for r in again) and "(terbaru)" in by_name(again)["Basis data"].detail
    assert [c.method for c in fake.calls].count("getChatMember") == 2


async def test_database_needing_migration_fails_with_hint(tmp_path: Path) -> None:
    fake, group_id = world()
    settings = make_settings(tmp_path, group_id)
    results = by_name(await run_checks(settings, migrate=False, request=FakeRequest(fake)))
    database = results["Basis data"]
    assert not database.ok and "belum ada" in database.detail and "--migrate" in database.hint
    assert not settings.storage.database.exists()  # a check without --migrate writes nothing

    import sqlite3

    conn = sqlite3.connect(settings.storage.database)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    database = by_name(await run_checks(settings, migrate=False, request=FakeRequest(fake)))["Basis data"]
    assert not database.ok and "perlu migrasi" in database.detail and "check --migrate" in database.hint


@pytest.mark.parametrize(
    ("status", "supergroup", "wording"),
    [
        # A basic group still answers getChatMember for a bot that left; a private supergroup
        # refuses with 403, as Telegram does.
        ("left", False, "sudah keluar"),
        ("kicked", False, "dikeluarkan"),
        ("left", True, "bot is not a member"),
        ("kicked", True, "bot was kicked"),
    ],
)
async def test_bot_not_in_staff_group(tmp_path: Path, status: str, supergroup: bool, wording: str) -> None:
    fake, group_id = world(bot_status=status, supergroup=supergroup)
    settings = make_settings(tmp_path, group_id)
    results = await run_checks(settings, migrate=True, request=FakeRequest(fake))
    staff = by_name(results)["Grup staf"]
    assert not staff.ok
    assert staff.detail.startswith(f"bot bukan anggota grup staf {group_id}") and wording in staff.detail
    assert "/chatid" in staff.hint
    assert f"✘ Grup staf: bot bukan anggota grup staf {group_id}" in format_results(results)


async def test_unknown_staff_chat(tmp_path: Path) -> None:
    fake, _ = world()
    results = await run_checks(make_settings(tmp_path, -1009999), migrate=True, request=FakeRequest(fake))
    staff = by_name(results)["Grup staf"]
    assert not staff.ok and "grup tidak ditemukan" in staff.detail and "bukan anggota" in staff.detail


async def test_restricted_bot_cannot_post(tmp_path: Path) -> None:
    fake, group_id = world(bot_status="restricted")
    results = by_name(await run_checks(make_settings(tmp_path, group_id), migrate=True, request=FakeRequest(fake)))
    assert results["Grup staf"].ok
    assert not results["Kirim ke grup staf"].ok
    assert "tidak boleh mengirim" in results["Kirim ke grup staf"].detail


async def test_rejected_token_is_reported_without_printing_it(tmp_path: Path) -> None:
    fake = FakeTelegram(token="999999999:AAHotherTOKENotherTOKENotherTOKEN12")
    group = fake.group("Staf", [fake.user("Rina")])
    results = await run_checks(make_settings(tmp_path, group.id), migrate=True, request=FakeRequest(fake))
    telegram = by_name(results)["Telegram"]
    assert not telegram.ok and "401" in telegram.detail and "@BotFather" in telegram.hint
    assert TOKEN not in format_results(results)
    assert "Grup staf" not in by_name(results)  # nothing to ask without a working token


async def test_check_over_loopback_http_uses_base_url(tmp_path: Path) -> None:
    """The stock HTTPXRequest against the double served on 127.0.0.1, as with a self-hosted Bot API."""
    fake, group_id = world()
    async with FakeTelegramServer(fake) as server:
        settings = make_settings(tmp_path, group_id, telegram={"base_url": server.base_url})
        results = await run_checks(settings, migrate=True)
    assert all(r.ok for r in results), format_results(results)
    assert [c.method for c in fake.calls][:2] == ["getMe", "getChatMember"]


def test_cmd_check_prints_list_and_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake, group_id = world()
    settings = make_settings(tmp_path, group_id)
    code = cmd_check(settings, argparse.Namespace(migrate=True), request=FakeRequest(fake))
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[0].startswith("✔ Konfigurasi")
    assert out.rstrip().endswith("Semua pemeriksaan lulus.")

    fake.set_bot_status(group_id, "left")
    code = cmd_check(settings, argparse.Namespace(migrate=False), request=FakeRequest(fake))
    out = capsys.readouterr().out
    assert code == 1
    assert "✘ Grup staf: bot bukan anggota grup staf" in out and out.rstrip().endswith("1 pemeriksaan gagal.")


def test_missing_token_is_a_failed_check_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nstaff_chat_id = -1001234\n[storage]\ndatabase = "{tmp_path / "db.sqlite3"}"\n',
        encoding="utf-8",
    )
    code = cli.main(["check", "--config", str(config), "--migrate"])
    out = capsys.readouterr().out
    assert code == 1
    assert "✘ Token dan grup staf:" in out and "token kosong" in out and "TELEGRAM_BOT_TOKEN" in out
    assert "– Telegram: tidak diperiksa: token belum ada" in out
    assert "✔ Basis data" in out


def test_invalid_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[telegram]\ntoken = 'bukan-token'\n", encoding="utf-8")
    assert cli.main(["check", "--config", str(config)]) == 2
    assert "token bot tidak berformat benar" in capsys.readouterr().err



def test_missing_config_file_is_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "etc" / "config.toml"
    assert cli.main(["check", "--config", str(missing)]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"✘ Konfigurasi: berkas konfigurasi {missing} tidak ditemukan")
    assert f"cp config.example.toml {missing}" in out
    assert not missing.parent.exists()
    # Without --config: the default config.toml of the working directory.
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check"]) == 2
    assert "berkas konfigurasi config.toml tidak ditemukan" in capsys.readouterr().out


async def test_setup_mode_check_explains_the_steps_and_counts_skipped(tmp_path: Path) -> None:
    fake, _ = world()
    results = await run_checks(make_settings(tmp_path, 0), migrate=True, request=FakeRequest(fake))
    named = by_name(results)
    token = named["Token dan grup staf"]
    assert not token.ok and "mode penyiapan" in token.detail
    assert "/chatid" in token.hint and "staff_chat_id = …" in token.hint and "pbj-helpdesk run" in token.hint
    assert named["Telegram"].ok and named["Grup staf"].skipped
    text = format_results(results)
    assert "– Grup staf: tidak diperiksa" in text
    assert text.rstrip().endswith("1 pemeriksaan gagal dan 1 dilewati karena itu.")


def test_skipped_alone_is_not_ready(tmp_path: Path) -> None:
    results = [CheckResult("A", True, "baik"), CheckResult("B", False, "tidak diperiksa", skipped=True)]
    assert format_results(results).rstrip().endswith("1 pemeriksaan dilewati, jadi bot belum siap dijalankan.")
