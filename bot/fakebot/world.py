"""WorldMixin: the driver's world setup (users, groups, channels, membership) and delivery rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.fakebot.chats import ChatsMixin
from bot.fakebot.constants import COMMAND_RE, MEMBER_STATUSES, PRESENT_STATUSES
from bot.fakebot.records import JSON, DrivenUpdate, DriverError, FakeChat, FakeUser, StoredMessage


class WorldMixin(ChatsMixin):
    """Creates users and chats, changes memberships, and decides which updates the bot sees."""

    # ------------------------------------------------------------------ setup

    def user(
        self,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        *,
        user_id: int | None = None,
        language_code: str | None = "id",
        started: bool = True,
        is_bot: bool = False,
    ) -> FakeUser:
        """Creates a Telegram user (and the private chat with the bot, id = user id).
        ``started=False`` models someone who never pressed Start."""
        if user_id is None:
            user_id = 100000000 + next(self._ids)
        if user_id in self.users:
            raise DriverError(f"user {user_id} already exists")
        user = FakeUser(user_id, first_name, last_name, username, is_bot, language_code, started)
        self.users[user_id] = user
        self.chats[user_id] = FakeChat(user_id, "private")
        return user

    def group(
        self,
        title: str = "Test Group",
        members: Iterable[FakeUser | int] | Mapping[FakeUser | int, str] = (),
        *,
        supergroup: bool = False,
        bot_status: str = "member",
        username: str | None = None,
        chat_id: int | None = None,
    ) -> FakeChat:
        """Creates a group (or supergroup) with the bot in ``bot_status`` and members.
        ``members`` is a list (status "member") or a mapping user -> status; the first
        listed user becomes "creator" unless a creator is given explicitly."""
        if chat_id is None:
            n = next(self._ids)
            chat_id = -(1001800000000 + n) if supergroup else -(4000000000 + n)
        if chat_id in self.chats or chat_id >= 0:
            raise DriverError(f"bad or duplicate group id {chat_id}")
        chat = FakeChat(chat_id, "supergroup" if supergroup else "group", title, username)
        self.chats[chat_id] = chat
        pairs = members.items() if isinstance(members, Mapping) else ((m, "member") for m in members)
        statuses = {self._user(member).id: status for member, status in pairs}
        if statuses and "creator" not in statuses.values():
            first = next(iter(statuses))
            statuses[first] = "creator"
        for member, status in statuses.items():
            self.add_member(chat_id, member, status)
        self._set_status(chat, self.bot.id, bot_status)
        return chat

    def channel(
        self,
        title: str = "Test Channel",
        *,
        username: str | None = None,
        bot_status: str = "administrator",
        chat_id: int | None = None,
    ) -> FakeChat:
        if chat_id is None:
            chat_id = -(1002800000000 + next(self._ids))
        chat = FakeChat(chat_id, "channel", title, username)
        self.chats[chat_id] = chat
        self._set_status(chat, self.bot.id, bot_status)
        return chat

    def add_member(self, chat_id: int, user: FakeUser | int, status: str = "member") -> None:
        """Silently sets a member's status (setup helper: no update is generated)."""
        chat = self._driver_chat(chat_id)
        if chat.type == "private":
            raise DriverError("private chats have no members")
        self._set_status(chat, self._user(user).id, status)

    def _set_status(self, chat: FakeChat, user_id: int, status: str) -> None:
        if status not in MEMBER_STATUSES:
            raise DriverError(f"unknown member status {status!r}")
        chat.members[user_id] = status

    def set_bot_status(
        self, chat_id: int, status: str, *, by: FakeUser | int | None = None
    ) -> DrivenUpdate:
        """Changes the bot's membership (added, promoted, kicked...) and emits the
        ``my_chat_member`` update Telegram sends for it."""
        chat = self._driver_chat(chat_id)
        if chat.type == "private":
            raise DriverError("use block_bot()/unblock_bot() for private chats")
        actor = self._user(by) if by is not None else self._any_admin(chat)
        old = chat.members.get(self.bot.id, "left")
        self._set_status(chat, self.bot.id, status)
        return self._my_chat_member(chat, actor, old, status)

    def add_bot_to_group(
        self, chat_id: int, by: FakeUser | int, status: str = "member"
    ) -> list[DrivenUpdate]:
        """A user adds the bot: my_chat_member plus the new_chat_members service message."""
        chat = self._driver_chat(chat_id)
        actor = self._user(by)
        updates = [self.set_bot_status(chat_id, status, by=actor)]
        service = self._new_message(chat, actor, {"new_chat_members": [self.bot.to_dict()]})
        updates.append(self._deliver_message(chat, service, "message", service=True))
        return updates

    def block_bot(self, user: FakeUser | int, *, notify: bool = True) -> DrivenUpdate | None:
        """The user blocks the bot: sends fail with 403 and (as on Telegram) the bot gets a
        my_chat_member update with status "kicked"."""
        target = self._user(user)
        target.blocked = True
        if not notify:
            return None
        return self._my_chat_member(self.chats[target.id], target, "member", "kicked")

    def unblock_bot(self, user: FakeUser | int, *, notify: bool = True) -> DrivenUpdate | None:
        target = self._user(user)
        target.blocked = False
        target.started = True
        if not notify:
            return None
        return self._my_chat_member(self.chats[target.id], target, "kicked", "member")

    def migrate_group(self, old_id: int) -> int:
        """Upgrades a basic group to a supergroup (same members, new id). Sends to the old
        id then fail with 400 + migrate_to_chat_id, as on Telegram."""
        old = self._driver_chat(old_id)
        if old.type != "group" or old.migrated_to is not None:
            raise DriverError(f"chat {old_id} is not an active basic group")
        new_id = -(1001900000000 + next(self._ids))
        new = FakeChat(new_id, "supergroup", old.title, old.username, dict(old.members))
        new.migrated_from = old_id
        self.chats[new_id] = new
        old.migrated_to = new_id
        actor = self._any_admin(old)
        # Telegram posts a service message in both chats.
        to_msg = self._new_message(old, actor, {"migrate_to_chat_id": new_id})
        self._deliver_message(old, to_msg, "message", service=True)
        from_msg = self._new_message(new, actor, {"migrate_from_chat_id": old_id})
        self._deliver_message(new, from_msg, "message", service=True)
        return new_id

    # ------------------------------------------------------------------ presence & delivery

    def _any_admin(self, chat: FakeChat) -> FakeUser:
        for user_id, status in chat.members.items():
            if status in ("creator", "administrator") and user_id != self.bot.id:
                return self.users[user_id]
        for user_id, status in chat.members.items():
            if status in PRESENT_STATUSES and user_id != self.bot.id:
                return self.users[user_id]
        return self.bot

    def _require_presence(self, chat: FakeChat, user: FakeUser) -> None:
        if chat.type == "private":
            if chat.id != user.id:
                raise DriverError(f"user {user.id} cannot act in private chat {chat.id}")
            return
        if chat.migrated_to is not None:
            raise DriverError(f"group {chat.id} was migrated to {chat.migrated_to}")
        if chat.members.get(user.id) not in PRESENT_STATUSES:
            raise DriverError(f"user {user.id} is not a member of chat {chat.id}")

    def _deliver_message(
        self, chat: FakeChat, data: JSON, kind: str, *, service: bool = False
    ) -> DrivenUpdate:
        key = (chat.id, data["message_id"])
        if kind in ("message", "channel_post"):
            self._messages[key] = StoredMessage(data, from_bot=False, service=service)
        update_id = None
        if self._bot_sees(chat, data, service):
            update_id = self._enqueue(kind, data)
        return DrivenUpdate(kind, data, update_id, chat.id, data["message_id"])

    def _bot_sees(self, chat: FakeChat, data: JSON, service: bool) -> bool:
        """Telegram's delivery rules, including group privacy mode.

        In a group: service messages always reach the bot; other bots' messages never; with
        privacy mode (and the bot not an administrator) only ``/command@this_bot``, replies
        to the bot's messages, and general commands (``/command``) while this bot is the last
        bot that posted in the chat (Telegram's rule for groups with several bots)."""
        if chat.type == "private":
            return True
        status = chat.members.get(self.bot.id, "left")
        if status not in PRESENT_STATUSES:
            # The bot still hears about its own removal via my_chat_member, not messages.
            return False
        if chat.type == "channel" or service:
            return True
        if data.get("from", {}).get("is_bot"):
            return False  # bots never see other bots' messages, whatever the mode
        if not self.privacy_mode or status in ("creator", "administrator"):
            return True  # privacy mode does not apply to admins
        reply = data.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot.id:
            return True
        text = data.get("text") or data.get("caption") or ""
        # Approximation: before any bot has posted, a general command reaches every bot.
        last_was_us = chat.last_bot_poster in (None, self.bot.id)
        for match in COMMAND_RE.finditer(text):
            target = match.group(2)
            if target is None and last_was_us:
                return True
            if target is not None and target[1:].lower() == (self.bot.username or "").lower():
                return True
        return False
