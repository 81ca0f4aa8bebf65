"""prospect_totals: prospects and their account value per (workspace, salesman, type, follow-up),
moved in the transaction of every write that changes one of those, so the Kanban counters, the KPIs
and the list's `recordsTotal` read a few rows instead of counting the workspace."""
from decimal import Decimal

from sqlalchemy import bindparam, func, select, text

from services.prospects.domain.catalog import types_of_source
from services.prospects.models import ProspectTotal

# text, compiled once; PostgreSQL and SQLite share it
_UPSERT = text(
    "INSERT INTO prospect_totals (workspace_id, created_by, type, follow_up_id, prospects, account_value)"
    " VALUES (:workspace_id, :created_by, :type, :follow_up_id, :prospects, :account_value)"
    " ON CONFLICT (workspace_id, created_by, type, follow_up_id) DO UPDATE"
    " SET prospects = prospect_totals.prospects + excluded.prospects,"
    " account_value = prospect_totals.account_value + excluded.account_value"
).bindparams(bindparam("account_value", type_=ProspectTotal.account_value.type))


def key_of(prospect):
    """What a prospect counts under, and what it adds: ((salesman, type, follow-up), account value)."""
    return (prospect.created_by, prospect.type, prospect.follow_up_id), Decimal(prospect.account_value or 0)


def add(deltas, key, sign=1):
    """Accumulates one prospect's `key_of` into `deltas` ({(salesman, type, follow): [count, value]})."""
    group, value = key
    entry = deltas.setdefault(group, [0, Decimal(0)])
    entry[0] += sign
    entry[1] += sign * value


def move(db, workspace_id, deltas):
    """Applies `deltas`, in key order (two writers never lock the same rows in opposite orders)."""
    rows = [{"workspace_id": workspace_id, "created_by": group[0], "type": group[1], "follow_up_id": group[2],
             "prospects": count, "account_value": value}
            for group, (count, value) in sorted(deltas.items()) if count or value]
    if rows:
        db.execute(_UPSERT, rows)


def move_one(db, workspace_id, before, after):
    """A prospect's move from the `key_of` it had to the one it has (either may be None)."""
    deltas = {}
    if before is not None:
        add(deltas, before, -1)
    if after is not None:
        add(deltas, after, 1)
    move(db, workspace_id, deltas)


def by_follow(db, filters):
    """{follow_up_id: (prospects, account value)} for filters that `counted_by_totals()`."""
    types = types_of_source(filters.source)
    if filters.types is not None:
        types = tuple(item for item in types if item in filters.types)
    query = (select(ProspectTotal.follow_up_id, func.sum(ProspectTotal.prospects),
                    func.sum(ProspectTotal.account_value))
             .where(ProspectTotal.workspace_id == filters.workspace_id, ProspectTotal.type.in_(types))
             .group_by(ProspectTotal.follow_up_id))
    if filters.salesman_only is not None:
        query = query.where(ProspectTotal.created_by == filters.salesman_only)
    if filters.salesmen is not None:
        query = query.where(ProspectTotal.created_by.in_(filters.salesmen))
    if filters.follow_ups is not None:
        query = query.where(ProspectTotal.follow_up_id.in_(filters.follow_ups))
    return {follow: (int(number or 0), value or Decimal(0)) for follow, number, value in db.execute(query)}
