"""Directory rules with no I/O: credentials, API key material, permissions, who may do what."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone
from typing import Any, Iterable

from werkzeug.security import check_password_hash, generate_password_hash

from contracts.permissions import PERMISSIONS
from services.directory.exceptions import InvalidDirectoryInput, OwnerOnly

API_KEY_PREFIX = "crm"
MAX_API_KEY_LENGTH = 200


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # werkzeug's default: scrypt with a random salt


def password_matches(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


# A constant hash to compare against when the email is unknown, so a login takes as long for a
# missing user as for a wrong password (no user enumeration by timing).
DUMMY_PASSWORD_HASH = generate_password_hash("not-a-real-password")


def new_api_key() -> tuple[str, str, str]:
    """Returns (key shown once to the owner, public prefix, sha256 hash stored)."""
    prefix = secrets.token_hex(4)
    key = "{}_{}_{}".format(API_KEY_PREFIX, prefix, secrets.token_urlsafe(32))
    return key, prefix, hash_api_key(key)


def hash_api_key(key: str) -> str:
    # The key carries 256 random bits, so a fast hash is enough and lets us look it up by hash.
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_api_key(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(API_KEY_PREFIX + "_") and len(key) <= MAX_API_KEY_LENGTH


def require_owner(caller: Any) -> None:
    if not caller.is_owner:
        raise OwnerOnly()


def effective_permissions(is_owner: bool, granted: Iterable[str] | None) -> tuple[str, ...]:
    """The permission names a user holds, in the canonical order: all of them for the owner."""
    if is_owner:
        return PERMISSIONS
    held = set(granted or ())
    return tuple(name for name in PERMISSIONS if name in held)


def check_permissions_change(is_owner: bool) -> None:
    if is_owner:
        raise InvalidDirectoryInput("permissions: the workspace owner holds every permission", "permissions")


def check_deactivation(is_owner: bool) -> None:
    if is_owner:
        raise InvalidDirectoryInput("user: the workspace owner cannot be deactivated", "user")


def parse_utc(moment: Any) -> datetime | None:
    """A naive UTC datetime from ISO 8601 text (with or without an offset), or None if it is not one."""
    if not isinstance(moment, str) or len(moment) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


MAX_ID = 2**63 - 1  # BIGINT: no stored id is larger, and binding a larger one overflows (SQLite)


def as_id(value: Any) -> int:
    """An id from a path or an RPC argument; -1 (matches nothing) when it is not an integer from 1 to
    MAX_ID."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return -1
    return number if 0 < number <= MAX_ID else -1


def possible_ids(values: Iterable[Any]) -> list[int]:
    """The values that can be ids (see as_id); the others name nothing that exists."""
    return [number for number in (as_id(value) for value in values) if number != -1]


def missing_ids(wanted: Iterable[int], found: Iterable[int]) -> list[int]:
    present = set(found)
    return [item for item in sorted(set(wanted)) if item not in present]


LOGIN_FIRST_DELAY_SECONDS = 1.0
LOGIN_MAX_DELAY_SECONDS = 60.0


def failure_delay(failures: int, free: int) -> float:
    """Seconds to refuse logins after the `failures`-th failed one: none for the first `free`, then
    1 s, doubling with every further failure, at most 60 s."""
    if failures <= free:
        return 0.0
    return min(LOGIN_FIRST_DELAY_SECONDS * 2.0 ** min(failures - free - 1, 16), LOGIN_MAX_DELAY_SECONDS)
