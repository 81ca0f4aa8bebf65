"""Reads for other services: deals looked up by id, uuid or name, and every deal for a projection's rebuild."""
from sqlalchemy import and_, or_, select

from services.deals import domain
from services.deals.models import Deal


def opportunities_after(session, workspace_id, after_id, limit):
    query = select(Deal).where(Deal.id > after_id).order_by(Deal.id).limit(limit)
    if workspace_id is not None:
        query = query.where(Deal.workspace_id == workspace_id)
    return session.scalars(query).all()


def deals_matching(session, workspace_id, ids, uuids, names, limit):
    """(id, uuid, name, account_uuid, current_state) of the workspace's live deals with one of `ids`,
    `uuids` or exactly one of `names`, by name then id, at most `limit`. A name is looked up on its
    search key first, so the name index answers it."""
    matches = []
    if ids:
        matches.append(Deal.id.in_(ids))
    if uuids:
        matches.append(Deal.uuid.in_(uuids))
    if names:
        matches.append(and_(Deal.name_search.in_(sorted({domain.search_key(name) for name in names})),
                            Deal.name.in_(names)))
    if not matches:
        return []
    return session.execute(select(Deal.id, Deal.uuid, Deal.name, Deal.account_uuid, Deal.current_state)
                           .where(Deal.workspace_id == workspace_id, Deal.deleted_at.is_(None), or_(*matches))
                           .order_by(Deal.name, Deal.id).limit(limit)).all()
