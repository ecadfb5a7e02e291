"""FakeTelegramServer: the FakeTelegram core served over real HTTP on loopback.

For running the bot as a separate process (or with its stock HTTPXRequest) against the
double: configure the bot with ``base_url=server.base_url`` (and
``base_file_url=server.base_file_url`` for downloads). Accepts what Telegram accepts:
query strings, ``application/x-www-form-urlencoded``, ``application/json`` and
``multipart/form-data``. Simulated network failures drop the connection without a reply.
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.fakebot.double import FakeTelegram
from bot.fakebot.records import NetworkFailure, UploadedFile

__all__ = ["FakeTelegramServer"]


def _wire_value(value: Any) -> str:
    # A JSON body carries typed values; Telegram treats them like their string forms.
    return value if isinstance(value, str) else json.dumps(value)


class _ApiHandler(tornado.web.RequestHandler):
    """``/bot<TOKEN>/<method>``."""

    core: FakeTelegram

    def initialize(self, core: FakeTelegram) -> None:  # type: ignore[override]
        self.core = core

    def check_xsrf_cookie(self) -> None:
        return None

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    def _params(self) -> tuple[dict[str, str], dict[str, UploadedFile]]:
        params: dict[str, str] = {
            name: values[-1].decode("utf-8", "replace")
            for name, values in self.request.query_arguments.items()
        }
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            try:
                body = json.loads(self.request.body)
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update({k: _wire_value(v) for k, v in body.items() if v is not None})
        else:
            params.update(
                {
                    name: values[-1].decode("utf-8", "replace")
                    for name, values in self.request.body_arguments.items()
                }
            )
        files = {
            name: UploadedFile(parts[-1].filename, parts[-1].body, parts[-1].content_type)
            for name, parts in self.request.files.items()
        }
        return params, files

    async def _serve(self, token: str, method: str) -> None:
        params, files = self._params()
        if self.core.latency > 0:
            await asyncio.sleep(self.core.latency / 2)
        try:
            response = await self.core.handle(method, params, files, token=token)
        except NetworkFailure:
            # A real network failure: the client sees the connection die without a reply.
            self.request.connection.close()  # type: ignore[union-attr]
            self._finished = True
            return
        if self.core.latency > 0:
            await asyncio.sleep(self.core.latency / 2)
        self.set_status(response.status)
        self.set_header("Content-Type", "application/json")
        self.finish(response.to_bytes())


class _FileHandler(tornado.web.RequestHandler):
    """``/file/bot<TOKEN>/<file_path>`` downloads."""

    core: FakeTelegram

    def initialize(self, core: FakeTelegram) -> None:  # type: ignore[override]
        self.core = core

    def get(self, token: str, file_path: str) -> None:
        status, payload = self.core.download(token, file_path)
        self.set_status(status)
        self.finish(payload)


class _NotFound(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(b'{"ok":false,"error_code":404,"description":"Not Found"}')


class FakeTelegramServer:
    """Serves ``core`` at ``http://HOST:PORT/bot<TOKEN>/<method>`` on the running loop."""

    def __init__(self, core: FakeTelegram, host: str = "127.0.0.1", port: int = 0) -> None:
        self.core = core
        self.host = host
        self._requested_port = port
        self._http: tornado.httpserver.HTTPServer | None = None
        self._sockets: list[socket.socket] = []
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        """Pass as PTB ``base_url``; PTB appends the token and method."""
        return f"{self._origin()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._origin()}/file/bot"

    def _origin(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeTelegramServer is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([A-Za-z0-9_]+)/?", _ApiHandler, {"core": self.core}),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, {"core": self.core}),
                (r".*", _NotFound),
            ],
            log_function=lambda handler: None,  # keep test output quiet
        )
        self._http = tornado.httpserver.HTTPServer(app, max_body_size=60 * 1024 * 1024)
        self._sockets = tornado.netutil.bind_sockets(
            self._requested_port, self.host, family=socket.AF_INET
        )
        self._http.add_sockets(self._sockets)
        self.port = self._sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._http is None:
            return
        self._http.stop()
        await self._http.close_all_connections()
        self._http = None
        self.port = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
