"""A create's Idempotency-Key: claimed in the create's transaction, answered again to retries."""
from services.deals.models import IdempotencyKey


def find_key(session, workspace_id, key):
    return session.get(IdempotencyKey, (workspace_id, key))


def claim_key(session, workspace_id, key, request_hash):
    """The key's row, written first in the create's transaction so that a concurrent retry waits on
    the unique key (and gets an IntegrityError once this create commits)."""
    row = IdempotencyKey(workspace_id=workspace_id, key=key, request_hash=request_hash)
    session.add(row)
    session.flush()
    return row


def settle_key(row, deal_id, response):
    """The claimed key now answers `response` (the created deal's JSON)."""
    row.deal_id = deal_id
    row.response = response
