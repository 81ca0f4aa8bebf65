"""Which failures are our own infrastructure's and pass (the database unavailable, locked or timed
out, a pool or RPC timeout, a broker hiccup) rather than the message's or the code's: an event
consumer (infra.consumers, infra.batching) retries those for as long as they last and never
dead-letters the message for them.
"""

import socket
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from infra.errors import ServiceTimeout, ServiceUnavailable

# PostgreSQL conditions that pass: serialization failure, deadlock, lock not available, statement
# timeout or cancel, the server shutting down or restarting, a session timed out (idle, idle in a
# transaction), a system or I/O error; and the classes of connection exceptions (08) and of
# insufficient resources (53: disk full, out of memory, too many connections).
TRANSIENT_PGCODES = {"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "57P05", "25P03", "58000", "58030"}
TRANSIENT_PGCLASSES = ("08", "53")


def is_transient(exc: BaseException) -> bool:
    """A failure of our own infrastructure that will pass, rather than of the message or the code."""
    if isinstance(
        exc,
        (
            ServiceUnavailable,
            ServiceTimeout,
            PoolTimeout,
            DisconnectionError,
            ConnectionError,
            socket.timeout,
            TimeoutError,
        ),
    ):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        code: Any = getattr(exc.orig, "pgcode", False)  # psycopg2's SQLSTATE (text or None); False: not psycopg2
        if code is False:  # SQLite: only a busy or locked database passes
            text = str(exc.orig).lower()
            return "database is locked" in text or "database is busy" in text
        if code:
            return code in TRANSIENT_PGCODES or code.startswith(TRANSIENT_PGCLASSES)
        # a psycopg2 error without SQLSTATE: the server could not be reached or went away
        return isinstance(exc, (OperationalError, InterfaceError))
    return False
