"""Wire parameters of a Bot API call: lenient access, reply markup parsing, content checks."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.fakebot.constants import (
    INLINE_ACTIONS,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_COPY_TEXT,
    MAX_INLINE_BUTTONS,
    MAX_TEXT_LENGTH,
)
from bot.fakebot.html import FormattedText
from bot.fakebot.records import JSON, UploadedFile, bad_request


class Args:
    """Wire parameters with tdlib-like lenient coercion."""

    def __init__(self, params: Mapping[str, str], files: Mapping[str, UploadedFile]) -> None:
        self.params = params
        self.files = files

    def get(self, name: str, default: str = "") -> str:
        value = self.params.get(name)
        return default if value is None else value

    def opt(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def integer(self, name: str, default: int = 0) -> int:
        value = self.params.get(name)
        if value in (None, ""):
            return default
        # tdlib's to_integer: leading integer part; garbage yields 0.
        match = re.match(r"\s*(-?\d+)", str(value))
        return int(match.group(1)) if match else 0

    def flag(self, name: str) -> bool:
        return str(self.params.get(name, "")).strip().lower() in ("true", "1")

    def json(self, name: str, what: str) -> Any:
        raw = self.opt(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"can't parse {what} JSON object") from exc


def parse_reply_markup(args: Args) -> JSON | None:
    """Parses reply_markup like the Bot API server: structural JSON errors first,
    normalised to what Telegram keeps (first action of each inline button)."""
    value = args.json("reply_markup", "reply keyboard markup")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    keyboard = _rows(value, "keyboard", "Field \"keyboard\" must be an Array of Arrays")
    inline = _rows(
        value,
        "inline_keyboard",
        'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    )
    selective = bool(value.get("selective") or value.get("personal_keyboard"))
    if keyboard:
        rows = [[_keyboard_button(b) for b in row] for row in keyboard]
        result: JSON = {"keyboard": rows}
        for key in ("resize_keyboard", "one_time_keyboard", "is_persistent"):
            if value.get(key):
                result[key] = True
        if value.get("input_field_placeholder"):
            result["input_field_placeholder"] = value["input_field_placeholder"]
        if selective:
            result["selective"] = True
        return result
    if inline:
        return {"inline_keyboard": [[_inline_button(b) for b in row] for row in inline]}
    if value.get("remove_keyboard") or value.get("hide_keyboard"):
        return {"remove_keyboard": True, **({"selective": True} if selective else {})}
    if value.get("force_reply") or value.get("force_reply_keyboard"):
        result = {"force_reply": True}
        if value.get("input_field_placeholder"):
            result["input_field_placeholder"] = value["input_field_placeholder"]
        return result
    return None


_PREVIEW_FLAGS = ("is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text")


def link_preview_options(args: Args) -> JSON | None:
    """link_preview_options as the Bot API server reads it: an object of known fields, or an error.

    Returns what Telegram keeps (the fields that change the default), None when nothing is set.
    """
    value = args.json("link_preview_options", "link preview options")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("object expected as link preview options")
    kept: JSON = {}
    for name in _PREVIEW_FLAGS:
        flag = value.get(name)
        if flag is None:
            continue
        if not isinstance(flag, bool):
            raise bad_request(f"can't parse link preview options: Field \"{name}\" must be of type Boolean")
        if flag:
            kept[name] = True
    url = value.get("url")
    if url is not None:
        if not isinstance(url, str):
            raise bad_request("can't parse link preview options: Field \"url\" must be of type String")
        kept["url"] = url
    return kept or None


def check_markup_content(markup: JSON | None) -> None:
    """tdlib/server-side checks, which run after chat access checks."""
    if not markup:
        return
    for row in markup.get("keyboard", []):
        for button in row:
            if not button["text"]:
                raise bad_request("keyboard button text must be non-empty")
    buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    for button in buttons:
        if not button["text"]:
            raise bad_request("inline keyboard button text must be non-empty")
        data = button.get("callback_data")
        if data is not None and len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and not _plausible_url(url):
            raise bad_request("BUTTON_URL_INVALID")
        copy = button.get("copy_text")
        if copy is not None and not 1 <= len(copy["text"]) <= MAX_COPY_TEXT:
            raise bad_request("BUTTON_COPY_TEXT_INVALID")  # approximation of the wording


def check_length(formatted: FormattedText, *, caption: bool) -> None:
    """Telegram's text and caption limits, counted as the server does: in Unicode code points
    of the text after entity parsing (tags and markup don't count; an emoji is one)."""
    length = len(formatted.text)
    if caption and length > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    if not caption and length > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def _rows(value: JSON, key: str, error: str) -> list[list[Any]]:
    rows = value.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request(error)
    return [row for row in rows if row]


def _keyboard_button(button: Any) -> JSON:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict):
        raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    return dict(button)


def _inline_button(button: Any) -> JSON:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    result: JSON = {"text": button["text"]}
    for key in ("icon_custom_emoji_id", "style"):
        if key in button:
            result[key] = button[key]
    # Like the Bot API server: the first present action wins, the rest is silently dropped.
    for action in INLINE_ACTIONS:
        value = button.get(action)
        if action in ("url", "callback_data"):
            if not value:
                continue
            result[action] = str(value)
            return result
        if action == "copy_text" and action in button:
            if not isinstance(value, dict):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "copy_text" must be of type Object'
                )
            if not isinstance(value.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            result[action] = {"text": value["text"]}
            return result
        if action in button:
            result[action] = value
            return result
    raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")


def _plausible_url(url: str) -> bool:
    if re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
        return True
    return bool(re.match(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$", url))
