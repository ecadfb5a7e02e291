"""FakeRequest: plugs FakeTelegram into PTB at the HTTP-request layer, in process.

PTB builds the URL (``.../bot<TOKEN>/<method>``) and a RequestData exactly as it would for
Telegram; we hand the core the same wire form an HTTP client would send (JSON-encoded
parameter values via ``json_parameters``, uploads via ``multipart_data``) and return the
``(status, json bytes)`` pair Telegram would. PTB's own error mapping (RetryAfter,
ChatMigrated, Forbidden, BadRequest...) therefore runs unmodified.
"""

from __future__ import annotations

import asyncio
from typing import IO
from urllib.parse import unquote, urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.fakebot.double import FakeTelegram
from bot.fakebot.records import NetworkFailure, UploadedFile

# A timeout as PTB passes it: seconds, None, or its DEFAULT_NONE sentinel (PTB names this type
# only in a private module).
Timeout = float | None | object

__all__ = ["FakeRequest", "split_bot_url"]


def split_bot_url(url: str) -> tuple[str | None, str, bool]:
    """Returns (token, method-or-file-path, is_file_download) for a Bot API URL.

    API calls look like ``<base>/bot<TOKEN>/<method>``; file downloads like
    ``<base>/file/bot<TOKEN>/<file_path>``.
    """
    parts = [unquote(p) for p in urlsplit(url).path.split("/")]
    for index, part in enumerate(parts):
        if not part.startswith("bot"):
            continue
        is_file = index > 0 and parts[index - 1] == "file"
        rest = "/".join(parts[index + 1 :])
        if rest:
            return part[3:], rest, is_file
    return None, parts[-1] if parts else "", False


def _read(content: bytes | IO[bytes]) -> bytes:
    if isinstance(content, bytes):
        return content
    data = content.read()
    return data if isinstance(data, bytes) else bytes(data)


class FakeRequest(BaseRequest):
    """In-process transport to a FakeTelegram.

    ``latency`` (default: the core's) simulates the network round trip: half before the
    server sees the request, half for the response.
    """

    __slots__ = ("_closed", "_latency", "_read_timeout", "core")

    def __init__(
        self,
        core: FakeTelegram,
        *,
        latency: float | None = None,
        read_timeout: float | None = 5.0,
    ) -> None:
        self.core = core
        self._latency = latency
        self._read_timeout = read_timeout
        self._closed = False

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @property
    def latency(self) -> float:
        return self.core.latency if self._latency is None else self._latency

    async def initialize(self) -> None:
        self._closed = False

    async def shutdown(self) -> None:
        # Mirrors HTTPXRequest: a shut-down request object must not be used again.
        self._closed = True

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._closed:
            raise RuntimeError("This FakeRequest is not initialized!")
        token, target, is_file = split_bot_url(url)
        await self._travel()
        if is_file:
            status, payload = self.core.download(token, target)
            await self._travel()
            return status, payload
        params = request_data.json_parameters if request_data else {}
        files = self._files(request_data)
        try:
            response = await self.core.handle(target, params, files, token=token)
        except NetworkFailure as failure:
            if failure.timeout:
                raise TimedOut("Timed out (simulated by FakeTelegram)") from failure
            raise NetworkError(f"httpx.ConnectError: {failure} (simulated)") from failure
        await self._travel()
        return response.status, response.to_bytes()

    async def _travel(self) -> None:
        if self.latency > 0:
            await asyncio.sleep(self.latency / 2)

    @staticmethod
    def _files(request_data: RequestData | None) -> dict[str, UploadedFile]:
        if request_data is None or not request_data.contains_files:
            return {}
        return {
            name: UploadedFile(filename, _read(content), mime)
            for name, (filename, content, mime) in request_data.multipart_data.items()
        }
