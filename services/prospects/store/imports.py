"""Bulk inserts of an import, and the imports' idempotency keys."""
from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.prospects.models import Company, ImportKey, Prospect

_INSERTS = {}  # dialect name -> INSERT .. ON CONFLICT DO NOTHING RETURNING, built once


def _insert_new(db):
    dialect = db.get_bind().dialect.name
    statement = _INSERTS.get(dialect)
    if statement is None:
        build = postgres_insert if dialect == "postgresql" else sqlite_insert
        statement = _INSERTS[dialect] = (build(Prospect.__table__).on_conflict_do_nothing()
                                         .returning(Prospect.id, Prospect.uuid))
    return statement


def insert_prospects(db, rows):
    """Inserts `rows` (dicts of every column, each with its own `uuid`) and answers {uuid: id} of those
    inserted: a row whose email or phone a concurrent write took in the meantime is skipped (the
    unique indexes decide), never an error for the whole import."""
    if not rows:
        return {}
    return {uuid: prospect_id for prospect_id, uuid in db.execute(_insert_new(db), rows)}


def make_clients(db, workspace_id, prospect_ids, now):
    """Company ids for the new clients: {prospect id: company id}."""
    if not prospect_ids:
        return {}
    created = db.execute(insert(Company).returning(Company.prospect_id, Company.id),
                         [{"workspace_id": workspace_id, "prospect_id": prospect_id, "created_at": now}
                          for prospect_id in prospect_ids]).all()
    companies = dict(created)
    db.execute(update(Prospect), [{"id": prospect_id, "company_id": company_id}
                                  for prospect_id, company_id in companies.items()])
    return companies


def import_key(db, workspace_id, key):
    return db.get(ImportKey, (workspace_id, key))


def claim_key(db, workspace_id, key, request_hash):
    """Takes the key first, so a concurrent retry waits on it (and then replays this answer)."""
    row = ImportKey(workspace_id=workspace_id, key=key, request_hash=request_hash)
    db.add(row)
    db.flush()
    return row
