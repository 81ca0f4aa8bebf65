"""A deal's own rules: the columns an input changes, the state and finished_at, and which of its
references to other services' records must be checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from contracts.events import OPEN_STATES
from services.deals.domain.values import search_key
from services.deals.exceptions import InvalidDeal

MAX_ID = 2**31 - 1  # integer columns
FINISHED_STATES = ("won", "lost")
SCALAR_FIELDS = (
    "user_id",
    "company_id",
    "name",
    "description",
    "value",
    "value_type",
    "value_count",
    "currency",
    "target_date",
    "type",
    "crop_id",
    "variety_id",
    "quantity",
    "unit_id",
)
UUID_FIELDS = ("account_uuid", "campaign_uuid", "input_uuid")
# what a deal points at in other services, checked in the caller's workspace when it is set
REFERENCE_FIELDS = ("user_id", "account_uuid", "campaign_uuid")


def finished_at_after(
    old_state: str | None, old_finished_at: datetime | None, new_state: str, now: datetime
) -> datetime | None:
    """finished_at is set when the state becomes won or lost and cleared when the deal reopens."""
    if new_state in OPEN_STATES:
        return None
    if new_state != old_state or old_finished_at is None:
        return now
    return old_finished_at


def deal_changes(current: Mapping[str, Any], data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The columns `data` (validated input, partial on update) sets on a deal holding `current`
    (its `current_state`, `finished_at`, `quantity` and `unit_id`; empty for a new deal):
    finished_at in step with the state, the search key with the name, uuids as text.
    InvalidDeal if the deal would have a quantity without a unit."""
    changes = {name: data[name] for name in SCALAR_FIELDS if name in data}
    changes.update({name: None if data[name] is None else str(data[name]) for name in UUID_FIELDS if name in data})
    if "name" in data:
        changes["name_search"] = search_key(data["name"])
    quantity = changes["quantity"] if "quantity" in changes else current.get("quantity")
    unit_id = changes["unit_id"] if "unit_id" in changes else current.get("unit_id")
    if quantity is not None and unit_id is None:
        raise InvalidDeal("is required when quantity is given", "unit_id")
    old_state = current.get("current_state")
    new_state = data.get("current_state", old_state or "open_0")
    changes["finished_at"] = finished_at_after(old_state, current.get("finished_at"), new_state, now)
    changes["current_state"] = new_state
    return changes


def references_to_check(data: Mapping[str, Any], current: Mapping[str, Any], caller_user_id: int) -> dict[str, Any]:
    """The references `data` sets that must be found in the caller's workspace: those given, not
    null and not what the deal already holds (`current`; empty for a new deal). The caller needs
    no check as the responsible user."""
    wanted = {}
    for name in REFERENCE_FIELDS:
        value = data.get(name)
        if value is None or (name == "user_id" and value == caller_user_id):
            continue
        value = value if name == "user_id" else str(value)
        if value != current.get(name):
            wanted[name] = value
    return wanted
