"""UpdatesMixin: the update queue as the bot consumes it: getUpdates long polling and webhooks."""

from __future__ import annotations

import asyncio
import json
import re

from bot.fakebot.constants import ALL_UPDATE_TYPES, DEFAULT_ALLOWED_UPDATES, MAX_SECRET_TOKEN
from bot.fakebot.params import Args
from bot.fakebot.records import JSON, ApiError, Described, bad_request
from bot.fakebot.state import FakeTelegramState


class UpdatesMixin(FakeTelegramState):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, and what tests read of the queue."""

    # ------------------------------------------------------------------ Bot API: updates

    async def _api_getUpdates(self, args: Args) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = args.integer("offset")
        limit = min(max(args.integer("limit", 100), 1), 100)
        timeout = min(max(args.integer("timeout"), 0), 50)
        self._update_allowed(args)
        self._confirm(offset)
        if self._queue or timeout == 0:
            return self._queue[:limit]
        return await self._long_poll_wait(limit, timeout)

    async def _long_poll_wait(self, limit: int, seconds: int) -> list[JSON]:
        self._abort_long_poll(
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running"
        )
        token = object()
        self._long_poll = token
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            while True:
                if token in self._aborted_polls:
                    raise ApiError(409, self._aborted_polls.pop(token))
                if self._queue:
                    return self._queue[:limit]
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                await self._wait_change(remaining)
        finally:
            self._aborted_polls.pop(token, None)
            if self._long_poll is token:
                self._long_poll = None

    def _abort_long_poll(self, message: str) -> None:
        if self._long_poll is not None:
            self._aborted_polls[self._long_poll] = message
            self._long_poll = None
            self._changed()

    def _update_allowed(self, args: Args) -> None:
        raw = args.opt("allowed_updates")
        if raw is None:
            return  # Telegram keeps the previous setting
        try:
            value = json.loads(raw)
        except ValueError:
            return
        if isinstance(value, list):
            wanted = frozenset(str(v) for v in value) & ALL_UPDATE_TYPES
            self._allowed_updates = wanted or DEFAULT_ALLOWED_UPDATES

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            keep = -offset
            dropped = self._queue[:-keep] if keep < len(self._queue) else []
            self.dropped_count += len(dropped)
            self._queue = self._queue[len(dropped) :]
            self._changed()
            return
        confirmed = [u for u in self._queue if u["update_id"] < offset]
        if confirmed:
            self.confirmed_count += len(confirmed)
            self.confirmed_update_id = confirmed[-1]["update_id"]
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
            self._changed()  # the request may now long-poll; wake wait_until_idle() first

    # ------------------------------------------------------------------ Bot API: webhooks

    def _api_setWebhook(self, args: Args) -> Described:
        url = args.get("url")
        if url:
            match = re.match(r"^https://[^/:]+(?::(\d+))?(/.*)?$", url)
            if not match:
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            if match.group(1) and match.group(1) not in ("80", "88", "443", "8443"):
                raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
            secret = args.opt("secret_token")
            if secret is not None and len(secret) > MAX_SECRET_TOKEN:
                raise bad_request("secret token is too long")
            if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", secret):
                raise bad_request("secret token contains unallowed characters")
        if args.flag("drop_pending_updates"):
            self._drop_pending()
        self._update_allowed(args)
        secret = args.opt("secret_token") if url else None
        # Like the Bot API server: "already set" only when nothing changes; the same URL with
        # a new secret token re-sets the webhook and the new secret applies from then on.
        if url == self.webhook_url and secret == self.webhook_secret_token:
            return Described(True, "Webhook is already set" if url else "Webhook is already deleted")
        if url and not self.webhook_url:
            self._abort_long_poll("Conflict: terminated by setWebhook request")
        self.webhook_url = url
        self.webhook_secret_token = secret
        return Described(True, "Webhook was set" if url else "Webhook was deleted")

    def _api_deleteWebhook(self, args: Args) -> Described:
        if args.flag("drop_pending_updates"):
            self._drop_pending()
        was_set = bool(self.webhook_url)
        self.webhook_url = ""
        self.webhook_secret_token = None
        return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _drop_pending(self) -> None:
        self.dropped_count += len(self._queue)
        self._queue = []

    def _api_getWebhookInfo(self, args: Args) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            info["ip_address"] = "127.0.0.1"
        if self._allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # ------------------------------------------------------------------ inspection

    @property
    def confirmed_offset(self) -> int | None:
        """The highest ``offset`` the bot has confirmed with (last confirmed id + 1)."""
        return None if self.confirmed_update_id is None else self.confirmed_update_id + 1

    @property
    def pending_updates(self) -> list[JSON]:
        return list(self._queue)

    @property
    def allowed_updates(self) -> frozenset[str]:
        return self._allowed_updates

    async def wait_until_idle(self, timeout: float = 5.0) -> None:
        """Waits until the bot has fetched and confirmed every queued update."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._queue:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"{len(self._queue)} updates still unconfirmed")
            await self._wait_change(remaining)
