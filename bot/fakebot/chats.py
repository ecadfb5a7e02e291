"""ChatsMixin: chat resolution and access checks, membership, and the Bot API chat methods."""

from __future__ import annotations

from bot.fakebot.constants import PRESENT_STATUSES
from bot.fakebot.params import Args
from bot.fakebot.records import JSON, DrivenUpdate, FakeChat, FakeUser, bad_request, forbidden
from bot.fakebot.state import FakeTelegramState


class ChatsMixin(FakeTelegramState):
    """How the server resolves ``chat_id`` and checks access; getChat*, leaveChat."""

    # ------------------------------------------------------------------ chat resolution & access

    def _chat_arg(self, args: Args, name: str = "chat_id") -> FakeChat:
        raw = args.get(name).strip()
        if not raw:
            raise bad_request(f"{name} is empty")
        chat: FakeChat | None
        if raw.startswith("@"):
            wanted = raw[1:].lower()
            chat = next(
                (c for c in self.chats.values()
                 if c.type != "private" and (c.username or "").lower() == wanted),
                None,
            )
        else:
            try:
                chat = self.chats.get(int(raw))
            except ValueError:
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private" and not self._knows_user(self.users[chat.id]):
            raise bad_request("chat not found")
        return chat

    def _knows_user(self, user: FakeUser) -> bool:
        # The bot "knows" users who started it or whom it has seen in a shared group.
        if user.started:
            return True
        return any(
            chat.members.get(user.id) in PRESENT_STATUSES and chat.members.get(self.bot.id) in PRESENT_STATUSES
            for chat in self.chats.values()
            if chat.type != "private"
        )

    def _check_read(self, chat: FakeChat) -> None:
        if chat.type in ("supergroup", "channel") and chat.username is None:
            self._check_membership(chat)

    def _check_write(self, chat: FakeChat) -> None:
        """Telegram's check_chat_access for sending/editing (before the send itself)."""
        if chat.type == "private":
            return
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        self._check_membership(chat)
        if chat.type == "channel" and chat.members.get(self.bot.id) not in ("creator", "administrator"):
            raise bad_request("need administrator rights in the channel chat")

    def _check_membership(self, chat: FakeChat) -> None:
        status = chat.members.get(self.bot.id, "left")
        kind = {"group": "group", "supergroup": "supergroup", "channel": "channel"}[chat.type]
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if status not in PRESENT_STATUSES:
            raise forbidden(f"bot is not a member of the {kind} chat")

    def _check_recipient(self, chat: FakeChat) -> None:
        """Server-side refusals that happen only when a message is actually sent."""
        if chat.type != "private":
            return
        user = self.users[chat.id]
        if user.is_bot:
            raise forbidden("bot can't send messages to bots")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")

    # ------------------------------------------------------------------ Bot API: chats

    def _member_dict(self, chat: FakeChat, user: FakeUser, status: str) -> JSON:
        data: JSON = {"status": status, "user": user.to_dict()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": True,
                    "can_restrict_members": True, "can_promote_members": False,
                    "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False,
                }
            )
            if chat.type != "channel":
                data["can_pin_messages"] = True
            else:
                data.update({"can_post_messages": True, "can_edit_messages": True})
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "restricted":
            data.update({"is_member": True, "until_date": 0})
            for perm in (
                "can_change_info", "can_invite_users", "can_pin_messages", "can_send_messages",
                "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
                "can_manage_topics", "can_send_audios", "can_send_documents", "can_send_photos",
                "can_send_videos", "can_send_video_notes", "can_send_voice_notes",
                "can_edit_tag", "can_react_to_messages",
            ):
                data[perm] = False
        return data

    def _api_getChat(self, args: Args) -> JSON:
        chat = self._chat_arg(args)
        self._check_read(chat)
        data = chat.to_dict(self.users)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                    "premium_subscription": False, "gifts_from_channels": False,
                },
            }
        )
        return data

    def _api_getChatMember(self, args: Args) -> JSON:
        chat = self._chat_arg(args)
        self._check_read(chat)
        user_id = args.integer("user_id")
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found" if user_id > 0 else "invalid user_id specified")
        if chat.type == "private":
            if user_id not in (chat.id, self.bot.id):
                raise bad_request("user not found")
            return self._member_dict(chat, user, "member")
        if chat.type == "channel" and chat.members.get(self.bot.id) not in ("creator", "administrator"):
            raise bad_request("member list is inaccessible")
        return self._member_dict(chat, user, chat.members.get(user_id, "left"))

    def _api_getChatMemberCount(self, args: Args) -> int:
        chat = self._chat_arg(args)
        self._check_read(chat)
        if chat.type == "private":
            return 2
        return sum(1 for status in chat.members.values() if status in PRESENT_STATUSES)

    def _api_getChatAdministrators(self, args: Args) -> list[JSON]:
        chat = self._chat_arg(args)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        self._check_read(chat)
        return [
            self._member_dict(chat, self.users[user_id], status)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]

    def _api_leaveChat(self, args: Args) -> bool:
        chat = self._chat_arg(args)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        self._check_membership(chat)
        old = chat.members.get(self.bot.id, "left")
        chat.members[self.bot.id] = "left"
        self._my_chat_member(chat, self.bot, old, "left")
        return True

    # ------------------------------------------------------------------ membership updates

    def _my_chat_member(
        self, chat: FakeChat, actor: FakeUser, old: str, new: str
    ) -> DrivenUpdate:
        payload = {
            "chat": chat.to_dict(self.users),
            "from": actor.to_dict(),
            "date": int(self.now()),
            "old_chat_member": self._member_dict(chat, self.bot, old),
            "new_chat_member": self._member_dict(chat, self.bot, new),
        }
        update_id = self._enqueue("my_chat_member", payload)
        return DrivenUpdate("my_chat_member", payload, update_id, chat.id)

    def _chat_member(
        self, chat: FakeChat, actor: FakeUser, member: FakeUser, old: str, new: str
    ) -> DrivenUpdate:
        """Another member's status changed: ``chat_member``, which Telegram sends only to an
        administrator bot that listed it in allowed_updates."""
        payload = {
            "chat": chat.to_dict(self.users),
            "from": actor.to_dict(),
            "date": int(self.now()),
            "old_chat_member": self._member_dict(chat, member, old),
            "new_chat_member": self._member_dict(chat, member, new),
        }
        update_id = None
        if chat.members.get(self.bot.id) in ("creator", "administrator"):
            update_id = self._enqueue("chat_member", payload)
        return DrivenUpdate("chat_member", payload, update_id, chat.id)
