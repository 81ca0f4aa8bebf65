"""The projection row a consumer keeps per aggregate, locked (or created) in one round trip.

Every consumer of another service's events keeps one row per aggregate with the newest `version`
it applied. Applying an event starts by locking that row, so two deliveries of events of the same
aggregate are serialized, and reading what it held, to apply the event only if it is newer
(`infra.consumers.is_newer`). On PostgreSQL one `INSERT .. ON CONFLICT DO UPDATE .. RETURNING`
creates the row if it is missing and locks it either way (the no-op update takes the row lock, after
a concurrent first insert commits); on SQLite (one connection per process, so transactions are
already serialized) an insert-if-missing and a read.

The statements are text built once: SQLAlchemy 2.0 does not cache the dialects' INSERT constructs
and would compile them again for every event.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.engine import Connection, Row


class ProjectionRows:
    def __init__(self, table: Table, key: str, columns: Sequence[str], returning: Sequence[str]) -> None:
        """`key`: the aggregate id column (unique); `columns`: what a new row is inserted with (the key
        among them), each given to `lock`; `returning`: the columns `lock` reads."""
        self.key = key
        names, values = ", ".join(columns), ", ".join(":" + name for name in columns)
        binds = [bindparam(name, type_=table.c[name].type) for name in columns]
        insert = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) ".format(table.name, names, values, key)
        self._postgres = text(
            insert + "DO UPDATE SET {0} = excluded.{0} RETURNING {1}".format(key, ", ".join(returning))
        ).bindparams(*binds)
        self._sqlite_insert = text(insert + "DO NOTHING").bindparams(*binds)
        self._sqlite_read = select(*[table.c[name] for name in returning]).where(table.c[key] == bindparam(key))

    def lock(self, connection: Connection, values: Mapping[str, Any]) -> Row[Any]:
        """The row of `values[key]`, created from `values` if missing, locked until the transaction ends."""
        if connection.dialect.name == "postgresql":
            return connection.execute(self._postgres, values).one()
        connection.execute(self._sqlite_insert, values)
        return connection.execute(self._sqlite_read, {self.key: values[self.key]}).one()
