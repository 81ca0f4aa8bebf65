"""Database access of the deals service: writing a deal with its nested attributes, and the index,
search and stats queries. Every query starts with `workspace_id = :ws` so it runs on an index that
starts with the workspace (see models.py)."""
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, delete, exists, func, or_, select, text, tuple_
from sqlalchemy.exc import IntegrityError

from services.deals import domain
from services.deals.exceptions import DealNotFound, InvalidDeal
from services.deals.models import (CustomFieldType, Deal, DealCustomField, DealObserver, DealPerson, DealTag,
                                   DealTotal, Tag)

SCALAR_FIELDS = ("user_id", "company_id", "name", "description", "value", "value_type", "value_count", "currency",
                 "target_date", "type", "crop_id", "variety_id", "quantity", "unit_id")
UUID_FIELDS = ("account_uuid", "campaign_uuid", "input_uuid")


def get_live(session, workspace_id, deal_id, for_update=False):
    if not isinstance(deal_id, int) or not 0 < deal_id <= domain.MAX_ID:
        raise DealNotFound(field="id")
    query = select(Deal).where(Deal.workspace_id == workspace_id, Deal.id == deal_id, Deal.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    deal = session.scalar(query)
    if deal is None:
        raise DealNotFound(field="id")  # another workspace's deal answers exactly like a missing one
    return deal


def apply_fields(deal, data, now):
    """Copies validated input onto the deal, keeping finished_at in step with the state."""
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(deal, name, data[name])
    for name in UUID_FIELDS:
        if name in data:
            setattr(deal, name, str(data[name]) if data[name] is not None else None)
    if "name" in data:
        deal.name_search = domain.search_key(data["name"])
    if deal.quantity is not None and deal.unit_id is None:
        raise InvalidDeal("is required when quantity is given", "unit_id")
    new_state = data.get("current_state", deal.current_state or "open_0")
    deal.finished_at = domain.finished_at_after(deal.current_state, deal.finished_at, new_state, now)
    deal.current_state = new_state


def replace_nested(session, workspace_id, deal, data):
    """`person_ids_set`, `observer_user_ids`, `tags_attributes`, `custom_fields_attributes` replace
    the deal's current set when given."""
    if "person_ids_set" in data:
        session.execute(delete(DealPerson).where(DealPerson.deal_id == deal.id))
        session.add_all(DealPerson(deal_id=deal.id, person_id=pid) for pid in data["person_ids_set"])
    if "observer_user_ids" in data:
        session.execute(delete(DealObserver).where(DealObserver.deal_id == deal.id))
        session.add_all(DealObserver(deal_id=deal.id, user_id=uid) for uid in data["observer_user_ids"])
    if "tags_attributes" in data:
        session.execute(delete(DealTag).where(DealTag.deal_id == deal.id))
        names = sorted({tag["name"].strip() for tag in data["tags_attributes"] if tag["name"].strip()})
        for tag_id in _tag_ids(session, workspace_id, names):
            session.add(DealTag(deal_id=deal.id, tag_id=tag_id))
    if "custom_fields_attributes" in data:
        session.execute(delete(DealCustomField).where(DealCustomField.deal_id == deal.id))
        values = {}
        for index, item in enumerate(data["custom_fields_attributes"]):
            type_id = _custom_field_type_id(session, workspace_id, item, index)
            values[type_id] = item.get("value", item.get("name"))
        session.add_all(DealCustomField(deal_id=deal.id, custom_field_type_id=type_id, value=value)
                        for type_id, value in values.items())
    session.flush()


def _tag_ids(session, workspace_id, names):
    if not names:
        return []
    existing = dict(session.execute(select(Tag.name, Tag.id).where(Tag.workspace_id == workspace_id,
                                                                   Tag.name.in_(names))).all())
    for name in names:
        if name not in existing:
            existing[name] = _get_or_create(session, Tag, workspace_id, name)
    return [existing[name] for name in names]


def _custom_field_type_id(session, workspace_id, item, index):
    if "custom_fields_type_id" in item:
        type_id = session.scalar(select(CustomFieldType.id).where(
            CustomFieldType.workspace_id == workspace_id, CustomFieldType.id == item["custom_fields_type_id"]))
        if type_id is None:
            raise InvalidDeal("unknown custom field type", "custom_fields_attributes.{}.custom_fields_type_id".format(index))
        return type_id
    name = item["custom_fields_type_name"].strip()
    type_id = session.scalar(select(CustomFieldType.id).where(CustomFieldType.workspace_id == workspace_id,
                                                              CustomFieldType.name == name))
    if type_id is None:  # types are created by name on first use
        type_id = _get_or_create(session, CustomFieldType, workspace_id, name)
    return type_id


def _get_or_create(session, model, workspace_id, name):
    """The id of the workspace's row with that name; a concurrent writer may create it first."""
    try:
        with session.begin_nested():
            row = model(workspace_id=workspace_id, name=name)
            session.add(row)
        return row.id
    except IntegrityError:
        return session.scalar(select(model.id).where(model.workspace_id == workspace_id, model.name == name))


# --- reading --------------------------------------------------------------------------------------
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


# --- deal_totals: live deals per (workspace, state, currency) -------------------------------------
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
        session.execute(_UPSERT_TOTALS[len(rows)], {"{}{}".format(name, index): value
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


def next_cursor(deals, query):
    """The cursor of the page after `deals` (None when this page is not full)."""
    if len(deals) < query.perpage:
        return None
    last = deals[-1]
    return domain.encode_deal_cursor(query.order, getattr(last, query.order[0]), last.id)


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


def extras(session, deals, query, natural_names):
    """includes (tags, people, company, custom_fields) and methods for a page, in a few queries."""
    ids = [deal.id for deal in deals]
    result = {deal.id: {} for deal in deals}
    if not ids:
        return result
    if "tags" in query.includes:
        rows = session.execute(select(DealTag.deal_id, Tag.id, Tag.name).join(Tag, Tag.id == DealTag.tag_id)
                               .where(DealTag.deal_id.in_(ids)).order_by(Tag.name)).all()
        for deal_id in ids:
            result[deal_id]["tags"] = []
        for deal_id, tag_id, name in rows:
            result[deal_id]["tags"].append({"id": tag_id, "name": name})
    if "people" in query.includes:
        for deal_id in ids:
            result[deal_id]["people"] = []
        for deal_id, person_id in session.execute(select(DealPerson.deal_id, DealPerson.person_id)
                                                  .where(DealPerson.deal_id.in_(ids))
                                                  .order_by(DealPerson.person_id)).all():
            result[deal_id]["people"].append({"id": person_id})
    if "company" in query.includes:
        for deal in deals:
            result[deal.id]["company"] = {"id": deal.company_id} if deal.company_id is not None else None
    if "custom_fields" in query.includes:
        for deal_id in ids:
            result[deal_id]["custom_fields"] = []
        rows = session.execute(select(DealCustomField.deal_id, CustomFieldType.id, CustomFieldType.name,
                                      DealCustomField.value)
                               .join(CustomFieldType, CustomFieldType.id == DealCustomField.custom_field_type_id)
                               .where(DealCustomField.deal_id.in_(ids)).order_by(CustomFieldType.id)).all()
        for deal_id, type_id, type_name, value in rows:
            result[deal_id]["custom_fields"].append({"custom_fields_type_id": type_id,
                                                     "custom_fields_type_name": type_name, "value": value})
    if "responsible_user_natural_name" in query.methods:
        for deal in deals:
            result[deal.id]["responsible_user_natural_name"] = natural_names.get(deal.user_id)
    return result


def custom_field_types(session, workspace_id):
    return session.execute(select(CustomFieldType.id, CustomFieldType.name)
                           .where(CustomFieldType.workspace_id == workspace_id).order_by(CustomFieldType.id)).all()


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
