"""DriverMixin: what tests and the sandbox call to play the user: send text, media, edits, posts."""

from __future__ import annotations

from bot.fakebot.constants import COMMAND_RE
from bot.fakebot.files import FAKE_JPEG, FilesMixin
from bot.fakebot.html import utf16_len
from bot.fakebot.records import JSON, DrivenUpdate, DriverError, FakeUser
from bot.fakebot.state import without_reply
from bot.fakebot.world import WorldMixin


class DriverMixin(WorldMixin, FilesMixin):
    """User-side actions; misuse raises DriverError (a test bug), never a Bot API error."""

    # ------------------------------------------------------------------ user actions

    def send_text(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        text: str,
        reply_to_message_id: int | None = None,
        *,
        entities: list[JSON] | None = None,
    ) -> DrivenUpdate:
        """The user sends ``text`` (chat_id None = private chat). Commands get a
        bot_command entity, like Telegram clients produce."""
        if not text:
            raise DriverError("Telegram clients cannot send an empty message")
        found = list(entities or []) + _command_entities(text)
        content: JSON = {"text": text}
        if found:
            content["entities"] = sorted(found, key=lambda e: (e["offset"], -e["length"]))
        return self._user_message(user, chat_id, content, reply_to_message_id)

    def send_photo(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        caption: str | None = None,
        *,
        width: int = 1280,
        height: int = 960,
        content: bytes | None = None,
        reply_to_message_id: int | None = None,
    ) -> DrivenUpdate:
        sizes = self._make_photo_sizes(content or FAKE_JPEG, width, height)
        data: JSON = {"photo": sizes}
        self._add_caption(data, caption)
        return self._user_message(user, chat_id, data, reply_to_message_id)

    def send_document(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        *,
        content: bytes | None = None,
        file_size: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> DrivenUpdate:
        """``file_size`` without ``content`` fakes a file of that size (for size limits)."""
        if content is None:
            content = b"%PDF-1.4 fake\n" if file_size is None else b"\0" * file_size
        record = self._new_file("document", content, file_name=file_name, mime_type=mime_type)
        data: JSON = {"document": self._file_dict(record)}
        self._add_caption(data, caption)
        return self._user_message(user, chat_id, data, reply_to_message_id)

    def send_album(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        count: int = 10,
        *,
        kind: str = "photo",
        caption: str | None = None,
        file_names: list[str] | None = None,
        mime_type: str = "application/pdf",
        reply_to_message_id: int | None = None,
    ) -> list[DrivenUpdate]:
        """The user sends ``count`` photos (or documents) at once: one message each, sharing a
        ``media_group_id``, the caption on the first, as Telegram delivers an album (2–10 items;
        documents cannot be mixed with photos). ``file_names`` names the documents."""
        if not 2 <= count <= 10:
            raise DriverError("an album has 2 to 10 items")
        if kind not in ("photo", "document"):
            raise DriverError("this driver sends albums of photos or of documents")
        names = file_names or [f"bukti-{index + 1}.pdf" for index in range(count)]
        if kind == "document" and len(names) != count:
            raise DriverError("one file name per document")
        group_id = str(13500000000000000 + next(self._ids))
        updates = []
        for index in range(count):
            data: JSON
            if kind == "photo":
                content = FAKE_JPEG + index.to_bytes(2, "big")  # distinct files
                data = {"photo": self._make_photo_sizes(content, 1280, 960)}
            else:
                record = self._new_file("document", b"%PDF-1.4 album " + str(index).encode(),
                                        file_name=names[index], mime_type=mime_type)
                data = {"document": self._file_dict(record)}
            data["media_group_id"] = group_id
            if index == 0:
                self._add_caption(data, caption)
            updates.append(self._user_message(user, chat_id, data, reply_to_message_id))
        return updates

    def send_contact(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        phone_number: str = "+6281234567890",
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | bool | None = True,
        vcard: str | None = None,
    ) -> DrivenUpdate:
        """Shares a contact; by default the user's own (what a request_contact button
        sends: contact.user_id == from.id). ``contact_user_id=None`` for a foreign card."""
        sender = self._user(user)
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or sender.first_name,
        }
        last = last_name if last_name is not None else sender.last_name
        if last:
            contact["last_name"] = last
        if contact_user_id is True:
            contact["user_id"] = sender.id
        elif isinstance(contact_user_id, int) and contact_user_id is not False:
            contact["user_id"] = contact_user_id
        if vcard:
            contact["vcard"] = vcard
        return self._user_message(sender, chat_id, {"contact": contact}, None)

    def send_sticker(
        self, user: FakeUser | int, chat_id: int | None = None, emoji: str = "👍"
    ) -> DrivenUpdate:
        record = self._new_file("sticker", b"RIFF\0\0\0\0WEBPVP8 ", width=512, height=512)
        sticker = self._file_dict(record)
        sticker.update(
            {"type": "regular", "width": 512, "height": 512, "is_animated": False,
             "is_video": False, "emoji": emoji}
        )
        return self._user_message(user, chat_id, {"sticker": sticker}, None)

    def send_voice(
        self, user: FakeUser | int, chat_id: int | None = None, duration: int = 3
    ) -> DrivenUpdate:
        record = self._new_file("voice", b"OggS" + b"\0" * 2000, mime_type="audio/ogg",
                                duration=duration)
        return self._user_message(user, chat_id, {"voice": self._file_dict(record)}, None)

    def send_location(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        latitude: float = -6.2088,
        longitude: float = 106.8456,
    ) -> DrivenUpdate:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, chat_id, {"location": location}, None)

    def edit_text(
        self, user: FakeUser | int, chat_id: int | None, message_id: int, text: str
    ) -> DrivenUpdate:
        """The user edits their earlier text message: an ``edited_message`` update."""
        sender = self._user(user)
        chat = self._driver_chat(sender.id if chat_id is None else chat_id)
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted or stored.data.get("from", {}).get("id") != sender.id:
            raise DriverError(f"user {sender.id} has no message {message_id} in chat {chat.id}")
        if "text" not in stored.data:
            raise DriverError("only text messages can be edited by this driver")
        stored.data["text"] = text
        stored.data.pop("entities", None)
        found = _command_entities(text)
        if found:
            stored.data["entities"] = found
        stored.data["edit_date"] = int(self.now())
        return self._deliver_message(chat, dict(stored.data), "edited_message")

    def channel_post(self, chat_id: int, text: str) -> DrivenUpdate:
        chat = self._driver_chat(chat_id)
        if chat.type != "channel":
            raise DriverError(f"chat {chat_id} is not a channel")
        data = self._new_message(chat, None, {"text": text})
        data["sender_chat"] = chat.to_dict(self.users)
        return self._deliver_message(chat, data, "channel_post")

    # ------------------------------------------------------------------ internals

    def _user_message(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        content: JSON,
        reply_to_message_id: int | None,
    ) -> DrivenUpdate:
        sender = self._user(user)
        chat = self._driver_chat(sender.id if chat_id is None else chat_id)
        self._require_presence(chat, sender)
        if chat.type == "private":
            if sender.blocked:
                self.unblock_bot(sender)  # writing to a blocked bot means unblocking it
            sender.started = True
        if reply_to_message_id is not None:
            target = self._messages.get((chat.id, reply_to_message_id))
            if target is None or target.deleted:
                raise DriverError(f"no message {reply_to_message_id} in chat {chat.id} to reply to")
            content = {**content, "reply_to_message": without_reply(target.data)}
        data = self._new_message(chat, sender, content)
        return self._deliver_message(chat, data, "message")

    def _add_caption(self, data: JSON, caption: str | None) -> None:
        if caption:
            data["caption"] = caption
            found = _command_entities(caption)
            if found:
                data["caption_entities"] = found


def _command_entities(text: str) -> list[JSON]:
    entities = []
    for match in COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        entities.append(
            {"type": "bot_command", "offset": offset, "length": utf16_len(match.group(0))}
        )
    return entities
