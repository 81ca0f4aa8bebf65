"""Event consumption in batches: the messages waiting in a consumer's queue applied in one transaction.

An event applied alone costs a transaction (BEGIN, COMMIT and its WAL flush), a nameko worker (its
dependency providers set up and torn down) and the consumer's round trips; under load several events
wait in the queue. `BatchedEventHandler` takes up to EVENT_BATCH_SIZE of them at once (its prefetch
is at least that), hands them to one worker as a list, and `apply_batch` applies them in one
transaction, with the guarantees of the one-event path (infra.consumers):

- each message is loaded and checked against the contract first: a poison message is dead-lettered
  alone and the others go on;
- the batch commits as a whole; duplicates and reordering inside it are harmless for the same reason
  as across batches (each `apply` locks the aggregate's projection row and keeps it by version: a
  later event of the same aggregate in the same transaction sees the earlier one's row);
- a transient failure (infra.transient.is_transient) rolls the batch back and retries it whole,
  with growing delays, never dead-lettering; when the process is stopping, every message goes back
  to its queue;
- any other failure rolls the batch back and applies its events one by one, each in its own
  transaction with the one-event path's retries: only the event that fails again is dead-lettered.

Batches of one process are applied one after the other, in the order of the queue.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import QueueConsumer
from sqlalchemy.orm import Session

from infra import correlation, settings
from infra.consumers import (
    FIRST_RETRY_SECONDS,
    EventConsumer,
    ExcInfo,
    PoisonMessage,
    ReliableEventHandler,
    RetryLater,
    _roll_back,
    _sleep,
    _stopping,
)
from infra.transient import is_transient

log = logging.getLogger(__name__)


def apply_batch(consumer: EventConsumer, session: Session, payloads: list[Any]) -> list[Exception | None]:
    """One outcome per payload: None when applied, else the exception that settles that message
    (RetryLater: back to the queue; any other: the dead-letter queue). See the module docstring."""
    outcomes: list[Exception | None] = [None] * len(payloads)
    events: list[tuple[int, dict[str, Any]]] = []
    for index, payload in enumerate(payloads):
        try:
            events.append((index, consumer.load(payload)))
        except PoisonMessage as exc:
            outcomes[index] = exc
    if len(events) > 1:
        try:
            if _applied_together(consumer, session, [event for _, event in events]):
                return outcomes
        except RetryLater as exc:
            for index, _ in events:
                outcomes[index] = exc
            return outcomes
    for index, event in events:  # alone: the one-event path, its retries and its dead letter
        try:
            consumer.apply_retrying(session, event)
        except Exception as exc:
            outcomes[index] = exc
    return outcomes


def _applied_together(consumer: EventConsumer, session: Session, events: list[dict[str, Any]]) -> bool:
    """Applies `events` in one transaction, retrying a transient failure; False after any other
    failure (rolled back: the caller applies them one by one). RetryLater when stopping."""
    config = settings.get()
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            for event in events:
                correlation.bind_event(event)  # the events it causes name it (causation_id)
                consumer.apply(session, event)
            session.commit()
            return True
        except Exception as exc:
            _roll_back(session)
            if isinstance(exc, PoisonMessage) or not is_transient(exc):
                log.warning(
                    "%s: a batch of %d failed (%s: %s); applying its events one by one",
                    consumer.name,
                    len(events),
                    type(exc).__name__,
                    exc,
                )
                return False
            if _stopping.is_set():
                raise RetryLater("stopping while a batch of {} is failing: {}".format(consumer.name, exc)) from exc
            log.warning(
                "%s: a batch of %d: transient failure (%s: %s); retry in %.1fs",
                consumer.name,
                len(events),
                type(exc).__name__,
                exc,
                delay,
            )
            _sleep(delay)
            delay = min(delay * 2, config.event_retry_max_seconds)


class BatchQueueConsumer(QueueConsumer):
    """nameko's QueueConsumer (a connection of its own) whose prefetch holds a whole batch."""

    @property
    def prefetch_count(self) -> int:
        workers: int = self.container.max_workers
        return max(workers, settings.get().event_batch_size)


class BatchedEventHandler(ReliableEventHandler):
    """ReliableEventHandler (quorum queue, dead-letter queue, delivery limit) whose worker gets the
    messages waiting, up to EVENT_BATCH_SIZE, as one list and returns one outcome each."""

    queue_consumer = BatchQueueConsumer()

    def __init__(self, source_service: str, event_type: str, batch_size: int | None = None, **kwargs: Any) -> None:
        super().__init__(source_service, event_type, **kwargs)
        self.batch_size: int = batch_size or 0  # 0: EVENT_BATCH_SIZE, read in setup
        self._arrived: LightQueue = LightQueue()
        self._unsettled: dict[Any, set[int]] = {}  # channel -> delivery tags received and not yet settled
        self._loop: Any = None

    def setup(self) -> None:
        super().setup()
        self.batch_size = self.batch_size or settings.get().event_batch_size

    def start(self) -> None:
        super().start()
        self._loop = self.container.spawn_managed_thread(self._run, identifier="batches:" + self.queue.name)

    def stop(self) -> None:
        super().stop()  # no message arrives after this
        self._arrived.put(None)  # the loop ends once it has handled what arrived before

    def handle_message(self, body: Any, message: Any) -> None:
        self._unsettled.setdefault(message.channel, set()).add(message.delivery_tag)
        self._arrived.put((body, message))

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._arrived.get()]
            while len(batch) < self.batch_size:
                try:
                    batch.append(self._arrived.get_nowait())
                except Empty:
                    break
            stopping = None in batch
            batch = [item for item in batch if item is not None]
            if batch:
                self._process(batch)

    def _process(self, batch: list[tuple[Any, Any]]) -> None:
        messages = [message for _, message in batch]
        done = Event()
        try:
            self.container.spawn_worker(
                self,
                ([body for body, _ in batch],),
                {},
                context_data=self.unpack_message_headers(messages[0]),
                handle_result=partial(self._settle, messages, done),
            )
        except ContainerBeingKilled:
            for message in messages:
                self.queue_consumer.requeue_message(message)
            return
        done.wait()

    def _settle(
        self, messages: list[Any], done: Event, worker_ctx: Any, result: Any = None, exc_info: ExcInfo | None = None
    ) -> tuple[Any, ExcInfo | None]:
        try:
            if exc_info is not None or not isinstance(result, list) or len(result) != len(messages):
                # the worker failed outside apply_batch: every message goes back, judged again later
                # (the queue's delivery limit stops one that kills its process again and again)
                for message in messages:
                    self.queue_consumer.requeue_message(message)
            else:
                acked = []
                for message, outcome in zip(messages, result, strict=True):  # as many: checked above
                    if outcome is None:
                        acked.append(message)
                    else:  # dead-lettered or requeued alone, first
                        self.handle_message_processed(message, None, (type(outcome), outcome, outcome.__traceback__))
                self._ack(acked, {message.delivery_tag for message in messages})
        finally:
            for message in messages:
                unsettled = self._unsettled.get(message.channel)
                if unsettled is not None:
                    unsettled.discard(message.delivery_tag)
                    if not unsettled:
                        del self._unsettled[message.channel]
            done.send(True)
        return result, exc_info

    def _ack(self, messages: list[Any], batch_tags: set[int]) -> None:
        """Acks `messages`: with one `multiple` ack (one settlement in the quorum queue instead of one
        each) when every delivery up to the highest of them on that channel not yet settled is of this
        batch (the others of the batch were rejected or requeued just before), else one by one."""
        if not messages:
            return
        channel = messages[-1].channel
        highest = max(message.delivery_tag for message in messages)
        unsettled = self._unsettled.get(channel, set())
        if (
            len(messages) > 1
            and len(self.queue_consumer._providers) == 1  # the channel's only consumer
            and all(message.channel is channel for message in messages)
            and all(tag in batch_tags for tag in unsettled if tag <= highest)
            and channel.connection
        ):
            try:
                channel.basic_ack(highest, multiple=True)
            except ConnectionError:  # closing meanwhile: redelivered, and judged again
                return
            for message in messages:
                self._count("handled", message)
            return
        for message in messages:
            self.handle_message_processed(message)
