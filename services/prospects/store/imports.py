"""Bulk inserts of an import, and the imports' idempotency keys."""
from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.prospects.models import Company, ImportKey, Prospect, ProspectSequence

_INSERTS = {}  # dialect name -> INSERT .. ON CONFLICT DO NOTHING RETURNING, built once
# text, compiled once; PostgreSQL and SQLite share it
_TAKE_SEQS = text("INSERT INTO prospect_sequences (workspace_id, source, last_seq)"
                  " VALUES (:workspace_id, :source, :count) ON CONFLICT (workspace_id, source) DO UPDATE"
                  " SET last_seq = prospect_sequences.last_seq + excluded.last_seq RETURNING last_seq")
_PROSPECTS = Prospect.__table__
_SET_SEQ = update(_PROSPECTS).where(_PROSPECTS.c.id == bindparam("prospect_id")).values(seq=bindparam("new_seq"))


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


def take_seqs(db, workspace_id, source, count):
    """The first of `count` new `seq` numbers of the workspace's source; the counter row stays locked
    until the commit, so a concurrent import waits and numbers after this one."""
    last = db.execute(_TAKE_SEQS, {"workspace_id": workspace_id, "source": source, "count": count}).scalar_one()
    return last - count + 1


def close_gaps(db, workspace_id, source, seqs_by_id, first, taken):
    """After an insert that skipped some rows: renumbers the inserted ones ({id: seq}) from `first`, in
    seq order, and gives back the `taken` numbers not used, so the numbering has no gap."""
    ordered = sorted(seqs_by_id.items(), key=lambda item: item[1])
    moves = [{"prospect_id": prospect_id, "new_seq": first + index}
             for index, (prospect_id, seq) in enumerate(ordered) if seq != first + index]
    if moves:
        db.execute(_SET_SEQ, moves)
    db.execute(update(ProspectSequence)
               .where(ProspectSequence.workspace_id == workspace_id, ProspectSequence.source == source)
               .values(last_seq=ProspectSequence.last_seq - (taken - len(ordered))))


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
