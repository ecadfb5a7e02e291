"""Telegram text formatting: HTML / MarkdownV2 / Markdown parsing exactly as the Bot API does it.

The parsers are ports of tdlib's ``parse_html`` / ``parse_markdown_v2`` / ``parse_markdown``
(td/telegram/MessageEntity.cpp), because the Bot API server hands ``parse_mode`` text to
tdlib unchanged: the accepted tags, the leniency (a bare ``&`` is literal text on Telegram)
and the error wording (byte offsets into the UTF-8 source) are therefore Telegram's own.
They work on UTF-8 bytes so that the reported byte offsets match Telegram's.

Besides validating, every parser renders the visible text and the ``MessageEntity`` list
(offsets in UTF-16 code units), which is what Telegram returns in the sent ``Message``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "FormattedText",
    "TextFormatError",
    "format_text",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

# Tags tdlib accepts in HTML mode; anything else is "Unsupported start tag".
_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "s": "strikethrough",
    "strike": "strikethrough", "del": "strikethrough", "u": "underline", "ins": "underline",
    "tg-spoiler": "spoiler",
}
# tdlib's is_space(): note that the C string terminator (0, our "past the end") counts too.
_SPACES = b" \t\r\n\x0b\x00"


class EntityParseError(ValueError):
    """The text could not be parsed; ``detail`` is tdlib's message (without any prefix)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TextFormatError(ValueError):
    """A complete Bot API error description (without "Bad Request: ") for bad text."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass
class FormattedText:
    """Visible text plus Bot API ``MessageEntity`` dicts (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _is_first_code_unit(byte: int) -> bool:
    return (byte & 0xC0) != 0x80


def _utf16_width(first_byte: int) -> int:
    # A 4-byte UTF-8 sequence is a code point outside the BMP: a surrogate pair in UTF-16.
    return 2 if first_byte >= 0xF0 else 1


class _Bytes:
    """UTF-8 source with C-string semantics: reading past the end yields 0, as in tdlib."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)

    def __getitem__(self, index: int) -> int:
        return self.data[index] if 0 <= index < self.size else 0


def _entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    result.update({k: v for k, v in extra.items() if v is not None})
    return result


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # tdlib's sort_entities: by offset, then longer (outer) entities first.
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------- HTML


def _decode_html_entity(src: _Bytes, pos: int) -> tuple[int, int]:
    """Returns (code point, position after the entity); code 0 means "not an entity"."""
    end = pos + 1
    code = 0
    if src[pos + 1] == ord("#"):
        end += 1
        if src[pos + 2] == ord("x"):
            end += 1
            while chr(src[end]) in "0123456789abcdefABCDEF" and src[end]:
                code = code * 16 + int(chr(src[end]), 16)
                end += 1
        else:
            while ord("0") <= src[end] <= ord("9"):
                code = code * 10 + src[end] - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(src[end]).isascii() and chr(src[end]).isalpha() and src[end]:
            end += 1
        name = src.data[pos + 1 : end]
        code = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
        if code == 0:
            return 0, pos
    if src[end] == ord(";"):
        end += 1
    return code, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    out_pos: int


class _HtmlParser:
    """Port of tdlib's parse_html; see module docstring."""

    def __init__(self, source: str, strict_ampersand: bool) -> None:
        self.src = _Bytes(source.encode("utf-8"))
        self.strict_ampersand = strict_ampersand
        self.out = bytearray()
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_OpenTag] = []

    def parse(self) -> FormattedText:
        i = 0
        src = self.src
        while i < src.size:
            c = src[i]
            if c == ord("&"):
                code, after = _decode_html_entity(src, i)
                if code:
                    self._append_char(chr(code))
                    i = after
                    continue
                if self.strict_ampersand:
                    raise EntityParseError(
                        f"Unescaped \"&\" at byte offset {i} (fakebot strict mode; Telegram "
                        "itself shows it literally)"
                    )
            if c != ord("<"):
                if _is_first_code_unit(c):
                    self.utf16 += _utf16_width(c)
                self.out.append(c)
                i += 1
                continue
            i = self._end_tag(i) if src[i + 1] == ord("/") else self._start_tag(i)
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return FormattedText(self.out.decode("utf-8", "replace"), _sorted(self.entities))

    def _append_char(self, char: str) -> None:
        encoded = char.encode("utf-8", "surrogatepass")
        self.out += encoded
        self.utf16 += 2 if ord(char) > 0xFFFF else 1

    def _start_tag(self, begin: int) -> int:
        src = self.src
        i = begin + 1
        while src[i] not in _SPACES and src[i] != ord(">") and src[i] != 0:
            i += 1
        if src[i] == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        tag = src.data[begin + 1 : i].decode("utf-8", "replace").lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        argument = ""
        while src[i] != ord(">"):
            while src[i] != 0 and src[i] in _SPACES:
                i += 1
            if src[i] == ord(">"):
                break
            attr_begin = i
            while src[i] not in _SPACES and src[i] not in b"=>/\"'" and src[i] != 0:
                i += 1
            attr = src.data[attr_begin:i].decode("utf-8", "replace")
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            while src[i] != 0 and src[i] in _SPACES:
                i += 1
            if src[i] != ord("="):
                if src[i] == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if tag == "blockquote" and attr == "expandable":
                    argument = "1"
                continue
            i += 1
            while src[i] != 0 and src[i] in _SPACES:
                i += 1
            if src[i] == 0:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if src[i] == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            argument = _tag_argument(tag, attr, value, argument)
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(_OpenTag(tag, argument, self.utf16, len(self.out)))
        return i + 1

    def _attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        if src[i] not in (ord("'"), ord('"')):
            # An unquoted name token: letters, digits, periods, hyphens; case-insensitive.
            begin = i
            while src[i] and (chr(src[i]).isascii() and (chr(src[i]).isalnum() or src[i] in b".-")):
                i += 1
            if src[i] not in _SPACES and src[i] != ord(">"):  # 0 (end) is a space here
                raise EntityParseError(f"Unexpected end of name token at byte offset {begin}")
            return src.data[begin:i].decode("utf-8", "replace").lower(), i
        quote = src[i]
        i += 1
        value = bytearray()
        while src[i] != quote and src[i] != 0:
            if src[i] == ord("&"):
                code, after = _decode_html_entity(src, i)
                if code:
                    value += chr(code).encode("utf-8", "surrogatepass")
                    i = after
                    continue
            value.append(src[i])
            i += 1
        if src[i] == quote:
            i += 1
        return value.decode("utf-8", "replace"), i

    def _end_tag(self, begin: int) -> int:
        src = self.src
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while src[i] not in _SPACES and src[i] != ord(">") and src[i] != 0:
            i += 1
        end_name = src.data[begin + 2 : i].decode("utf-8", "replace").lower()
        while src[i] in _SPACES and src[i] != 0:
            i += 1
        if src[i] != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        top = self.stack[-1]
        if end_name and end_name != top.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.name}>", '
                f'found "</{end_name}>"'
            )
        if self.utf16 > top.utf16_offset:
            self._close_entity(top)
        self.stack.pop()
        return i + 1

    def _close_entity(self, top: _OpenTag) -> None:
        offset, length = top.utf16_offset, self.utf16 - top.utf16_offset
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if top.name in _SIMPLE_TAG_TYPES or top.name == "span":
            self.entities.append(_entity(_SIMPLE_TAG_TYPES.get(top.name, "spoiler"), offset, length))
        elif top.name == "tg-emoji":
            if not top.argument.isdigit() or int(top.argument) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                _entity("custom_emoji", offset, length, custom_emoji_id=top.argument)
            )
        elif top.name == "tg-time":
            pass  # rendered as plain text by this double
        elif top.name == "a":
            url = _checked_link(top.argument or self.out[top.out_pos :].decode("utf-8", "replace"))
            if url:
                self.entities.append(_entity("text_link", offset, length, url=url))
        elif top.name == "pre":
            if last is not None and same_span and last["type"] == "code":
                # <pre><code class="language-x">: tdlib merges into one pre entity.
                self.entities.pop()
                language = last.get("language")
                self.entities.append(_entity("pre", offset, length, language=language))
            else:
                self.entities.append(_entity("pre", offset, length))
        elif top.name == "code":
            if last is not None and same_span and last["type"] == "pre" and top.argument:
                last["language"] = top.argument
            else:
                self.entities.append(
                    _entity("code", offset, length, language=top.argument or None)
                )
        elif top.name == "blockquote":
            kind = "expandable_blockquote" if top.argument else "blockquote"
            self.entities.append(_entity(kind, offset, length))


_URL_RE = re.compile(r"^(?:(https?|tg|ton)://)?([^\s/?#]+)([/?#]\S*)?$", re.IGNORECASE)


def _checked_link(url: str) -> str:
    """Approximation of tdlib's LinkManager::get_checked_link: http(s)/tg/ton links are
    kept, a bare domain gets "http://", a path-less URL gets "/", anything else is dropped
    (the text then shows without a link, and Telegram reports no error)."""
    match = _URL_RE.match(url.strip())
    if match is None:
        return ""
    scheme, host, rest = match.group(1), match.group(2), match.group(3) or ""
    if scheme and scheme.lower() in ("tg", "ton"):
        return url.strip()
    if "." not in host and not host.lower().startswith("localhost"):
        return ""
    return f"{(scheme or 'http').lower()}://{host}{rest or '/'}"


def _tag_argument(tag: str, attr: str, value: str, current: str) -> str:
    if tag == "a" and attr == "href":
        return value
    if tag == "code" and attr == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attr == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attr == "emoji-id":
        return value
    if tag == "blockquote" and attr == "expandable":
        return "1"
    return current


def parse_html(source: str, *, strict_ampersand: bool = False) -> FormattedText:
    """Parses Telegram HTML; raises EntityParseError with tdlib's message.

    ``strict_ampersand`` is NOT Telegram behaviour (Telegram shows a bare ``&`` literally);
    it lets a test insist that all user-provided text was escaped.
    """
    parsed = _HtmlParser(source, strict_ampersand).parse()
    # Only ``pre`` entities carry a language in the Bot API; a stray class="language-x" on a
    # <code> outside <pre> was kept above only so that the <pre> merge could pick it up.
    for entity in parsed.entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return parsed


# --------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = b"_*[]()~`>#+-=|{}.!\n"
_TYPE_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "pre_code": "PreCode",
    "text_link": "TextUrl", "custom_emoji": "CustomEmoji", "blockquote": "BlockQuote",
}


@dataclass
class _MdOpen:
    kind: str
    argument: str
    utf16_offset: int
    byte_offset: int
    out_pos: int


class _MarkdownV2Parser:
    """Port of tdlib's parse_markdown_v2 (without tg://time links)."""

    def __init__(self, source: str) -> None:
        self.src = _Bytes(source.encode("utf-8"))
        self.out = bytearray()
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_MdOpen] = []
        self.have_blockquote = False
        self.can_start_blockquote = True

    @staticmethod
    def _reserved(c: int) -> str:
        return f"Character '{chr(c)}' is reserved and must be escaped with the preceding '\\'"

    def _cant_find_end(self, top: _MdOpen) -> EntityParseError:
        name = _TYPE_NAMES.get(top.kind, top.kind)
        return EntityParseError(f"Can't find end of {name} entity at byte offset {top.byte_offset}")

    def parse(self) -> FormattedText:
        src = self.src
        i = 0
        while i < src.size:
            c = src[i]
            if c == ord("\\") and 0 < src[i + 1] <= 126:
                i += 1
                self.utf16 += 1
                self.out.append(src[i])
                if src[i] != ord("\r"):
                    self.can_start_blockquote = src[i] == ord("\n")
                i += 1
                continue
            reserved = _MDV2_RESERVED
            if self.stack and self.stack[-1].kind in ("code", "pre", "pre_code"):
                reserved = b"`"
            if c not in reserved:
                if _is_first_code_unit(c):
                    self.utf16 += _utf16_width(c)
                    if c != ord("\r"):
                        self.can_start_blockquote = False
                self.out.append(c)
                i += 1
                continue
            i = self._end_entity(i) if self._is_end(i) else self._begin_entity(i)
        self._finish_blockquote()
        if self.stack:
            raise self._cant_find_end(self.stack[-1])
        return FormattedText(self.out.decode("utf-8", "replace"), _sorted(self.entities))

    def _is_end(self, i: int) -> bool:
        if not self.stack:
            return False
        src, c = self.src, self.src[i]
        if self.have_blockquote and c == ord("\n") and (i + 1 == src.size or src[i + 1] != ord(">")):
            return True
        kind = self.stack[-1].kind
        nxt = src[i + 1]
        return {
            "bold": c == ord("*"),
            "italic": c == ord("_") and nxt != ord("_"),
            "code": c == ord("`"),
            "pre": c == ord("`") and nxt == ord("`") and src[i + 2] == ord("`"),
            "pre_code": c == ord("`") and nxt == ord("`") and src[i + 2] == ord("`"),
            "text_link": c == ord("]"),
            "underline": c == ord("_") and nxt == ord("_"),
            "strikethrough": c == ord("~"),
            "spoiler": c == ord("|") and nxt == ord("|"),
            "custom_emoji": c == ord("]"),
        }.get(kind, False)

    def _begin_entity(self, i: int) -> int:
        src, c = self.src, self.src[i]
        start = i
        argument = ""
        if c == ord("_"):
            kind = "underline" if src[i + 1] == ord("_") else "italic"
            i += 1 if kind == "underline" else 0
        elif c == ord("*"):
            kind = "bold"
        elif c == ord("~"):
            kind = "strikethrough"
        elif c == ord("|"):
            if src[i + 1] != ord("|"):
                raise EntityParseError(self._reserved(c))
            kind, i = "spoiler", i + 1
        elif c == ord("["):
            kind = "text_link"
        elif c == ord("`"):
            kind, argument, i = self._begin_code(i)
        elif c == ord("!"):
            if src[i + 1] != ord("["):
                raise EntityParseError(self._reserved(c))
            kind, i = "custom_emoji", i + 1
        elif c == ord("\n"):
            self.utf16 += 1
            self.out.append(c)
            self.can_start_blockquote = True
            return i + 1
        elif c == ord(">"):
            if not self.can_start_blockquote:
                raise EntityParseError(self._reserved(c))
            if self.have_blockquote:
                return i + 1
            kind = "blockquote"
            self.have_blockquote = True
        else:
            raise EntityParseError(self._reserved(c))
        self.stack.append(_MdOpen(kind, argument, self.utf16, start, len(self.out)))
        return i + 1

    def _begin_code(self, i: int) -> tuple[str, str, int]:
        src = self.src
        if not (src[i + 1] == ord("`") and src[i + 2] == ord("`")):
            return "code", "", i
        i += 3
        kind, argument = "pre", ""
        lang_end = i
        while src[lang_end] not in _SPACES and src[lang_end] != ord("`") and src[lang_end]:
            lang_end += 1
        if i != lang_end and lang_end < src.size and src[lang_end] != ord("`"):
            kind, argument = "pre_code", src.data[i:lang_end].decode("utf-8", "replace")
            i = lang_end
        if src[i] in (ord("\n"), ord("\r")):
            both = src[i + 1] in (ord("\n"), ord("\r")) and src[i] != src[i + 1]
            i += 2 if both else 1
        return kind, argument, i - 1

    def _end_entity(self, i: int) -> int:
        src, c = self.src, self.src[i]
        top = self.stack[-1]
        kind = top.kind
        if c == ord("\n") and kind != "blockquote":
            expandable = kind == "spoiler" and top.byte_offset == i - 2
            if not expandable:
                raise self._cant_find_end(top)
            self.stack.pop()
            top = self.stack[-1]
            if top.kind != "blockquote":
                raise self._cant_find_end(top)
            kind = "expandable_blockquote"
        skip = self.utf16 == top.utf16_offset
        extra: dict[str, Any] = {}
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind in ("pre", "pre_code"):
            i += 2
        elif kind in ("text_link", "custom_emoji"):
            url, i = self._link_target(i, top)
            if kind == "text_link":
                url = _checked_link(url)
                skip = skip or not url
                extra["url"] = url
            else:
                if not url.startswith("tg://emoji?id="):
                    raise EntityParseError("Invalid tg://emoji or tg://time URL specified")
                extra["custom_emoji_id"] = url[len("tg://emoji?id=") :]
        elif kind in ("blockquote", "expandable_blockquote"):
            self.have_blockquote = False
            self.out.append(src[i])
            self.can_start_blockquote = True
            self.utf16 += 1
            skip = False
        if not skip:
            length = self.utf16 - top.utf16_offset
            if kind == "pre_code":
                self.entities.append(_entity("pre", top.utf16_offset, length, language=top.argument))
            else:
                self.entities.append(_entity(kind, top.utf16_offset, length, **extra))
        self.stack.pop()
        return i + 1

    def _link_target(self, i: int, top: _MdOpen) -> tuple[str, int]:
        src = self.src
        if src[i + 1] != ord("("):
            if top.kind == "custom_emoji":
                raise EntityParseError("The entity must contain a tg://emoji or tg://time URL")
            return self.out[top.out_pos :].decode("utf-8", "replace"), i
        i += 2
        begin = i
        url = bytearray()
        while i < src.size and src[i] != ord(")"):
            if src[i] == ord("\\") and 0 < src[i + 1] <= 126:
                url.append(src[i + 1])
                i += 2
                continue
            url.append(src[i])
            i += 1
        if src[i] != ord(")"):
            raise EntityParseError(f"Can't find end of a URL at byte offset {begin}")
        return url.decode("utf-8", "replace"), i

    def _finish_blockquote(self) -> None:
        if not self.have_blockquote or not self.stack:
            return
        kind = "blockquote"
        top = self.stack[-1]
        if top.kind == "spoiler" and top.byte_offset == self.src.size - 2:
            self.stack.pop()
            kind = "expandable_blockquote"
        if self.stack and self.stack[-1].kind == "blockquote":
            top = self.stack.pop()
            self.have_blockquote = False
            if self.utf16 != top.utf16_offset:
                self.entities.append(_entity(kind, top.utf16_offset, self.utf16 - top.utf16_offset))


def parse_markdown_v2(source: str) -> FormattedText:
    """Parses MarkdownV2; raises EntityParseError with tdlib's message."""
    return _MarkdownV2Parser(source).parse()


# --------------------------------------------------------------------------- legacy Markdown


def parse_markdown(source: str) -> FormattedText:
    """Port of tdlib's legacy ``parse_markdown`` (parse_mode "Markdown")."""
    src = _Bytes(source.encode("utf-8"))
    out = bytearray()
    utf16 = 0
    entities: list[dict[str, Any]] = []
    i = 0
    while i < src.size:
        c = src[i]
        if c == ord("\\") and src[i + 1] in b"_*`[":
            i += 1
            out.append(src[i])
            utf16 += 1
            i += 1
            continue
        if c not in b"_*`[":
            if _is_first_code_unit(c):
                utf16 += _utf16_width(c)
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = ord("]") if c == ord("[") else c
        i += 1
        language = ""
        is_pre = False
        if c == ord("`") and src[i] == ord("`") and src[i + 1] == ord("`"):
            i += 2
            is_pre = True
            lang_end = i
            while src[lang_end] not in _SPACES and src[lang_end] != ord("`") and src[lang_end]:
                lang_end += 1
            if i != lang_end and lang_end < src.size and src[lang_end] != ord("`"):
                language = src.data[i:lang_end].decode("utf-8", "replace")
                i = lang_end
            if src[i] in (ord("\n"), ord("\r")):
                both = src[i + 1] in (ord("\n"), ord("\r")) and src[i] != src[i + 1]
                i += 2 if both else 1
        entity_offset = utf16
        text_begin = len(out)
        while i < src.size and (
            src[i] != end_char or (is_pre and not (src[i + 1] == ord("`") and src[i + 2] == ord("`")))
        ):
            if _is_first_code_unit(src[i]):
                utf16 += _utf16_width(src[i])
            out.append(src[i])
            i += 1
        if i == src.size:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {begin}"
            )
        if entity_offset != utf16:
            length = utf16 - entity_offset
            if c == ord("_"):
                entities.append(_entity("italic", entity_offset, length))
            elif c == ord("*"):
                entities.append(_entity("bold", entity_offset, length))
            elif c == ord("["):
                if src[i + 1] != ord("("):
                    url = out[text_begin:].decode("utf-8", "replace")
                else:
                    i += 2
                    url_bytes = bytearray()
                    while i < src.size and src[i] != ord(")"):
                        url_bytes.append(src[i])
                        i += 1
                    url = url_bytes.decode("utf-8", "replace")
                url = _checked_link(url)
                if url:
                    entities.append(_entity("text_link", entity_offset, length, url=url))
            elif is_pre:
                entities.append(_entity("pre", entity_offset, length, language=language or None))
            else:
                entities.append(_entity("code", entity_offset, length))
        if is_pre:
            i += 2
        i += 1
    return FormattedText(out.decode("utf-8", "replace"), _sorted(entities))


# --------------------------------------------------------------------------- Bot API glue

_TRIM_RIGHT = " \t\n\r"


def _trim(parsed: FormattedText) -> FormattedText:
    """tdlib's fix_formatted_text trimming: rtrim whitespace, ltrim spaces/newlines that
    precede the first entity; entities are clipped and shifted accordingly."""
    text = parsed.text.rstrip(_TRIM_RIGHT)
    limit = utf16_len(text)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        if entity["offset"] >= limit:
            continue
        clipped = dict(entity)
        clipped["length"] = min(entity["length"], limit - entity["offset"])
        if clipped["length"] > 0:
            entities.append(clipped)
    first_entity = min((e["offset"] for e in entities), default=limit)
    lead = 0
    while lead < len(text) and lead < first_entity and text[lead] in " \n":
        lead += 1
    if lead:
        text = text[lead:]
        for entity in entities:
            entity["offset"] -= lead
    return FormattedText(text, _sorted(entities))


def _explicit_entities(text: str, raw: str | None) -> FormattedText:
    if not raw:
        return FormattedText(text, [])
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise TextFormatError("can't parse entities JSON object") from exc
    if not isinstance(value, list):
        raise TextFormatError("can't parse entities JSON object")
    total = utf16_len(text)
    entities: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            raise TextFormatError("can't parse MessageEntity: expected an Object")
        for key in ("offset", "length"):
            if not isinstance(item.get(key), int):
                raise TextFormatError(f'can\'t parse MessageEntity: Field "{key}" must be a Number')
        if not isinstance(item.get("type"), str):
            raise TextFormatError('can\'t parse MessageEntity: Field "type" must be of type String')
        if item["offset"] < 0 or item["length"] < 0:
            raise TextFormatError("can't parse MessageEntity: Receive an entity with incorrect offset")
        if item["offset"] > total:
            raise TextFormatError(
                f"entity begins after the end of the text at UTF-16 offset {item['offset']}"
            )
        if item["offset"] + item["length"] > total:
            raise TextFormatError(
                f"entity beginning at UTF-16 offset {item['offset']} ends after the end of "
                f"the text at UTF-16 offset {item['offset'] + item['length']}"
            )
        if item["length"]:
            entities.append(dict(item))
    return FormattedText(text, _sorted(entities))


def format_text(
    text: str,
    parse_mode: str | None,
    entities_json: str | None = None,
    *,
    allow_empty: bool = False,
    strict_ampersand: bool = False,
) -> FormattedText:
    """Applies parse_mode (or explicit entities) and Telegram's trimming.

    Raises TextFormatError with the Bot API description (sans "Bad Request: ").
    ``allow_empty`` is for captions, which may be empty; message texts may not.
    """
    if len(text.encode("utf-8")) > (1 << 15):
        raise TextFormatError("text is too long")
    mode = (parse_mode or "").lower()
    try:
        if not text or mode in ("", "none"):
            parsed = _explicit_entities(text, entities_json)
        elif mode == "html":
            parsed = parse_html(text, strict_ampersand=strict_ampersand)
        elif mode == "markdownv2":
            parsed = parse_markdown_v2(text)
        elif mode == "markdown":
            parsed = parse_markdown(text)
        else:
            raise TextFormatError("unsupported parse_mode")
    except EntityParseError as exc:
        raise TextFormatError(f"can't parse entities: {exc.detail}") from exc
    trimmed = _trim(parsed)
    if not trimmed.text and not allow_empty:
        raise TextFormatError("text must be non-empty")
    return trimmed
