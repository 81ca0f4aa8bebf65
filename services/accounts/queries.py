"""The list query: keyset pages over (name, id) with every filter of the document, and the per-page
reads (first contact, owner names) done once per page, never per account."""
from sqlalchemy import exists, func, or_, select, tuple_

from infra.cursors import decode_cursor, encode_cursor
from services.accounts import domain
from services.accounts.exceptions import InvalidAccountInput
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


def page(db, workspace_id, filters):
    """(accounts of the page, next_page cursor or None)."""
    query = filtered(select(Account), workspace_id, filters)
    after = decode_cursor(filters.get("page"), InvalidAccountInput)
    if after is not None:
        if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
            raise InvalidAccountInput("Invalid page cursor", "page")
        query = query.where(tuple_(Account.name, Account.id) > tuple_(after[0], after[1]))
    size = filters["page_size"]
    accounts = list(db.scalars(query.limit(size + 1)))
    next_page = None
    if len(accounts) > size:
        accounts = accounts[:size]
        next_page = encode_cursor([accounts[-1].name, accounts[-1].id])
    return accounts, next_page


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


def counters(account):
    return {(bucket, type_): getattr(account, "opp_{}_{}".format(bucket, type_))
            for bucket in domain.BUCKETS for type_ in domain.TYPES}


def list_item(account, owner, contact):
    first, total = contact if contact else (None, 0)
    return {
        "uuid": account.uuid,
        "name": account.name,
        "active": account.inactivation_date is None,
        "country": account.country,
        "tax_id": account.tax_id,
        "owner": {"first_name": owner.get("first_name"), "last_name": owner.get("last_name")},
        "contacts": [first] if first else [],
        "more_contacts": max(total - 1, 0),
        "associated_fields": {"quantity": account.field_count, "total_hectares": float(account.total_hectares)},
        "opportunities": domain.opportunity_counts(counters(account)),
    }
