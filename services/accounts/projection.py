"""Applying `deals.opportunity_changed` to the projection and the accounts' counters.

Idempotent and order-tolerant: the projection row of a deal holds the newest version applied; an
event that is not newer changes nothing. Concurrent events for one deal are serialized by the row
lock on its projection row (created first with INSERT .. ON CONFLICT DO NOTHING so two first events
cannot both insert). The old and new contributions of the deal are moved in the same transaction,
accounts updated in a fixed order so two deals moving between the same accounts cannot deadlock.
"""
import logging

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from infra.consumers import is_newer
from infra.db import now_utc
from services.accounts import domain
from services.accounts.models import Account, Opportunity

log = logging.getLogger(__name__)


def _ensure_row(db, deal_uuid, workspace_id):
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(Opportunity).values(deal_uuid=deal_uuid, workspace_id=workspace_id, version=0, deleted=False,
                                          updated_at=now_utc())
               .on_conflict_do_nothing(index_elements=["deal_uuid"]))


def apply_opportunity_changed(db, event):
    """Applies a loaded OpportunityChanged event; True if it changed the projection."""
    deal_uuid, workspace_id, version = event["aggregate_id"], event["workspace_id"], event["version"]
    _ensure_row(db, deal_uuid, workspace_id)
    row = db.scalar(select(Opportunity).where(Opportunity.deal_uuid == deal_uuid).with_for_update())
    if row.workspace_id != workspace_id or not is_newer(row.version, version):
        db.rollback()
        return False
    old = domain.contribution(row.account_uuid, row.state, row.type, row.deleted)
    snapshot = event["snapshot"]
    if event["change"] == "deleted" or snapshot is None:
        row.deleted = True
    else:
        row.account_uuid, row.state, row.type = snapshot["account_uuid"], snapshot["current_state"], snapshot["type"]
        row.deleted = False
    row.version = version
    new = domain.contribution(row.account_uuid, row.state, row.type, row.deleted)
    for (account_uuid, bucket, type_), delta in sorted(domain.counter_deltas(old, new).items()):
        counter, total = "opp_{}_{}".format(bucket, type_), "{}_total".format(bucket)
        db.execute(update(Account)
                   .where(Account.workspace_id == workspace_id, Account.uuid == account_uuid)
                   .values({counter: getattr(Account, counter) + delta, total: getattr(Account, total) + delta}))
    db.commit()
    return True


def recount(db, workspace_id):
    """{account_uuid: {(bucket, type): count}} recomputed from the projection (a reconcile check:
    it must equal the counters kept on the accounts)."""
    counts = {}
    rows = db.execute(select(Opportunity.account_uuid, Opportunity.state, Opportunity.type, func.count())
                      .where(Opportunity.workspace_id == workspace_id, Opportunity.deleted.is_(False),
                             Opportunity.account_uuid.is_not(None))
                      .group_by(Opportunity.account_uuid, Opportunity.state, Opportunity.type))
    for account_uuid, state, type_, count in rows:
        key = (domain.bucket_of(state), type_)
        per_account = counts.setdefault(account_uuid, {})
        per_account[key] = per_account.get(key, 0) + count
    return counts
