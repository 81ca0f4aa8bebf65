"""Transactional outbox: events are rows written in the same transaction as the change they
describe, and a relay publishes them to the service's nameko event exchange with publisher
confirms, `mandatory` routing, and marks a row sent only after the broker confirmed it.

Delivery is at least once: a crash between the confirm and the mark re-publishes the row, and
consumers drop the duplicate by its version. A row the broker could not route (no consumer queue
bound yet) stays pending and is retried on a slower pass, without holding back the rows after it.
"""
import json
import logging
import os
import threading
import time
from datetime import timedelta

from kombu import Connection
from kombu.exceptions import OperationalError
from amqp.exceptions import AMQPError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from sqlalchemy import (BigInteger, Column, DateTime, Index, Integer, String, Table, Text, delete, event,
                        func, insert, select, update)
from sqlalchemy.orm import Session, sessionmaker

from infra import config
from infra.db import get_engine, now_utc

log = logging.getLogger(__name__)

_wakeups = {}  # engine url -> threading.Event (green under eventlet) of the relays on that database


def outbox_table(metadata):
    table = Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime, nullable=False, default=now_utc),
        Column("sent_at", DateTime, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
    )
    Index("ix_outbox_pending", table.c.id, postgresql_where=table.c.sent_at.is_(None),
          sqlite_where=table.c.sent_at.is_(None))
    return table


def record_event(session, table, payload):
    """Adds the event to the session's transaction; the relay is woken when it commits."""
    session.execute(insert(table).values(
        event_id=payload["event_id"],
        event_type=payload["event_type"],
        payload=json.dumps(payload, separators=(",", ":")),
        created_at=now_utc(),
    ))
    session.info["outbox_written"] = True


@event.listens_for(Session, "after_commit")
def _wake_relay(session):
    if session.info.pop("outbox_written", False) and session.bind is not None:
        wakeup = _wakeups.get(str(session.bind.url))
        if wakeup is not None:
            wakeup.set()


class Unroutable(Exception):
    """The broker had no queue bound for the event: keep the row and retry later."""


class OutboxRelay(DependencyProvider):
    """Runs in the owning service's container and drains its outbox table.

    `EVENTS_AMQP_URI` (default: the service's AMQP_URI) is where events are published.
    """

    batch_size = 200
    retry_batch_size = 50
    retry_interval = 5.0  # seconds between passes over unroutable rows (OUTBOX_RETRY_SECONDS)

    def __init__(self, table):
        self.table = table
        self._running = False
        self._thread = None
        self._connection = None
        self._returned = []

    def setup(self):
        service = self.container.service_name
        self.url = config.database_url(service)
        self.engine = get_engine(self.url)
        self.session_factory = sessionmaker(self.engine)
        self.amqp_uri = os.environ.get("EVENTS_AMQP_URI") or self.container.config[AMQP_URI_CONFIG_KEY]
        self.exchange = get_event_exchange(service, self.container.config)
        self.poll_interval = config.float_setting("OUTBOX_POLL_SECONDS", 0.5)
        self.retention_hours = config.float_setting("OUTBOX_RETENTION_HOURS", 72)
        self.retry_interval = config.float_setting("OUTBOX_RETRY_SECONDS", 5)
        self.wakeup = _wakeups.setdefault(str(self.engine.url), threading.Event())

    def start(self):
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._run)

    def stop(self):
        self._running = False
        self.wakeup.set()
        if self._thread is not None:
            self._thread.wait()
        self._close_connection()

    def kill(self):
        self._running = False
        self._close_connection()

    def get_dependency(self, worker_ctx):
        return self

    def pending_count(self):
        with self.session_factory() as session:
            return session.scalar(select(func.count()).select_from(self.table).where(self.table.c.sent_at.is_(None)))

    # --- the loop -------------------------------------------------------------------------------
    def _run(self):
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
            self.wakeup.wait(backoff)
            self.wakeup.clear()

    def relay_batch(self, retrying=False):
        """Publishes pending rows in id order and returns how many it took up.

        A row the broker could not route (no queue bound for its event type) is not sent: its
        `attempts` grows and it leaves the main pass, which would otherwise retry it before every
        later row forever; the retry pass (`retrying=True`, every `OUTBOX_RETRY_SECONDS`) tries
        those rows again. Consumers order by version, so overtaking is harmless.
        """
        table = self.table
        pending = table.c.attempts > 0 if retrying else table.c.attempts == 0
        with self.session_factory() as session, session.begin():
            rows = session.execute(
                select(table.c.id, table.c.event_type, table.c.payload)
                .where(table.c.sent_at.is_(None), pending)
                .order_by(table.c.id)
                .limit(self.retry_batch_size if retrying else self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            sent, unroutable, failure = [], [], None
            for row in rows:
                try:
                    self._publish(row.event_type, row.payload)
                except Unroutable:
                    unroutable.append(row.id)
                    continue
                except Exception as exc:  # keep the marks of the rows already confirmed: raise after commit
                    failure = exc
                    break
                sent.append(row.id)
            if sent:
                session.execute(update(table).where(table.c.id.in_(sent)).values(sent_at=now_utc()))
            if unroutable:
                session.execute(update(table).where(table.c.id.in_(unroutable)).values(attempts=table.c.attempts + 1))
                log.warning("outbox: %d %s event(s) had no queue bound on %s; retrying every %.0fs",
                            len(unroutable), "retried" if retrying else "new", self.exchange.name, self.retry_interval)
        if failure is not None:
            raise failure
        return len(rows)

    def _publish(self, event_type, payload):
        producer = self._producer()
        self._returned.clear()
        try:
            producer.publish(
                payload,  # already JSON text
                exchange=self.exchange,
                routing_key=event_type,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                mandatory=True,
                retry=False,
            )
        except (AMQPError, OperationalError, OSError):
            self._close_connection()
            raise
        # With confirms on, the broker's basic.return for an unroutable message arrives before its
        # ack, so by the time publish() returns the on_return callback has run.
        if self._returned:
            raise Unroutable("no queue is bound for {!r} on {}".format(event_type, self.exchange.name))

    def _on_return(self, exception, exchange, routing_key, message):
        self._returned.append(routing_key)

    def _producer(self):
        if self._connection is None:
            connection = Connection(self.amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=5)
            connection.connect()
            channel = connection.channel()
            self.exchange(channel).declare()
            self._connection = connection
            self._producer_obj = connection.Producer(channel, on_return=self._on_return)
        return self._producer_obj

    def _close_connection(self):
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # already broken: nothing left to release
                pass

    def _delete_old_sent_rows(self):
        cutoff = now_utc() - timedelta(hours=self.retention_hours)
        with self.session_factory() as session, session.begin():
            session.execute(delete(self.table).where(self.table.c.sent_at < cutoff))
