"""Automatic entities: what Telegram's server marks in a user's plain text before the bot sees it.

Telegram runs tdlib's ``find_entities`` over every incoming text and caption: bot commands,
@mentions, #hashtags, $CASHTAGS, URLs and e-mail addresses arrive as ``MessageEntity`` objects
even though the user typed none. Offsets and lengths are UTF-16 code units, like every entity.
The patterns follow tdlib's rules in outline (td/telegram/MessageEntity.cpp); its full
top-level-domain list and bank-card/phone heuristics are an approximation left out here.
"""

from __future__ import annotations

import re

from bot.fakebot.constants import COMMAND_RE
from bot.fakebot.html import utf16_len
from bot.fakebot.records import JSON

__all__ = ["auto_entities"]

# @username: 5..32 characters of [A-Za-z0-9_], not glued to a preceding word character.
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?![\w@])")
# A hashtag needs at least one letter (``#2026`` is not one).
_HASHTAG = re.compile(r"(?<![\w#])#(?=\w*[^\W\d_])\w{1,256}")
_CASHTAG = re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![\w$])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w@])")
# tdlib accepts only real top-level domains; a short list of common ones stands in for its
# full table (approximation), so "Jl.Sudirman" stays plain text as it does on Telegram.
_TLDS = (
    "com|org|net|id|io|info|biz|gov|edu|co|me|app|dev|xyz|online|site|ru|uk|us|de|nl|sg|my|"
    "au|jp|cn|in|tv|ly"
)
_URL = re.compile(
    r"(?<![\w@/.])(?:https?://[^\s/]+|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    rf"(?:{_TLDS}))(?![\w-])(?::\d{{1,5}})?(?:/[^\s]*)?(?<![.,;:!?)\]'\"])",
    re.IGNORECASE,
)


def auto_entities(text: str) -> list[JSON]:
    """The entities Telegram adds to a user's ``text`` (sorted by offset, no overlaps)."""
    found: list[tuple[int, int, str]] = []
    for match in COMMAND_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _EMAIL.finditer(text):
        found.append((match.start(), match.end(), "email"))
    for match in _URL.finditer(text):
        found.append((match.start(), match.end(), "url"))
    for match in _MENTION.finditer(text):
        found.append((match.start(), match.end(), "mention"))
    for match in _HASHTAG.finditer(text):
        found.append((match.start(), match.end(), "hashtag"))
    for match in _CASHTAG.finditer(text):
        found.append((match.start(), match.end(), "cashtag"))
    # Earlier kinds win where matches overlap (an e-mail address contains a "domain").
    taken: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if any(start < t_end and t_start < end for t_start, t_end, _ in taken):
            continue
        taken.append((start, end, kind))
    taken.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in taken
    ]
