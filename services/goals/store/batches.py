"""The statements an event writes with: the figures of the goals it moved and the deal's
contributions, several rows per statement.

The multi-row statements are text built once per number of rows (SQLAlchemy 2.0 does not cache the
dialects' INSERT constructs, it would compile them again for every event; a text statement is
compiled once), with the rows' values as parameters `<column>_<n>`.
"""
from sqlalchemy import bindparam, delete, text, update
from sqlalchemy.dialects import postgresql

from services.goals.models import Contribution, Goal
from services.goals.store.affected_goals import FIGURES

_goals, _contributions = Goal.__table__, Contribution.__table__
_UPDATE_GOAL = update(_goals).where(_goals.c.id == bindparam("goal_id"))
_DELETE_CONTRIBUTIONS = delete(_contributions).where(
    _contributions.c.opportunity_uuid == bindparam("uuid"),
    _contributions.c.goal_id.in_(bindparam("goal_ids", expanding=True)))
CONTRIBUTION_COLUMNS = ("goal_id", "opportunity_uuid", "user_id", "state", "amount", "raw_quantity", "raw_unit_id")
_GOAL_UPDATES = {}  # number of goals -> statement
_UPSERTS = {}       # number of contributions -> statement


def update_goals(connection, moved):
    """Writes the figures of the goals an event moved (already locked): each a dict of FIGURES and
    `goal_id`. PostgreSQL: one UPDATE .. FROM (VALUES ..) for several goals."""
    if connection.dialect.name == "postgresql" and len(moved) > 1:
        connection.execute(*_numbered(_update_goals_statement(len(moved)), moved))
        return
    for changes in moved:
        connection.execute(_UPDATE_GOAL, changes)


def delete_contributions(connection, opportunity_uuid, goal_ids):
    connection.execute(_DELETE_CONTRIBUTIONS, {"uuid": opportunity_uuid, "goal_ids": goal_ids})


def upsert_contributions(connection, rows):
    """One INSERT .. ON CONFLICT DO UPDATE for the rows (dicts of CONTRIBUTION_COLUMNS); PostgreSQL and
    SQLite share the syntax."""
    connection.execute(*_numbered(_upsert_statement(len(rows)), rows))


def _numbered(statement, rows):
    return statement, {"{}_{}".format(name, n): row[name] for n, row in enumerate(rows) for name in row}


def _update_goals_statement(count):
    statement = _GOAL_UPDATES.get(count)
    if statement is None:
        columns = ("goal_id",) + FIGURES
        types = {name: _goals.c["id" if name == "goal_id" else name].type for name in columns}
        sql_types = {name: type_.compile(dialect=postgresql.dialect()) for name, type_ in types.items()}
        values = ", ".join("({})".format(", ".join("CAST(:{}_{} AS {})".format(name, n, sql_types[name])
                                                   for name in columns)) for n in range(count))
        statement = text("UPDATE goals SET {} FROM (VALUES {}) AS moved ({}) WHERE goals.id = moved.goal_id".format(
            ", ".join("{0} = moved.{0}".format(name) for name in FIGURES), values, ", ".join(columns)))
        statement = _GOAL_UPDATES[count] = statement.bindparams(*[
            bindparam("{}_{}".format(name, n), type_=types[name]) for n in range(count) for name in columns])
    return statement


def _upsert_statement(count):
    statement = _UPSERTS.get(count)
    if statement is None:
        values = ", ".join("({})".format(", ".join(":{}_{}".format(name, n) for name in CONTRIBUTION_COLUMNS))
                           for n in range(count))
        statement = text("INSERT INTO goal_contributions ({}) VALUES {} ON CONFLICT (goal_id, opportunity_uuid) "
                         "DO UPDATE SET {}".format(", ".join(CONTRIBUTION_COLUMNS), values, ", ".join(
                             "{0} = excluded.{0}".format(name) for name in CONTRIBUTION_COLUMNS[2:])))
        statement = _UPSERTS[count] = statement.bindparams(*[
            bindparam("{}_{}".format(name, n), type_=_contributions.c[name].type)
            for n in range(count) for name in CONTRIBUTION_COLUMNS])
    return statement
