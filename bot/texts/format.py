"""Indonesian rendering of dates, money and HTML-safe text (no Telegram imports)."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names, get_timezone_name
from babel.numbers import format_decimal

LOCALE = "id_ID"
WITA = ZoneInfo("Asia/Makassar")
# Babel's Indonesian short names for zones are GMT offsets; people here say WIB/WITA/WIT.
_ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                       "Asia/Jayapura": "WIT"}

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024


def esc(value: object) -> str:
    """Escapes user-provided text for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=True)


def zone_abbreviation(zone: ZoneInfo) -> str:
    return _ZONE_ABBREVIATIONS.get(zone.key) or get_timezone_name(zone, "short", locale=LOCALE)


# Babel's Indonesian names, read once: running Babel's pattern engine for every date in a list
# of twenty tickets costs more than the rest of building the message.
_MONTHS = dict(get_month_names("wide", locale=LOCALE).items())
_MONTHS_SHORT = dict(get_month_names("abbreviated", locale=LOCALE).items())
_DAYS = dict(get_day_names("wide", locale=LOCALE).items())  # 0 = Monday, like date.weekday()


def format_when(moment: dt.datetime, zone: ZoneInfo = WITA) -> str:
    """'Senin, 04 Januari 2027 pukul 16.00 WITA'."""
    local = moment.astimezone(zone)
    return f"{format_date(local.date())} pukul {local:%H.%M} {zone_abbreviation(zone)}"


def format_short(moment: dt.datetime, zone: ZoneInfo = WITA) -> str:
    """'04 Jan 2027 16.00' for lists where space is short."""
    local = moment.astimezone(zone)
    return f"{local.day:02d} {_MONTHS_SHORT[local.month]} {local.year} {local:%H.%M}"


def format_date(day: dt.date) -> str:
    """'Senin, 04 Januari 2027'."""
    return f"{_DAYS[day.weekday()]}, {day.day:02d} {_MONTHS[day.month]} {day.year}"


def format_rupiah(amount: Decimal | int | float | None) -> str:
    """'Rp 1.250.000.000' (decimals only when there are any)."""
    if amount is None:
        return "-"
    value = Decimal(amount)
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    return f"Rp {format_decimal(value, format=pattern, locale=LOCALE)}"


def split_for_telegram(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Splits HTML text into chunks Telegram accepts, at line breaks where possible.

    Open tags are closed at the end of a chunk and reopened at the start of the next, so
    every chunk is valid HTML on its own. Lengths are counted on the visible text in UTF-16
    code units, as Telegram does.
    """
    if _visible_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    current_len = 0
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    reopen_prefix = ""

    def flush() -> None:
        nonlocal current, current_len, reopen_prefix
        closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        body = "".join(current)
        if body.strip():
            chunks.append(reopen_prefix + body + closing)
        reopen_prefix = "".join(tag for _, tag in open_tags)
        current, current_len = [], 0

    for token, visible, tag in _tokens(text):
        if tag is not None:
            name, is_closing = tag
            if is_closing:
                if open_tags and open_tags[-1][0] == name:
                    open_tags.pop()
            else:
                open_tags.append((name, token))
            current.append(token)
            continue
        budget = limit - 64  # leave room for reopened tags' visible-free markup
        while current_len + visible > budget:
            # Break long text runs at a newline or space inside the budget.
            room = budget - current_len
            cut = _cut_point(token, room)
            if cut <= 0:
                flush()
                continue
            piece = token[:cut]
            current.append(piece)
            current_len += _utf16_len(html.unescape(piece))
            token = token[cut:].lstrip("\n")
            visible = _utf16_len(html.unescape(token))
            flush()
        current.append(token)
        current_len += visible
    flush()
    return chunks


def _tokens(text: str) -> list[tuple[str, int, tuple[str, bool] | None]]:
    result: list[tuple[str, int, tuple[str, bool] | None]] = []
    for part in re.split(r"(<[^>]+>)", text):
        if not part:
            continue
        if part.startswith("<"):
            match = re.match(r"</?\s*([a-zA-Z-]+)", part)
            name = match.group(1).lower() if match else ""
            result.append((part, 0, (name, part.startswith("</"))))
        else:
            # Keep lines separate so splits prefer line breaks.
            for line in re.split(r"(?<=\n)", part):
                if line:
                    result.append((line, _utf16_len(html.unescape(line)), None))
    return result


def _cut_point(token: str, room: int) -> int:
    """Largest cut ≤ room visible units, preferring whitespace, never inside an entity."""
    if room <= 0:
        return 0
    # Map visible units to raw indices (entities count as one character).
    raw_index, units = 0, 0
    limit_index = 0
    for match in re.finditer(r"&#?\w+;|.", token, flags=re.DOTALL):
        size = _utf16_len(html.unescape(match.group()))
        if units + size > room:
            break
        units += size
        raw_index = match.end()
        limit_index = raw_index
    window = token[:limit_index]
    for separator in ("\n", " "):
        position = window.rfind(separator)
        if position > limit_index // 2:
            return position + 1
    return limit_index


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _visible_length(text: str) -> int:
    return _utf16_len(html.unescape(re.sub(r"<[^>]+>", "", text)))


def fits_caption(html_text: str) -> bool:
    """Whether HTML text fits in a photo's or document's caption (Telegram counts what is shown)."""
    return _visible_length(html_text) <= TELEGRAM_CAPTION_LIMIT


def truncate_plain(text: str, limit: int) -> str:
    """Shortens plain text for previews (before escaping)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
