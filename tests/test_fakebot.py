"""Tests of the Bot API double itself, driven through real PTB objects."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.fakebot import (
    DriverError,
    FakeRequest,
    FakeTelegram,
    FakeTelegramServer,
    FakeUser,
    FloodLimits,
    parse_html,
    parse_markdown_v2,
)

pytestmark = [
    pytest.mark.asyncio,
    # PTB itself touches RetryAfter.retry_after while building the error message.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

TOKEN = "123456789:AAFakeTokenForTheDoubleOnly0123456789"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    + (640).to_bytes(4, "big")
    + (480).to_bytes(4, "big")
    + b"\x08\x02\x00\x00\x00" * 8
)


@pytest.fixture
def core() -> FakeTelegram:
    return FakeTelegram(token=TOKEN)


@pytest.fixture
def alice(core: FakeTelegram) -> FakeUser:
    return core.user("Alice", "Wijaya", "alice_w")


@pytest.fixture
async def bot(core: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, request=FakeRequest(core), get_updates_request=FakeRequest(core)) as bot:
        yield bot


def inline(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# --------------------------------------------------------------------------- PTB plumbing


async def test_get_me_and_send_message_roundtrip(core: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    me = await bot.get_me()
    assert me.username == "pbj_helpdesk_bot" and me.is_bot
    message = await bot.send_message(
        alice.id, "<b>Halo</b> &amp; <i>selamat</i> datang", parse_mode="HTML",
        reply_markup=inline(("Ya", "confirm:yes")),
    )
    assert message.text == "Halo & selamat datang"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 4), ("italic", 7, 7)]
    sent = core.last_sent(alice.id)
    assert sent.text == "<b>Halo</b> &amp; <i>selamat</i> datang"
    assert sent.rendered == "Halo & selamat datang"
    assert sent.parse_mode == "HTML" and sent.method == "sendMessage"
    assert core.buttons(sent) == [("Ya", "confirm:yes")]
    assert (core.calls[-1].method, core.calls[-1].status) == ("sendMessage", 200)
    assert core.calls[-1].params["parse_mode"] == "HTML"


async def test_wrong_token_is_unauthorized(core: FakeTelegram) -> None:
    from telegram.error import InvalidToken

    other = Bot("999:WRONG", request=FakeRequest(core), get_updates_request=FakeRequest(core))
    with pytest.raises(InvalidToken):
        await other.initialize()


async def test_application_polling_echo(core: FakeTelegram, alice: FakeUser) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}", do_quote=True)

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(FakeRequest(core))
        .get_updates_request(FakeRequest(core))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        driven = core.send_text(alice, None, "apa kabar?")
        reply = await core.wait_for(lambda m: m.chat_id == alice.id, timeout=3)
        assert reply.rendered == "echo: apa kabar?"
        assert reply.reply_to_message_id == driven.message_id
        await core.wait_until_idle(timeout=3)  # the next long poll confirmed it
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    # The updater's final getUpdates confirmed the update on "Telegram".
    assert core.confirmed_update_id == driven.update_id
    assert core.confirmed_count == 1 and core.pending_updates == []


async def test_get_updates_offset_confirmation(core: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    first = core.send_text(alice, None, "satu")
    second = core.send_text(alice, None, "/start")
    assert second.update_id is not None
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first.update_id, second.update_id]
    assert updates[1].message is not None and updates[1].message.entities[0].type == "bot_command"
    assert core.confirmed_count == 0  # fetched is not confirmed
    assert [u.update_id for u in await bot.get_updates(offset=second.update_id)] == [second.update_id]
    assert core.confirmed_count == 1 and core.confirmed_update_id == first.update_id
    assert await bot.get_updates(offset=second.update_id + 1) == ()
    assert core.confirmed_count == 2 and core.pending_updates == []


async def test_long_poll_wakes_up_on_new_update(core: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.01)
    core.send_text(alice, None, "bangun")
    updates = await asyncio.wait_for(poll, 1)
    assert updates[0].message is not None and updates[0].message.text == "bangun"


async def test_second_long_poll_terminates_first(core: FakeTelegram, bot: Bot, alice: FakeUser) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(bot.get_updates(timeout=5))  # e.g. a second bot instance
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 1)
    core.send_text(alice, None, "untuk yang kedua")
    assert len(await asyncio.wait_for(second, 1)) == 1


async def test_webhook_blocks_get_updates(core: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
        await bot.set_webhook("http://example.com/hook")
    assert await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


# --------------------------------------------------------------------------- HTML & limits


@pytest.mark.parametrize(
    ("source", "rendered", "types"),
    [
        ("<b>a<i>b</i></b>", "ab", ["bold", "italic"]),
        ('<a href="https://lpse.id/?a=1&amp;b=2">LPSE</a>', "LPSE", ["text_link"]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", ["pre"]),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", ["spoiler", "spoiler"]),
        ("<blockquote expandable>kutipan</blockquote>", "kutipan", ["expandable_blockquote"]),
        ("<STRONG>x</STRONG> &lt;tag&gt; &#65;&#x42;", "x <tag> AB", ["bold"]),
        ("AT&T & co", "AT&T & co", []),  # Telegram shows a bare & literally
    ],
)
async def test_html_valid(source: str, rendered: str, types: list[str]) -> None:
    parsed = parse_html(source)
    assert parsed.text == rendered
    assert [e["type"] for e in parsed.entities] == types


async def test_html_pre_code_language() -> None:
    parsed = parse_html('<pre><code class="language-python">x</code></pre>')
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 1, "language": "python"}]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("halo <x>dunia</x>", 'unsupported start tag "x" at byte offset 5'),
        ("harga < 5 juta", 'unsupported start tag "" at byte offset 6'),
        ("<b>tebal</i>", 'unmatched end tag at byte offset 8, expected "</b>", found "</i>"'),
        ("<b>tebal", 'can\'t find end tag corresponding to start tag "b"'),
        ("tebal</b>", "unexpected end tag at byte offset 5"),
        ("<b>x</b> <i", "unclosed start tag at byte offset 9"),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("ü <br>", 'unsupported start tag "br" at byte offset 3'),  # byte, not char, offset
    ],
)
async def test_html_invalid_rejected_like_telegram(
    bot: Bot, alice: FakeUser, core: FakeTelegram, source: str, error: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, source, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalizes the rest.
    assert caught.value.message == f"Can't parse entities: {error}"
    raw = core.calls[-1].description or ""
    assert raw.startswith("Bad Request: can't parse entities: ") and raw.lower().endswith(error.lower())
    assert core.sent() == []


async def test_strict_ampersand_mode_flags_unescaped_input(alice: FakeUser) -> None:
    strict = FakeTelegram(token=TOKEN, strict_html_ampersand=True)
    user = strict.user("Budi")
    async with Bot(TOKEN, request=FakeRequest(strict)) as strict_bot:
        await strict_bot.send_message(user.id, "AT&amp;T", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)unescaped"):
            await strict_bot.send_message(user.id, "AT&T", parse_mode="HTML")


async def test_text_length_limits_count_code_points_after_parsing(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.id, "a" * 4096)
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")  # tags don't count
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    await bot.send_message(alice.id, "😀" * 4096)  # 4096 code points (8192 UTF-16 units)
    await bot.send_message(alice.id, "&amp;" * 4096, parse_mode="HTML")  # counted after parsing
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "😀" * 4096 + "a")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "")
    with pytest.raises(BadRequest, match="Text must be non-empty"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")


async def test_caption_limit(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    ok = await bot.send_photo(alice.id, io.BytesIO(PNG), caption="c" * 1024)
    assert ok.photo[-1].width == 640 and ok.caption == "c" * 1024
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, ok.photo[-1].file_id, caption="c" * 1025)
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.id, io.BytesIO(b"not an image"))
    assert core.last_sent(alice.id).media_type == "photo"


async def test_markdown_v2_reserved_character(bot: Bot, alice: FakeUser) -> None:
    assert parse_markdown_v2(r"*Tebal* dan 1\.5").text == "Tebal dan 1.5"
    with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
        await bot.send_message(alice.id, "Versi 1.5", parse_mode="MarkdownV2")


# --------------------------------------------------------------------------- keyboards & callbacks


async def test_callback_data_limit(bot: Bot, alice: FakeUser) -> None:
    await bot.send_message(alice.id, "ok", reply_markup=inline(("x", "d" * 64)))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "no", reply_markup=inline(("x", "d" * 65)))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "no", reply_markup=inline(("x", "é" * 33)))  # 66 bytes


async def test_reply_keyboards_accepted(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Kirim nomor", request_contact=True)]], one_time_keyboard=True)
    message = await bot.send_message(alice.id, "Bagikan kontak", reply_markup=keyboard)
    assert message.reply_markup is None  # Telegram returns only inline keyboards
    assert core.keyboard(core.last_sent(alice.id)) == [["Kirim nomor"]]
    assert (core.last_sent(alice.id).reply_markup or {})["keyboard"][0][0]["request_contact"] is True
    await bot.send_message(alice.id, "Terima kasih", reply_markup=ReplyKeyboardRemove())
    contact = core.send_contact(alice, None, "+628111")
    assert contact.payload["contact"]["user_id"] == alice.id


async def test_press_button_and_answer(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    message = await bot.send_message(alice.id, "Pilih", reply_markup=inline(("A", "pick:a"), ("B", "pick:b")))
    with pytest.raises(DriverError):
        core.press_button(alice, None, message.message_id, "pick:c")
    pressed = core.press_button(alice, None, message.message_id, "pick:b")
    update = (await bot.get_updates())[0]
    assert update.callback_query is not None and update.callback_query.data == "pick:b"
    assert await bot.answer_callback_query(pressed.callback_query_id or "", text="Dipilih")
    assert core.callback_answers[pressed.callback_query_id or ""]["text"] == "Dipilih"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(pressed.callback_query_id or "")


async def test_edit_rules(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    message = await bot.send_message(alice.id, "<b>Status</b>", parse_mode="HTML", reply_markup=inline(("OK", "ok")))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<strong>Status</strong>", alice.id, message.message_id, parse_mode="HTML", reply_markup=inline(("OK", "ok"))
        )
    edited = await bot.edit_message_text("Status baru", alice.id, message.message_id)
    assert isinstance(edited, type(message)) and edited.reply_markup is None  # keyboard dropped
    record = core.last_sent(alice.id)
    assert record.rendered == "Status baru" and record.reply_markup is None and len(record.history) == 1
    with pytest.raises(DriverError):
        core.press_button(alice, None, message.message_id, "ok")
    user_message = core.send_text(alice, None, "punya saya")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", alice.id, user_message.message_id or 0)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 999)
    assert await bot.delete_message(alice.id, message.message_id)
    assert record.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, message.message_id)


async def test_reply_to_missing_message(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(12345))
    sent = await bot.send_message(
        alice.id, "x", reply_parameters=ReplyParameters(12345, allow_sending_without_reply=True)
    )
    assert sent.reply_to_message is None
    own = core.send_text(alice, None, "pertanyaan")
    answer = await bot.send_message(alice.id, "jawaban", reply_to_message_id=own.message_id)
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "pertanyaan"


# --------------------------------------------------------------------------- chats & access


async def test_chat_not_found_and_membership(bot: Bot, core: FakeTelegram, alice: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "x")
    stranger = core.user("Tono", started=False)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(stranger.id, "x")
    group = core.group("Staf", [alice, stranger], bot_status="left")
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "x")
    core.set_bot_status(group.id, "member", by=alice)
    with pytest.raises(Forbidden, match="bot can't initiate conversation"):
        await bot.send_message(stranger.id, "x")  # known from the group, never started
    admins = await bot.get_chat_administrators(group.id)
    assert [a.user.id for a in admins] == [alice.id]
    assert (await bot.get_chat_member(group.id, stranger.id)).status == "member"


async def test_blocked_user(bot: Bot, core: FakeTelegram, alice: FakeUser) -> None:
    blocked = core.block_bot(alice)
    assert blocked is not None and blocked.payload["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "x")
    core.send_text(alice, None, "/start")  # writing again unblocks, as in the apps
    await bot.send_message(alice.id, "selamat datang kembali")


async def test_group_privacy_mode(core: FakeTelegram, alice: FakeUser, bot: Bot) -> None:
    group = core.group("Warga", [alice])
    assert not core.send_text(alice, group.id, "halo semua").delivered
    assert core.send_text(alice, group.id, "/status@pbj_helpdesk_bot").delivered
    assert not core.send_text(alice, group.id, "/status@other_bot").delivered
    ours = await bot.send_message(group.id, "Balas pesan ini")
    assert core.send_text(alice, group.id, "balasan", reply_to_message_id=ours.message_id).delivered
    core.set_bot_status(group.id, "administrator", by=alice)
    assert core.send_text(alice, group.id, "admin melihat semua").delivered


async def test_ignorable_update_kinds_parse_in_ptb(core: FakeTelegram, alice: FakeUser, bot: Bot) -> None:
    own = core.send_text(alice, None, "typo")
    core.edit_text(alice, None, own.message_id or 0, "fixed")
    channel = core.channel("Info PBJ", username="infopbj")
    core.channel_post(channel.id, "pengumuman")
    group = core.group("Warga", [alice], bot_status="left")
    added = core.add_bot_to_group(group.id, alice)
    updates = await bot.get_updates()
    assert updates[0].message is not None
    assert updates[1].edited_message is not None and updates[1].edited_message.text == "fixed"
    assert updates[2].channel_post is not None and updates[2].channel_post.sender_chat is not None
    member_update = updates[3].my_chat_member
    assert member_update is not None and member_update.new_chat_member.status == "member"
    assert updates[4].message is not None and updates[4].message.new_chat_members[0].id == core.bot.id
    assert [a.update_id for a in added] == [u.update_id for u in updates[3:5]]


# --------------------------------------------------------------------------- fault injection


async def test_injected_flood_wait(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    core.inject("sendMessage", chat_id=alice.id, error="flood", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "x")
    assert retry_seconds(caught.value) == 7
    assert core.sent() == []
    core.advance_time(3)  # retrying too early is refused with the remaining time
    with pytest.raises(RetryAfter) as early:
        await bot.send_message(alice.id, "x")
    assert retry_seconds(early.value) == 4
    await bot.send_message(core.user("Other").id, "other chats are fine")
    core.advance_time(4)
    await bot.send_message(alice.id, "x")  # the fault fired once (times=1)
    assert len(core.sent()) == 2


async def test_injected_forbidden_and_server_error(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    core.inject(chat_id=alice.id, error="blocked")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "x")
    core.inject("sendMessage", error="server", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(alice.id, "x")


async def test_injected_migration(bot: Bot, core: FakeTelegram, alice: FakeUser) -> None:
    group = core.group("Staf", [alice])
    core.inject("sendMessage", chat_id=group.id, error="migrate")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "x")
    new_id = caught.value.new_chat_id
    assert core.chats[new_id].type == "supergroup" and core.chats[new_id].members == group.members
    with pytest.raises(ChatMigrated):  # the old id stays dead
        await bot.send_message(group.id, "x")
    assert (await bot.send_message(new_id, "pindah")).chat.id == new_id


async def test_injected_network_failures(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    core.inject("sendMessage", error="network")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "hilang")
    assert core.sent() == []  # never reached Telegram
    core.inject("sendMessage", error="network_after")
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "terkirim")
    assert [m.rendered for m in core.sent()] == ["terkirim"]  # delivered although the bot saw an error
    core.inject("sendMessage", error="timeout")
    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "lagi")


async def test_opt_in_flood_limits(alice: FakeUser) -> None:
    limited = FakeTelegram(token=TOKEN, flood_limits=FloodLimits(private_chat=(2, 60.0)))
    user = limited.user("Budi")
    async with Bot(TOKEN, request=FakeRequest(limited)) as limited_bot:
        await limited_bot.send_message(user.id, "1")
        await limited_bot.send_message(user.id, "2")
        with pytest.raises(RetryAfter):
            await limited_bot.send_message(user.id, "3")


async def test_latency_is_simulated(core: FakeTelegram, alice: FakeUser) -> None:
    core.latency = 0.05
    async with Bot(TOKEN, request=FakeRequest(core)) as slow:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await slow.send_message(alice.id, "x")
        assert loop.time() - start >= 0.05


# --------------------------------------------------------------------------- misc methods


async def test_commands_and_media(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    await bot.set_my_commands([("start", "Mulai"), ("lapor", "Buat pengaduan")])
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Lapor", "huruf besar")])
    assert core.commands_for() == [("start", "Mulai"), ("lapor", "Buat pengaduan")]
    assert core.visible_commands(alice.id) == core.commands_for()
    assert [c.command for c in await bot.get_my_commands()] == ["start", "lapor"]

    upload = core.send_document(alice, None, "rab.pdf", content=b"%PDF-1.7 rab")
    document = upload.payload["document"]
    file = await bot.get_file(document["file_id"])
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.7 rab"
    resent = await bot.send_document(alice.id, document["file_id"], caption="arsip")
    assert resent.document is not None and resent.document.file_id == document["file_id"]
    with pytest.raises(BadRequest, match="Can't use file of type document as photo"):
        await bot.send_photo(alice.id, document["file_id"])
    copied = await bot.copy_message(alice.id, alice.id, upload.message_id or 0)
    assert core.message(alice.id, copied.message_id)["document"]["file_id"] == document["file_id"]
    await bot.send_chat_action(alice.id, "typing")
    assert core.chat_actions == [(alice.id, "typing")]


async def test_wait_for_is_event_driven(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    waiter = asyncio.create_task(core.wait_for(lambda m: "selesai" in m.rendered, timeout=2))
    await asyncio.sleep(0)
    await bot.send_message(alice.id, "proses")
    await bot.send_message(alice.id, "selesai")
    assert (await waiter).rendered == "selesai"
    with pytest.raises(TimeoutError):
        await core.wait_for(lambda m: False, timeout=0.05)


async def test_http_server_raw_encodings(core: FakeTelegram, alice: FakeUser) -> None:
    import httpx

    async with FakeTelegramServer(core) as server, httpx.AsyncClient() as client:
        url = f"{server.base_url}{TOKEN}"
        as_json = await client.post(
            f"{url}/sendMessage",
            json={"chat_id": alice.id, "text": "json", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}},
        )
        assert as_json.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"
        as_query = await client.get(f"{url}/sendMessage", params={"chat_id": alice.id, "text": "query"})
        assert as_query.json()["ok"] is True
        missing = await client.post(f"{url}/sendTelepathy", data={"chat_id": alice.id})
        assert missing.status_code == 404 and missing.json()["ok"] is False
        bad = await client.post(f"{server.base_url}999:nope/getMe")
        assert bad.status_code == 401 and bad.json()["description"] == "Unauthorized"
    assert [m.rendered for m in core.sent()] == ["json", "query"]


async def test_http_server_with_ptb_bot(core: FakeTelegram, alice: FakeUser) -> None:
    async with FakeTelegramServer(core) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as http_bot:
            assert (await http_bot.get_me()).username == "pbj_helpdesk_bot"
            await http_bot.send_message(alice.id, "<i>lewat HTTP</i>", parse_mode="HTML", reply_markup=inline(("a", "b")))
            assert core.last_sent(alice.id).rendered == "lewat HTTP"
            photo = await http_bot.send_photo(alice.id, io.BytesIO(PNG), caption="foto")
            assert photo.photo[-1].height == 480
            core.send_text(alice, None, "dari warga")
            updates = await http_bot.get_updates(timeout=1)
            assert updates[0].message is not None and updates[0].message.text == "dari warga"
            with pytest.raises(BadRequest, match="Message text is empty"):
                await http_bot.send_message(alice.id, "")
            core.inject("sendMessage", error="network")
            with pytest.raises(NetworkError):
                await http_bot.send_message(alice.id, "putus")
            core.inject("sendMessage", error="flood", retry_after=3)
            with pytest.raises(RetryAfter) as caught:
                await http_bot.send_message(alice.id, "banjir")
            assert retry_seconds(caught.value) == 3


# --------------------------------------------------------------------------- issue #12: as strict as Telegram


async def test_album_is_one_update_per_item_with_a_shared_media_group_id(
    core: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    driven = core.send_album(alice, None, photos=3, caption="bukti /lapor")
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message is not None]
    assert [m.message_id for m in messages] == [d.message_id for d in driven]
    assert len({m.media_group_id for m in messages}) == 1 and messages[0].media_group_id
    assert messages[0].caption == "bukti /lapor" and messages[1].caption is None
    assert messages[0].caption_entities[0].type == "bot_command"
    assert all(m.photo for m in messages)
    docs = core.send_album(alice, None, documents=[("a.pdf", "application/pdf"), ("b.pdf", "application/pdf")])
    assert all("document" in d.payload for d in docs)
    with pytest.raises(DriverError):
        core.send_album(alice, None, photos=11)
    with pytest.raises(DriverError):
        core.send_album(alice, None, photos=1, documents=[("a.pdf", "application/pdf")])


async def test_reactions_and_member_changes_only_when_asked_for_and_admin(
    core: FakeTelegram, alice: FakeUser, bot: Bot
) -> None:
    own = core.send_text(alice, None, "halo")
    assert not core.react(alice, None, own.message_id or 0).delivered  # not in the default set
    group = core.group("Warga", [alice])
    bob = core.user("Bob")
    assert not core.join_group(bob, group.id)[0].delivered
    await bot.get_updates(allowed_updates=["message", "message_reaction", "chat_member"], timeout=0)
    reaction = core.react(alice, None, own.message_id or 0, "🔥")
    assert reaction.delivered and reaction.payload["new_reaction"] == [{"type": "emoji", "emoji": "🔥"}]
    note = core.send_text(alice, group.id, "/status")
    assert not core.react(alice, group.id, note.message_id or 0).delivered  # bot is no admin
    carol = core.user("Carol")
    joined = core.join_group(carol, group.id)
    assert not joined[0].delivered and joined[1].delivered  # the service message always comes
    core.set_bot_status(group.id, "administrator", by=alice)
    assert core.react(alice, group.id, note.message_id or 0).delivered
    dave = core.user("Dave")
    assert core.join_group(dave, group.id)[0].delivered
    updates = await bot.get_updates(offset=reaction.update_id)
    kinds = [next(k for k in ("message_reaction", "chat_member", "message", "my_chat_member")
                  if getattr(u, k) is not None) for u in updates]
    assert "message_reaction" in kinds and "chat_member" in kinds
    assert updates[0].message_reaction is not None and updates[0].message_reaction.user.id == alice.id


async def test_old_message_in_a_callback_is_inaccessible(core: FakeTelegram, alice: FakeUser, bot: Bot) -> None:
    sent = await bot.send_message(alice.id, "pilih", reply_markup=inline(("Ya", "ya")))
    core.advance_time(3 * 24 * 3600)
    core.press_button(alice, None, sent.message_id, "ya")
    query = (await bot.get_updates())[-1].callback_query
    # Telegram sends InaccessibleMessage (date 0); PTB 22 keeps it as a Message it marks so.
    assert query is not None and query.message is not None and not query.message.is_accessible
    assert query.message.message_id == sent.message_id and query.message.chat.id == alice.id
    fresh = await bot.send_message(alice.id, "baru", reply_markup=inline(("Ya", "ya")))
    core.press_button(alice, None, fresh.message_id, "ya")
    latest = (await bot.get_updates())[-1].callback_query
    assert latest is not None and latest.message is not None and latest.message.is_accessible


async def test_automatic_entities_on_incoming_text(core: FakeTelegram, alice: FakeUser, bot: Bot) -> None:
    core.send_text(alice, None, "/status cek https://lpse.kaltaraprov.go.id @rina_petugas #pbj budi@example.com")
    message = (await bot.get_updates())[-1].message
    assert message is not None
    assert [e.type for e in message.entities] == ["bot_command", "url", "mention", "hashtag", "email"]
    assert message.parse_entity(message.entities[1]) == "https://lpse.kaltaraprov.go.id"


async def test_copy_text_button_is_validated(bot: Bot, alice: FakeUser, core: FakeTelegram) -> None:
    from telegram import CopyTextButton

    ok = InlineKeyboardMarkup([[InlineKeyboardButton("Salin", copy_text=CopyTextButton("ADU-2026-00001"))]])
    await bot.send_message(alice.id, "kode", reply_markup=ok)
    assert core.last_sent(alice.id).reply_markup == {
        "inline_keyboard": [[{"text": "Salin", "copy_text": {"text": "ADU-2026-00001"}}]]}
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Salin", copy_text=CopyTextButton("x" * 257))]])
    with pytest.raises(BadRequest, match=r"(?i)button_copy_text_invalid"):
        await bot.send_message(alice.id, "kode", reply_markup=too_long)
    with pytest.raises(BadRequest, match=r"(?i)button_copy_text_invalid"):
        await bot.send_message(alice.id, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("a", copy_text=CopyTextButton(""))]]))
    raw = await core.handle("sendMessage", {"chat_id": str(alice.id), "text": "x", "reply_markup":
                            '{"inline_keyboard": [[{"text": "a", "copy_text": "b"}]]}'}, token=TOKEN)
    assert raw.status == 400 and 'Field "copy_text" must be of type Object' in raw.body["description"]


async def test_privacy_mode_last_bot_rule_and_other_bots(core: FakeTelegram, alice: FakeUser, bot: Bot) -> None:
    other = core.user("Lain", username="lain_bot", is_bot=True)
    group = core.group("Warga", [alice, other])
    assert core.send_text(alice, group.id, "/status").delivered  # no bot has posted yet
    core.send_text(other, group.id, "saya bot lain")
    assert not core.send_text(alice, group.id, "/status").delivered
    assert core.send_text(alice, group.id, "/status@pbj_helpdesk_bot").delivered
    await bot.send_message(group.id, "kami")
    assert core.send_text(alice, group.id, "/status").delivered
    core.set_bot_status(group.id, "administrator", by=alice)
    assert not core.send_text(other, group.id, "bahkan admin tidak melihat bot lain").delivered
    with pytest.raises(DriverError):
        core.send_text(other, None, "bot ke bot")
