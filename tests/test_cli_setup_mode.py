"""Setup mode: a token and no staff_chat_id. The real runner and Application against the Bot API
double, in process and as the real ``python -m bot run`` process over loopback HTTP."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.delivery.runner import HelpdeskRunner
from bot.fakebot import FakeRequest, FakeTelegram, FakeTelegramServer, SentMessage
from tests.conftest import TOKEN, Bench

ROOT = Path(__file__).resolve().parents[1]
OPERATOR_WORDS = ("staff_chat_id", "konfigurasi", "config", "[telegram]", "systemctl", "mode penyiapan")


async def wait_for_reply(fake: FakeTelegram, chat_id: int, before: int, timeout: float = 20.0) -> SentMessage:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while len(fake.sent(chat_id)) <= before:
        if loop.time() > end:
            raise TimeoutError(f"no answer in chat {chat_id}")
        await asyncio.sleep(0.01)
    return fake.sent(chat_id)[before]


def setup_settings(tmp_path: Path, **telegram: object) -> Settings:
    return Settings.model_validate({
        "telegram": {"token": TOKEN, "overall_max_rate": 0, **telegram},
        "storage": {"database": str(tmp_path / "data" / "helpdesk.sqlite3")},
        "service": {"contact_center": "0811-0000-111"},
    })


async def test_setup_mode_answers_chatid_in_groups_and_nothing_else(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTelegram(token=TOKEN)
    officer, citizen = fake.user("Rina", "Petugas"), fake.user("Budi")
    group = fake.group("Staf Pengaduan PBJ", [officer], supergroup=True)
    runner = HelpdeskRunner(setup_settings(tmp_path), request=FakeRequest(fake),
                            updates_request=FakeRequest(fake), poll_timeout=1)
    caplog.set_level(logging.INFO)
    await runner.start()
    try:
        assert runner.setup_mode
        assert any("setup mode" in r.getMessage() for r in caplog.records)

        fake.send_text(officer, group.id, "/chatid")
        answer = await wait_for_reply(fake, group.id, 0)
        assert str(group.id) in answer.rendered
        assert f"staff_chat_id = {group.id}" in answer.rendered  # the exact line for the file

        # Anything else in a group is not handled.
        fake.send_text(officer, group.id, "/daftar")
        fake.send_text(officer, group.id, "/chatid@pbj_helpdesk_bot")  # addressed form works too
        await wait_for_reply(fake, group.id, 1)
        assert len(fake.sent(group.id)) == 2 and "staff_chat_id = " in fake.sent(group.id)[1].rendered

        # A citizen learns the service is being set up, in words meant for a citizen.
        for number, text in enumerate(["/start", "/lapor", "/chatid", "halo, saya mau melapor"]):
            fake.send_text(citizen, None, text)
            reply = await wait_for_reply(fake, citizen.id, number)
            assert "sedang disiapkan" in reply.rendered and "0811-0000-111" in reply.rendered
            assert not any(word in reply.rendered for word in OPERATOR_WORDS), reply.rendered
            assert str(citizen.id) not in reply.rendered
    finally:
        await runner.stop()
    # Setup mode opens no database and creates nothing.
    assert not (tmp_path / "data").exists()
    assert not fake.calls_to("setMyCommands")


async def test_chatid_in_a_private_chat_never_shows_operator_text(bench: Bench) -> None:
    [reply] = await bench.say(bench.citizen, "/chatid")
    assert not any(word in reply.rendered for word in OPERATOR_WORDS), reply.rendered
    assert str(bench.citizen.id) not in reply.rendered and "/bantuan" in reply.rendered
    # In the staff group it still tells the id.
    [answer] = await bench.staff_says("/chatid")
    assert str(bench.staff_chat_id) in answer.rendered


async def test_run_command_starts_in_setup_mode_over_loopback(tmp_path: Path) -> None:
    """The real ``python -m bot run`` process, the double served on 127.0.0.1 as a Bot API server."""
    fake = FakeTelegram(token=TOKEN)
    officer = fake.user("Rina", "Petugas")
    group = fake.group("Staf Pengaduan PBJ", [officer], supergroup=True)
    async with FakeTelegramServer(fake) as server:
        config = tmp_path / "config.toml"
        config.write_text(f'[telegram]\nbase_url = "{server.base_url}"\n', encoding="utf-8")
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            fake.send_text(officer, group.id, "/chatid")
            answer = await wait_for_reply(fake, group.id, 0, timeout=60)
            assert f"staff_chat_id = {group.id}" in answer.rendered
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await process.communicate()
    log = err.decode()
    assert process.returncode == 0, log
    assert "setup mode" in log and TOKEN not in log
    assert not (tmp_path / "data").exists()
