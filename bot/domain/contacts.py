"""Rules for what people type as contact details and codes during filing.

Phone numbers are parsed and validated by ``phonenumbers`` (Google's libphonenumber data): an
Indonesian number in the forms people write (0812…, 62812…, +62 812…), or a foreign one in
international form (+60 12…, as typed or shared with Telegram's contact button). E-mail addresses
are checked by ``email-validator`` for syntax only: no DNS lookup, the bot never touches the network
for this.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

PACKAGE_CODE_PATTERN = re.compile(r"^\d{5,20}$")
HOME_REGION = "ID"
EMAIL_MAX_LENGTH = 120
_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().-]{6,30}$")


def normalise_phone(text: str, *, international: bool = False) -> str | None:
    """The number as E.164 (``+6281234567890``, ``+60123456789``); None when it is not a valid one.

    ``international``: the text is known to carry its country code even without a ``+`` (Telegram's
    contact button sends ``6281…`` or ``60123…``).
    """
    text = text.strip()
    if not _PHONE_CHARACTERS.match(text):
        return None
    if international and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str | None:
    """The address in lower case when its syntax is valid (no deliverability check: no network)."""
    text = text.strip()
    if "@" not in text or len(text) > EMAIL_MAX_LENGTH:
        return None
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


# What typed words mean "skip this step", like the «Lewati» button.
SKIP_WORDS = frozenset({"lewati", "lewat", "skip", "tidak ada", "tidakada", "-", "selesai"})


def means_skip(text: str) -> bool:
    return " ".join(text.casefold().split()).strip(" .!") in SKIP_WORDS


def enough_letters(text: str, minimum: int) -> bool:
    """A description is words: at least ``minimum`` letters (21 emoji or digits are not a complaint)."""
    return sum(1 for ch in text if ch.isalpha()) >= minimum


def normalise_contact(text: str) -> str | None:
    """A phone number (E.164) or an e-mail address (lower case); None when it is neither."""
    text = text.strip()
    if "@" in text:
        return normalise_email(text)
    return normalise_phone(text)


def tidy_name(text: str) -> str | None:
    """A reporter's name with its spaces tidied, or None when it is not a name (2–100 characters,
    some letters)."""
    name = " ".join(text.split())
    if not 2 <= len(name) <= 100 or not any(ch.isalpha() for ch in name):
        return None
    return name
