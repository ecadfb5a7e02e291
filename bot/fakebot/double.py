"""FakeTelegram: the complete double, composed of the area mixins, and its request entry point."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from bot.fakebot.callbacks import CallbacksMixin
from bot.fakebot.commands import CommandsMixin
from bot.fakebot.driver import DriverMixin
from bot.fakebot.editing import EditingMixin
from bot.fakebot.faults import FaultsMixin
from bot.fakebot.inspection import InspectionMixin
from bot.fakebot.params import Args
from bot.fakebot.records import (
    JSON,
    ApiError,
    ApiResponse,
    Call,
    Described,
    Fault,
    NetworkFailure,
    UploadedFile,
)
from bot.fakebot.sending import SendingMixin
from bot.fakebot.updates import UpdatesMixin


class FakeTelegram(
    DriverMixin,
    CallbacksMixin,
    SendingMixin,
    EditingMixin,
    CommandsMixin,
    UpdatesMixin,
    FaultsMixin,
    InspectionMixin,
):
    """The fake Bot API server state plus the driver API used by tests and the sandbox."""

    # ------------------------------------------------------------------ request entry point

    async def handle(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        token: str | None = None,
    ) -> ApiResponse:
        """Executes one Bot API request. Raises NetworkFailure for simulated transport
        faults; everything else (including Telegram errors) is an ApiResponse."""
        params = {k: v for k, v in params.items() if v is not None}
        files = dict(files or {})
        call = Call(method, dict(params), tuple(files), self.now())
        self.calls.append(call)
        try:
            response, lost = await self._execute(method, params, files, token)
        except NetworkFailure:
            call.description = "network failure (request lost)"
            raise
        finally:
            self._changed()
        call.status = response.status
        call.description = response.body.get("description")
        if lost is not None:
            call.status, call.description = None, f"response lost ({lost.kind})"
            raise NetworkFailure(
                "simulated connection loss after Telegram processed the request",
                processed=True,
                timeout=lost.kind == "timeout",
            )
        return response

    async def _execute(
        self,
        method: str,
        params: Mapping[str, str],
        files: Mapping[str, UploadedFile],
        token: str | None,
    ) -> tuple[ApiResponse, Fault | None]:
        """Runs the method; returns the response and the fault that eats it, if any."""
        lost: Fault | None = None
        try:
            handler = self._authorize(method, token)
            fault = self._take_fault(method, params)
            if fault is not None and fault.kind in ("network_after", "timeout"):
                lost = fault
            elif fault is not None:
                self._raise_fault(fault, params)
            result = handler(Args(params, files))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return error.response(), lost
        if isinstance(result, Described):
            body = {"ok": True, "result": result.value, "description": result.description}
            return ApiResponse(200, body), lost
        return ApiResponse(200, {"ok": True, "result": result}), lost

    def _authorize(self, method: str, token: str | None) -> Callable[[Args], Any]:
        if self.token is not None and token != self.token:
            raise ApiError(401, "Unauthorized")
        if self._logged_out:
            raise ApiError(401, "Unauthorized")
        handler = self._methods.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler

    # ------------------------------------------------------------------ Bot API: basics

    def _api_getMe(self, args: Args) -> JSON:
        data = self.bot.to_dict()
        data.update(
            {
                "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        return data

    def _api_close(self, args: Args) -> bool:
        return True

    def _api_logOut(self, args: Args) -> bool:
        self._logged_out = True  # the cloud API refuses this token afterwards
        return True
