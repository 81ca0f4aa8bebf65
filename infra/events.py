"""The envelope every published event carries (see docs/events.md)."""

import uuid
from datetime import datetime, timezone
from typing import Any


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime | None) -> str | None:
    """UTC ISO 8601 with a trailing Z; naive datetimes are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def envelope(
    event_type: str,
    workspace_id: int,
    aggregate_type: str,
    aggregate_id: str,
    version: int,
    change: str,
    snapshot: dict[str, Any] | None,
) -> dict[str, Any]:
    """`snapshot` is the whole aggregate after the change, or None after a delete."""
    if change not in ("created", "updated", "deleted"):
        raise ValueError("change must be created, updated or deleted, not {!r}".format(change))
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": isoformat(utcnow()),
        "workspace_id": workspace_id,
        "aggregate_type": aggregate_type,
        "aggregate_id": aggregate_id,
        "version": version,
        "change": change,
        "snapshot": snapshot,
    }
