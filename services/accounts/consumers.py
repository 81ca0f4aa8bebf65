"""`deals.opportunity_changed` applied to the projection and the accounts' counters.

Idempotent and order-tolerant: the projection row of a deal holds the newest version applied; an
event that is not newer changes nothing. Concurrent events for one deal are serialized by the lock on
its projection row (`store.projection.lock_row`, infra.projections.ProjectionRows: on PostgreSQL one
INSERT .. ON CONFLICT DO UPDATE .. RETURNING creates, locks and reads it). The deal's old and new
contributions are moved in the same transaction, accounts updated in uuid order so two deals moving
between the same accounts cannot deadlock. The path in infra.consumers loads the message, commits and
retries.
"""
from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
from contracts.fast_events import load_opportunity_changed
from infra.consumers import EventConsumer, is_newer
from infra.db import now_utc
from services.accounts import domain
from services.accounts.store import projection


def apply_opportunity_changed(db, event):
    """Applies a loaded OpportunityChanged event; True if it changed the projection. Does not commit.

    Statements: the upsert that locks the row; then, with one account's counters moving (PostgreSQL),
    one statement for the row and the counters; else the row's update and one per account."""
    deal_uuid, workspace_id, version = event["aggregate_id"], event["workspace_id"], event["version"]
    connection = db.connection()
    now = now_utc()
    row = projection.lock_row(connection, deal_uuid, workspace_id, now)
    if row.workspace_id != workspace_id or not is_newer(row.version, version):
        return False
    values = dict(projected_values(row, event["snapshot"]), version=version, updated_at=now)
    old = domain.contribution(row.account_uuid, row.state, row.type, row.deleted)
    new = domain.contribution(values["account_uuid"], values["state"], values["type"], values["deleted"])
    moves = sorted(domain.deltas_per_account(domain.counter_deltas(old, new)).items())
    projection.write_row(connection, deal_uuid, workspace_id, values, moves)
    return True


def projected_values(row, snapshot):
    """What the deal counts for after the change: its snapshot's, or (a delete) a tombstone that keeps
    what it last counted for."""
    if snapshot is None:
        return {"account_uuid": row.account_uuid, "state": row.state, "type": row.type, "deleted": True}
    return {"account_uuid": snapshot["account_uuid"], "state": snapshot["current_state"], "type": snapshot["type"],
            "deleted": False}


OPPORTUNITY_CHANGED = EventConsumer(OPPORTUNITY_CHANGED_SCHEMA, apply_opportunity_changed, "opportunity_changed",
                                    fast_load=load_opportunity_changed)
