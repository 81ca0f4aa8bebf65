"""The projection of deals (one row per deal: what it counts for at the newest version applied, a
tombstone after a delete) and the counters it keeps on the accounts.

The statements run per event are built once (compiled once per dialect, no cache key per call). The
consumer locks the deal's row first, then the accounts whose counters move, in uuid order; the
resync's recount locks accounts only (then reads the projection), so neither can deadlock the other.
"""
from sqlalchemy import bindparam, func, select, update

from infra.projections import ProjectionRows
from services.accounts import domain
from services.accounts.models import Account, Opportunity

_projection, _accounts = Opportunity.__table__, Account.__table__
ROWS = ProjectionRows(_projection, "deal_uuid", ("deal_uuid", "workspace_id", "version", "deleted", "updated_at"),
                      ("workspace_id", "version", "account_uuid", "state", "type", "deleted"))
ROW_VALUES = ("account_uuid", "state", "type", "deleted", "version", "updated_at")
_UPDATE_ROW = update(_projection).where(_projection.c.deal_uuid == bindparam("row_uuid"))
_UPDATE_ROW_WITH_VALUES = _UPDATE_ROW.values({name: bindparam("row_" + name) for name in ROW_VALUES})
_COUNTER_UPDATES = {}
COUNTERS = domain.COUNTER_COLUMNS + domain.TOTAL_COLUMNS


# --- the consumer --------------------------------------------------------------------------------------
def lock_row(connection, deal_uuid, workspace_id, now):
    """The deal's row (workspace_id, version, account_uuid, state, type, deleted), created at version 0
    if missing, locked until the transaction ends (PostgreSQL: one statement)."""
    return ROWS.lock(connection, {"deal_uuid": deal_uuid, "workspace_id": workspace_id, "version": 0,
                                  "deleted": False, "updated_at": now})


def write_row(connection, deal_uuid, workspace_id, values, moves):
    """Sets the deal's row to `values` (ROW_VALUES) and moves the counters: `moves` is
    [(account_uuid, {column: delta})] in uuid order, only accounts of `workspace_id` are touched. One
    account on PostgreSQL (the usual case): one statement, the row's update riding along as a WITH."""
    row_params = {"row_" + name: values[name] for name in ROW_VALUES}
    if len(moves) == 1 and connection.dialect.name == "postgresql":
        (account_uuid, deltas), = moves
        columns = tuple(sorted(deltas))
        connection.execute(_counter_update(columns, with_row=True),
                           dict(row_params, row_uuid=deal_uuid, b_workspace_id=workspace_id,
                                b_account_uuid=account_uuid, **{"d_" + name: deltas[name] for name in columns}))
        return
    # none, or two accounts: one statement each, accounts in uuid order (no deadlock between deals)
    connection.execute(_UPDATE_ROW, dict(values, row_uuid=deal_uuid))
    for account_uuid, deltas in moves:
        columns = tuple(sorted(deltas))
        connection.execute(_counter_update(columns), dict({"d_" + name: deltas[name] for name in columns},
                                                          b_workspace_id=workspace_id, b_account_uuid=account_uuid))


def _counter_update(columns, with_row=False):
    """UPDATE accounts adding d_<column> to each column; `with_row`: with the projection row's update
    (parameters row_<name>, row_uuid) as a data-modifying WITH, which runs exactly once whatever the main
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


# --- recounts (reconcile, resync) --------------------------------------------------------------------------
def _counted_rows(workspace_id=None, account_uuids=None):
    query = (select(_projection.c.workspace_id, _projection.c.account_uuid, _projection.c.state, _projection.c.type,
                    func.count())
             .where(_projection.c.deleted.is_(False), _projection.c.account_uuid.is_not(None))
             .group_by(_projection.c.workspace_id, _projection.c.account_uuid, _projection.c.state,
                       _projection.c.type))
    if workspace_id is not None:
        query = query.where(_projection.c.workspace_id == workspace_id)
    if account_uuids is not None:
        query = query.where(_projection.c.account_uuid.in_(account_uuids))
    return query


def recount(db, workspace_id):
    """{account_uuid: {(bucket, type): count}} recomputed from the workspace's projection (what the
    counters kept on its accounts must equal)."""
    rows = db.execute(_counted_rows(workspace_id))
    return domain.counts_by_key((account_uuid, state, type_, count) for _, account_uuid, state, type_, count in rows)


def projected_counts(db, workspace_id=None, account_uuids=None):
    """{(workspace_id, account_uuid): {(bucket, type): count}} from the projection, for one workspace or
    every one, and for some accounts or all."""
    rows = db.execute(_counted_rows(workspace_id, account_uuids))
    return domain.counts_by_key(((ws, account_uuid), state, type_, count)
                                for ws, account_uuid, state, type_, count in rows)


def _accounts_query(workspace_id):
    query = select(_accounts.c.id, _accounts.c.workspace_id, _accounts.c.uuid, *(_accounts.c[c] for c in COUNTERS))
    return query if workspace_id is None else query.where(_accounts.c.workspace_id == workspace_id)


def kept_counters(db, workspace_id=None, after_uuid="", limit=1000):
    """A page of accounts (deleted ones too: their counters are kept) in uuid order after `after_uuid`,
    as rows (id, workspace_id, uuid, <the twelve counter columns>)."""
    return db.execute(_accounts_query(workspace_id).where(_accounts.c.uuid > after_uuid)
                      .order_by(_accounts.c.uuid).limit(limit)).all()


def lock_counters(db, account_ids):
    """The accounts' counter rows, locked (in uuid order, the order the consumer locks them in)."""
    return db.execute(_accounts_query(None).where(_accounts.c.id.in_(account_ids))
                      .order_by(_accounts.c.uuid).with_for_update()).all()


def set_counters(db, account_id, values):
    db.execute(update(_accounts).where(_accounts.c.id == account_id).values(values))


# --- resync of the projection ------------------------------------------------------------------------------
def replace_row(connection, deal_uuid, values):
    """Sets a (locked) row to `values` (ROW_VALUES) without moving counters: the resync recounts them."""
    connection.execute(_UPDATE_ROW, dict(values, row_uuid=deal_uuid))


def live_rows_changed_before(db, workspace_id, moment, after_uuid="", limit=1000):
    """A page of the live (not tombstoned) rows last changed before `moment`, by deal uuid: (deal_uuid, ...)."""
    query = (select(_projection.c.deal_uuid)
             .where(_projection.c.deleted.is_(False), _projection.c.updated_at < moment,
                    _projection.c.deal_uuid > after_uuid)
             .order_by(_projection.c.deal_uuid).limit(limit))
    if workspace_id is not None:
        query = query.where(_projection.c.workspace_id == workspace_id)
    return list(db.scalars(query))


def tombstone_rows(db, deal_uuids, moment, now):
    """Marks the rows deleted (their version kept: a later event of the deal still applies), unless
    one was changed since `moment`. Returns how many it marked."""
    result = db.execute(update(_projection).where(_projection.c.deal_uuid.in_(deal_uuids),
                                                  _projection.c.deleted.is_(False),
                                                  _projection.c.updated_at < moment)
                        .values(deleted=True, updated_at=now))
    return result.rowcount
