"""Issue #12, part A: Telegram behaviours that appear only on the real service, end to end.

The real Application, handlers and SQLite file against the Bot API double, which now produces
what Telegram produces (migration service messages, reactions, privacy mode with several bots,
copy buttons, send limits on).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from telegram import Bot, Update
from telegram.error import RetryAfter

from bot.cli.check import check_other_bot_admins
from bot.delivery import jobs
from bot.delivery.outbox import adopted_staff_chat, plain_parts, plain_text
from bot.delivery.runner import ALLOWED_UPDATES
from bot.fakebot import FakeRequest
from bot.texts import common as common_texts
from bot.texts.format import esc, split_for_telegram
from tests.conftest import TOKEN, Bench

STAFF_ONLY_COMMANDS = {name for name, _ in common_texts.STAFF_COMMANDS}


# --- item 2: allowed_updates, reactions never count --------------------------------------------


async def test_the_bot_asks_only_for_the_updates_it_handles(bench: Bench) -> None:
    polls = bench.fake.calls_to("getUpdates")
    assert polls and json.loads(polls[0].params["allowed_updates"]) == [
        "message", "edited_message", "callback_query", "my_chat_member"]
    assert bench.fake.allowed_updates == frozenset(ALLOWED_UPDATES)
    # Telegram now drops reactions and member changes before they are queued.
    first = (await bench.say(bench.citizen, "/start"))[0]
    assert not bench.fake.react(bench.citizen, None, first.message_id, "👍").delivered


async def test_reactions_queued_earlier_never_count_against_the_message_limit(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    # A previous version of the bot asked for everything; Telegram keeps updates created under
    # that setting and delivers them after the new bot's narrower getUpdates.
    async with Bot(TOKEN, request=FakeRequest(bench.fake),
                   get_updates_request=FakeRequest(bench.fake)) as previous:
        await previous.get_updates(timeout=0, allowed_updates=Update.ALL_TYPES)
    hello = bench.fake.send_text(bench.citizen, None, "halo")
    reactions = [bench.fake.react(bench.citizen, None, hello.message_id or 0, emoji)
                 for emoji in ["👍", "🔥", "❤", "👏", "🙏", "👌", "😁"] * 3]
    assert all(r.delivered for r in reactions) and len(reactions) == 21
    await bench.start()
    try:
        await bench.settle(reactions[-1])
        sent = await bench.say(bench.citizen, "/status")
        assert sent and sent[0].chat_id == bench.citizen.id
        assert common_texts.RATE_LIMITED not in [m.text for m in sent]
    finally:
        await bench.stop()
    assert not bench.fake.flood_refusals


# --- item 1: the staff group upgraded to a supergroup, staff acting first ----------------------


async def test_staff_acting_first_in_the_new_supergroup_are_answered_there(
    bench: Bench, caplog: pytest.LogCaptureFixture
) -> None:
    code = await bench.file_complaint()
    old_id = bench.staff_chat_id
    caplog.set_level(logging.WARNING, logger="bot.delivery.outbox")
    new_id = bench.fake.migrate_group(old_id)  # no send to the old id has failed yet

    sent = await bench.say(bench.officer, "/daftar", chat_id=new_id)
    assert sent and all(m.chat_id == new_id for m in sent)
    assert any(code in m.rendered for m in sent)
    assert bench.desk.staff_chat.id == new_id
    assert await adopted_staff_chat(bench.desk.db) == new_id  # stored for the next start
    assert f"staff_chat_id = {new_id}" in caplog.text  # the hint for the config file
    assert not [c for c in bench.fake.calls if c.params.get("chat_id") == str(old_id)
                and c.status == 400]

    # The open ticket's card is posted again in the new chat and linked: replying answers.
    await bench.desk.outbox.drain()
    moved = [m for m in bench.fake.sent(new_id) if str(new_id) in m.rendered]
    assert moved and "supergrup" in moved[0].rendered
    card = next(m for m in bench.fake.sent(new_id) if code in m.rendered and m.buttons
                and all((data or "").startswith("tk:") for _, data in m.buttons))
    asked = await bench.say(bench.officer, "Jadwalnya Senin pukul 09.00.", chat_id=new_id,
                            reply_to=card.message_id)
    answer = await bench.send_held(asked)  # a reply is held until «Kirim ke pelapor» (#13)
    assert any(m.chat_id == bench.citizen.id and "Senin pukul 09.00" in m.rendered for m in answer)
    # The staff menus follow the group to its new id.
    assert {name for name, _ in bench.fake.visible_commands(new_id, bench.officer2.id)} <= STAFF_ONLY_COMMANDS
    assert bench.fake.visible_commands(new_id, bench.officer2.id)


# --- item 6: privacy mode as Telegram applies it ------------------------------------------------


async def test_privacy_mode_with_another_bot_in_the_staff_group(bench: Bench) -> None:
    staff = bench.staff_chat_id
    other = bench.fake.user("Bot Absen", username="absen_bot", is_bot=True)
    bench.fake.add_member(staff, other)
    help_sent = await bench.say(bench.officer, "/bantuan", chat_id=staff)
    assert "/daftar@pbj_helpdesk_bot" in help_sent[0].rendered  # staff are told how to write it

    assert not bench.fake.send_text(other, staff, "/daftar").delivered  # bots never see bots
    # The other bot posted last: a general command goes to it, not to us.
    assert not bench.fake.send_text(bench.officer, staff, "/daftar").delivered
    sent = await bench.say(bench.officer, "/daftar@pbj_helpdesk_bot", chat_id=staff)
    assert sent and sent[0].chat_id == staff  # PTB's CommandHandler accepts our @name
    # We posted last now: general commands reach us again; replies to us always do.
    assert await bench.say(bench.officer, "/daftar", chat_id=staff)
    bench.fake.send_text(other, staff, "Absen hari ini dibuka.")
    reply = bench.fake.send_text(bench.officer, staff, "/daftar", reply_to_message_id=sent[0].message_id)
    assert reply.delivered
    # In a private chat @name works on every command too.
    assert await bench.say(bench.citizen, "/status@pbj_helpdesk_bot")


async def test_check_warns_when_another_bot_administers_the_staff_group(bench: Bench) -> None:
    staff = bench.staff_chat_id
    async with Bot(TOKEN, request=FakeRequest(bench.fake)) as bot:
        clean = await check_other_bot_admins(bot, staff)
        assert clean[0].ok and not clean[0].warning
        other = bench.fake.user("Bot Absen", username="absen_bot", is_bot=True)
        bench.fake.add_member(staff, other, "administrator")
        warned = await check_other_bot_admins(bot, staff)
    assert warned[0].ok and warned[0].warning and "@absen_bot" in warned[0].detail


# --- item 9: menus per scope, deep link, copy button, silent digest -----------------------------


async def test_command_menus_per_scope(bench: Bench) -> None:
    private = {name for name, _ in bench.fake.visible_commands(bench.citizen.id, bench.citizen.id)}
    assert {"lapor", "status", "bantuan"} <= private and not private & (STAFF_ONLY_COMMANDS - {"chatid"})
    staff = bench.staff_chat_id
    member = {name for name, _ in bench.fake.visible_commands(staff, bench.officer2.id)}
    assert {"daftar", "balas", "tutup"} <= member and "identitas" not in member
    admin = {name for name, _ in bench.fake.visible_commands(staff, bench.officer.id)}  # the creator
    assert "identitas" in admin and member <= admin


async def test_receipt_copy_button_and_deep_link_open_the_reporters_own_status(bench: Bench) -> None:
    code = await bench.file_complaint()
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    buttons = [b for row in (receipt.reply_markup or {})["inline_keyboard"] for b in row]
    assert {"text": common_texts.BUTTON_COPY_CODE, "copy_text": {"text": code}} in buttons
    link = f"https://t.me/pbj_helpdesk_bot?start=status_{code}"
    assert {"text": common_texts.BUTTON_OPEN_STATUS, "url": link} in buttons

    # Opening the link sends "/start status_<code>" from the citizen's own chat.
    sent = await bench.say(bench.citizen, f"/start status_{code}")
    assert code in sent[0].rendered and "Halo" not in sent[0].rendered
    stranger = await bench.say(bench.other, f"/start status_{code}")
    assert code not in stranger[0].rendered and "tidak ditemukan" in stranger[0].rendered
    welcome = await bench.say(bench.other, "/start status_bukan-kode")
    assert "Halo" in welcome[0].rendered


async def test_morning_digest_is_sent_without_notification(bench: Bench) -> None:
    await bench.file_complaint()
    bench.clock.set(dt.datetime(2026, 12, 8, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert await bench.desk.watch.morning_digest() is not None
    await bench.desk.outbox.drain()
    digest = [c for c in bench.fake.calls_to("sendMessage")
              if c.params.get("chat_id") == str(bench.staff_chat_id) and c.status == 200][-1]
    assert digest.params.get("disable_notification") == "true"


# --- item 8: the journal is pruned on a schedule ------------------------------------------------


async def test_the_pruning_job_removes_old_finished_journal_entries(bench: Bench) -> None:
    driven = bench.fake.send_text(bench.citizen, None, "/start")
    await bench.settle(driven)
    count = "SELECT COUNT(*) FROM update_journal WHERE update_id = ?"
    assert await bench.desk.db.fetchval(count, (driven.update_id,)) == 1
    application = bench.runner.app  # type: ignore[union-attr]
    job = application.job_queue.get_jobs_by_name(jobs.PRUNE_JOB)[0]
    assert job.trigger.interval == jobs.PRUNE_INTERVAL
    await job.run(application)  # a week has not passed: kept (redeliveries must be recognised)
    assert await bench.desk.db.fetchval(count, (driven.update_id,)) == 1
    bench.clock.advance(dt.timedelta(days=8))
    await job.run(application)
    assert await bench.desk.db.fetchval(count, (driven.update_id,)) == 0


# --- item 7: the plain-text fallback never cuts inside a tag or an entity -----------------------


async def test_plain_text_fallback_of_a_long_answer_never_cuts_a_tag_or_entity(bench: Bench) -> None:
    code = await bench.file_complaint()
    citizen = bench.citizen.id
    # A long staff answer full of characters HTML must escape; Telegram refuses the formatting once.
    lines = [f"Butir {n}: harga <{n} juta> & PPN {n}% \"final\"." for n in range(100)]
    while len("\n".join(lines)) > 4000:  # what a person can type in one message
        lines.pop()
    answer = "\n".join(lines)
    bench.fake.inject("sendMessage", citizen, "bad_request",
                      text="can't parse entities: Unsupported start tag \"x\" at byte offset 3")
    before = len(bench.fake.sent(citizen))
    await bench.staff_says(f"/balas {code} {answer}")
    parts = [m for m in bench.fake.sent(citizen)[before:]]
    assert len(parts) >= 2 and all(m.parse_mode is None for m in parts)
    for part in parts:
        assert "&amp;" not in part.rendered and "&lt;" not in part.rendered and "&#" not in part.rendered
    joined = "".join(m.rendered for m in parts).replace("\n", "")
    for line in lines:  # every line arrived whole, the user's own "<…>" kept as text
        assert line in joined


async def test_fallback_after_the_first_part_continues_where_the_html_stopped(bench: Bench) -> None:
    code = await bench.file_complaint()
    citizen = bench.citizen.id
    lines = [f"Butir {n}: harga <{n} juta> & PPN {n}%." for n in range(120)]
    while len("\n".join(lines)) > 4000:
        lines.pop()
    # Part 1 goes out as HTML; Telegram refuses the formatting of part 2.
    bench.fake.inject("sendMessage", citizen, "bad_request", after=1,
                      text="can't parse entities: Unsupported start tag \"x\" at byte offset 3")
    before = len(bench.fake.sent(citizen))
    await bench.staff_says(f"/balas {code} " + "\n".join(lines))
    html_part, *plain = bench.fake.sent(citizen)[before:]
    assert html_part.parse_mode == "HTML" and plain and all(m.parse_mode is None for m in plain)
    joined = (html_part.rendered + "".join(m.rendered for m in plain)).replace("\n", "")
    for line in lines:  # nothing repeated, nothing lost, nothing cut inside "&amp;"
        assert joined.count(line) == 1
    assert "&amp;" not in joined and "&lt;" not in joined


def test_plain_parts_resume_after_the_html_parts_already_sent() -> None:
    html = "".join(f"<b>Baris {n}</b> &amp; <i>{esc('<catatan>')}</i>\n" for n in range(400))
    html_parts = split_for_telegram(html)
    assert len(html_parts) >= 3
    for sent in range(len(html_parts)):
        parts = plain_parts(html, sent)
        assert parts[:sent] == [plain_text(p) for p in html_parts[:sent]]
        assert "".join(parts) == "".join(plain_text(p) for p in html_parts)
        assert all(len(p) <= 4096 and "<b>" not in p and "&amp;" not in p for p in parts)


# --- the double's send limits are on ------------------------------------------------------------


async def test_a_flood_into_one_chat_is_refused_and_would_fail_a_test(tmp_path: Path) -> None:
    bench = Bench(tmp_path)
    assert bench.fake.flood_limits is not None
    async with Bot(TOKEN, request=FakeRequest(bench.fake)) as bot:
        for n in range(20):
            await bot.send_message(bench.staff_chat_id, f"pesan {n}")
        with pytest.raises(RetryAfter, match=r"(?i)flood control"):
            await bot.send_message(bench.staff_chat_id, "satu lagi")
    assert bench.fake.flood_refusals == [("sendMessage", bench.staff_chat_id)]


# --- callbacks on old messages (InaccessibleMessage) --------------------------------------------


async def test_card_button_pressed_days_later_still_acts_and_answers(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = next(m for m in bench.fake.sent(bench.staff_chat_id) if code in m.rendered and m.buttons)
    bench.fake.advance_time(3 * 24 * 3600)  # Telegram no longer hands out the card's content
    in_progress_button = next(data for _, data in card.buttons if data and data.startswith("tk:proses"))
    driven = bench.fake.press_button(bench.officer, bench.staff_chat_id, card.message_id, in_progress_button)
    await bench.settle(driven)
    assert driven.callback_query_id in bench.fake.callback_answers  # the button stops spinning
    ticket = await bench.desk.tickets.get(code)
    assert ticket.status.value == "diproses"
