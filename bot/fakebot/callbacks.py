"""CallbacksMixin: inline button presses (driver side) and answerCallbackQuery (bot side)."""

from __future__ import annotations

import hashlib

from bot.fakebot.constants import CALLBACK_MESSAGE_WINDOW, MAX_CALLBACK_ANSWER_TEXT
from bot.fakebot.params import Args
from bot.fakebot.records import (
    CallbackQuery,
    DrivenUpdate,
    DriverError,
    FakeUser,
    bad_request,
    inline_buttons,
)
from bot.fakebot.world import WorldMixin


class CallbacksMixin(WorldMixin):
    """Callback queries from creation by a button press to the bot's answer."""

    # ------------------------------------------------------------------ driver: button press

    def press_button(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        message_id: int,
        callback_data: str,
    ) -> DrivenUpdate:
        """The user taps an inline button. The message must be the bot's, still exist, and
        carry a button with exactly this callback_data; otherwise it is a test bug."""
        presser = self._user(user)
        chat = self._driver_chat(presser.id if chat_id is None else chat_id)
        self._require_presence(chat, presser)
        self._human_acts()
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted or not stored.from_bot:
            raise DriverError(f"no bot message {message_id} in chat {chat.id}")
        markup = stored.sent.reply_markup if stored.sent else None
        datas = [data for _, data in inline_buttons(markup)]
        if callback_data not in datas:
            raise DriverError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"buttons: {inline_buttons(markup)}"
            )
        query_id = str(next(self._ids) * 7919 + 4000000000000000000)
        self._callbacks[query_id] = CallbackQuery(query_id, self.now())
        instance = hashlib.sha1(f"{chat.id}".encode()).hexdigest()[:16]
        message = dict(stored.data)
        if self.now() - stored.data["date"] > CALLBACK_MESSAGE_WINDOW:
            # Telegram no longer hands out an old message: InaccessibleMessage, date 0.
            message = {"chat": stored.data["chat"], "message_id": message_id, "date": 0}
        query = {
            "id": query_id,
            "from": presser.to_dict(),
            "message": message,
            "chat_instance": str(int(instance, 16) % (10**19)),
            "data": callback_data,
        }
        update_id = self._enqueue("callback_query", query)
        return DrivenUpdate(
            "callback_query", query, update_id, chat.id, message_id, callback_query_id=query_id
        )

    # ------------------------------------------------------------------ Bot API: callbacks

    def _api_answerCallbackQuery(self, args: Args) -> bool:
        query_id = args.get("callback_query_id")
        query = self._callbacks.get(query_id)
        too_old = query is None or query.answered or (
            self.now() - query.created > self.callback_query_ttl
        )
        if too_old:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        assert query is not None
        text = args.get("text")
        if len(text) > MAX_CALLBACK_ANSWER_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {
            "text": text or None,
            "show_alert": args.flag("show_alert"),
            "url": args.opt("url"),
            "cache_time": args.integer("cache_time"),
        }
        self.callback_answers[query_id] = query.answer
        return True
