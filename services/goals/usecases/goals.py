"""Goals: list (filtered, keyset pages), create, update, delete (soft)."""
from decimal import Decimal

from infra.cursors import decode_cursor, encode_cursor
from infra.db import now_utc
from infra.validation import load
from services.goals import domain, schemas
from services.goals.exceptions import CampaignNotFound, InvalidFilters, InvalidGoal, InvalidGoalRequest, InvalidGoalType
from services.goals.figures import move_goal, recompute_goal
from services.goals.store import assignments, goals
from services.goals.usecases import directory
from services.goals.usecases.access import owned_goal


def list_goals(ctx, payload):
    data = load(schemas.ListGoalsSchema(), payload, InvalidGoalRequest)
    if data.get("user_assigned") is not None and data.get("group_assigned") is not None:
        raise InvalidFilters("user_assigned and group_assigned cannot be used together", "user_assigned")
    low, high = data.get("progress_min"), data.get("progress_max")
    if low is not None and high is not None and low > high:
        raise InvalidFilters("progress_min must not be greater than progress_max", "progress_min")
    cursor = decode_cursor(data.get("page"), InvalidFilters)
    if cursor is not None and (len(cursor) != 1 or not isinstance(cursor[0], int)):
        raise InvalidFilters("Invalid page cursor", "page")
    size = data["page_size"]
    page = goals.page_of_goals(ctx.db, ctx.me.workspace_id, size + 1, campaigns=data.get("campaigns"),
                               owners=data.get("owner"), user_assigned=data.get("user_assigned"),
                               group_assigned=data.get("group_assigned"), progress_min=low, progress_max=high,
                               before_id=cursor[0] if cursor is not None else None)
    next_page = encode_cursor([page[size - 1].id]) if len(page) > size else None
    page = page[:size]
    assigned = assignments.assignments_of(ctx.db, [goal.id for goal in page])
    users, groups = directory.names(ctx, page, assigned)
    return {"data": [schemas.goal_view(goal, assigned.get(goal.id, []), users, groups) for goal in page],
            "next_page": next_page}


def create_goal(ctx, payload):
    for name, allowed in (("goal_type", domain.GOAL_TYPES), ("goal_subtype", domain.GOAL_SUBTYPES)):
        if isinstance(payload, dict) and name in payload and payload[name] not in allowed:
            raise InvalidGoalType("{} must be one of: {}".format(name, ", ".join(allowed)), name)
    data = load(schemas.CreateGoalSchema(), payload, InvalidGoal)
    campaign = directory.campaign(ctx, data["campaign_uuid"])
    if campaign is None:
        raise CampaignNotFound("Campaign {} not found".format(data["campaign_uuid"]), "campaign_uuid")
    users, groups = directory.check_assignees(ctx, data["users"], data["groups"])
    me = ctx.me
    goal = goals.add_goal(
        ctx.db, workspace_id=me.workspace_id, owner_id=me.user_id, owner_uuid=me.user_uuid,
        description=data["description"], campaign_uuid=str(data["campaign_uuid"]), campaign_name=campaign["name"],
        goal_type=data["goal_type"], goal_subtype=data["goal_subtype"],
        input_uuid=str(data["input_uuid"]) if data.get("input_uuid") else None, crop_id=data.get("crop_id"),
        variety_id=data.get("variety_id"), amount=data["amount"], id_unit=data["id_unit"], current=Decimal(0),
        forecast=Decimal(0), progress=Decimal(0), progress_int=0, version=1)
    assignments.replace_assignments(ctx.db, goal, users, groups)
    recompute_goal(ctx.db, goal)  # a goal created after its opportunities starts with their figure
    ctx.db.commit()
    return schemas.created_view(goal, _assignments_of(ctx, goal))


def update_goal(ctx, payload):
    data = load(schemas.UpdateGoalSchema(), payload, InvalidGoal)
    goal = owned_goal(ctx, data["uuid"])
    if "description" in data:
        goal.description = data["description"]
    if "users" in data or "groups" in data:
        current = assignments.assignment_ids(ctx.db, goal.id)
        users, groups = directory.check_assignees(ctx, data.get("users", current["user"]),
                                                  data.get("groups", current["group"]))
        if "amount" in data:
            goal.amount = data["amount"]
        assignments.replace_assignments(ctx.db, goal, users, groups)
        recompute_goal(ctx.db, goal)
    elif "amount" in data:
        goal.amount = data["amount"]
        move_goal(ctx.db, goal, Decimal(0), Decimal(0))  # the target moved: progress may have
    goal.modified_at = now_utc()
    ctx.db.commit()
    return schemas.updated_view(goal, _assignments_of(ctx, goal))


def delete_goal(ctx, payload):
    data = load(schemas.DeleteGoalSchema(), payload, InvalidGoal)
    goal = owned_goal(ctx, data["uuid"])
    goals.soft_delete_goal(ctx.db, goal, now_utc())
    ctx.db.commit()
    return None


def _assignments_of(ctx, goal):
    return assignments.assignments_of(ctx.db, [goal.id]).get(goal.id, [])
