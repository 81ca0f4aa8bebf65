"""Transactional outbox: events are rows written in the same transaction as the change they
describe, and a relay publishes them to the service's nameko event exchange with publisher
confirms, `mandatory` routing, and marks a row sent only after the broker confirmed it.

Confirms are pipelined: the relay publishes a batch of rows in id order back to back, then waits
for all their acks together (one round trip, and one quorum-queue log write, per batch rather than
per event) and marks the acked rows sent in one statement. A row the broker nacked, returned or
never confirmed stays pending; the rows confirmed before a failure keep their marks.

Delivery is at least once: a crash between the confirm and the mark re-publishes the row, and
consumers drop the duplicate by its version. A row the broker could not route (no consumer queue
bound yet) stays pending and is retried on a slower pass, without holding back the rows after it.
The confirms' bookkeeping (delivery tags, acks, nacks and returns) is infra.confirms'; the outbox
table and the writing of its rows (`outbox_table`, `record_event`, `record_events`, imported from
here) are infra.outbox_rows'.
"""

import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

from amqp.exceptions import AMQPError
from kombu import Connection
from kombu.exceptions import OperationalError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from sqlalchemy import Row, Select, Table, bindparam, delete, func, select, update
from sqlalchemy.orm import sessionmaker

from infra import metrics_export, settings
from infra.confirms import ConfirmingChannel, Nacked
from infra.db import get_engine, now_utc
from infra.outbox_rows import _wakeups, outbox_table, record_event, record_events  # services import them from here

__all__ = ["OutboxRelay", "outbox_table", "record_event", "record_events"]

log = logging.getLogger(__name__)


class OutboxRelay(DependencyProvider):
    """Runs in the owning service's container and drains its outbox table.

    `EVENTS_AMQP_URI` (default: the service's AMQP_URI) is where events are published.
    """

    batch_size = 200
    retry_batch_size = 50
    retry_interval = 5.0  # seconds between passes over unroutable rows (OUTBOX_RETRY_SECONDS)
    confirm_window = 200  # publishes awaiting their confirms at once (OUTBOX_CONFIRM_WINDOW; 1: one at a time)
    confirm_timeout = 10.0  # seconds to wait for a window's confirms (OUTBOX_CONFIRM_TIMEOUT_SECONDS)
    yield_every = 16  # publishes between yields to the eventlet hub (a send that does not block never yields)
    # after a commit wakes the relay, the commits of the next few ms join its pass: at a hundred events a
    # second and more, a pass (its transaction, SELECT, UPDATE and confirm round trip) carries several
    linger = 0.005

    def __init__(self, table: Table) -> None:
        self.table = table
        self._pending_queries: dict[tuple[bool, int], Select[Any]] = {}  # (retrying, limit) -> SELECT
        # built once: constructing a statement and its cache key cost about as much as running it
        self._mark_sent = (
            update(table).where(table.c.id.in_(bindparam("ids", expanding=True))).values(sent_at=bindparam("sent_at"))
        )
        self._mark_unroutable = (
            update(table).where(table.c.id.in_(bindparam("ids", expanding=True))).values(attempts=table.c.attempts + 1)
        )
        self._running = False
        self._thread: Any = None  # the loop's green thread
        self._connection: Connection | None = None
        self._confirming: ConfirmingChannel | None = None

    def setup(self) -> None:
        service = self.container.service_name
        config = settings.get()
        self.url = config.database_url(service)
        self.engine = get_engine(self.url)
        self.session_factory = sessionmaker(self.engine)
        self.amqp_uri = config.events_amqp_uri or self.container.config[AMQP_URI_CONFIG_KEY]
        self.exchange = get_event_exchange(service, self.container.config)
        self.poll_interval = config.outbox_poll_seconds
        self.retention_hours = config.outbox_retention_hours
        self.retry_interval = config.outbox_retry_seconds
        self.confirm_window = config.outbox_confirm_window
        self.confirm_timeout = config.outbox_confirm_timeout_seconds
        self.wakeup = _wakeups.setdefault(str(self.engine.url), threading.Event())
        metrics_export.OUTBOXES.add(service, self.engine, self.table)  # its backlog, read when scraped

    def start(self) -> None:
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._run)

    def stop(self) -> None:
        self._running = False
        self.wakeup.set()
        if self._thread is not None:
            self._thread.wait()
        self._close_connection()

    def kill(self) -> None:
        self._running = False
        self._close_connection()

    def get_dependency(self, worker_ctx: Any) -> "OutboxRelay":
        return self

    def pending_count(self) -> int:
        with self.session_factory() as session:
            count = session.scalar(select(func.count()).select_from(self.table).where(self.table.c.sent_at.is_(None)))
            return cast(int, count)  # COUNT(*) always has its row

    # --- the loop -------------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = self.poll_interval
        last_cleanup = last_retry = 0.0
        while self._running:
            try:
                while self._running and self.relay_batch() == self.batch_size:
                    pass
                if time.monotonic() - last_retry > self.retry_interval:
                    self.relay_batch(retrying=True)
                    last_retry = time.monotonic()
                backoff = self.poll_interval
                if time.monotonic() - last_cleanup > 600:
                    self._delete_old_sent_rows()
                    last_cleanup = time.monotonic()
            except Exception:  # the broker or the database is away: keep the rows, back off, retry
                log.exception("outbox relay failed; retrying in %.1fs", backoff)
                self._close_connection()
                backoff = min(backoff * 2, 5.0)
            woken = self.wakeup.wait(backoff)
            self.wakeup.clear()
            if woken and self._running and self.linger:
                time.sleep(self.linger)  # green under eventlet

    def relay_batch(self, retrying: bool = False) -> int:
        """Publishes pending rows in id order and returns how many it took up.

        Confirms are pipelined: up to `confirm_window` rows are published back to back, then the
        broker's acks are awaited together; the rows it acked are marked sent in one statement at
        the end of the batch, in the transaction that locked them. A row nacked, unconfirmed when the
        connection broke, or not confirmed within `confirm_timeout` stays pending, and the error is
        raised after the commit, so the marks of the rows confirmed before it are kept.

        A row the broker could not route (no queue bound for its event type) is not sent: its
        `attempts` grows and it leaves the main pass, which would otherwise retry it before every
        later row forever; the retry pass (`retrying=True`, every `OUTBOX_RETRY_SECONDS`) tries
        those rows again. Consumers order by version, so overtaking is harmless.
        """
        with self.session_factory() as session, session.begin():
            rows = session.execute(self._pending_query(retrying)).all()
            sent: list[int] = []
            unroutable: list[int] = []
            failure: Exception | None = None
            window = max(1, int(self.confirm_window))
            for start in range(0, len(rows), window):
                failure = self._publish_window(rows[start : start + window], sent, unroutable)
                if failure is not None:
                    break
            if sent:
                session.execute(self._mark_sent, {"ids": sent, "sent_at": now_utc()})
            if unroutable:
                session.execute(self._mark_unroutable, {"ids": unroutable})
                log.warning(
                    "outbox: %d %s event(s) had no queue bound on %s; retrying every %.0fs",
                    len(unroutable),
                    "retried" if retrying else "new",
                    self.exchange.name,
                    self.retry_interval,
                )
        if failure is not None:  # after the commit: the confirmed rows stay marked
            raise failure
        return len(rows)

    def _pending_query(self, retrying: bool) -> Select[Any]:
        """The rows a pass takes up: pending, in id order, locked (a second relay on the same table
        skips them)."""
        limit = self.retry_batch_size if retrying else self.batch_size
        query = self._pending_queries.get((retrying, limit))
        if query is None:
            table = self.table
            query = self._pending_queries[(retrying, limit)] = (
                select(table.c.id, table.c.event_id, table.c.event_type, table.c.payload)
                .where(table.c.sent_at.is_(None), table.c.attempts > 0 if retrying else table.c.attempts == 0)
                .order_by(table.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        return query

    def _publish_window(self, rows: Sequence[Row[Any]], sent: list[int], unroutable: list[int]) -> Exception | None:
        """Publishes `rows` in order, waits for their confirms and appends the ids of the rows acked
        to `sent` and of those returned to `unroutable`. Returns the error that left rows pending, if any."""
        try:
            confirming = self._confirming_channel()
        except Exception as exc:
            return exc
        failure: Exception | None = None
        try:
            for number, row in enumerate(rows, 1):
                confirming.publish(row.event_id, row.event_type, row.payload)
                if number % self.yield_every == 0:
                    time.sleep(0)  # green under eventlet: let the service's workers run between publishes
        except (AMQPError, OperationalError, OSError) as exc:  # the connection or channel is gone
            failure = exc
            self._close_connection()
        except Exception as exc:  # this row only: the ones published before it still get their confirms
            failure = exc
        if self._confirming is confirming:
            try:
                confirming.wait_for_confirms(self.confirm_timeout)
            except Exception as exc:  # connection lost or timed out: what was settled still counts
                failure = failure or exc
                self._close_connection()
        acked, nacked, returned = confirming.take_outcomes()
        for row in rows:
            if row.event_id in returned:
                unroutable.append(row.id)
            elif row.event_id in acked:
                sent.append(row.id)
        if nacked and failure is None:
            failure = Nacked("the broker nacked {} event(s) on {}".format(len(nacked), self.exchange.name))
        return failure

    def _confirming_channel(self) -> ConfirmingChannel:
        if self._confirming is None:
            connection = Connection(self.amqp_uri, connect_timeout=5)
            try:
                connection.connect()
                confirming = ConfirmingChannel(connection, self.exchange)
            except BaseException:
                connection.release()
                raise
            self._connection, self._confirming = connection, confirming
        return self._confirming

    def _close_connection(self) -> None:
        connection, self._connection, self._confirming = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # already broken: nothing left to release
                pass

    def _delete_old_sent_rows(self) -> None:
        cutoff = now_utc() - timedelta(hours=self.retention_hours)
        with self.session_factory() as session, session.begin():
            session.execute(delete(self.table).where(self.table.c.sent_at < cutoff))
