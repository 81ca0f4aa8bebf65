"""Reads of one statement outside any transaction: the cheapest way to answer a GET of one record.

Through the worker's Session a one-row read costs about 0.5 ms of CPU: the session and its
connection wrapper, the ORM's execution and identity map, the statement's cache key, and BEGIN /
ROLLBACK around it (two more round trips, and PostgreSQL's work for them). A `Read` compiles its
statement once per dialect and runs it on a pooled DBAPI connection in autocommit mode: one round
trip, rows as named tuples (attribute access, like the ORM objects the views read), about a tenth
of the CPU. A single statement is its own consistent snapshot, so nothing is lost by leaving out the
transaction.

On PostgreSQL only (psycopg2 returns the column types the views expect: Decimal, datetime, date);
elsewhere (the SQLite default of `make run`), and inside a transaction the session has already
begun, the statement runs through the session as usual.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any, Mapping, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, MultipleResultsFound
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select


class Read:
    """`Read(select(...).where(column == bindparam("name"), ...))`: bind parameters by name.
    `elsewhere`: the statement to run through the session instead (other dialects, or inside a
    transaction), when `statement` is PostgreSQL's own (`= ANY(:list)` for a list of values)."""

    def __init__(self, statement: Select[Any], elsewhere: Select[Any] | None = None) -> None:
        self.statement = statement
        self.elsewhere = statement if elsewhere is None else elsewhere
        self._compiled: dict[str, str] = {}  # dialect name -> SQL text
        self._row_types: dict[str, Any] = {}  # dialect name -> the named tuple of its rows (named by the result)

    def one_or_none(self, session: Session, params: Mapping[str, Any]) -> Any:
        rows = self._rows(session, params, one=True)
        return rows[0] if rows else None

    def all(self, session: Session, params: Mapping[str, Any]) -> Sequence[Any]:
        return self._rows(session, params, one=False)

    def _rows(self, session: Session, params: Mapping[str, Any], one: bool) -> Sequence[Any]:
        bind = cast(Engine, session.get_bind())  # the worker sessions' bind (infra.db)
        if bind.dialect.name != "postgresql" or session.in_transaction():
            result = session.execute(self.elsewhere, params)
            if not one:
                return result.all()
            row = result.one_or_none()
            return [] if row is None else [row]
        sql = self._compiled_for(bind.dialect)
        row_type: Any = self._row_types.get(bind.dialect.name)  # a named tuple class
        connection = bind.raw_connection()  # the pool's: checked in (and reset) on close
        try:
            dbapi: Any = connection.driver_connection  # psycopg2's connection
            dbapi.autocommit = True  # no BEGIN / ROLLBACK round trips around one SELECT
            try:
                cursor = dbapi.cursor()
                try:
                    cursor.execute(sql, params)
                    rows = cursor.fetchmany(2) if one else cursor.fetchall()
                    if one and len(rows) > 1:
                        raise MultipleResultsFound("Multiple rows were found when one or none was required")
                    if row_type is None:
                        row_type = self._row_types[bind.dialect.name] = namedtuple(
                            "Row", [column[0] for column in cursor.description]
                        )
                finally:
                    cursor.close()
            finally:
                dbapi.autocommit = False  # the pool's connections are transactional
        except bind.dialect.loaded_dbapi.Error as exc:
            if bind.dialect.is_disconnect(exc, dbapi, None):
                connection.invalidate(exc)  # not back into the pool
            raise DBAPIError.instance(
                sql, params, exc, bind.dialect.loaded_dbapi.Error, connection_invalidated=connection.is_valid is False
            ) from exc
        finally:
            connection.close()
        return [row_type._make(row) for row in rows]

    def _compiled_for(self, dialect: Any) -> str:
        sql = self._compiled.get(dialect.name)
        if sql is None:
            sql = self._compiled[dialect.name] = self.statement.compile(dialect=dialect).string
        return sql
