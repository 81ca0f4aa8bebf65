"""A goal's progress detail: consolidated, or narrowed to one user or one group's members."""
from decimal import Decimal

from infra.validation import load
from services.goals import domain, schemas
from services.goals.exceptions import InvalidGoalRequest, NotGoalOwner
from services.goals.store import assignments, contributions, projection
from services.goals.usecases import directory
from services.goals.usecases.access import visible_goal


def goal_progress(ctx, payload):
    data = load(schemas.ProgressSchema(), payload, InvalidGoalRequest)
    goal = visible_goal(ctx, data["goal_uuid"])
    user_id, group_id = data.get("user_id"), data.get("group_id")
    if user_id is None and group_id is None:
        rows = contributions.contributions_of(ctx.db, goal.id)
        current, forecast = Decimal(goal.current), Decimal(goal.forecast)
    else:
        _may_narrow(ctx, goal, user_id, group_id)
        user_ids = [user_id] if user_id is not None else _group_members(ctx, goal, group_id)
        rows = contributions.contributions_of(ctx.db, goal.id, user_ids)
        current = sum((domain.counted(c.state, c.amount) for c in rows), Decimal(0))
        forecast = sum((domain.forecast(c.state, c.amount) for c in rows), Decimal(0))
    won = [c for c in rows if c.state == "won"]
    names = projection.names_and_ids(ctx.db, [c.opportunity_uuid for c in won])
    assigned = assignments.assignments_of(ctx.db, [goal.id]).get(goal.id, [])
    users, groups = directory.names(ctx, [], {goal.id: assigned})
    return {
        "uuid": goal.uuid, "description": goal.description,
        "campaign": {"uuid": goal.campaign_uuid, "name": goal.campaign_name},
        "goal_type": goal.goal_type, "goal_subtype": goal.goal_subtype,
        "target": domain.number(goal.amount), "id_unit": goal.id_unit,
        "unit": domain.unit_label(goal.goal_subtype, goal.id_unit),
        "assigned_to": [schemas.assignee_view(a, users, groups) for a in assigned],
        "filter": {"user_id": user_id, "group_id": group_id},
        "progress_detail": {
            "current": domain.number(current),
            "progress": float(domain.progress(current, goal.amount)),
            "forecast": domain.number(forecast),
            "forecast_progress": float(domain.progress(forecast, goal.amount)),
            "achieved": goal.achieved_at is not None,
            "operations": [schemas.operation_view(c, names) for c in won if c.amount is not None],
            "other_units_opportunities": [schemas.other_unit_view(c, names) for c in won if c.amount is None],
        },
    }


def _may_narrow(ctx, goal, user_id, group_id):
    """The goal's owner and the workspace owner may see anyone's share; others only their own."""
    me = ctx.me
    if me.user_id == goal.owner_id or me.is_owner:
        return
    if user_id is not None and user_id == me.user_id:
        return
    if group_id is not None and me.user_id in (directory.group_members(ctx, group_id) or ()):
        return
    raise NotGoalOwner("Only the goal owner can see another user's or group's progress", "user_id")


def _group_members(ctx, goal, group_id):
    """For a group assigned to the goal, the membership its figure was computed with; for any other
    group of the workspace, its members now."""
    stored = assignments.assigned_group_members(ctx.db, goal.id, group_id)
    if stored is not None:
        return stored
    members = directory.group_members(ctx, group_id)
    if members is None:
        raise InvalidGoalRequest("Group {} not found".format(group_id), "group_id")
    return members
