"""The test bench: the real bot (Application, handlers, SQLite file) against the Bot API double."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.delivery.runner import HelpdeskRunner
from bot.fakebot import DrivenUpdate, FakeChat, FakeTelegram, FakeUser, FloodLimits, SentMessage
from bot.fakebot.request import FakeRequest

TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKEN12345"
WITA = dt.timezone(dt.timedelta(hours=8))


class Clock:
    """A settable clock for the desk; real time unless a test fixes it."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.fixed = now

    def __call__(self) -> dt.datetime:
        return self.fixed or dt.datetime.now(dt.UTC)

    def set(self, now: dt.datetime) -> None:
        self.fixed = now

    def advance(self, delta: dt.timedelta) -> None:
        self.fixed = self() + delta


def make_settings(tmp_path: Path, staff_chat_id: int, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {
        "telegram": {"token": TOKEN, "staff_chat_id": staff_chat_id, "overall_max_rate": 0},
        "storage": {"database": str(tmp_path / "helpdesk.sqlite3")},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return Settings.model_validate(data)


class Bench:
    """One running bot plus the people around it: a citizen, a second citizen, two staff."""

    def __init__(self, tmp_path: Path, **sections: dict[str, Any]) -> None:
        self.tmp_path = tmp_path
        # Telegram's per-chat and global send limits are on: a flood into one chat fails a test.
        # People act at human speed (3 s of Telegram's clock per message or tap).
        self.fake = FakeTelegram(token=TOKEN, flood_limits=FloodLimits(), human_pace=3.0)
        self.citizen: FakeUser = self.fake.user("Budi", "Santoso", "budi_s")
        self.other: FakeUser = self.fake.user("Sari", "Dewi")
        self.officer: FakeUser = self.fake.user("Rina", "Petugas")
        self.officer2: FakeUser = self.fake.user("Andi", "Petugas")
        self.staff_group: FakeChat = self.fake.group("Staf Pengaduan PBJ", [self.officer.id, self.officer2.id])
        self.sections = sections
        self.clock = Clock()
        self.runner: HelpdeskRunner | None = None

    @property
    def staff_chat_id(self) -> int:
        return self.staff_group.id

    @property
    def settings(self) -> Settings:
        return make_settings(self.tmp_path, self.staff_group.id, **self.sections)

    async def start(self) -> None:
        self.runner = HelpdeskRunner(
            self.settings, request=FakeRequest(self.fake), updates_request=FakeRequest(self.fake),
            clock=self.clock, poll_timeout=1,
        )
        await self.runner.start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.stop()
            self.runner = None

    @property
    def desk(self) -> Any:
        assert self.runner is not None and self.runner.desk is not None
        return self.runner.desk

    async def settle(self, driven: DrivenUpdate, timeout: float = 10.0) -> None:
        """Waits until the bot finished the update and delivered what it owed."""
        assert driven.delivered, "Telegram would not deliver this update to the bot"
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            done = await self.desk.db.fetchval(
                "SELECT done_at FROM update_journal WHERE update_id = ?", (driven.update_id,)
            )
            if done:
                break
            if loop.time() > end:
                raise TimeoutError(f"update {driven.update_id} not processed in {timeout}s")
            await asyncio.sleep(0.005)
        await self.desk.outbox.drain()

    async def run(self, driven: DrivenUpdate) -> list[SentMessage]:
        before = len(self.fake.sent())
        await self.settle(driven)
        return self.fake.sent()[before:]

    async def say(self, user: FakeUser, text: str, *, chat_id: int | None = None,
                  reply_to: int | None = None) -> list[SentMessage]:
        return await self.run(self.fake.send_text(user, chat_id, text, reply_to_message_id=reply_to))

    async def staff_says(self, text: str, *, reply_to: int | None = None,
                         user: FakeUser | None = None) -> list[SentMessage]:
        return await self.say(user or self.officer, text, chat_id=self.staff_chat_id, reply_to=reply_to)

    async def staff_answers(self, text: str, *, reply_to: int, user: FakeUser | None = None) -> list[SentMessage]:
        """A plain reply to a ticket message, then «📤 Kirim ke pelapor» on the bot's question:
        returns what the press sent (the citizen's answer, the staff confirmation)."""
        asked = await self.staff_says(text, reply_to=reply_to, user=user)
        return await self.send_held(asked, user=user)

    async def send_held(self, asked: list[SentMessage], *, user: FakeUser | None = None) -> list[SentMessage]:
        """Presses «📤 Kirim ke pelapor» on the held-reply question among ``asked``."""
        prompt = next(m for m in asked if any(data.startswith("bls:kirim:") for _, data in m.buttons))
        data = next(data for _, data in prompt.buttons if data.startswith("bls:kirim:"))
        return await self.press(user or self.officer, prompt, data)

    async def press(self, user: FakeUser, message: SentMessage, data: str) -> list[SentMessage]:
        return await self.run(self.fake.press_button(user, message.chat_id, message.message_id, data))

    def last(self, chat_id: int) -> SentMessage:
        return self.fake.last_sent(chat_id)

    def texts(self, chat_id: int) -> list[str]:
        return [m.rendered for m in self.fake.sent(chat_id)]

    async def walk_to_evidence(
        self,
        user: FakeUser | None = None,
        *,
        kind: str = "layanan",
        description: str = "Petugas loket tidak ramah dan meminta kami datang berulang kali.",
    ) -> list[SentMessage]:
        """Walks /lapor up to the evidence step (name from Telegram, a phone, no package)."""
        user = user or self.citizen
        await self.say(user, "/lapor")
        await self.press(user, self.last(user.id), "lapor:nama")
        await self.say(user, "081234567890")
        await self.press(user, self.last(user.id), f"lapor:jenis:{kind}")
        await self.press(user, self.last(user.id), "lapor:lewati")
        return await self.say(user, description)

    async def file_complaint(
        self,
        user: FakeUser | None = None,
        *,
        kind: str = "pertanyaan",
        description: str = "Kapan jadwal pembukaan penawaran paket jalan di Tanjung Selor?",
        contact: str = "081234567890",
        package: str | None = None,
        confidential: bool = False,
    ) -> str:
        """Walks the whole filing conversation; returns the ticket code the citizen received.

        ``confidential`` answers the «rahasiakan identitas» question asked for wrongdoing reports.
        """
        user = user or self.citizen
        chat = user.id
        await self.say(user, "/lapor")
        await self.press(user, self.last(chat), "lapor:nama")
        await self.say(user, contact)
        await self.press(user, self.last(chat), f"lapor:jenis:{kind}")
        if package:
            await self.say(user, package)
        else:
            await self.press(user, self.last(chat), "lapor:lewati")
        await self.say(user, description)
        sent = await self.press(user, self.last(chat), "lapor:bukti_selesai")
        if any(b[1] == "lapor:rahasia:tidak" for m in sent for b in m.buttons):
            await self.press(user, self.last(chat), "lapor:rahasia:ya" if confidential else "lapor:rahasia:tidak")
        elif confidential:
            raise AssertionError("the bot did not offer confidentiality for this complaint")
        sent = await self.press(user, self.last(chat), "lapor:kirim")
        for message in sent:
            if message.chat_id == chat and "Kode pengaduan" in message.rendered:
                return message.rendered.split("Kode pengaduan: ")[1].split()[0]
        raise AssertionError(f"no ticket code in {[m.rendered for m in sent]}")


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path)
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()
    # A flood into one chat is a bug on real Telegram even when the outbox recovers from it.
    assert not bench.fake.flood_refusals, f"Telegram's send limits refused {bench.fake.flood_refusals}"
