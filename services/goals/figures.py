"""Moving a goal's figures: the domain's arithmetic applied to a goal (a row, or what an event read
of it), and the goal events it owes written to the outbox in the same transaction. Shared by the use
cases (create, new target, assignments) and the opportunity consumer.

`goal_progress_changed` when the figure or the progress moves, `goal_achieved` the first time the
figure reaches the target; both carry the goal's next version (docs/events.md).
"""
from decimal import Decimal

from contracts.events import GOAL_ACHIEVED, GOAL_PROGRESS_CHANGED
from infra.db import now_utc
from infra.events import envelope
from infra.outbox import record_event
from services.goals import domain, schemas
from services.goals.models import outbox
from services.goals.store import assignments, contributions, locks, projection


def move_goal(session, goal, delta_current, delta_forecast):
    """Moves the goal's figures by the deltas and records the events that owes."""
    previous_current = Decimal(goal.current or 0)
    moved = domain.move(Decimal(goal.amount), previous_current, Decimal(goal.forecast or 0),
                        Decimal(goal.progress or 0), goal.achieved_at is not None, delta_current, delta_forecast)
    goal.current, goal.forecast = moved.current, moved.forecast
    goal.progress, goal.progress_int = moved.progress, moved.progress_int
    if moved.progress_changed:
        _record(session, goal, GOAL_PROGRESS_CHANGED, previous_current)
    if moved.achieved:
        goal.achieved_at = now_utc()
        _record(session, goal, GOAL_ACHIEVED, previous_current)


def recompute_goal(session, goal):
    """Rebuilds the goal's contributions and figures from the projection (create, reassignment,
    resync), holding its campaign's lock exclusively so no event of the campaign commits meanwhile."""
    locks.lock_campaigns(session, goal.workspace_id, {goal.campaign_uuid}, shared=False)
    members = assignments.member_ids(session, goal.id)
    current, forecast, found = domain.figures(domain.goal_spec(goal, members),
                                              projection.candidate_opportunities(session, goal, members))
    contributions.replace_contributions(session, goal.id, found)
    move_goal(session, goal, current - Decimal(goal.current or 0), forecast - Decimal(goal.forecast or 0))


def _record(session, goal, event_type, previous_current):
    goal.version = (goal.version or 1) + 1
    record_event(session, outbox, envelope(event_type, goal.workspace_id, "goal", goal.uuid, goal.version,
                                           "updated", schemas.goal_event_snapshot(goal, previous_current)))
