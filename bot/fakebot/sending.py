"""SendingMixin: the send pipeline and sendMessage, media, copy, forward and chat actions."""

from __future__ import annotations

import json
from typing import Any

from bot.fakebot.constants import CHAT_ACTIONS, FILE_TYPE_NAMES, MAX_MEDIA_GROUP
from bot.fakebot.faults import FaultsMixin
from bot.fakebot.files import FilesMixin
from bot.fakebot.html import FormattedText
from bot.fakebot.params import (
    Args,
    check_length,
    check_markup_content,
    link_preview_options,
    parse_reply_markup,
)
from bot.fakebot.records import JSON, ApiError, FakeChat, SentMessage, StoredMessage, bad_request
from bot.fakebot.state import without_reply


class SendingMixin(FaultsMixin, FilesMixin):
    """Bot API methods that create bot messages, and the checks they share."""

    # ------------------------------------------------------------------ send pipeline

    def _reply_to(self, args: Args, chat: FakeChat) -> StoredMessage | None:
        params = args.json("reply_parameters", "reply parameters")
        if params is not None and not isinstance(params, dict):
            raise bad_request("object expected as reply parameters")
        if params:
            message_id = int(params.get("message_id") or 0)
            allow = bool(params.get("allow_sending_without_reply"))
            reply_chat = chat
            if params.get("chat_id") not in (None, ""):
                reply_chat = self._chat_arg(Args({"chat_id": str(params["chat_id"])}, {}))
        else:
            message_id = args.integer("reply_to_message_id")
            allow = args.flag("allow_sending_without_reply")
            reply_chat = chat
        if message_id <= 0:
            return None
        stored = self._messages.get((reply_chat.id, message_id))
        if stored is None or stored.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return stored

    def _bot_message(
        self,
        chat: FakeChat,
        content: JSON,
        *,
        method: str,
        raw_text: str | None,
        parse_mode: str | None,
        formatted: FormattedText | None,
        markup: JSON | None,
        reply: StoredMessage | None,
        protect: bool = False,
        media: tuple[str, str | None, Any] | None = None,
        media_group_id: str | None = None,
    ) -> SentMessage:
        data = self._new_message(chat, self.bot, {})
        if chat.type == "channel":
            data.pop("from")
            data["sender_chat"] = chat.to_dict(self.users)
        if reply is not None:
            data["reply_to_message"] = without_reply(reply.data)
        if chat.type in ("group", "supergroup"):
            chat.last_bot_poster = self.bot.id
        if media_group_id:
            data["media_group_id"] = media_group_id
        if protect:
            data["has_protected_content"] = True
        data.update(content)
        if markup and "inline_keyboard" in markup:
            data["reply_markup"] = markup  # only inline keyboards are part of a Message
        media_type, file_id, media_obj = media or (None, None, None)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=data["message_id"],
            method=method,
            text=raw_text,
            parse_mode=parse_mode,
            rendered=formatted.text if formatted else "",
            entities=list(formatted.entities) if formatted else [],
            reply_markup=markup,
            reply_to_message_id=reply.data["message_id"] if reply else None,
            date=data["date"],
            message=data,
            media_type=media_type,
            file_id=file_id,
            media=media_obj,
            media_group_id=media_group_id,
        )
        self._messages[(chat.id, sent.message_id)] = StoredMessage(data, from_bot=True, sent=sent)
        self._sent.append(sent)
        return sent

    def _prepare_send(self, args: Args) -> tuple[FakeChat, JSON | None, StoredMessage | None]:
        """Common send pipeline after content parsing: markup JSON, chat access, reply."""
        markup = parse_reply_markup(args)
        chat = self._chat_arg(args)
        self._check_write(chat)
        reply = self._reply_to(args, chat)
        return chat, markup, reply

    def _finish_checks(
        self, chat: FakeChat, markup: JSON | None, method: str, count: int = 1
    ) -> None:
        """Checks Telegram makes when actually sending: markup content, recipient, flood."""
        check_markup_content(markup)
        self._check_recipient(chat)
        self._check_flood(method, chat, count)

    # ------------------------------------------------------------------ Bot API: sending

    def _api_sendMessage(self, args: Args) -> JSON:
        if not args.get("text"):
            raise bad_request("message text is empty")
        formatted = self._format(args, "text", caption=False)
        chat, markup, reply = self._prepare_send(args)
        check_length(formatted, caption=False)
        self._finish_checks(chat, markup, "sendMessage")
        content: JSON = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        preview = link_preview_options(args)
        if preview:
            content["link_preview_options"] = preview  # Telegram echoes changed options in the Message
        sent = self._bot_message(
            chat, content, method="sendMessage", raw_text=args.get("text"),
            parse_mode=args.opt("parse_mode"), formatted=formatted, markup=markup, reply=reply,
            protect=args.flag("protect_content"),
        )
        return sent.message

    def _caption_content(self, args: Args, formatted: FormattedText) -> JSON:
        content: JSON = {}
        if formatted.text:
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        if args.flag("show_caption_above_media"):
            content["show_caption_above_media"] = True
        if args.flag("has_spoiler"):
            content["has_media_spoiler"] = True
        return content

    def _send_media(self, args: Args, method: str, kind: str) -> JSON:
        formatted = self._format(args, "caption", caption=True)
        chat, markup, reply = self._prepare_send(args)
        record, sizes = self._input_file(args, kind, args.opt(kind), kind)
        check_length(formatted, caption=True)
        self._finish_checks(chat, markup, method)
        content = self._caption_content(args, formatted)
        media_obj: Any = sizes if kind == "photo" else self._file_dict(record)
        content[kind] = media_obj
        sent = self._bot_message(
            chat, content, method=method, raw_text=args.opt("caption"),
            parse_mode=args.opt("parse_mode"), formatted=formatted, markup=markup, reply=reply,
            protect=args.flag("protect_content"), media=(kind, record.file_id, media_obj),
        )
        return sent.message

    def _api_sendPhoto(self, args: Args) -> JSON:
        return self._send_media(args, "sendPhoto", "photo")

    def _api_sendDocument(self, args: Args) -> JSON:
        return self._send_media(args, "sendDocument", "document")

    def _api_sendMediaGroup(self, args: Args) -> list[JSON]:
        raw = args.opt("media")
        if raw is None:
            raise bad_request("parameter \"media\" is required")
        try:
            items = json.loads(raw)
        except ValueError as exc:
            raise bad_request("can't parse media JSON object") from exc
        if not isinstance(items, list):
            raise bad_request("expected an Array of InputMedia")
        parsed = [self._input_media(args, item) for item in items]
        chat, _, reply = self._prepare_send(args)
        if len(parsed) > MAX_MEDIA_GROUP:
            raise bad_request("too many messages to send as an album")
        if not parsed:
            raise bad_request("there are no messages to send")
        kinds = {kind for kind, _, _ in parsed}
        for kind in ("document", "audio"):
            if kind in kinds and len(kinds) > 1:
                raise bad_request(f"{FILE_TYPE_NAMES[kind]} can't be mixed with other media types")
        resolved = []
        for (kind, item, formatted), index in zip(parsed, range(len(parsed)), strict=True):
            name = f"media.{index}"
            record, sizes = self._input_file(args, name, str(item.get("media") or ""), kind)
            check_length(formatted, caption=True)
            resolved.append((kind, item, formatted, record, sizes))
        self._finish_checks(chat, None, "sendMediaGroup", len(resolved))
        group_id = str(13000000000000000 + next(self._ids))
        results = []
        for kind, item, formatted, record, sizes in resolved:
            content: JSON = {}
            if formatted.text:
                content["caption"] = formatted.text
                if formatted.entities:
                    content["caption_entities"] = formatted.entities
            media_obj: Any = sizes if kind == "photo" else self._file_dict(record)
            content[kind] = media_obj
            sent = self._bot_message(
                chat, content, method="sendMediaGroup", raw_text=item.get("caption"),
                parse_mode=item.get("parse_mode"), formatted=formatted, markup=None, reply=reply,
                media=(kind, record.file_id, media_obj), media_group_id=group_id,
                protect=args.flag("protect_content"),
            )
            results.append(sent.message)
        return results

    def _input_media(self, args: Args, item: Any) -> tuple[str, JSON, FormattedText]:
        if not isinstance(item, dict):
            raise bad_request("can't parse InputMedia: expected an Object")
        kind = item.get("type")
        if kind not in ("photo", "video", "document", "audio"):
            raise bad_request("can't parse InputMedia: unsupported media type")
        caption_args = Args(
            {
                "caption": str(item.get("caption") or ""),
                "parse_mode": str(item.get("parse_mode") or ""),
                "caption_entities": json.dumps(item["caption_entities"])
                if item.get("caption_entities") else "",
            },
            {},
        )
        try:
            formatted = self._format(caption_args, "caption", caption=True)
        except ApiError as error:
            detail = error.description.removeprefix("Bad Request: ")
            raise bad_request(f"can't parse InputMedia: {detail}") from error
        return str(kind), item, formatted

    def _api_copyMessage(self, args: Args) -> JSON:
        source_chat = self._chat_arg(args, "from_chat_id")
        self._check_read(source_chat)
        source = self._source_message(source_chat, args.integer("message_id"), "message to copy")
        if source.service:
            raise bad_request("message can't be copied")
        chat, markup, reply = self._prepare_send(args)
        content, formatted, media = self._copied_content(args, source)
        self._finish_checks(chat, markup, "copyMessage")
        sent = self._bot_message(
            chat, content, method="copyMessage", raw_text=args.opt("caption") or formatted.text,
            parse_mode=args.opt("parse_mode"), formatted=formatted, markup=markup, reply=reply,
            protect=args.flag("protect_content"), media=media,
        )
        return {"message_id": sent.message_id}

    def _copied_content(
        self, args: Args, source: StoredMessage
    ) -> tuple[JSON, FormattedText, tuple[str, str | None, Any] | None]:
        data = source.data
        if "text" in data:
            formatted = FormattedText(data["text"], list(data.get("entities", [])))
            return {"text": data["text"], **({"entities": data["entities"]} if "entities" in data else {})}, formatted, None
        kind = next((k for k in ("photo", "document", "sticker", "voice", "video", "audio",
                                 "contact", "location") if k in data), None)
        if kind is None:
            raise bad_request("message can't be copied")
        content: JSON = {kind: data[kind]}
        if args.opt("caption") is not None or args.opt("caption_entities") is not None:
            formatted = self._format(args, "caption", caption=True)
            check_length(formatted, caption=True)
        else:
            formatted = FormattedText(data.get("caption", ""), list(data.get("caption_entities", [])))
        content.update(self._caption_content(args, formatted))
        media_obj = data[kind]
        file_id = None
        if isinstance(media_obj, list):
            file_id = media_obj[-1]["file_id"]
        elif isinstance(media_obj, dict):
            file_id = media_obj.get("file_id")
        return content, formatted, (kind, file_id, media_obj)

    def _api_forwardMessage(self, args: Args) -> JSON:
        source_chat = self._chat_arg(args, "from_chat_id")
        self._check_read(source_chat)
        source = self._source_message(source_chat, args.integer("message_id"), "message to forward")
        if source.data.get("has_protected_content"):
            raise bad_request("message can't be forwarded")
        if source.service:
            raise bad_request("message can't be forwarded")
        chat = self._chat_arg(args)
        self._check_write(chat)
        self._finish_checks(chat, None, "forwardMessage")
        data = source.data
        origin: JSON
        if "sender_chat" in data and source_chat.type == "channel":
            origin = {"type": "channel", "chat": data["sender_chat"], "message_id": data["message_id"],
                      "date": data["date"]}
        else:
            origin = {"type": "user", "sender_user": data.get("from", self.bot.to_dict()),
                      "date": data["date"]}
        keep = ("text", "entities", "photo", "document", "sticker", "voice", "video", "audio",
                "contact", "location", "caption", "caption_entities")
        content: JSON = {"forward_origin": origin}
        content.update({k: data[k] for k in keep if k in data})
        text = data["text"] if "text" in data else data.get("caption", "")
        entities = data["entities"] if "text" in data else data.get("caption_entities", [])
        formatted = FormattedText(text, list(entities or []))
        sent = self._bot_message(
            chat, content, method="forwardMessage", raw_text=formatted.text, parse_mode=None,
            formatted=formatted, markup=None, reply=None, protect=args.flag("protect_content"),
        )
        return sent.message

    def _api_sendChatAction(self, args: Args) -> bool:
        chat = self._chat_arg(args)
        action = args.get("action").lower()
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_write(chat)
        self._check_recipient(chat)
        self.chat_actions.append((chat.id, action))
        return True
