"""The outbox table and its rows: an event is written in the same transaction as the change it
describes (`record_event`, `record_events`), and the commit of that transaction wakes the relays
(infra.outbox.OutboxRelay) that drain the table on that database. infra.outbox re-exports the public
names: services import them from there.
"""

import json
import threading
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    insert,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from infra import correlation
from infra.db import now_utc

_wakeups: dict[str, threading.Event] = {}  # engine url -> the Event (green under eventlet) of its relays
_inserts: dict[Table, Insert] = {}  # outbox table -> its INSERT


def outbox_table(metadata: MetaData) -> Table:
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
    Index(
        "ix_outbox_pending",
        table.c.id,
        postgresql_where=table.c.sent_at.is_(None),
        sqlite_where=table.c.sent_at.is_(None),
    )
    return table


def record_event(session: Session, table: Table, payload: dict[str, Any]) -> None:
    """Adds the event to the session's transaction (with its causes: infra.correlation); the relay is
    woken when it commits."""
    correlation.recorded(payload)
    statement = _inserts.get(table)
    if statement is None:  # built once per table: building it and its cache key cost as much as running it
        statement = _inserts[table] = insert(table)
    session.connection().execute(
        statement,
        {
            "event_id": payload["event_id"],
            "event_type": payload["event_type"],
            "payload": json.dumps(payload, separators=(",", ":")),
            "created_at": now_utc(),
        },
    )
    session.info["outbox_written"] = True


def record_events(session: Session, table: Table, payloads: Sequence[dict[str, Any]]) -> None:
    """`record_event` for many events in one executemany (a bulk import writes thousands)."""
    if not payloads:
        return
    statement = _inserts.get(table)
    if statement is None:
        statement = _inserts[table] = insert(table)
    now = now_utc()
    session.execute(
        statement,
        [
            {
                "event_id": payload["event_id"],
                "event_type": payload["event_type"],
                "payload": json.dumps(payload, separators=(",", ":")),
                "created_at": now,
            }
            for payload in payloads
        ],
    )
    session.info["outbox_written"] = True


@event.listens_for(Session, "after_commit")
def _wake_relay(session: Session) -> None:
    if session.info.pop("outbox_written", False) and session.bind is not None:
        wakeup = _wakeups.get(str(cast(Engine, session.bind).url))  # a service's session is bound to its engine
        if wakeup is not None:
            wakeup.set()
