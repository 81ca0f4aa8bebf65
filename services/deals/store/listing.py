"""The index: the WHERE of its filters, the page of deals (offset or keyset) and their count."""
from sqlalchemy import and_, exists, func, select, tuple_

from services.deals.models import CustomFieldType, Deal, DealCustomField, DealObserver, DealTag, DealTotal, Tag
from services.deals.store.totals import summarizable, totals_statement


def filtered(workspace_id, query):
    """The WHERE of index and stats: live deals of the workspace matching every condition."""
    conditions = [Deal.workspace_id == workspace_id, Deal.deleted_at.is_(None)]
    for name, value in query.filters.items():
        column = getattr(Deal, name)
        conditions.append(column.is_(None) if value is None else column == value)
    if query.tag_id is not None or query.tag_name is not None:
        tag = select(DealTag.deal_id).join(Tag, Tag.id == DealTag.tag_id).where(Tag.workspace_id == workspace_id)
        if query.tag_id is not None:
            tag = tag.where(Tag.id == query.tag_id)
        if query.tag_name is not None:
            tag = tag.where(Tag.name == query.tag_name)
        conditions.append(Deal.id.in_(tag))
    for type_id, type_name, value in query.custom_fields:
        match = select(DealCustomField.deal_id).where(DealCustomField.value == value)
        if type_id is not None:
            match = match.where(DealCustomField.custom_field_type_id.in_(
                select(CustomFieldType.id).where(CustomFieldType.workspace_id == workspace_id,
                                                 CustomFieldType.id == type_id)))
        else:
            match = match.where(DealCustomField.custom_field_type_id.in_(
                select(CustomFieldType.id).where(CustomFieldType.workspace_id == workspace_id,
                                                 func.lower(CustomFieldType.name) == type_name.lower())))
        conditions.append(Deal.id.in_(match))
    if query.observer_user_id is not None:
        conditions.append(exists().where(DealObserver.deal_id == Deal.id,
                                         DealObserver.user_id == query.observer_user_id))
    return and_(*conditions)


def _order(query, reverse=False):
    column, direction = query.order
    sort = getattr(Deal, column)
    if (direction == "asc") != reverse:
        return sort.asc(), Deal.id.asc()
    return sort.desc(), Deal.id.desc()


def page_statements(workspace_id, query):
    """(rows of the requested page, count of all matching) as SELECT statements, offset paging."""
    where = filtered(workspace_id, query)
    rows = (select(Deal).where(where).order_by(*_order(query)).limit(query.perpage)
            .offset((query.page - 1) * query.perpage))
    return rows, select(func.count()).select_from(Deal).where(where)


def page(session, workspace_id, query):
    """(deals of the requested page, total matching).

    The total comes from deal_totals when the query can be answered by it (see `count`). With a
    cursor the page is read by keyset from the cursor's row. With `page`, an offset past the middle
    is read from the other end of the same index, reversed, so the last page costs what the first
    does; only the middle pages pay for the rows skipped (clients walking far should follow
    `next_cursor`). Under concurrent writes an offset page may shift by the rows written meanwhile,
    as offset paging always does."""
    where = filtered(workspace_id, query)
    total = count(session, workspace_id, query, where)
    if query.cursor is not None:
        sort_value, last_id = query.cursor
        column, direction = query.order
        key, after = tuple_(getattr(Deal, column), Deal.id), tuple_(sort_value, last_id)
        rows = select(Deal).where(where, key > after if direction == "asc" else key < after)
        return session.scalars(rows.order_by(*_order(query)).limit(query.perpage)).all(), total
    offset = (query.page - 1) * query.perpage
    if offset >= total:
        return [], total
    if offset > total // 2:
        wanted = min(query.perpage, total - offset)
        deals = _offset_rows(session, workspace_id, where, _order(query, reverse=True), wanted,
                             total - offset - wanted)
        return list(reversed(deals)), total
    return _offset_rows(session, workspace_id, where, _order(query), query.perpage, offset), total


DEFERRED_JOIN_OFFSET = 200


def _offset_rows(session, workspace_id, where, order, limit, offset):
    """The deals at `offset` in `order`. Far from the start, the rows skipped are found by their ids
    alone first, which the listing indexes answer without reading the table (an index-only scan:
    500,000 rows skipped in 50 ms instead of 930 ms), and only the page's rows are read."""
    if offset < DEFERRED_JOIN_OFFSET:
        return session.scalars(select(Deal).where(where).order_by(*order).limit(limit).offset(offset)).all()
    ids = session.scalars(select(Deal.id).where(where).order_by(*order).limit(limit).offset(offset)).all()
    if not ids:
        return []
    found = {deal.id: deal for deal in session.scalars(select(Deal).where(
        Deal.workspace_id == workspace_id, Deal.deleted_at.is_(None), Deal.id.in_(ids)))}
    return [found[deal_id] for deal_id in ids if deal_id in found]  # one deleted meanwhile is left out


def count(session, workspace_id, query, where):
    """How many live deals match (`where`: the query's `filtered`): a few deal_totals rows when only
    state/currency filter the query, else a COUNT over the matching deals."""
    if summarizable(query):
        return int(session.scalar(totals_statement(workspace_id, query, func.sum(DealTotal.deals))) or 0)
    return session.scalar(select(func.count()).select_from(Deal).where(where))
