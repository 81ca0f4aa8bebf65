"""Running a statement as a prepared statement of the connection (PostgreSQL).

The server plans a statement again on every execution unless it is prepared: planning the
affected-goals query cost about as much as running it. `PREPARE` is done once per database
connection (a prepared statement outlives transactions, rolled back ones too) and then every
execution is an `EXECUTE` with the values in `$n` order.
"""
from sqlalchemy.dialects.postgresql import psycopg2

_NUMBERED = psycopg2.dialect(paramstyle="numeric_dollar")
_PREPARED = {}  # statement -> (name, its PREPARE, parameter names in $n order, constant parameters)
_CONNECTION_KEY = "goals_prepared"  # in the DBAPI connection's info: the names it has prepared


def execute_prepared(connection, statement, params):
    """The statement's rows for `params` (its constants come from the statement itself)."""
    entry = _PREPARED.get(statement)
    if entry is None:
        compiled = statement.compile(dialect=_NUMBERED)
        name = "goals_event_{}".format(len(_PREPARED) + 1)
        entry = _PREPARED[statement] = (name, "PREPARE {} AS {}".format(name, compiled), list(compiled.positiontup),
                                        dict(compiled.params))
    name, prepare, order, constants = entry
    prepared = connection.connection.info.setdefault(_CONNECTION_KEY, set())
    if name not in prepared:
        connection.exec_driver_sql(prepare)
        prepared.add(name)
    values = tuple(params[key] if key in params else constants[key] for key in order)
    return connection.exec_driver_sql("EXECUTE {} ({})".format(name, ", ".join(["%s"] * len(values))), values).all()
