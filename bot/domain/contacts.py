"""Rules for what people type as contact details and codes during filing."""

from __future__ import annotations

import re

EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
PACKAGE_CODE_PATTERN = re.compile(r"^\d{5,20}$")


def normalise_phone(text: str) -> str | None:
    """Indonesian mobile/landline numbers in the forms people write, as +62…; None if not one."""
    digits = re.sub(r"[\s().-]", "", text.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if not digits.isdigit():
        return None
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    national = national.lstrip("0") if national.startswith("0") else national
    if not 8 <= len(national) <= 12:
        return None
    return f"+62{national}"


def normalise_contact(text: str) -> str | None:
    text = text.strip()
    if EMAIL_PATTERN.match(text) and len(text) <= 120:
        return text.lower()
    return normalise_phone(text)
