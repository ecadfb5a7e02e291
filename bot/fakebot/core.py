"""Transitional re-exports of the former monolithic core module; to be removed once outside imports use ``bot.fakebot``."""

from bot.fakebot.double import FakeTelegram
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

__all__ = [
    "ApiError",
    "ApiResponse",
    "Call",
    "CommandScopeKey",
    "DrivenUpdate",
    "DriverError",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "FileRecord",
    "FloodLimits",
    "NetworkFailure",
    "SentMessage",
    "UploadedFile",
]
