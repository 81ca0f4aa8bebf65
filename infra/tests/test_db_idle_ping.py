"""Connections are pinged on checkout only after sitting idle (DB_PING_IDLE_SECONDS): a dead idle
connection is replaced without the caller noticing, a recently used one is not pinged."""

import time

import psycopg2
from sqlalchemy import text

from infra import db, settings


def _engine(test_env, monkeypatch, idle_seconds):
    monkeypatch.setenv("DB_PING_IDLE_SECONDS", str(idle_seconds))
    settings.reload()
    url = test_env.database_urls["directory"]  # any per-run PostgreSQL database will do
    db.dispose_engine(url)
    return db._postgres_engine(url, pool_size=1)


def _kill(test_env, pid):
    with psycopg2.connect(test_env.database_urls["directory"]) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(0.2)


def test_a_recently_used_connection_is_not_pinged(test_env, monkeypatch):
    engine = _engine(test_env, monkeypatch, 30)
    pinged = []

    def ping(connection):
        pinged.append(connection)
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    try:
        for _ in range(3):
            with engine.connect() as connection:
                assert connection.execute(text("SELECT 1")).scalar() == 1
        assert pinged == []
    finally:
        engine.dispose()


def test_a_dead_idle_connection_is_replaced_on_checkout(test_env, monkeypatch):
    engine = _engine(test_env, monkeypatch, 0.3)
    try:
        with engine.connect() as connection:
            first_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        _kill(test_env, first_pid)
        time.sleep(0.3)  # idle long enough to be pinged
        with engine.connect() as connection:  # the ping finds it dead: a new connection, no error
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != first_pid
    finally:
        engine.dispose()


def test_zero_keeps_a_ping_on_every_checkout(test_env, monkeypatch):
    engine = _engine(test_env, monkeypatch, 0)
    try:
        assert engine.pool._pre_ping
    finally:
        engine.dispose()
