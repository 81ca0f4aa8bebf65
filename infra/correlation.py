"""Which request, and which event, the work in hand belongs to: bound per worker (green thread) by
the entrypoint machinery, read by the log lines (infra.logs) and stamped on every event recorded
(infra.outbox.record_event), so use cases never pass ids around.

- The gateway binds each HTTP request's `request_id` (it also travels in the RPC context, nameko's
  headers); a service's RPC worker binds the one it received (infra.logs.RequestLog).
- A consumer binds the event it handles (infra.consumers.EventConsumer): its `event_id`, and the
  `request_id` and `causation_id` the event carries.
- An event recorded meanwhile gets `request_id` (the request that caused it, however many events
  away) and `causation_id` (the id of the event being handled, if any) in its envelope
  (docs/events.md).

The ids live in structlog's context variables: each green thread starts with none, so nothing
leaks from one worker to the next.
"""

from collections.abc import Mapping
from typing import Any

from structlog.contextvars import bind_contextvars, get_contextvars

from infra.logs import REQUEST_ID_KEY as REQUEST_ID_KEY  # here too: the ids' key in the RPC context data
from infra.logs import get_logger

log = get_logger("crm.events")


def bind_request(request_id: str | None) -> None:
    bind_contextvars(request_id=request_id)


def bind_event(event: Mapping[str, Any]) -> None:
    """The event a consumer is handling (as its contract loaded it)."""
    bind_contextvars(
        event_id=str(event.get("event_id")), request_id=event.get("request_id"), causation_id=event.get("causation_id")
    )


def current() -> tuple[str | None, str | None]:
    """(request_id, event_id being handled) of this green thread; None where unbound."""
    bound = get_contextvars()
    return bound.get("request_id"), bound.get("event_id")


def recorded(payload: dict[str, Any]) -> dict[str, Any]:
    """An event envelope is being written to an outbox: adds `request_id` and `causation_id` (those
    already set are kept) and, when a request or an event caused it, logs a line naming it
    (`recorded_event_id`, with the ids bound here; a command-line resync writes none)."""
    request_id, causation_id = current()
    payload.setdefault("request_id", request_id)
    payload.setdefault("causation_id", causation_id)
    if request_id is None and causation_id is None:
        return payload
    log.info(
        "recorded {} {} v{}".format(payload["event_type"], payload["aggregate_id"], payload["version"]),
        recorded_event_id=payload["event_id"],
    )
    return payload
