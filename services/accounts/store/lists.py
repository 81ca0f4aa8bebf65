"""The list: keyset pages over (name, id) with every filter of the document, and the per-page read
of first contacts done once per page, never per account."""
from sqlalchemy import exists, func, or_, select, tuple_

from services.accounts.models import Account, Contact, Field


def _like(term):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%{}%".format(escaped)


def filtered(query, workspace_id, filters):
    query = query.where(Account.workspace_id == workspace_id, Account.deleted_at.is_(None))
    if filters.get("accounts") is not None:
        query = query.where(Account.uuid.in_([str(u) for u in filters["accounts"]]))
    if filters.get("name"):
        query = query.where(Account.name.ilike(_like(filters["name"]), escape="\\"))
    if filters.get("opportunities_state"):
        totals = {"open": Account.open_total, "won": Account.won_total, "lost": Account.lost_total}
        query = query.where(or_(*(totals[bucket] > 0 for bucket in filters["opportunities_state"])))
    if filters.get("area_min") is not None:
        query = query.where(Account.field_count > 0, Account.total_hectares >= filters["area_min"])
    if filters.get("area_max") is not None:
        query = query.where(Account.field_count > 0, Account.total_hectares <= filters["area_max"])
    if filters.get("contacts") is not None:
        query = query.where(exists().where(Contact.account_id == Account.id,
                                           Contact.contact_uuid.in_([str(u) for u in filters["contacts"]])))
    if filters.get("farms_uuid") is not None:
        query = query.where(exists().where(Field.account_id == Account.id,
                                           Field.farm_uuid.in_([str(u) for u in filters["farms_uuid"]])))
    return query.order_by(Account.name, Account.id)


def lite(db, workspace_id, filters):
    rows = db.execute(filtered(select(Account.uuid, Account.name), workspace_id, filters))
    return [{"uuid": uuid, "name": name} for uuid, name in rows]


def page(db, workspace_id, filters, after, limit):
    """Up to `limit` accounts of the list after the (name, id) key `after` (None: from the start)."""
    query = filtered(select(Account), workspace_id, filters)
    if after is not None:
        query = query.where(tuple_(Account.name, Account.id) > tuple_(after[0], after[1]))
    return list(db.scalars(query.limit(limit)))


def first_contacts(db, account_ids):
    """{account_id: (first contact by start date, number of contacts)} for the page's accounts."""
    if not account_ids:
        return {}
    ranked = (select(Contact, func.row_number().over(partition_by=Contact.account_id,
                                                     order_by=(Contact.start_date, Contact.id)).label("rank"),
                     func.count().over(partition_by=Contact.account_id).label("total"))
              .where(Contact.account_id.in_(account_ids)).subquery())
    rows = db.execute(select(ranked.c.account_id, ranked.c.contact_uuid, ranked.c.first_name, ranked.c.last_name,
                             ranked.c.total).where(ranked.c.rank == 1))
    return {row.account_id: ({"uuid": row.contact_uuid, "first_name": row.first_name, "last_name": row.last_name},
                             int(row.total)) for row in rows}
