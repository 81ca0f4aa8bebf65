"""SQLAlchemy 2 engines and the nameko DependencyProvider that gives each worker its own session.

PostgreSQL goes through psycopg2 made green for eventlet, so a slow query parks only its own
worker. SQLite (the embedded default) never yields to the hub, so each process uses one
connection: transactions queue for it instead of blocking the hub inside SQLite's busy handler.
"""

import os
import threading
import time
import uuid
from datetime import datetime
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from infra import settings
from infra.events import utcnow

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


WAIT_THRESHOLD_MS = 1.0


class MeteredQueuePool(QueuePool):
    """QueuePool that times every checkout: how often a worker waited for a connection more than
    WAIT_THRESHOLD_MS, for how long in total and at most, and how many checkouts timed out. Opening
    a new connection is counted apart (connects, connect_ms_total), not as a wait. Read through
    `pool_stats()` (infra.stats)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics_lock = threading.Lock()
        self._checkout_state = threading.local()  # green-local under eventlet
        self.metrics: dict[str, float] = {  # counts (ints) and milliseconds
            "checkouts": 0,
            "waits_over_1ms": 0,
            "wait_ms_total": 0.0,
            "wait_ms_max": 0.0,
            "timeouts": 0,
            "connects": 0,
            "connect_ms_total": 0.0,
        }

    def _create_connection(self) -> ConnectionPoolEntry:
        started = time.perf_counter()
        try:
            return super()._create_connection()
        finally:
            spent = (time.perf_counter() - started) * 1000
            self._checkout_state.connect_ms = getattr(self._checkout_state, "connect_ms", 0.0) + spent
            with self._metrics_lock:
                self.metrics["connects"] += 1
                self.metrics["connect_ms_total"] += spent

    def _do_get(self) -> ConnectionPoolEntry:
        state = self._checkout_state
        depth = getattr(state, "depth", 0)
        if depth:  # QueuePool._do_get retries by calling itself: the outermost call measures
            return super()._do_get()
        state.depth, state.connect_ms = 1, 0.0
        started = time.perf_counter()
        try:
            return super()._do_get()
        except PoolTimeout:
            with self._metrics_lock:
                self.metrics["timeouts"] += 1
            raise
        finally:
            waited = (time.perf_counter() - started) * 1000 - state.connect_ms
            state.depth = 0
            with self._metrics_lock:
                metrics = self.metrics
                metrics["checkouts"] += 1
                if waited > WAIT_THRESHOLD_MS:
                    metrics["waits_over_1ms"] += 1
                    metrics["wait_ms_total"] += waited
                    if waited > metrics["wait_ms_max"]:
                        metrics["wait_ms_max"] = waited


def _make_psycopg_green() -> None:
    try:
        from eventlet import patcher
        from eventlet.support import psycopg2_patcher
    except ImportError:  # pragma: no cover - eventlet is always installed with nameko
        return
    if patcher.is_monkey_patched("socket"):
        psycopg2_patcher.make_psycopg_green()


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    metered: dict[str, Any] = {"poolclass": MeteredQueuePool} if path and path != ":memory:" else {}
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 15},
        **metered,
        pool_size=1,
        max_overflow=0,
        pool_timeout=30,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine


def _postgres_engine(url: str, pool_size: int) -> Engine:
    _make_psycopg_green()
    config = settings.get()
    statement_timeout_ms = config.db_statement_timeout_ms
    idle_ping_seconds = config.db_ping_idle_seconds
    engine = create_engine(
        url,
        poolclass=MeteredQueuePool,
        pool_size=pool_size,
        max_overflow=5,
        pool_timeout=10,
        pool_pre_ping=idle_ping_seconds <= 0,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": config.db_connect_timeout,
            "options": "-c statement_timeout={}".format(statement_timeout_ms),
        },
    )
    if idle_ping_seconds > 0:
        _ping_when_idle(engine, idle_ping_seconds)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """pool_pre_ping, but only for a connection idle in the pool for `idle_seconds` or more.

    pool_pre_ping costs a round trip on every checkout; a connection checked in moments ago is as
    good as a pinged one. A dead connection (the server restarted, a firewall dropped it) is
    discarded and another one checked out, as with pool_pre_ping; a disconnect on a connection
    used within `idle_seconds` invalidates the whole pool (SQLAlchemy's disconnect handling)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < idle_seconds:
            return  # new, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError("idle connection is dead: {}".format(exc)) from exc
            raise


def new_uuid() -> str:
    """Default of uuid columns: a random UUID as text."""
    return str(uuid.uuid4())


def now_utc() -> datetime:
    """Default of timestamp columns, which hold naive UTC."""
    return utcnow().replace(tzinfo=None)


def commit_or_raise(session: Session, error: Exception, flush_only: bool = False) -> None:
    """Commits (or only flushes); a constraint violation rolls back and raises `error` instead, so the
    database, not a racy check before the write, decides uniqueness."""
    try:
        session.flush() if flush_only else session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise error from exc  # the constraint that decided, in the log


def get_engine(url: str, pool_size: int = 12) -> Engine:
    """One engine per URL and process, shared by the workers and the outbox relay."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                engine = _sqlite_engine(url)
            else:
                engine = _postgres_engine(url, pool_size)
            _engines[url] = engine
        return engine


def pool_stats() -> dict[str, dict[str, float]]:
    """{database name: checkout metrics and current state} of this process's engines."""
    with _engines_lock:
        engines = list(_engines.items())
    stats: dict[str, dict[str, float]] = {}
    for url, engine in engines:
        pool: Any = engine.pool  # a QueuePool's counts; a MeteredQueuePool's metrics and their lock too
        entry: dict[str, float] = {"size": pool.size(), "checked_out": pool.checkedout(), "overflow": pool.overflow()}
        metrics = getattr(pool, "metrics", None)
        if metrics is not None:
            with pool._metrics_lock:
                entry.update(metrics)
            for key in ("wait_ms_total", "wait_ms_max", "connect_ms_total"):
                entry[key] = round(entry[key], 3)
        stats[engine.url.database or url.rsplit("/", 1)[-1]] = entry
    return stats


def dispose_engine(url: str) -> None:
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


class Database(DependencyProvider):
    """Injects a SQLAlchemy Session; one per worker, closed (rolled back if open) on teardown.

    The URL is `<SERVICE>_DATABASE_URL` (see infra.settings). The pool covers `max_workers` plus
    the relay and consumers so a worker never waits for a connection another worker holds.
    """

    def __init__(self, service_name: str | None = None) -> None:
        self.service_name = service_name
        self.sessions: dict[Any, Session] = {}  # worker context -> its session

    def setup(self) -> None:
        service = self.service_name or self.container.service_name
        self.url = settings.get().database_url(service)
        max_workers = self.container.config.get("max_workers", 10)
        self.engine = get_engine(self.url, pool_size=max_workers + 2)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def get_dependency(self, worker_ctx: Any) -> Session:
        session = self.session_factory()
        self.sessions[worker_ctx] = session
        return session

    def worker_teardown(self, worker_ctx: Any) -> None:
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()

    def kill(self) -> None:
        for session in list(self.sessions.values()):
            session.close()
        self.sessions.clear()
