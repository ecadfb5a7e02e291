"""FaultsMixin: injected failures, flood waits and the opt-in FloodLimits rate limits."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from bot.fakebot.constants import SEND_METHODS
from bot.fakebot.records import (
    ApiError,
    DriverError,
    FakeChat,
    Fault,
    NetworkFailure,
    bad_request,
    forbidden,
)
from bot.fakebot.world import WorldMixin


class FaultsMixin(WorldMixin):
    """Fault injection (a "migrate" fault really migrates the group, hence WorldMixin) and 429s."""

    # ------------------------------------------------------------------ fault injection

    def inject(
        self,
        method: str | None = None,
        chat_id: int | str | None = None,
        error: str = "flood",
        times: int | None = 1,
        *,
        retry_after: int = 5,
        status: int = 500,
        text: str | None = None,
        after: int = 0,
    ) -> Fault:
        """Makes matching requests fail.

        error: "flood" (429 with retry_after; like Telegram, matching calls made before
        retry_after seconds have passed get 429 again with the remaining time), "server" (5xx ``status``), "network" (request
        lost, not executed), "network_after" (executed, response lost), "timeout" (executed,
        client times out), "blocked" (403 bot was blocked), "forbidden" (403 with ``text``),
        "bad_request" (400 with ``text``), "migrate" (the group really migrates; 400 with
        migrate_to_chat_id). ``times=None`` = forever. Matching is by method name
        (case-insensitive) and/or chat_id; ``after=n`` lets the first n matching calls through
        (e.g. to fail the second part of a long message).
        """
        kinds = {
            "flood", "server", "network", "network_after", "timeout", "blocked", "forbidden",
            "bad_request", "migrate",
        }
        if error not in kinds:
            raise DriverError(f"unknown fault {error!r}; expected one of {sorted(kinds)}")
        if error == "migrate" and chat_id is not None:
            chat = self.chats.get(int(chat_id))
            if chat is None or chat.type != "group":
                raise DriverError("migrate faults need a basic group chat_id")
        fault = Fault(error, method, chat_id, times, retry_after, status, text, after=after)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Removes all faults, including running flood waits."""
        self.faults.clear()

    @staticmethod
    def _fault_matches(fault: Fault, method: str, params: Mapping[str, str]) -> bool:
        if fault.method is not None and fault.method.lower() != method.lower():
            return False
        return fault.chat_id is None or params.get("chat_id") == str(fault.chat_id)

    def _check_flood_wait(self, method: str, params: Mapping[str, str]) -> None:
        """A flood wait is a hard ban: retrying before it ends earns another 429 with the
        remaining seconds, as on Telegram (so an early retry shows up as a bug)."""
        now = self.now()
        for fault in self.faults:
            if fault.until is None or now >= fault.until:
                continue
            if self._fault_matches(fault, method, params):
                remaining = max(1, math.ceil(fault.until - now))
                raise ApiError(
                    429, f"Too Many Requests: retry after {remaining}", {"retry_after": remaining}
                )

    def _take_fault(self, method: str, params: Mapping[str, str]) -> Fault | None:
        self._check_flood_wait(method, params)
        for fault in self.faults:
            if fault.exhausted or not self._fault_matches(fault, method, params):
                continue
            if fault.kind == "migrate" and not self._is_basic_group(params.get("chat_id")):
                continue
            if fault.passed < fault.after:
                fault.passed += 1
                continue
            fault.hits += 1
            if fault.kind == "flood":
                fault.until = self.now() + fault.retry_after
            return fault
        return None

    def _is_basic_group(self, raw_chat_id: str | None) -> bool:
        try:
            chat = self.chats.get(int(raw_chat_id or ""))
        except ValueError:
            return False
        return chat is not None and chat.type == "group" and chat.migrated_to is None

    def _raise_fault(self, fault: Fault, params: Mapping[str, str]) -> None:
        if fault.kind == "flood":
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind == "server":
            raise ApiError(fault.status, fault.text or _http_phrase(fault.status))
        if fault.kind == "network":
            raise NetworkFailure("simulated network failure", processed=False)
        if fault.kind == "blocked":
            raise forbidden("bot was blocked by the user")
        if fault.kind == "forbidden":
            text = fault.text or "bot was kicked from the group chat"
            raise ApiError(403, text if text.startswith("Forbidden: ") else f"Forbidden: {text}")
        if fault.kind == "bad_request":
            text = fault.text or "injected error"
            raise ApiError(400, text if text.startswith("Bad Request: ") else f"Bad Request: {text}")
        if fault.kind == "migrate":
            new_id = self.migrate_group(int(params["chat_id"]))
            raise bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_id}
            )

    # ------------------------------------------------------------------ flood limits

    def _check_flood(self, method: str, chat: FakeChat, count: int = 1) -> None:
        if self.flood_limits is None or method.lower() not in SEND_METHODS:
            return
        now = self.now()  # Telegram's clock: advance_time() lets a window pass
        limits = self.flood_limits
        chat_limit = limits.private_chat if chat.type == "private" else limits.group_chat
        buckets: list[tuple[Any, tuple[int, float]]] = [
            ("global", limits.global_limit),
            (chat.id, chat_limit),
        ]
        for key, (maximum, window) in buckets:
            log = self._flood_log.setdefault(key, deque())
            while log and log[0] <= now - window:
                log.popleft()
            if len(log) + count > maximum:
                retry = max(1, math.ceil(log[0] + window - now)) if log else 1
                self.flood_refusals.append((method, chat.id))
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )
        for key, _ in buckets:
            self._flood_log[key].extend([now] * count)


def _http_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Internal Server Error"
