"""The one path every event consumer takes.

A service declares `@event_handler("deals", "opportunity_changed")` and hands the message to an
`EventConsumer(schema, apply)`, which:

1. loads and validates the message with the contract's schema and checks the snapshot against the
   envelope; a message that fails for its own content raises `PoisonMessage`, which the entrypoint
   dead-letters at once to `<queue>.dead-letter` (never retried: it cannot get better);
2. runs `apply(session, event)` (which keeps its projection by version: `ProjectionRows` in
   infra.projections) and commits, in one place;
3. tells a failure of our own infrastructure from a bug: a transient failure (infra.transient:
   database unavailable, locked or timed out, a pool or RPC timeout, a broker hiccup) is rolled back
   and retried with growing delays for as long as it lasts, holding the message, and never
   dead-letters; any other failure is retried EVENT_RETRY_ATTEMPTS times, then dead-lettered where
   `make replay-dead-letters` (infra.deadletters) can put it back once the cause is fixed.

The queue is a quorum queue whose `x-delivery-limit` (EVENT_DELIVERY_LIMIT) only guards against a
message that kills its process again and again: a stopping process requeues the message it holds.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any, Callable, Mapping

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue
from marshmallow import Schema, ValidationError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.events import EventHandler
from sqlalchemy.orm import Session

from infra import correlation, metrics, settings
from infra.metrics_export import process_service
from infra.transient import is_transient as is_transient  # here too: infra.batching and the tests import it

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = Exchange("crm.dead-letter", type="direct", durable=True)
FIRST_RETRY_SECONDS = 0.1
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]  # a failed worker's sys.exc_info()
_stopping = threading.Event()  # set when this process's consumers stop: transient retries give up


class PoisonMessage(Exception):
    """The message fails for its own content (not the contract, inconsistent envelope): it is
    dead-lettered at once."""


class RetryLater(Exception):
    """The process is stopping while the message's failure is transient: it goes back to its queue."""


def dead_letter_queue_name(queue_name: str) -> str:
    return "{}.dead-letter".format(queue_name)


def is_newer(stored_version: int | None, incoming_version: int) -> bool:
    """Order tolerance: apply an event only if its version is newer than the one we hold."""
    return stored_version is None or incoming_version > stored_version


class EventConsumer:
    """One event type's path: contract, envelope check, apply, commit, retries (module docstring)."""

    def __init__(
        self,
        schema: Schema,
        apply: Callable[[Session, dict[str, Any]], Any],
        name: str = "",
        fast_load: Callable[[Any], dict[str, Any] | None] | None = None,
    ) -> None:
        """`fast_load`: the schema's load for a plainly valid payload (None when it cannot tell: the
        schema loads it then), e.g. contracts.fast_events.load_opportunity_changed."""
        self.schema, self.apply, self.fast_load = schema, apply, fast_load
        self.name = name or type(schema).__name__

    def load(self, payload: Any) -> dict[str, Any]:
        """The event as the contract loads it, or PoisonMessage."""
        event = self.fast_load(payload) if self.fast_load is not None else None
        if event is not None:
            check_envelope(event, self.name)
            return event
        if not isinstance(payload, dict):
            raise PoisonMessage("{} is not a JSON object".format(self.name))
        try:
            loaded: dict[str, Any] = self.schema.load(payload)  # validates while loading: one pass
        except ValidationError as exc:
            raise PoisonMessage("{} does not match the contract: {}".format(self.name, exc.messages)) from exc
        check_envelope(loaded, self.name)
        return loaded

    def handle(self, session: Session, payload: Any) -> Any:
        """Loads, applies and commits one message; see the module docstring for what is retried."""
        return self.apply_retrying(session, self.load(payload))

    def handle_batch(self, session: Session, payloads: list[Any]) -> list[Exception | None]:
        """Several messages in one transaction (infra.batching): one outcome per payload, None when
        applied, else the exception that dead-letters (or, RetryLater, requeues) that message alone."""
        from infra.batching import apply_batch  # it builds on this module

        return apply_batch(self, session, payloads)

    def apply_retrying(self, session: Session, event: dict[str, Any]) -> Any:
        """Applies and commits one loaded event, retrying as the module docstring says."""
        correlation.bind_event(event)  # its ids in our log lines and in the events it causes
        config = settings.get()
        delay, failures = FIRST_RETRY_SECONDS, 0
        while True:
            try:
                result = self.apply(session, event)
                session.commit()
                return result
            except Exception as exc:
                _roll_back(session)
                if isinstance(exc, PoisonMessage):
                    raise
                transient = is_transient(exc)
                failures += 1
                metrics.event_failed(process_service(), self.name, "transient" if transient else "unexpected")
                if not transient and failures >= config.event_retry_attempts:
                    log.exception(
                        "%s %s failed %d times; dead-lettering it", self.name, event.get("event_id"), failures
                    )
                    raise
                if transient and _stopping.is_set():
                    raise RetryLater("stopping while {} is failing: {}".format(self.name, exc)) from exc
                log.warning(
                    "%s %s: %s failure (%s: %s); retry %d in %.1fs",
                    self.name,
                    event.get("event_id"),
                    "transient" if transient else "unexpected",
                    type(exc).__name__,
                    exc,
                    failures,
                    delay,
                )
                _sleep(delay)
                delay = min(delay * 2, config.event_retry_max_seconds)


def _roll_back(session: Session) -> None:
    """Ends the failed transaction. The connection may have gone away since the failure (the server
    restarted, or dropped it): that rollback fails too, transiently, and the session reconnects on the
    next try; raising it here would have dead-lettered the message for our infrastructure's failure."""
    try:
        session.rollback()
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.warning("rollback after a failure failed too (%s: %s); the next try reconnects", type(exc).__name__, exc)


def _sleep(seconds: float) -> None:
    """Sleeps (green under eventlet), waking early when the process's consumers stop."""
    _stopping.wait(seconds)


def check_envelope(event: Mapping[str, Any], name: str = "event") -> None:
    """The snapshot must agree with its envelope: null exactly when deleted, and naming the same
    aggregate and workspace when it carries them."""
    snapshot = event.get("snapshot")
    if (snapshot is None) != (event.get("change") == "deleted"):
        raise PoisonMessage("{}: snapshot must be null exactly when change is deleted".format(name))
    if snapshot is not None:
        if "uuid" in snapshot and snapshot["uuid"] != event.get("aggregate_id"):
            raise PoisonMessage("{}: snapshot uuid does not match aggregate_id".format(name))
        if "workspace_id" in snapshot and snapshot["workspace_id"] != event.get("workspace_id"):
            raise PoisonMessage("{}: snapshot workspace_id does not match the envelope".format(name))


class ReliableEventHandler(EventHandler):
    """nameko's SERVICE_POOL event handler on a quorum queue with a dead-letter queue: success acks,
    PoisonMessage and exhausted retries dead-letter (reject without requeue), RetryLater requeues."""

    queue: Queue  # nameko's EventHandler builds it in setup

    def __init__(self, source_service: str, event_type: str, delivery_limit: int | None = None, **kwargs: Any) -> None:
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)
        self.delivery_limit = delivery_limit

    def setup(self) -> None:
        super().setup()  # builds self.queue; the QueueConsumer reads it only when it starts
        _stopping.clear()
        limit = self.delivery_limit or settings.get().event_delivery_limit
        name = self.queue.name
        self.queue = Queue(
            name,
            exchange=self.queue.exchange,
            routing_key=self.event_type,
            durable=True,
            queue_arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": limit,
                "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
                "x-dead-letter-routing-key": name,
            },
        )
        self._declare_queues(name)

    def stop(self) -> None:
        _stopping.set()  # a transient retry in progress gives up and requeues, so stopping never hangs
        super().stop()

    def unpack_message_headers(self, message: Any) -> dict[str, Any]:
        """The worker's context data: the event's request id travels on with the RPCs its handling makes."""
        data: dict[str, Any] = super().unpack_message_headers(message)
        payload = message.payload
        if isinstance(payload, dict) and payload.get(correlation.REQUEST_ID_KEY):
            data.setdefault(correlation.REQUEST_ID_KEY, payload[correlation.REQUEST_ID_KEY])
        return data

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: ExcInfo | None = None) -> None:
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            self._count("handled", message)
        elif isinstance(exc_info[1], RetryLater):
            self.queue_consumer.requeue_message(message)
            self._count("requeued", message)
        else:  # poison, or a failure that outlived its retries: to the dead-letter queue now
            if message.channel.connection:  # else the broker has reclaimed it already
                try:
                    message.reject(requeue=False)
                    self._count("dead_lettered", message)
                except ConnectionError:  # closing meanwhile: redelivered, and judged again
                    pass

    def _count(self, outcome: str, message: Any) -> None:
        payload = message.payload  # decoded once by kombu, kept
        metrics.event_done(
            self.container.service_name,
            self.event_type,
            outcome,
            payload.get("occurred_at") if isinstance(payload, dict) else None,
        )

    def _declare_queues(self, name: str) -> None:
        # Declared at setup so that events relayed before the first delivery are kept, and the
        # dead-letter queue exists before anything can be dead-lettered into it.
        dead_letters = Queue(
            dead_letter_queue_name(name),
            exchange=DEAD_LETTER_EXCHANGE,
            routing_key=name,
            durable=True,
            queue_arguments={"x-queue-type": "quorum"},
        )
        with Connection(self.container.config[AMQP_URI_CONFIG_KEY], connect_timeout=10) as connection:
            try:
                self.queue(connection.channel()).declare()
            except PreconditionFailed as exc:  # declared by an earlier release with other arguments
                log.warning("queue %s exists with other arguments (%s); keeping them", name, exc)
                self.queue(connection.channel()).queue_declare(passive=True)
            dead_letters(connection.channel()).declare()


event_handler = ReliableEventHandler.decorator


def batched_event_handler(source_service: str, event_type: str, **kwargs: Any) -> Any:
    """`event_handler` whose method takes a list of payloads and returns one outcome each
    (`EventConsumer.handle_batch`): the messages waiting in the queue are applied in one transaction."""
    from infra.batching import BatchedEventHandler  # it builds on this module

    return BatchedEventHandler.decorator(source_service, event_type, **kwargs)
