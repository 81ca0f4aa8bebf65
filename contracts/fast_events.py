"""The contract's load of `deals.opportunity_changed` without marshmallow, for the well-formed event.

Loading an event with `OPPORTUNITY_CHANGED_SCHEMA` (a Nested schema of 27 fields) costs about 70 us
of CPU, a fifth of what an event costs its consumer. `load_opportunity_changed(payload)` answers the
same dict the schema's load would for an event it can tell is valid at a glance (every field of the
exact JSON type the contract expects) and None for anything else, which the caller then loads with
the schema as before: the schema stays the one judge of an event that is not plainly valid (coerced
values, bad ones, poison). services/goals/tests/test_fast_contract.py checks it against the schema
on generated events.
"""

from __future__ import annotations

import decimal
import uuid
from typing import Any

from contracts.events import OPPORTUNITY_STATES, OPPORTUNITY_TYPES, VALUE_TYPES

CHANGES = ("created", "updated", "deleted")
ENVELOPE_TEXT = ("event_type", "occurred_at", "aggregate_type", "aggregate_id")
ENVELOPE_OPTIONAL_TEXT = ("request_id", "causation_id")  # correlation: null or absent in older events
SNAPSHOT_TEXT = ("uuid", "name", "currency", "created_at", "updated_at")  # required strings
SNAPSHOT_OPTIONAL_TEXT = ("description", "target_date", "finished_at", "account_uuid", "campaign_uuid", "input_uuid")
SNAPSHOT_OPTIONAL_INT = ("user_id", "company_id", "currency_id", "crop_id", "variety_id", "unit_id")


class _NotPlain(Exception):
    """The payload is not plainly valid: the schema decides."""


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _NotPlain
    return value


def _int(value: Any) -> int:
    if type(value) is not int:  # not bool, float or text: the schema judges those
        raise _NotPlain
    return value


def _decimal(value: Any) -> decimal.Decimal:
    if type(value) is not str:
        raise _NotPlain
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        raise _NotPlain from None
    if not number.is_finite():
        raise _NotPlain
    return number


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    if type(value) is not str or value not in choices:
        raise _NotPlain
    return value


def _snapshot(raw: Any) -> dict[str, Any]:
    if type(raw) is not dict:
        raise _NotPlain
    snapshot: dict[str, Any] = {name: _text(raw.get(name)) for name in SNAPSHOT_TEXT}
    snapshot["id"], snapshot["workspace_id"] = _int(raw.get("id")), _int(raw.get("workspace_id"))
    for name in SNAPSHOT_OPTIONAL_TEXT:
        value = raw.get(name)
        snapshot[name] = None if value is None else _text(value)
    for name in SNAPSHOT_OPTIONAL_INT:
        value = raw.get(name)
        snapshot[name] = None if value is None else _int(value)
    snapshot["value"], snapshot["value_count"] = _decimal(raw.get("value")), _decimal(raw.get("value_count"))
    quantity = raw.get("quantity")
    snapshot["quantity"] = None if quantity is None else _decimal(quantity)
    snapshot["value_type"] = _choice(raw.get("value_type"), VALUE_TYPES)
    snapshot["current_state"] = _choice(raw.get("current_state"), OPPORTUNITY_STATES)
    snapshot["type"] = _choice(raw.get("type"), OPPORTUNITY_TYPES)
    return snapshot


def load_opportunity_changed(payload: Any) -> dict[str, Any] | None:
    """What OPPORTUNITY_CHANGED_SCHEMA.load(payload) answers, for a plainly valid payload; else None."""
    try:
        if type(payload) is not dict:
            raise _NotPlain
        event_id = _text(payload.get("event_id"))
        if len(event_id) != 36 or event_id != event_id.lower():
            raise _NotPlain
        try:
            event_uuid = uuid.UUID(event_id)
        except ValueError:
            raise _NotPlain from None
        if str(event_uuid) != event_id:
            raise _NotPlain
        event: dict[str, Any] = {name: _text(payload.get(name)) for name in ENVELOPE_TEXT}
        event["event_id"] = event_uuid
        for name in ENVELOPE_OPTIONAL_TEXT:
            value = payload.get(name)
            event[name] = None if value is None else _text(value)
        event["workspace_id"] = _int(payload.get("workspace_id"))
        event["version"] = _int(payload.get("version"))
        if event["version"] < 1:
            raise _NotPlain
        event["change"] = _choice(payload.get("change"), CHANGES)
        if "snapshot" not in payload:
            raise _NotPlain
        raw = payload["snapshot"]
        event["snapshot"] = None if raw is None else _snapshot(raw)
        return event
    except _NotPlain:
        return None
