"""A strict in-process double of Telegram's Bot API for tests, benchmarks and the sandbox.

Usage::

    core = FakeTelegram(token=TOKEN)
    app = (ApplicationBuilder().token(TOKEN)
           .request(FakeRequest(core)).get_updates_request(FakeRequest(core)).build())
    alice = core.user("Alice")
    core.send_text(alice, None, "/start")
    reply = await core.wait_for(lambda m: m.chat_id == alice.id)

Every Bot API method works on plain dicts of *wire* parameters (strings, exactly what an
HTTP client sends; JSON values still encoded), so the in-process adapter (request.py) and
the HTTP server (server.py) share one code path. Behaviour and error wording follow the
official Bot API server (tdlib/telegram-bot-api, Client.cpp) and tdlib where a rule is
known; the few places where the double must guess are marked "approximation" in comments.
The driver side (``user()``, ``send_text()``, ``press_button()``, ...) plays the human;
misuse of it raises ``DriverError`` (a test bug), never a Bot API error.

Modules: records (data types and errors), constants (limits), params (wire parameters),
state (shared state), one mixin module per area (chats, files, world, faults, updates,
sending, editing, callbacks, commands, driver, inspection) and double (FakeTelegram).
"""

from bot.fakebot.double import FakeTelegram
from bot.fakebot.html import (
    EntityParseError,
    FormattedText,
    TextFormatError,
    format_text,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    utf16_len,
)
from bot.fakebot.records import (
    ApiError,
    ApiResponse,
    Call,
    CommandScopeKey,
    DrivenUpdate,
    DriverError,
    FakeChat,
    FakeUser,
    Fault,
    FileRecord,
    FloodLimits,
    NetworkFailure,
    SentMessage,
    UploadedFile,
)
from bot.fakebot.request import FakeRequest
from bot.fakebot.server import FakeTelegramServer

__all__ = [
    "ApiError",
    "ApiResponse",
    "Call",
    "CommandScopeKey",
    "DrivenUpdate",
    "DriverError",
    "EntityParseError",
    "FakeChat",
    "FakeRequest",
    "FakeTelegram",
    "FakeTelegramServer",
    "FakeUser",
    "Fault",
    "FileRecord",
    "FloodLimits",
    "FormattedText",
    "NetworkFailure",
    "SentMessage",
    "TextFormatError",
    "UploadedFile",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]
