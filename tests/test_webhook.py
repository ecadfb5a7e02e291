"""Webhook mode end to end on loopback: PTB's real webhook server, the intake journal, the double.

setWebhook goes to the Bot API double (recorded there); the test then plays Telegram's part of
a webhook delivery itself: it POSTs the update JSON to 127.0.0.1 with the secret header.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.delivery.runner import HelpdeskRunner
from bot.fakebot import DrivenUpdate, FakeRequest, FakeTelegram
from tests.conftest import TOKEN, make_settings

SECRET = "Rahasia_webhook-0123456789abcdefghijklmn"  # 40 characters, Telegram's alphabet
WEBHOOK_URL = "https://example.invalid/telegram"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebhookBench:
    def __init__(self, tmp_path: Path) -> None:
        self.fake = FakeTelegram(token=TOKEN)
        self.citizen = self.fake.user("Budi", "Santoso")
        officer = self.fake.user("Rina", "Petugas")
        self.staff_group = self.fake.group("Staf Pengaduan PBJ", [officer])
        self.port = free_port()
        self.settings = make_settings(
            tmp_path,
            self.staff_group.id,
            telegram={
                "mode": "webhook",
                "webhook": {"url": WEBHOOK_URL, "listen": "127.0.0.1", "port": self.port,
                            "path": "/telegram", "secret_token": SECRET},
            },
        )
        self.runner = HelpdeskRunner(self.settings, request=FakeRequest(self.fake),
                                     updates_request=FakeRequest(self.fake))
        self.endpoint = f"http://127.0.0.1:{self.port}/telegram"

    @property
    def db(self) -> Any:
        assert self.runner.db is not None
        return self.runner.db

    def wire_update(self, driven: DrivenUpdate) -> dict[str, Any]:
        """The full Update JSON Telegram would POST (``driven.update`` is only the inner object)."""
        assert driven.delivered
        return next(u for u in self.fake.pending_updates if u["update_id"] == driven.update_id)

    async def post(self, client: httpx.AsyncClient, update: dict[str, Any], secret: str | None) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await client.post(self.endpoint, json=update, headers=headers)

    async def journal_row(self, update_id: int | None) -> Any:
        assert update_id is not None
        return await self.db.fetchone(
            "SELECT update_id, payload, done_at FROM update_journal WHERE update_id = ?", (update_id,)
        )

    async def until_done(self, update_id: int | None, timeout: float = 5.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not (row := await self.journal_row(update_id)) or not row["done_at"]:
            assert loop.time() < end, f"update {update_id} not processed in {timeout}s"
            await asyncio.sleep(0.005)
        assert self.runner.desk is not None and self.runner.desk.outbox is not None
        await self.runner.desk.outbox.drain()


@pytest.fixture
async def hook(tmp_path: Path) -> AsyncIterator[WebhookBench]:
    bench = WebhookBench(tmp_path)
    await bench.runner.start()
    try:
        yield bench
    finally:
        await bench.runner.stop()


async def test_set_webhook_reaches_telegram_with_secret(hook: WebhookBench) -> None:
    assert hook.fake.webhook_url == WEBHOOK_URL
    assert hook.fake.webhook_secret_token == SECRET
    call = hook.fake.calls_to("setWebhook")[-1]
    assert call.status == 200 and json.loads(call.params["allowed_updates"])


async def test_update_is_journaled_before_200_and_processed(hook: WebhookBench) -> None:
    driven = hook.fake.send_text(hook.citizen, None, "/start")
    update = hook.wire_update(driven)
    async with httpx.AsyncClient(timeout=5) as client:
        response = await hook.post(client, update, SECRET)
        # Intake guarantee: by the time Telegram sees 200, the update is durable.
        row = await hook.journal_row(driven.update_id)
    assert response.status_code == 200
    assert row is not None and json.loads(row["payload"])["message"]["text"] == "/start"
    await hook.until_done(driven.update_id)
    reply = hook.fake.last_sent(hook.citizen.id)
    assert "Halo, Budi" in reply.rendered


async def test_redelivered_update_is_processed_once(hook: WebhookBench) -> None:
    driven = hook.fake.send_text(hook.citizen, None, "/start")
    update = hook.wire_update(driven)
    async with httpx.AsyncClient(timeout=5) as client:
        first = await hook.post(client, update, SECRET)
        await hook.until_done(driven.update_id)
        # Telegram retries when it did not see the 200 in time; the journal drops the copy.
        second = await hook.post(client, update, SECRET)
    assert (first.status_code, second.status_code) == (200, 200)
    await asyncio.sleep(0.05)
    assert hook.runner.desk is not None and hook.runner.desk.outbox is not None
    await hook.runner.desk.outbox.drain()
    assert len(hook.fake.sent(hook.citizen.id)) == 1


@pytest.mark.parametrize("secret", [None, "", "salah" + SECRET[5:]])
async def test_wrong_or_missing_secret_is_refused_and_not_journaled(
    hook: WebhookBench, secret: str | None
) -> None:
    driven = hook.fake.send_text(hook.citizen, None, "/start")
    async with httpx.AsyncClient(timeout=5) as client:
        response = await hook.post(client, hook.wire_update(driven), secret)
    assert response.status_code == 403
    await asyncio.sleep(0.05)
    assert await hook.db.fetchval("SELECT COUNT(*) FROM update_journal") == 0
    assert hook.fake.sent(hook.citizen.id) == []


async def test_full_filing_over_the_webhook(hook: WebhookBench) -> None:
    """The filing conversation with buttons, every update arriving by webhook POST."""
    fake, citizen = hook.fake, hook.citizen

    async with httpx.AsyncClient(timeout=5) as client:

        async def deliver(driven: DrivenUpdate) -> None:
            response = await hook.post(client, hook.wire_update(driven), SECRET)
            assert response.status_code == 200
            await hook.until_done(driven.update_id)

        async def press(data: str) -> None:
            last = fake.last_sent(citizen.id)
            await deliver(fake.press_button(citizen, None, last.message_id, data))

        await deliver(fake.send_text(citizen, None, "/lapor"))
        await press("lapor:nama")
        await deliver(fake.send_text(citizen, None, "081234567890"))
        await press("lapor:jenis:pertanyaan")
        await press("lapor:lewati")
        await deliver(fake.send_text(citizen, None, "Kapan jadwal pembukaan penawaran paket jalan?"))
        await press("lapor:bukti_selesai")
        await press("lapor:kirim")

    confirmation = next(m for m in fake.sent(citizen.id) if "Kode pengaduan" in m.rendered)
    code = confirmation.rendered.split("Kode pengaduan: ")[1].split()[0]
    assert code in fake.last_sent(hook.staff_group.id).rendered


async def test_same_url_with_a_new_secret_applies_it_and_a_long_secret_is_refused() -> None:
    from telegram import Bot
    from telegram.error import BadRequest

    fake = FakeTelegram(token=TOKEN)
    async with Bot(TOKEN, request=FakeRequest(fake)) as bot:
        assert await bot.set_webhook(WEBHOOK_URL, secret_token=SECRET)
        assert await bot.set_webhook(WEBHOOK_URL, secret_token="baru_" + SECRET)
        assert fake.webhook_secret_token == "baru_" + SECRET
        assert fake.calls_to("setWebhook")[-1].description == "Webhook was set"
        assert await bot.set_webhook(WEBHOOK_URL, secret_token="baru_" + SECRET)
        assert fake.calls_to("setWebhook")[-1].description == "Webhook is already set"
        with pytest.raises(BadRequest, match="Secret token is too long"):
            await bot.set_webhook(WEBHOOK_URL, secret_token="a" * 257)
        with pytest.raises(BadRequest, match="unallowed characters"):
            await bot.set_webhook(WEBHOOK_URL, secret_token="rahasia!")
        assert fake.webhook_secret_token == "baru_" + SECRET


async def test_webhook_asks_only_for_the_updates_the_bot_handles(hook: WebhookBench) -> None:
    call = hook.fake.calls_to("setWebhook")[-1]
    assert json.loads(call.params["allowed_updates"]) == ["message", "edited_message", "callback_query", "my_chat_member"]
