"""What the consumer path (infra.consumers) takes for a failure of our own infrastructure, retried for
as long as it lasts: PostgreSQL's conditions by SQLSTATE, and, on real PostgreSQL, a connection the
server drops between a failure and its rollback (the rollback fails too; it used to escape `handle`
and dead-letter the message)."""

import time

import psycopg2
import pytest
from marshmallow import Schema, fields
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from infra.consumers import FIRST_RETRY_SECONDS, EventConsumer, is_transient
from infra.errors import ServiceTimeout
from infra.metrics_export import process_service


class Ping(Schema):
    """An event with no snapshot (the envelope check wants `change: deleted` then)."""

    event_id = fields.String(required=True)
    change = fields.String(required=True)


def test_a_rollback_on_a_dropped_connection_is_retried(test_env):
    url = test_env.database_urls["accounts"]  # any per-run PostgreSQL database will do
    engine = create_engine(url)
    calls = []

    def apply(session, event):
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        calls.append(pid)
        if len(calls) == 1:  # the first try fails (transiently), and its connection goes away before the rollback
            with psycopg2.connect(url) as admin:
                admin.autocommit = True
                with admin.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
            time.sleep(0.2)
            raise ServiceTimeout("a call this event needed did not answer")
        return "applied"

    failed = {"service": process_service(), "event_type": "ping", "kind": "transient"}
    failed_before = REGISTRY.get_sample_value("crm_events_failed_total", failed) or 0
    started = time.monotonic()
    try:
        with Session(engine) as session:
            assert (
                EventConsumer(Ping(), apply, "ping").handle(session, {"event_id": "1", "change": "deleted"})
                == "applied"
            )
    finally:
        engine.dispose()
    assert len(calls) == 2 and calls[0] != calls[1]  # tried again, on a new connection
    assert time.monotonic() - started >= FIRST_RETRY_SECONDS
    assert REGISTRY.get_sample_value("crm_events_failed_total", failed) == failed_before + 1  # the failed try counted


class _PgError(Exception):
    def __init__(self, pgcode):
        super().__init__("pgcode {}".format(pgcode))
        self.pgcode = pgcode


@pytest.mark.parametrize(
    "pgcode, transient",
    [
        ("57014", True),  # statement timeout or cancel (a lock held longer than DB_STATEMENT_TIMEOUT_MS)
        ("55P03", True),  # lock_timeout
        ("40P01", True),  # deadlock
        ("57P01", True),  # the server is shutting down
        ("08006", True),  # connection failure
        ("53100", True),  # disk full
        ("53200", True),  # out of memory
        ("53300", True),  # too many connections
        ("58030", True),  # I/O error
        ("25P03", True),  # idle-in-transaction session timeout
        ("23505", False),  # unique violation: the code's or the message's, not the infrastructure's
        ("22003", False),  # numeric value out of range
        ("42P01", False),  # undefined table
    ],
)
def test_our_infrastructures_postgresql_failures_are_transient(pgcode, transient):
    assert is_transient(OperationalError("SELECT 1", {}, _PgError(pgcode))) is transient
    assert is_transient(DBAPIError("SELECT 1", {}, _PgError(pgcode))) is transient
