"""Opaque keyset cursors: the last row's sort key, base64url-encoded JSON.

A page asks for rows after that key (`WHERE (sort, id) > (:sort, :id)` on an index), so page
1,000 costs the same as page 1. Clients must treat the string as opaque.
"""

import base64
import binascii
import json
from typing import Any

from infra.errors import ServiceError, ValidationFailed


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: Any, error: type[ServiceError] = ValidationFailed) -> list[Any] | None:
    """The values of a cursor made by encode_cursor; `error` (a ServiceError type) if it is not one."""
    if cursor in (None, ""):
        return None
    if not isinstance(cursor, str) or len(cursor) > 512:
        raise error("Invalid page cursor", "page")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise error("Invalid page cursor", "page") from None
    if not isinstance(values, list):
        raise error("Invalid page cursor", "page")
    return values
