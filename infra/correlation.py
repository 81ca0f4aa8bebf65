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
from structlog.contextvars import bind_contextvars, get_contextvars

REQUEST_ID_KEY = "request_id"  # in the RPC context data (nameko headers) and in log lines


def bind_request(request_id):
    bind_contextvars(request_id=request_id)


def bind_event(event):
    """The event a consumer is handling (as its contract loaded it)."""
    bind_contextvars(event_id=str(event.get("event_id")), request_id=event.get("request_id"),
                     causation_id=event.get("causation_id"))


def current():
    """(request_id, event_id being handled) of this green thread; None where unbound."""
    bound = get_contextvars()
    return bound.get("request_id"), bound.get("event_id")


def stamp(payload):
    """Adds `request_id` and `causation_id` to an event envelope about to be recorded (those already
    set are kept); returns the payload."""
    request_id, causation_id = current()
    payload.setdefault("request_id", request_id)
    payload.setdefault("causation_id", causation_id)
    return payload
