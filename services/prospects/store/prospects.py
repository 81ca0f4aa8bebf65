"""Prospects one at a time: found in the caller's workspace (and, without all-prospects, among the
caller's own), their unique keys, their company."""
from sqlalchemy import select

from services.prospects.models import Company, Prospect


def _visible(query, workspace_id, salesman):
    query = query.where(Prospect.workspace_id == workspace_id)
    return query if salesman is None else query.where(Prospect.created_by == salesman)


def get(db, workspace_id, prospect_id, salesman=None, for_update=False):
    query = _visible(select(Prospect).where(Prospect.id == prospect_id), workspace_id, salesman)
    return db.scalar(query.with_for_update() if for_update else query)


def get_by_company(db, workspace_id, company_id, salesman=None, for_update=False):
    query = _visible(select(Prospect).where(Prospect.company_id == company_id), workspace_id, salesman)
    return db.scalar(query.with_for_update() if for_update else query)


CHUNK = 1000  # keys per IN list


def holders(db, workspace_id, email_keys, phone_keys):
    """The workspace's prospects holding any of the keys."""
    email_keys, phone_keys = sorted(email_keys), sorted(phone_keys)
    columns = (Prospect.id, Prospect.created_by, Prospect.name, Prospect.company_name, Prospect.email_key,
               Prospect.phone_key)
    found = {}
    for column, values in ((Prospect.email_key, email_keys), (Prospect.phone_key, phone_keys)):
        for start in range(0, len(values), CHUNK):
            query = select(*columns).where(Prospect.workspace_id == workspace_id,
                                           column.in_(values[start:start + CHUNK]))
            found.update((row.id, row) for row in db.execute(query))
    return list(found.values())


def key_holder(db, workspace_id, email_key=None, phone_key=None):
    """The id of a prospect of the workspace holding the email or phone key, or None."""
    rows = holders(db, workspace_id, [email_key] if email_key else [], [phone_key] if phone_key else [])
    return rows[0].id if rows else None


def make_client(db, prospect):
    """Gives the prospect its company id (the id of /clients/{id})."""
    company = Company(workspace_id=prospect.workspace_id, prospect_id=prospect.id)
    db.add(company)
    db.flush()
    prospect.company_id = company.id
    prospect.onboarding_status = 0
    return company.id
