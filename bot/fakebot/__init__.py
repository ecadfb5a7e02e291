"""A strict in-process double of Telegram's Bot API for tests, benchmarks and the sandbox.

Usage::

    core = FakeTelegram(token=TOKEN)
    app = (ApplicationBuilder().token(TOKEN)
           .request(FakeRequest(core)).get_updates_request(FakeRequest(core)).build())
    alice = core.user("Alice")
    core.send_text(alice, None, "/start")
    reply = await core.wait_for(lambda m: m.chat_id == alice.id)
"""

from bot.fakebot.core import (
    ApiError,
    ApiResponse,
    Call,
    CommandScopeKey,
    DrivenUpdate,
    DriverError,
    FakeChat,
    FakeTelegram,
    FakeUser,
    Fault,
    FileRecord,
    FloodLimits,
    NetworkFailure,
    SentMessage,
    UploadedFile,
)
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
