"""The document's forms of values: dates, decimals as shown, id lists, and name search keys."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_DOCUMENT_DATE = re.compile(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(value: Any) -> date:
    """The document's `12-03-2014` (day-month-year, also with dots) or ISO `2014-03-12`."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD or DD-MM-YYYY)")
    text = value.strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DOCUMENT_DATE.match(text)
        if not match:
            raise ValueError("must be a date (YYYY-MM-DD or DD-MM-YYYY)")
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("is not a valid calendar date") from None


def decimal_text(number: Decimal | int | str | None) -> str | None:
    """Decimals as the document shows them: `10000.0`, `75.5` (never an exponent)."""
    if number is None:
        return None
    number = Decimal(number)
    if number == number.to_integral_value():
        return "{}.0".format(int(number))
    return format(number.normalize(), "f")


def json_number(number: Decimal | int | str | None) -> int | float:
    """A sum for the stats answer: an integer when whole (the document shows `217408`)."""
    number = Decimal(number or 0)
    if number == number.to_integral_value():
        return int(number)
    return float(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def parse_id_list(value: Any, maximum: int = 2**63 - 1) -> list[int]:
    """`person_ids_set`: "1, 2" or [1, 2] -> sorted unique ints; ValueError if not ids."""
    if value is None or value == "":
        return []
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)):
        raise ValueError("must be a comma-separated list of ids")
    ids = set()
    for part in parts:
        if isinstance(part, bool):
            raise ValueError("must be a comma-separated list of ids")
        text = str(part).strip()
        if not text:
            continue
        if not text.isdigit() or len(text) > 19 or int(text) > maximum:
            raise ValueError("must be a comma-separated list of ids")
        ids.add(int(text))
    return sorted(ids)


def search_key(name: str | None) -> str:
    """The case-insensitive form names are searched by (stored, indexed, same on every database)."""
    return (name or "").casefold()


def like_prefix(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
