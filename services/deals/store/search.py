"""The name search: live deals whose name starts with a term, on the prefix index."""
from sqlalchemy import select, text

from services.deals import domain
from services.deals.models import Deal


def search_statement(workspace_id, term, limit, dialect="postgresql"):
    """Live deals whose name starts with `term`, case-insensitively, in name order.

    On PostgreSQL both the prefix match and the order come from ix_deals_ws_prefix
    (text_pattern_ops, whose order is `~<~`), so the scan stops after `limit` matches however many
    deals the workspace has; ordering by the ordinary collation would let the planner walk the
    name index instead and filter it, which degrades when the matches sort late."""
    pattern = domain.like_prefix(domain.search_key(term))
    by_name = text("deals.name_search USING ~<~") if dialect == "postgresql" else Deal.name_search
    return (select(Deal).where(Deal.workspace_id == workspace_id, Deal.deleted_at.is_(None),
                               Deal.name_search.like(pattern, escape="\\"))
            .order_by(by_name, Deal.id).limit(limit))


def search(session, workspace_id, term, limit):
    dialect = session.get_bind().dialect.name
    return session.scalars(search_statement(workspace_id, term, limit, dialect)).all()
