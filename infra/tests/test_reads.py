"""infra.reads.Read on real PostgreSQL: one SELECT outside any transaction (the session
opens none, the pooled connection goes back transactional), inside a transaction the session's
own view, and a connection the server dropped invalidated and replaced."""

import psycopg2
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from infra.reads import Read

metadata = MetaData()
items = Table("read_items", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)))
ITEM = Read(select(items.c.id, items.c.name, text("pg_backend_pid() AS pid")).where(items.c.id == bindparam("id")))


@pytest.fixture
def engine(test_env):
    engine = create_engine(test_env.database_urls["deals"], pool_size=1, max_overflow=0)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(items.delete())
        connection.execute(items.insert(), [{"id": 1, "name": "one"}])
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def test_a_read_is_one_statement_outside_a_transaction(engine):
    with Session(engine) as session:
        row = ITEM.one_or_none(session, {"id": 1})
        assert (row.id, row.name) == (1, "one")
        assert ITEM.one_or_none(session, {"id": 2}) is None
        assert not session.in_transaction()
    with engine.connect() as connection:  # the pooled connection is transactional again
        assert connection.connection.driver_connection.autocommit is False


def test_inside_a_transaction_the_read_sees_what_it_wrote(engine):
    with Session(engine) as session:
        session.execute(items.update().values(name="uncommitted"))
        assert ITEM.one_or_none(session, {"id": 1}).name == "uncommitted"
        session.rollback()
        assert ITEM.one_or_none(session, {"id": 1}).name == "one"


def test_a_dropped_connection_is_replaced(engine, test_env):
    with Session(engine) as session:
        pid = ITEM.one_or_none(session, {"id": 1}).pid
        with psycopg2.connect(test_env.database_urls["deals"].replace("postgresql+psycopg2", "postgresql")) as admin:
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(DBAPIError) as raised:
            ITEM.one_or_none(session, {"id": 1})
        assert raised.value.connection_invalidated
        assert ITEM.one_or_none(session, {"id": 1}).pid != pid
