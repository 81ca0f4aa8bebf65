"""Loading request data with marshmallow schemas into clean dicts, or a ValidationFailed naming the field.

Integers: every integer a request carries is bounded to what the databases hold (BIGINT); a larger
one is a 400 naming the field, never a database overflow. Use `Int64` (any integer in range) or `Id`
(1 .. 2^63-1) instead of `fields.Integer`; `infra/tests/test_integer_ranges.py` walks every schema
and fails on an integer field without such a range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from infra.errors import ServiceError, ValidationFailed

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Int64(fields.Integer):
    """A strict integer within the signed 64-bit range (narrower ranges may be given as `validate`)."""

    def __init__(self, *, strict: bool = True, **kwargs: Any) -> None:
        given = kwargs.pop("validate", None)
        extra = list(given) if isinstance(given, (list, tuple)) else ([given] if given else [])
        super().__init__(strict=strict, validate=[validate.Range(min=INT64_MIN, max=INT64_MAX)] + extra, **kwargs)


def Id(**kwargs: Any) -> Int64:
    """An integer id: 1 .. 2^63-1."""
    return Int64(validate=validate.Range(min=1), **kwargs)


def _flatten(messages: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = "{}{}".format(prefix, key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = [str(message) for message in (value if isinstance(value, list) else [value])]
    return flat


def load(
    schema: Schema, data: Any, error: type[ServiceError] = ValidationFailed, partial: bool | Sequence[str] | None = None
) -> Any:
    """`schema.load(data)`; on failure raises `error` naming the first invalid field and listing all."""
    if not isinstance(data, dict):
        raise error("Request body must be a JSON object", "body")
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        errors = _flatten(exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages})
        field = sorted(errors)[0]
        raise error("{}: {}".format(field, errors[field][0]), field, errors) from None
