"""CommandsMixin: the bot's command menus (setMyCommands & co.) and their scope resolution."""

from __future__ import annotations

import re

from bot.fakebot.chats import ChatsMixin
from bot.fakebot.constants import BOT_COMMAND_NAME, MAX_COMMANDS
from bot.fakebot.params import Args
from bot.fakebot.records import JSON, CommandScopeKey, bad_request


class CommandsMixin(ChatsMixin):
    """Command lists per scope and language, and the menu a user would see."""

    # ------------------------------------------------------------------ Bot API: commands

    def _scope_key(self, args: Args) -> CommandScopeKey:
        language = args.get("language_code")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        scope = args.json("scope", "BotCommandScope")
        if scope is None:
            return CommandScopeKey("default", None, None, language)
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return CommandScopeKey(kind, None, None, language)
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise bad_request("unsupported bot command scope specified")
        chat = self._chat_arg(Args({"chat_id": str(scope.get("chat_id") or "")}, {}))
        if kind == "chat_member":
            user_id = int(scope.get("user_id") or 0)
            if user_id not in self.users:
                raise bad_request("user not found")
            if chat.type == "private":
                raise bad_request("can't use chat member scope in private chats")  # approximation
            return CommandScopeKey(kind, chat.id, user_id, language)
        if kind == "chat_administrators" and chat.type == "private":
            raise bad_request("can't use chat administrators scope in private chats")  # approximation
        return CommandScopeKey(kind, chat.id, None, language)

    def _api_setMyCommands(self, args: Args) -> bool:
        raw = args.json("commands", "BotCommand array")
        if not isinstance(raw, list):
            raise bad_request("field \"commands\" must be an Array")
        key = self._scope_key(args)
        commands: list[tuple[str, str]] = []
        for item in raw:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand: expected an Object")
            command = str(item.get("command") or "").strip().removeprefix("/")
            description = str(item.get("description") or "").strip()
            if not command:
                raise bad_request("command must be non-empty")
            if len(command) > 32:
                raise bad_request("command length must not exceed 32")
            if not description:
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("command description length must not exceed 256")
            if not BOT_COMMAND_NAME.fullmatch(command):
                raise bad_request("BOT_COMMAND_INVALID")
            commands.append((command, description))
        if len(commands) > MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)
        return True

    def _api_getMyCommands(self, args: Args) -> list[JSON]:
        key = self._scope_key(args)
        return [{"command": c, "description": d} for c, d in self._commands.get(key, [])]

    def _api_deleteMyCommands(self, args: Args) -> bool:
        self._commands.pop(self._scope_key(args), None)
        return True

    # ------------------------------------------------------------------ inspection

    @property
    def commands(self) -> dict[CommandScopeKey, list[tuple[str, str]]]:
        return {key: list(value) for key, value in self._commands.items()}

    def commands_for(
        self,
        scope: str = "default",
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[tuple[str, str]]:
        return list(self._commands.get(CommandScopeKey(scope, chat_id, user_id, language_code), []))

    def visible_commands(
        self, chat_id: int, user_id: int | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The command menu a user would see in a chat (Telegram's scope resolution)."""
        chat = self._driver_chat(chat_id)
        chain: list[tuple[str, int | None, int | None]]
        if chat.type == "private":
            chain = [("chat", chat.id, None), ("all_private_chats", None, None)]
        else:
            is_admin = user_id is not None and chat.members.get(user_id) in ("creator", "administrator")
            chain = [("chat_member", chat.id, user_id)] if user_id is not None else []
            if is_admin:
                chain.append(("chat_administrators", chat.id, None))
            chain.append(("chat", chat.id, None))
            if is_admin:
                chain.append(("all_chat_administrators", None, None))
            chain.append(("all_group_chats", None, None))
        chain.append(("default", None, None))
        for scope, c_id, u_id in chain:
            for lang in ((language_code, "") if language_code else ("",)):
                key = CommandScopeKey(scope, c_id, u_id, lang)
                if key in self._commands:
                    return list(self._commands[key])
        return []
