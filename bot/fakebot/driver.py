"""DriverMixin: what tests and the sandbox call to play the user: send text, media, edits, posts."""

from __future__ import annotations

from collections.abc import Sequence

from bot.fakebot.constants import MAX_MEDIA_GROUP
from bot.fakebot.entities import auto_entities
from bot.fakebot.files import FAKE_JPEG, FilesMixin
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
        """The user sends ``text`` (chat_id None = private chat). Telegram's server adds the
        automatic entities (bot_command, url, mention, hashtag, email...) as it does."""
        if not text:
            raise DriverError("Telegram clients cannot send an empty message")
        found = _merge(list(entities or []), auto_entities(text))
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

    def send_album(
        self,
        user: FakeUser | int,
        chat_id: int | None = None,
        *,
        photos: int = 0,
        documents: Sequence[tuple[str, str]] = (),
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        captions: Sequence[str | None] = (),
    ) -> list[DrivenUpdate]:
        """The user sends an album: 2-10 photos, or 2-10 documents ((file_name, mime_type)
        pairs), as separate messages sharing one ``media_group_id``, the caption on the first,
        each its own update, as Telegram delivers them. Apps don't mix documents with photos.
        ``captions`` gives each part its own caption instead (apps allow one per item)."""
        count = photos + len(documents)
        if photos and documents:
            raise DriverError("an album holds photos or documents, not both")
        if not 2 <= count <= MAX_MEDIA_GROUP:
            raise DriverError(f"an album holds 2 to {MAX_MEDIA_GROUP} items, not {count}")
        if captions and (caption is not None or len(captions) != count):
            raise DriverError("captions: one per item (or None), and not together with caption")
        group_id = str(14000000000000000 + next(self._ids))
        contents: list[JSON] = []
        for index in range(photos):
            image = FAKE_JPEG + index.to_bytes(2, "big")  # distinct files, as a real album's are
            contents.append({"photo": self._make_photo_sizes(image, 1280, 960)})
        for file_name, mime_type in documents:
            record = self._new_file("document", b"%PDF-1.4 fake\n", file_name=file_name,
                                    mime_type=mime_type)
            contents.append({"document": self._file_dict(record)})
        updates = []
        for index, content in enumerate(contents):
            content["media_group_id"] = group_id
            if captions:
                self._add_caption(content, captions[index])
            elif index == 0:
                self._add_caption(content, caption)
            # One album is one human action: its messages arrive together.
            updates.append(
                self._user_message(user, chat_id, content, reply_to_message_id, paced=index == 0)
            )
        return updates

    def react(
        self,
        user: FakeUser | int,
        chat_id: int | None,
        message_id: int,
        emoji: str | None = "👍",
    ) -> DrivenUpdate:
        """The user sets (or, with ``emoji=None``, removes) a reaction on a message.

        Telegram sends ``message_reaction`` only to a bot that asked for it in allowed_updates,
        and in groups only to an administrator bot; reactions are never messages."""
        sender = self._user(user)
        chat = self._driver_chat(sender.id if chat_id is None else chat_id)
        self._require_presence(chat, sender)
        self._human_acts()
        stored = self._messages.get((chat.id, message_id))
        if stored is None or stored.deleted or stored.service:
            raise DriverError(f"no message {message_id} in chat {chat.id} to react to")
        key = (chat.id, message_id, sender.id)
        old = self._reactions.get(key, [])
        new = [{"type": "emoji", "emoji": emoji}] if emoji else []
        if new:
            self._reactions[key] = new
        else:
            self._reactions.pop(key, None)
        payload: JSON = {
            "chat": chat.to_dict(self.users),
            "message_id": message_id,
            "user": sender.to_dict(),
            "date": int(self.now()),
            "old_reaction": old,
            "new_reaction": new,
        }
        update_id = None
        if chat.type == "private" or chat.members.get(self.bot.id) in ("creator", "administrator"):
            update_id = self._enqueue("message_reaction", payload)
        return DrivenUpdate("message_reaction", payload, update_id, chat.id, message_id)

    def join_group(self, user: FakeUser | int, chat_id: int) -> list[DrivenUpdate]:
        """A user joins a group by link: the ``new_chat_members`` service message, and a
        ``chat_member`` update (only for an administrator bot that asked for it)."""
        joiner = self._user(user)
        chat = self._driver_chat(chat_id)
        if chat.type not in ("group", "supergroup"):
            raise DriverError(f"chat {chat_id} is not a group")
        old = chat.members.get(joiner.id, "left")
        if old in ("creator", "administrator", "member", "restricted"):
            raise DriverError(f"user {joiner.id} is already in chat {chat_id}")
        chat.members[joiner.id] = "member"
        updates = [self._chat_member(chat, joiner, joiner, old, "member")]
        service = self._new_message(chat, joiner, {"new_chat_members": [joiner.to_dict()]})
        updates.append(self._deliver_message(chat, service, "message", service=True))
        return updates

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
        found = auto_entities(text)
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
        *,
        paced: bool = True,
    ) -> DrivenUpdate:
        sender = self._user(user)
        chat = self._driver_chat(sender.id if chat_id is None else chat_id)
        self._require_presence(chat, sender)
        if paced:
            self._human_acts()
        if sender.is_bot:
            if chat.type == "private":
                raise DriverError("bots can't write to other bots")
            chat.last_bot_poster = sender.id  # another bot posting in a group
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
            found = auto_entities(caption)
            if found:
                data["caption_entities"] = found


def _merge(explicit: list[JSON], automatic: list[JSON]) -> list[JSON]:
    """Explicit (client-side) entities plus the automatic ones that don't overlap them."""
    spans = [(e["offset"], e["offset"] + e["length"]) for e in explicit]
    merged = explicit + [
        e for e in automatic
        if not any(e["offset"] < end and start < e["offset"] + e["length"] for start, end in spans)
    ]
    return sorted(merged, key=lambda e: (e["offset"], -e["length"]))
