"""`customer_goal_changed` through the goals outbox, in the transaction of the change: when a goal
is created, changes status, or is deleted (docs/events.md)."""
from __future__ import annotations

from contracts.customer_goals import AGGREGATE_TYPE, CUSTOMER_GOAL_CHANGED
from infra.events import envelope
from infra.outbox import record_event
from services.goals.customer_goals.dsl.fields import GOAL_FIELDS, stored_fields
from services.goals.customer_goals.store import goals as goal_store
from services.goals.customer_goals.usecases import references
from services.goals.customer_goals.views import field_value
from services.goals.models import outbox

SNAPSHOT_FIELDS = [spec for spec in stored_fields(GOAL_FIELDS)
                   if spec.name not in ("GoalCategory", "RelationshipId", "RelationshipTypeId")]


def goal_changed(db, goal, change: str) -> None:
    """Records the event of `goal` at its current `version` (the caller moves it: +1 per event)."""
    snapshot = None if change == "deleted" else snapshot_of(db, goal)
    record_event(db, outbox, envelope(CUSTOMER_GOAL_CHANGED, goal.workspace_id, AGGREGATE_TYPE, goal.gsid,
                                      goal.version, change, snapshot))


def snapshot_of(db, goal) -> dict:
    snapshot = {spec.name: field_value(goal, spec) for spec in SNAPSHOT_FIELDS}
    snapshot["StatusName"] = references.status_name(db, goal.workspace_id, goal.status_id)
    snapshot["customFields"] = goal_store.custom_json(goal_store.custom_values(db, [goal.id]).get(goal.id, {}))
    links = goal_store.links(db, [goal.id], ("CTA", "SP", "WORK")).get(goal.id, {})
    snapshot.update(associatedCTAs=list(links.get("CTA", [])), associatedSPs=list(links.get("SP", [])),
                    AssociatedWork=list(links.get("WORK", [])))
    return snapshot
