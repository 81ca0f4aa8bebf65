"""Planning an import: every row checked and deduplicated within the batch and against what the
workspace holds, on normalised keys (lower-cased email; phone as country code + digits). Pure: the
caller looks up the existing prospects and users first (`keys_of` says which keys to look up).

A row ends in exactly one of `inserts` (valid, new) or `errors` (one entry, its first problem);
a duplicate of a prospect the caller may change is also proposed in `updates`, with the fields
that differ, for the client to apply with `PATCH /prospects/{id}` (an import never updates).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from services.prospects.domain import keys
from services.prospects.domain.catalog import FOLLOW_UPS, TYPES, shipments_from_label

MAX_ROWS = 5000
MAX_SHIPMENTS = 10 ** 12
MAX_ID = 2 ** 63 - 1
TEXT_LIMITS = {"name": 150, "company": 200, "campaign": 100}


@dataclass(frozen=True)
class Existing:
    """A prospect of the workspace holding a key: its id, whether the caller may see it, and the
    fields an update would compare."""
    id: int
    visible: bool
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    inserts: list[dict] = field(default_factory=list)  # clean rows, each with its "row" index
    updates: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


class RowError(Exception):
    def __init__(self, code: str, message: str, field_name: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field_name


def _text(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RowError("INVALID_FIELD", "{} must be text".format(name), name)
    value = value.strip()
    if len(value) > TEXT_LIMITS[name]:
        raise RowError("INVALID_FIELD", "{} must be at most {} characters".format(name, TEXT_LIMITS[name]), name)
    return value or None


def _integer(row: Mapping[str, Any], name: str, low: int, high: int, code: str = "INVALID_FIELD") -> int | None:
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RowError(code, "{} must be an integer from {} to {}".format(name, low, high), name)
    return value


def _shipments(row: Mapping[str, Any]) -> int | None:
    value = row.get("monthly_shipments")
    if isinstance(value, str) and shipments_from_label(value) is not None:
        return shipments_from_label(value)
    return _integer(row, "monthly_shipments", 0, MAX_SHIPMENTS)


def clean_row(row: Mapping[str, Any]) -> dict:
    """The row's values, checked; RowError at its first problem. Fields the document does not name
    are ignored (a CSV may carry more columns)."""
    email = row.get("email")
    if email is not None:
        if not isinstance(email, str) or not keys.valid_email(email.strip()):
            raise RowError("INVALID_EMAIL", "email is not a valid email address", "email")
        email = email.strip()
    digits = None
    if row.get("phone") is not None:
        digits = keys.phone_digits(row["phone"])
        if digits is None:
            raise RowError("INVALID_PHONE", "phone must be numeric, 6 to 15 digits", "phone")
    code = None
    if row.get("code") is not None:
        code = keys.phone_code(row["code"])
        if code is None:
            raise RowError("INVALID_CODE", "code must be a country calling code (1 to 9999)", "code")
    clean = {"name": _text(row, "name"), "company_name": _text(row, "company"), "email": email,
             "email_key": keys.email_key(email), "phone_code": code, "phone": digits,
             "phone_key": keys.phone_key(code, digits), "campaign": _text(row, "campaign"),
             "locale_id": _integer(row, "locale", 1, MAX_ID),
             "type": _integer(row, "type", 1, max(TYPES), "INVALID_TYPE") or 1,
             "follow_up_id": _integer(row, "follow_up_id", 1, max(FOLLOW_UPS), "INVALID_FOLLOW_UP"),
             "monthly_shipments": _shipments(row)}
    if not clean["name"] and not clean["company_name"]:
        raise RowError("MISSING_NAME", "a row needs a name or a company", "name")
    if not clean["email"] and not clean["phone"]:
        raise RowError("MISSING_CONTACT", "a row needs an email or a phone", "email")
    return clean


def keys_of(rows: Sequence[Any]) -> tuple[set[str], set[str]]:
    """The email and phone keys of the rows that could be checked, to look up before `plan`."""
    emails, phones = set(), set()
    for row in rows:
        try:
            clean = clean_row(row)
        except RowError:
            continue
        if clean["email_key"]:
            emails.add(clean["email_key"])
        if clean["phone_key"]:
            phones.add(clean["phone_key"])
    return emails, phones


def _error(index: int, row: Mapping[str, Any], code: str, message: str, **extra: Any) -> dict:
    email = row.get("email")
    entry = {"row": index, "email": email if isinstance(email, str) else None, "code": code, "message": message}
    entry.update({name: value for name, value in extra.items() if value is not None})
    return entry


def _changes(clean: Mapping[str, Any], existing: Existing, emails: Mapping[str, Existing],
             phones: Mapping[str, Existing]) -> dict:
    """The row's fields that differ from the prospect it duplicates; an email or phone only when no
    other prospect holds it."""
    stored = existing.fields
    changes = {name: clean[name] for name in ("name", "company_name")
               if clean[name] and clean[name] != stored.get(name)}
    for key, holders, names in (("email_key", emails, ("email",)), ("phone_key", phones, ("phone_code", "phone"))):
        holder = holders.get(clean[key]) if clean[key] else None
        if clean[key] and clean[key] != stored.get(key) and (holder is None or holder.id == existing.id):
            changes.update({name: clean[name] for name in names})
    return changes


def plan(rows: Sequence[Any], emails: Mapping[str, Existing], phones: Mapping[str, Existing],
         user_emails: Mapping[str, int]) -> Plan:
    """`emails`/`phones`: the workspace's prospects by key; `user_emails`: its users' ids by email key."""
    result = Plan()
    taken_emails: dict[str, int] = {}
    taken_phones: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            clean = clean_row(row)
        except RowError as problem:
            result.errors.append(_error(index, row, problem.code, problem.message, field=problem.field))
            continue
        duplicate = _duplicate(clean, emails, phones, user_emails, taken_emails, taken_phones)
        if duplicate is None:
            if clean["email_key"]:
                taken_emails[clean["email_key"]] = index
            if clean["phone_key"]:
                taken_phones[clean["phone_key"]] = index
            result.inserts.append(dict(clean, row=index))
            continue
        code, message, existing, extra = duplicate
        result.errors.append(_error(index, row, code, message, existing_id=existing.id if existing and existing.visible
                                    else None, **extra))
        if existing is not None and existing.visible:
            changes = _changes(clean, existing, emails, phones)
            if changes:
                result.updates.append({"row": index, "id": existing.id, "changes": changes})
    return result


def _duplicate(clean: Mapping[str, Any], emails: Mapping[str, Existing], phones: Mapping[str, Existing],
               user_emails: Mapping[str, int], taken_emails: Mapping[str, int],
               taken_phones: Mapping[str, int]) -> tuple[str, str, Existing | None, dict] | None:
    """(code, message, existing prospect or None, extra fields) of the row's first duplicate, or None."""
    email, phone = clean["email_key"], clean["phone_key"]
    if email:
        if email in emails:
            return "DUPLICATE_EMAIL", "a prospect of this workspace has this email", emails[email], {}
        if email in user_emails:
            return ("DUPLICATE_EMAIL", "a user of this workspace has this email", None,
                    {"existing_user_id": user_emails[email]})
        if email in taken_emails:
            return ("DUPLICATE_EMAIL", "an earlier row of this import has this email", None,
                    {"duplicate_of_row": taken_emails[email]})
    if phone:
        if phone in phones:
            return "DUPLICATE_PHONE", "a prospect of this workspace has this phone", phones[phone], {}
        if phone in taken_phones:
            return ("DUPLICATE_PHONE", "an earlier row of this import has this phone", None,
                    {"duplicate_of_row": taken_phones[phone]})
    return None

