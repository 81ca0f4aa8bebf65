"""Normalised keys: what makes two emails, two phones or a search term and a name the same."""
from __future__ import annotations

import re
import unicodedata

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_EMAIL = 254
PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 6, 15
MAX_CODE = 9999


def fold(text: str | None) -> str:
    """Lower-cased, accents stripped ("Éclair Ñandú" -> "eclair nandu"), spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def search_key(company_name: str | None, name: str | None) -> str:
    """What `search` matches: the company and the contact name, folded, separated by a bar so a term
    never spans the two."""
    return "{}|{}".format(fold(company_name), fold(name))


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape `\\`) matching keys that contain the folded term."""
    folded = fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%{}%".format(folded)


def email_key(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def valid_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL and EMAIL.match(email) is not None


def phone_digits(value: object) -> str | None:
    """The digits of a phone given as a number or as text with the usual separators (`+52 (55)
    1234-5678`); None when it is not a phone: letters, a negative or fractional number, too few or
    too many digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if value < 0:
            return None
        digits = str(value)
    elif isinstance(value, str):
        text = PHONE_SEPARATORS.sub("", value.strip())
        if text.startswith("+"):
            text = text[1:]
        if not text.isdigit() or not text.isascii():
            return None
        digits = text
    else:
        return None
    return digits if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS else None


def phone_code(value: object) -> str | None:
    """A country calling code (52, "52", "+52") as digits; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 1 <= value <= MAX_CODE else None
    if isinstance(value, str):
        text = value.strip().lstrip("+")
        if text.isdigit() and text.isascii() and 1 <= int(text) <= MAX_CODE:
            return str(int(text))
    return None


def phone_key(code: str | None, digits: str | None) -> str | None:
    """The dedupe key of a phone: its country code and its digits ("52" + "5551234567")."""
    if not digits:
        return None
    return "{}{}".format(code or "", digits)
