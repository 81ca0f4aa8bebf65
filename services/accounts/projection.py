"""Applying `deals.opportunity_changed` to the projection and the accounts' counters.

Idempotent and order-tolerant: the projection row of a deal holds the newest version applied; an
event that is not newer changes nothing. Concurrent events for one deal are serialized by the row
lock on its projection row (PostgreSQL: the first event creates it with an INSERT .. ON CONFLICT DO
UPDATE that also locks it, so two first events cannot both insert and the second waits). The old and
new contributions of the deal are moved in the same transaction, accounts updated in a fixed order so
two deals moving between the same accounts cannot deadlock.
"""
import logging

from sqlalchemy import bindparam, func, select, text, update

from infra.consumers import is_newer
from infra.db import now_utc
from services.accounts import domain
from services.accounts.models import Account, Opportunity, counter_column

log = logging.getLogger(__name__)


def apply_opportunity_changed(db, event):
    """Applies a loaded OpportunityChanged event and commits; True if it changed the projection.

    Statements built once, no ORM objects: on PostgreSQL one upsert creates the projection row if it is
    missing, locks it and returns what it held; then the row's update and one counter update per account
    whose counters move (the old and the new account, in uuid order); with one account (PostgreSQL),
    both updates in one statement."""
    deal_uuid, workspace_id, version = event["aggregate_id"], event["workspace_id"], event["version"]
    connection = db.connection()
    params = {"deal_uuid": deal_uuid, "workspace_id": workspace_id, "now": now_utc()}
    if connection.dialect.name == "postgresql":
        row = connection.execute(_PG_LOCK_ROW, params).one()
    else:  # SQLite: one connection per process, transactions are serialized; no row lock to take
        connection.execute(_SQLITE_INSERT_IGNORE, params)
        row = connection.execute(_SQLITE_READ_ROW, params).one()
    if row.workspace_id != workspace_id or not is_newer(row.version, version):
        db.rollback()
        return False
    old = domain.contribution(row.account_uuid, row.state, row.type, row.deleted)
    snapshot = event["snapshot"]
    if event["change"] == "deleted" or snapshot is None:  # a tombstone keeps what the deal last counted for
        values = {"account_uuid": row.account_uuid, "state": row.state, "type": row.type, "deleted": True}
    else:
        values = {"account_uuid": snapshot["account_uuid"], "state": snapshot["current_state"],
                  "type": snapshot["type"], "deleted": False}
    row_values = dict(values, version=version, updated_at=params["now"], row_uuid=deal_uuid)
    new = domain.contribution(values["account_uuid"], values["state"], values["type"], values["deleted"])
    moves = sorted(_deltas_per_account(domain.counter_deltas(old, new)).items())
    if len(moves) == 1 and connection.dialect.name == "postgresql":
        # the usual case, one account's counters: the row's update rides along as a WITH .. UPDATE
        (account_uuid, deltas), = moves
        columns = tuple(sorted(deltas))
        connection.execute(_counter_update(columns, with_row=True),
                           dict({"row_" + name: row_values[name] for name in _ROW_VALUES}, row_uuid=deal_uuid,
                                b_workspace_id=workspace_id, b_account_uuid=account_uuid,
                                **{"d_" + name: deltas[name] for name in columns}))
    else:  # none, or two accounts: one statement each, accounts in uuid order (no deadlock between deals)
        connection.execute(_UPDATE_ROW, row_values)
        for account_uuid, deltas in moves:
            columns = tuple(sorted(deltas))
            connection.execute(_counter_update(columns), dict({"d_" + name: deltas[name] for name in columns},
                                                              b_workspace_id=workspace_id,
                                                              b_account_uuid=account_uuid))
    db.commit()
    return True


def _deltas_per_account(counter_deltas):
    """{account_uuid: {column: delta}} from {(account_uuid, bucket, type): delta}: a deal that changes
    bucket or type on the same account moves its counters in one UPDATE (a total that nets to 0 is left out)."""
    per_account = {}
    for (account_uuid, bucket, type_), delta in counter_deltas.items():
        columns = per_account.setdefault(account_uuid, {})
        for name in (counter_column(bucket, type_), "{}_total".format(bucket)):
            columns[name] = columns.get(name, 0) + delta
    return {account: {name: delta for name, delta in columns.items() if delta}
            for account, columns in per_account.items()}


# --- the consumer's statements, built once (compiled once per dialect, no cache key per call) ----------
_projection, _accounts = Opportunity.__table__, Account.__table__
_ROW = (_projection.c.workspace_id, _projection.c.version, _projection.c.account_uuid, _projection.c.state,
        _projection.c.type, _projection.c.deleted)
# text: SQLAlchemy 2.0 does not cache the dialects' INSERT constructs (it would compile them again for
# every message); a text statement is compiled once.
_PG_LOCK_ROW = text(
    # creates the row if it is missing and locks it either way (the no-op update takes the row lock, after a
    # concurrent first insert commits), returning what the row holds in one round trip
    "INSERT INTO opportunity_projection (deal_uuid, workspace_id, version, deleted, updated_at) "
    "VALUES (:deal_uuid, :workspace_id, 0, false, :now) ON CONFLICT (deal_uuid) DO UPDATE "
    "SET deal_uuid = excluded.deal_uuid RETURNING workspace_id, version, account_uuid, state, type, deleted"
).bindparams(bindparam("now", type_=_projection.c.updated_at.type))
_SQLITE_INSERT_IGNORE = text(
    "INSERT INTO opportunity_projection (deal_uuid, workspace_id, version, deleted, updated_at) "
    "VALUES (:deal_uuid, :workspace_id, 0, 0, :now) ON CONFLICT (deal_uuid) DO NOTHING"
).bindparams(bindparam("now", type_=_projection.c.updated_at.type))
_SQLITE_READ_ROW = select(*_ROW).where(_projection.c.deal_uuid == bindparam("deal_uuid"))
_UPDATE_ROW = update(_projection).where(_projection.c.deal_uuid == bindparam("row_uuid"))
_ROW_VALUES = ("account_uuid", "state", "type", "deleted", "version", "updated_at")
_UPDATE_ROW_WITH_VALUES = _UPDATE_ROW.values({name: bindparam("row_" + name) for name in _ROW_VALUES})
_COUNTER_UPDATES = {}


def _counter_update(columns, with_row=False):
    """UPDATE accounts adding d_<column> to each column; `with_row`: with the projection row's update
    (parameters of _UPDATE_ROW) as a data-modifying WITH, which runs exactly once whatever the main
    statement updates. Built once per column set."""
    statement = _COUNTER_UPDATES.get((columns, with_row))
    if statement is None:
        statement = (update(_accounts)
                     .where(_accounts.c.workspace_id == bindparam("b_workspace_id"),
                            _accounts.c.uuid == bindparam("b_account_uuid"))
                     .values({name: _accounts.c[name] + bindparam("d_" + name) for name in columns}))
        if with_row:
            statement = statement.add_cte(_UPDATE_ROW_WITH_VALUES.cte("projection_row"))
        _COUNTER_UPDATES[(columns, with_row)] = statement
    return statement


def recount(db, workspace_id):
    """{account_uuid: {(bucket, type): count}} recomputed from the projection (a reconcile check:
    it must equal the counters kept on the accounts)."""
    counts = {}
    rows = db.execute(select(Opportunity.account_uuid, Opportunity.state, Opportunity.type, func.count())
                      .where(Opportunity.workspace_id == workspace_id, Opportunity.deleted.is_(False),
                             Opportunity.account_uuid.is_not(None))
                      .group_by(Opportunity.account_uuid, Opportunity.state, Opportunity.type))
    for account_uuid, state, type_, count in rows:
        key = (domain.bucket_of(state), type_)
        per_account = counts.setdefault(account_uuid, {})
        per_account[key] = per_account.get(key, 0) + count
    return counts
