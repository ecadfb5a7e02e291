"""EditingMixin: editMessageText/Caption/ReplyMarkup and message deletion."""

from __future__ import annotations

from bot.fakebot.chats import ChatsMixin
from bot.fakebot.constants import MESSAGE_DELETE_WINDOW
from bot.fakebot.html import FormattedText
from bot.fakebot.params import Args, check_length, check_markup_content, parse_reply_markup
from bot.fakebot.records import JSON, FakeChat, StoredMessage, bad_request


class EditingMixin(ChatsMixin):
    """Changes to messages the bot already sent."""

    # ------------------------------------------------------------------ editing

    def _editable(self, args: Args) -> tuple[FakeChat, StoredMessage]:
        if args.opt("inline_message_id"):
            raise bad_request("inline messages are not supported by this double")  # approximation
        chat = self._chat_arg(args)
        self._check_write(chat)
        stored = self._source_message(chat, args.integer("message_id"), "message to edit")
        if not stored.from_bot or stored.sent is None:
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(
        self,
        stored: StoredMessage,
        *,
        content: JSON | None,
        formatted: FormattedText | None,
        raw_text: str | None,
        parse_mode: str | None,
        markup: JSON | None,
    ) -> JSON:
        sent = stored.sent
        assert sent is not None
        data = stored.data
        new_markup = markup if markup and "inline_keyboard" in markup else None
        old_markup = data.get("reply_markup")
        keys = ("text", "entities", "caption", "caption_entities")
        old_content = {k: data[k] for k in keys if k in data}
        same_content = content is None or content == old_content
        if same_content and new_markup == old_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        sent.history.append(
            {"text": sent.text, "rendered": sent.rendered, "reply_markup": sent.reply_markup}
        )
        if content is not None:
            for key in ("text", "entities", "caption", "caption_entities"):
                data.pop(key, None)
            data.update(content)
            sent.text, sent.parse_mode = raw_text, parse_mode
            sent.rendered = formatted.text if formatted else ""
            sent.entities = list(formatted.entities) if formatted else []
        # Editing without reply_markup removes the inline keyboard, as on Telegram.
        if new_markup is None:
            data.pop("reply_markup", None)
        else:
            data["reply_markup"] = new_markup
        sent.reply_markup = new_markup
        data["edit_date"] = int(self.now())
        return data

    def _api_editMessageText(self, args: Args) -> JSON:
        if not args.get("text"):
            raise bad_request("message text is empty")
        formatted = self._format(args, "text", caption=False)
        markup = parse_reply_markup(args)
        _, stored = self._editable(args)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        check_length(formatted, caption=False)
        check_markup_content(markup)
        content: JSON = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        return self._apply_edit(
            stored, content=content, formatted=formatted, raw_text=args.get("text"),
            parse_mode=args.opt("parse_mode"), markup=markup,
        )

    def _api_editMessageCaption(self, args: Args) -> JSON:
        formatted = self._format(args, "caption", caption=True)
        markup = parse_reply_markup(args)
        _, stored = self._editable(args)
        if "text" in stored.data:
            raise bad_request("there is no caption in the message to edit")
        check_length(formatted, caption=True)
        check_markup_content(markup)
        content: JSON = {}
        if formatted.text:
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        return self._apply_edit(
            stored, content=content, formatted=formatted, raw_text=args.opt("caption"),
            parse_mode=args.opt("parse_mode"), markup=markup,
        )

    def _api_editMessageReplyMarkup(self, args: Args) -> JSON:
        markup = parse_reply_markup(args)
        _, stored = self._editable(args)
        check_markup_content(markup)
        return self._apply_edit(
            stored, content=None, formatted=None, raw_text=None, parse_mode=None, markup=markup
        )

    # ------------------------------------------------------------------ deletion

    def _api_deleteMessage(self, args: Args) -> bool:
        chat = self._chat_arg(args)
        self._check_write(chat)
        self._delete(chat, args.integer("message_id"))
        return True

    def _api_deleteMessages(self, args: Args) -> bool:
        chat = self._chat_arg(args)
        self._check_write(chat)
        ids = args.json("message_ids", "message identifiers")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            stored = self._messages.get((chat.id, int(message_id)))
            if stored is not None and not stored.deleted and self._may_delete(chat, stored):
                self._mark_deleted(stored)
        return True

    def _delete(self, chat: FakeChat, message_id: int) -> None:
        stored = self._source_message(chat, message_id, "message to delete")
        if not self._may_delete(chat, stored):
            raise bad_request("message can't be deleted")
        self._mark_deleted(stored)

    def _may_delete(self, chat: FakeChat, stored: StoredMessage) -> bool:
        if self.now() - stored.data["date"] > MESSAGE_DELETE_WINDOW:
            return False
        if stored.from_bot or chat.type == "private":
            return True
        return chat.members.get(self.bot.id) in ("creator", "administrator")

    @staticmethod
    def _mark_deleted(stored: StoredMessage) -> None:
        stored.deleted = True
        if stored.sent is not None:
            stored.sent.deleted = True
