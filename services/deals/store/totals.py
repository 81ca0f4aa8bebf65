"""deal_totals: the live deals per (workspace, state, currency) and the sum of their value *
value_count, moved in the transaction of every write, so unfiltered counts and stats read a few rows."""
from decimal import Decimal

from sqlalchemy import bindparam, select, text

from services.deals.models import DealTotal

TOTALS_DIMENSIONS = ("current_state", "currency")


def summarizable(query):
    """Whether deal_totals answers the query's count and sum: no filter but state and currency."""
    return (set(query.filters) <= set(TOTALS_DIMENSIONS) and None not in query.filters.values()
            and query.tag_id is None and query.tag_name is None and not query.custom_fields
            and query.observer_user_id is None)


def totals_statement(workspace_id, query, *columns):
    statement = select(*columns).where(DealTotal.workspace_id == workspace_id)
    for name, value in query.filters.items():
        statement = statement.where(getattr(DealTotal, name) == value)
    return statement


def totals_key(deal):
    """What the deal adds to deal_totals: (state, currency, value * value_count), None if deleted."""
    if deal.deleted_at is not None:
        return None
    return deal.current_state, deal.currency, Decimal(deal.value) * Decimal(deal.value_count)


def move_totals(session, workspace_id, before, after):
    """Moves the workspace's totals from the deal's `before` totals_key to its `after` one.

    Called last before the commit, so the totals rows stay locked for as short a time as possible,
    and in key order, so two writers cannot deadlock on them (deal rows are always locked first)."""
    deltas = {}
    for key, sign in ((before, -1), (after, 1)):
        if key is not None:
            count, amount = deltas.get(key[:2], (0, Decimal(0)))
            deltas[key[:2]] = (count + sign, amount + sign * key[2])
    rows = [{"workspace_id": workspace_id, "state": state, "currency": currency, "deals": count, "amount": amount}
            for (state, currency), (count, amount) in sorted(deltas.items()) if count or amount]
    if rows:
        session.connection().execute(_UPSERT_TOTALS[len(rows)], {"{}{}".format(name, index): value
                                                    for index, row in enumerate(rows) for name, value in row.items()})


def _upsert_totals(n_rows):
    """One statement for the deal's one or two totals rows; text, so it is compiled once (the ORM
    upsert was compiled on every call: 10% of a create's CPU). PostgreSQL and SQLite share it."""
    values = ", ".join("(:workspace_id{0}, :state{0}, :currency{0}, :deals{0}, :amount{0})".format(index)
                       for index in range(n_rows))
    statement = text("INSERT INTO deal_totals (workspace_id, current_state, currency, deals, amount) VALUES " + values +
                     " ON CONFLICT (workspace_id, current_state, currency) DO UPDATE"
                     " SET deals = deal_totals.deals + excluded.deals, amount = deal_totals.amount + excluded.amount")
    return statement.bindparams(*(bindparam("amount{}".format(index), type_=DealTotal.amount.type)
                                  for index in range(n_rows)))  # Decimal -> what the driver takes


_UPSERT_TOTALS = {1: _upsert_totals(1), 2: _upsert_totals(2)}


REBUILD_TOTALS = ("INSERT INTO deal_totals (workspace_id, current_state, currency, deals, amount) "
                  "SELECT workspace_id, current_state, currency, count(*), coalesce(sum(value * value_count), 0) "
                  "FROM deals WHERE deleted_at IS NULL GROUP BY workspace_id, current_state, currency")
