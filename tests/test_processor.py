"""Concurrent across chats, ordered within a chat — on the processor and through the real bot."""

from __future__ import annotations

import asyncio
import datetime as dt

from telegram import Chat, Message, Update, User

from bot.delivery.journal import prune_journal
from bot.delivery.processor import PerChatUpdateProcessor
from storage.outbox import prune_sent
from tests.conftest import Bench


def update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "Warga", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, dt.datetime.now(dt.UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def test_same_chat_never_interleaves_and_other_chats_overlap() -> None:
    processor = PerChatUpdateProcessor(64)
    log: list[tuple[str, int, int]] = []
    running: dict[int, int] = {}
    overlap_seen = asyncio.Event()

    async def work(chat_id: int, update_id: int) -> None:
        running[chat_id] = running.get(chat_id, 0) + 1
        assert running[chat_id] == 1, "two updates of one chat ran at once"
        if len([c for c, n in running.items() if n]) > 1:
            overlap_seen.set()
        log.append(("start", chat_id, update_id))
        await asyncio.sleep(0.01)
        log.append(("end", chat_id, update_id))
        running[chat_id] -= 1

    tasks = []
    for update_id in range(1, 31):
        chat_id = 100 + update_id % 3
        tasks.append(asyncio.create_task(
            processor.process_update(update(update_id, chat_id), work(chat_id, update_id))))
    await asyncio.gather(*tasks)
    assert overlap_seen.is_set()
    for chat_id in (100, 101, 102):
        starts = [u for kind, c, u in log if kind == "start" and c == chat_id]
        assert starts == sorted(starts)
    assert processor.current_concurrent_updates == 0


async def test_finalize_runs_after_each_update_in_order() -> None:
    done: list[int] = []

    async def finalize(item: object) -> None:
        assert isinstance(item, Update)
        done.append(item.update_id)

    processor = PerChatUpdateProcessor(8, finalize)

    async def failing() -> None:
        raise RuntimeError("handler bug")

    async def fine() -> None:
        await asyncio.sleep(0)

    first = asyncio.create_task(processor.process_update(update(1, 5), fine()))
    second = asyncio.create_task(processor.process_update(update(2, 5), failing()))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[1], RuntimeError)
    assert done == [1, 2]  # even a failed update is finalized, so it is not replayed forever


async def test_slow_citizen_does_not_delay_another(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bench = Bench(tmp_path)
    bench.fake.latency = 0.05
    await bench.start()
    try:
        slow = bench.fake.send_text(bench.citizen, None, "/start")
        bench.fake.inject("sendMessage", chat_id=bench.citizen.id, error="flood", retry_after=2)
        fast = bench.fake.send_text(bench.other, None, "/start")
        await bench.settle(fast)
        # The other citizen was answered while the first one's chat still waits out its flood wait.
        pending = await bench.desk.db.fetchval(
            "SELECT done_at FROM update_journal WHERE update_id = ?", (slow.update_id,))
        assert pending is None
        assert "Halo, Sari" in bench.last(bench.other.id).rendered
        await bench.settle(slow)
        assert "Halo, Budi" in bench.last(bench.citizen.id).rendered
    finally:
        await bench.stop()


async def test_old_journal_entries_and_sent_outbox_rows_are_pruned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bench = Bench(tmp_path)
    await bench.start()
    try:
        await bench.settle(bench.fake.send_text(bench.citizen, None, "/start"))
        pending_one = bench.fake.send_text(bench.other, None, "/start")
        await bench.settle(pending_one)
        db = bench.desk.db
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
        async with db.transaction() as conn:  # an unfinished entry must survive any age
            await conn.execute("UPDATE update_journal SET done_at = NULL WHERE update_id = ?",
                               (pending_one.update_id,))
        assert await prune_journal(db, now=later) == 1
        assert await db.fetchval("SELECT update_id FROM update_journal") == pending_one.update_id
        code = await bench.file_complaint()
        await bench.desk.outbox.drain()
        async with db.transaction() as conn:  # one owed message still undelivered
            await conn.execute("UPDATE outbox SET status = 'pending', next_attempt_at = '9999-01-01T00:00:00.000+00:00' WHERE id = 1")
        assert await prune_sent(db, now=later + dt.timedelta(days=30)) == 1  # the staff card
        assert [row["id"] for row in await db.fetchall("SELECT id FROM outbox")] == [1]
        # Replies to the ticket's messages still find it: the links are kept.
        assert await db.fetchval("SELECT COUNT(*) FROM message_links m JOIN tickets t ON t.id = m.ticket_id"
                                 " WHERE t.code = ?", (code,)) >= 2
    finally:
        await bench.stop()
