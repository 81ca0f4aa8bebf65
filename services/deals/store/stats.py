"""The stats: how many deals match the index's filters and the sum of their value in a currency."""
from sqlalchemy import case, func, select

from services.deals.models import Deal, DealTotal
from services.deals.store.listing import filtered
from services.deals.store.totals import summarizable, totals_statement


def stats_statement(workspace_id, query, currency):
    """count of the matching deals and the sum of value * value_count of those in `currency`."""
    in_currency = case((Deal.currency == currency, Deal.value * Deal.value_count), else_=0)
    return select(func.count(), func.sum(in_currency)).select_from(Deal).where(filtered(workspace_id, query))


def stats(session, workspace_id, query, currency):
    """(count, sum in currency) from deal_totals when it can answer, else by scanning the matches."""
    if summarizable(query):
        in_currency = case((DealTotal.currency == currency, DealTotal.amount), else_=0)
        statement = totals_statement(workspace_id, query, func.sum(DealTotal.deals), func.sum(in_currency))
        total, amount = session.execute(statement).one()
        return int(total or 0), amount
    total, amount = session.execute(stats_statement(workspace_id, query, currency)).one()
    return total, amount
