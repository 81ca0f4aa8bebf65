"""The goals service's event consumer: `deals.opportunity_changed` keeps the opportunity projection
and moves the figures of the goals each change touches.

Cost: an event reads the deal's existing contributions and the goals of its campaign it now matches
(one prepared statement, by index) and moves each of them by a delta (old contribution -> new
one); nothing rescans a workspace. On PostgreSQL: 3 statements when no goal is touched, 6 for one
goal, 1 for a duplicate (services/goals/tests/test_apply_change.py counts them).

Concurrency (several consumers, several instances): the projection row is locked first
(store.projection), then the campaign's advisory lock is taken shared (store.locks), then the goals
are locked in id order (store.affected_goals); a recomputation takes the campaign lock exclusively.
"""
from decimal import Decimal

from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
from contracts.fast_events import load_opportunity_changed
from infra.consumers import EventConsumer, is_newer
from services.goals import domain
from services.goals.figures import move_goal
from services.goals.store import batches, projection
from services.goals.store.affected_goals import FIGURES, affected_goals


def apply_opportunity_changed(session, event):
    return apply_change(session, event["aggregate_id"], event["workspace_id"], event["version"], event["snapshot"])


OPPORTUNITY_CHANGED = EventConsumer(OPPORTUNITY_CHANGED_SCHEMA, apply_opportunity_changed, "opportunity_changed",
                                    fast_load=load_opportunity_changed)


def apply_change(session, aggregate_id, workspace_id, version, snapshot, replay_same_version=False):
    """Applies one opportunity change (a contract-loaded snapshot, None when deleted) if its version
    is newer than the projection's (or the same one, for a resync); returns whether it did. The
    caller commits."""
    connection = session.connection()
    old = projection.lock_row(connection, aggregate_id, workspace_id)
    if not (is_newer(old.version or None, version) or (replay_same_version and version == old.version)):
        return False
    values = domain.projected_fields(workspace_id, snapshot)
    old_campaign = None if old.deleted else old.campaign_uuid
    campaigns = {c for c in (old_campaign, values["campaign_uuid"]) if c}
    projection.update_row(session, aggregate_id, version, values, workspace_id, campaigns)
    opp = dict(values, uuid=aggregate_id)
    removed, written, moved = [], [], []
    for row in affected_goals(connection, opp):
        goal = _EventGoal(row)
        # the SQL match already checked the assignee, so the spec admits this opportunity's user
        new = domain.contribution(domain.goal_spec(goal, members={opp["user_id"]}), opp) if row.matches else None
        if new is not None:
            written.append(_contribution_values(goal.id, new))
        elif row.old_state is not None:
            removed.append(goal.id)
        new_counted, new_forecast = (new.counted, new.forecast) if new else (Decimal(0), Decimal(0))
        move_goal(session, goal, new_counted - domain.counted(row.old_state, row.old_amount),
                  new_forecast - domain.forecast(row.old_state, row.old_amount))
        changes = goal.changes()
        if changes:
            moved.append(dict(changes, goal_id=goal.id))
    if moved:
        batches.update_goals(connection, moved)
    if removed:
        batches.delete_contributions(connection, aggregate_id, removed)
    if written:
        batches.upsert_contributions(connection, written)
    return True


class _EventGoal:
    """A goal row as an event reads it: the attributes goal_spec and move_goal use, and which of its
    figures they changed (written back in one statement)."""

    def __init__(self, row):
        self.__dict__.update(row._mapping)
        self._before = {name: getattr(self, name) for name in FIGURES}

    def changes(self):
        now = {name: getattr(self, name) for name in FIGURES}
        return now if now != self._before else None


def _contribution_values(goal_id, contribution):
    return {"goal_id": goal_id, "opportunity_uuid": contribution.opportunity_uuid, "user_id": contribution.user_id,
            "state": contribution.state, "amount": contribution.amount, "raw_quantity": contribution.raw_quantity,
            "raw_unit_id": contribution.raw_unit_id}
