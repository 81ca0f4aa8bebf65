"""The goals API's use cases. Each takes the worker's session, a `directory(method, ...)` RPC
caller, the verified caller and the request payload; it commits what it changes."""
from decimal import Decimal

from sqlalchemy import delete, exists, select

from infra.cursors import decode_cursor, encode_cursor
from infra.db import now_utc
from infra.validation import load
from contracts.directory import DirectoryNames
from services.goals import domain, progress, schemas
from services.goals.exceptions import (CampaignNotFound, GoalNotFound, InvalidAction, InvalidAssignment,
                                       InvalidFilters, InvalidGoal, InvalidGoalRequest, InvalidGoalType,
                                       NotGoalOwner)
from services.goals.models import Contribution, Goal, GoalAssignment, GoalMember, Opportunity


DIRECTORY_NAMES = DirectoryNames()


def _action(payload, allowed):
    action = payload.get("action") if isinstance(payload, dict) else None
    if action not in allowed:
        raise InvalidAction("action must be one of: {}".format(", ".join(allowed)), "action")
    return action


# --- list ---------------------------------------------------------------------------------------------
def list_goals(db, directory, me, payload):
    _action(payload, ("get_all_goals",))
    data = load(schemas.ListGoalsSchema(), payload, InvalidGoalRequest)
    if data.get("user_assigned") is not None and data.get("group_assigned") is not None:
        raise InvalidFilters("user_assigned and group_assigned cannot be used together", "user_assigned")
    low, high = data.get("progress_min"), data.get("progress_max")
    if low is not None and high is not None and low > high:
        raise InvalidFilters("progress_min must not be greater than progress_max", "progress_min")
    cursor = decode_cursor(data.get("page"), InvalidFilters)
    if cursor is not None and (len(cursor) != 1 or not isinstance(cursor[0], int)):
        raise InvalidFilters("Invalid page cursor", "page")

    query = select(Goal).where(Goal.workspace_id == me.workspace_id, Goal.deleted_at.is_(None))
    if data.get("campaigns") is not None:
        query = query.where(Goal.campaign_uuid.in_(data["campaigns"]))
    if data.get("owner") is not None:
        query = query.where(Goal.owner_uuid.in_(data["owner"]))
    for kind, ids in (("user", data.get("user_assigned")), ("group", data.get("group_assigned"))):
        if ids is not None:
            query = query.where(exists().where(GoalAssignment.goal_id == Goal.id, GoalAssignment.kind == kind,
                                               GoalAssignment.assignee_id.in_(ids)))
    if low is not None:
        query = query.where(Goal.progress_int >= low)
    if high is not None:
        query = query.where(Goal.progress_int <= high)
    if cursor is not None:
        query = query.where(Goal.id < cursor[0])  # newest first, keyset on the primary key
    size = data["page_size"]
    goals = db.scalars(query.order_by(Goal.id.desc()).limit(size + 1)).all()
    next_page = encode_cursor([goals[size - 1].id]) if len(goals) > size else None
    goals = goals[:size]
    assignments = _assignments(db, [goal.id for goal in goals])
    users, groups = _names(directory, me.workspace_id, goals, assignments)
    views = [schemas.goal_view(goal, assignments.get(goal.id, []), users, groups) for goal in goals]
    return {"data": views, "next_page": next_page}


# --- create / update / delete --------------------------------------------------------------------------
def goal_action(db, directory, me, payload):
    action = _action(payload, ("create", "update", "delete"))
    return {"create": create_goal, "update": update_goal, "delete": delete_goal}[action](db, directory, me, payload)


def create_goal(db, directory, me, payload):
    for name, allowed in (("goal_type", domain.GOAL_TYPES), ("goal_subtype", domain.GOAL_SUBTYPES)):
        if name in payload and payload[name] not in allowed:
            raise InvalidGoalType("{} must be one of: {}".format(name, ", ".join(allowed)), name)
    data = load(schemas.CreateGoalSchema(), payload, InvalidGoal)
    campaigns = directory("campaigns_in_workspace", me.workspace_id, campaign_uuids=[str(data["campaign_uuid"])])
    if not campaigns:
        raise CampaignNotFound("Campaign {} not found".format(data["campaign_uuid"]), "campaign_uuid")
    users, groups = _check_assignees(directory, me.workspace_id, data["users"], data["groups"])
    goal = Goal(workspace_id=me.workspace_id, owner_id=me.user_id, owner_uuid=me.user_uuid,
                description=data["description"], campaign_uuid=str(data["campaign_uuid"]),
                campaign_name=campaigns[0]["name"], goal_type=data["goal_type"], goal_subtype=data["goal_subtype"],
                input_uuid=str(data["input_uuid"]) if data.get("input_uuid") else None, crop_id=data.get("crop_id"),
                variety_id=data.get("variety_id"), amount=data["amount"], id_unit=data["id_unit"],
                current=Decimal(0), forecast=Decimal(0), progress=Decimal(0), progress_int=0, version=1)
    db.add(goal)
    db.flush()
    _set_assignments(db, goal, users, groups)
    progress.recompute_goal(db, goal)  # a goal created after its opportunities starts with their figure
    db.commit()
    return {"message": "goal created successfully", "data": schemas.created_view(goal, _assignments_of(db, goal))}


def update_goal(db, directory, me, payload):
    data = load(schemas.UpdateGoalSchema(), payload, InvalidGoal)
    goal = _owned_goal(db, me, data["uuid"])
    if "description" in data:
        goal.description = data["description"]
    if "users" in data or "groups" in data:
        current = _assignment_ids(db, goal)
        users, groups = _check_assignees(directory, me.workspace_id, data.get("users", current["user"]),
                                         data.get("groups", current["group"]))
        if "amount" in data:
            goal.amount = data["amount"]
        _set_assignments(db, goal, users, groups)
        progress.recompute_goal(db, goal)
    elif "amount" in data:
        goal.amount = data["amount"]
        progress.move_goal(db, goal, Decimal(0), Decimal(0))  # the target moved: progress may have
    goal.modified_at = now_utc()
    db.commit()
    return {"message": "goal updated successfully", "data": schemas.updated_view(goal, _assignments_of(db, goal))}


def delete_goal(db, directory, me, payload):
    data = load(schemas.DeleteGoalSchema(), payload, InvalidGoal)
    goal = _owned_goal(db, me, data["uuid"])
    goal.deleted_at = goal.modified_at = now_utc()
    db.execute(delete(Contribution).where(Contribution.goal_id == goal.id))  # events no longer touch it
    db.execute(delete(GoalMember).where(GoalMember.goal_id == goal.id))
    db.commit()
    return {"message": "goal deleted successfully"}


# --- assign / unassign ---------------------------------------------------------------------------------
def assign_goal(db, directory, me, payload):
    data = load(schemas.AssignSchema(), payload, InvalidGoalRequest)
    goal = _owned_goal(db, me, data["goal_uuid"])
    current = _assignment_ids(db, goal)
    users, groups = _check_assignees(directory, me.workspace_id, sorted(set(current["user"]) | set(data["users"])),
                                     sorted(set(current["group"]) | set(data["groups"])))
    _set_assignments(db, goal, users, groups)
    progress.recompute_goal(db, goal)
    goal.modified_at = now_utc()
    db.commit()
    return {"message": "goal assigned successfully"}


def unassign_goal(db, directory, me, payload):
    action = _action(payload, ("unassign_users", "unassign_groups"))
    schema = schemas.UnassignUsersSchema() if action == "unassign_users" else schemas.UnassignGroupsSchema()
    data = load(schema, payload, InvalidGoalRequest)
    goal = _owned_goal(db, me, data["goal_uuid"])
    current = _assignment_ids(db, goal)
    users = [u for u in current["user"] if u not in set(data.get("users", ()))]
    groups = [g for g in current["group"] if g not in set(data.get("groups", ()))]
    users, groups = _check_assignees(directory, me.workspace_id, users, groups, strict=False)
    _set_assignments(db, goal, users, groups)
    progress.recompute_goal(db, goal)
    goal.modified_at = now_utc()
    db.commit()
    return {"message": "goal unassigned successfully"}


# --- progress -----------------------------------------------------------------------------------------
def goal_progress(db, directory, me, payload):
    data = load(schemas.ProgressSchema(), payload, InvalidGoalRequest)
    goal = _visible_goal(db, me, data["goal_uuid"])
    user_id, group_id = data.get("user_id"), data.get("group_id")
    rows = select(Contribution).where(Contribution.goal_id == goal.id)
    if user_id is not None or group_id is not None:
        _may_narrow(directory, me, goal, user_id, group_id)
    if user_id is not None:
        rows = rows.where(Contribution.user_id == user_id)
    if group_id is not None:
        rows = rows.where(Contribution.user_id.in_(_group_members(db, directory, me, goal, group_id)))
    contributions = db.scalars(rows.order_by(Contribution.opportunity_uuid)).all()
    if user_id is None and group_id is None:
        current, forecast = Decimal(goal.current), Decimal(goal.forecast)
    else:
        current = sum((progress._counted(c) for c in contributions), Decimal(0))
        forecast = sum((progress._forecast(c) for c in contributions), Decimal(0))
    won = [c for c in contributions if c.state == "won"]
    names = {row.uuid: (row.name, row.deal_id) for row in db.execute(
        select(Opportunity.uuid, Opportunity.name, Opportunity.deal_id)
        .where(Opportunity.uuid.in_([c.opportunity_uuid for c in won])))}
    assignments = _assignments(db, [goal.id]).get(goal.id, [])
    users, groups = _names(directory, me.workspace_id, [], {goal.id: assignments})
    return {
        "uuid": goal.uuid, "description": goal.description,
        "campaign": {"uuid": goal.campaign_uuid, "name": goal.campaign_name},
        "goal_type": goal.goal_type, "goal_subtype": goal.goal_subtype,
        "target": domain.number(goal.amount), "id_unit": goal.id_unit,
        "unit": domain.unit_label(goal.goal_subtype, goal.id_unit),
        "assigned_to": [schemas.assignee_view(a, users, groups) for a in assignments],
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


def _may_narrow(directory, me, goal, user_id, group_id):
    """The goal's owner and the workspace owner may see anyone's share; others only their own."""
    if me.user_id == goal.owner_id or me.is_owner:
        return
    if user_id is not None and user_id == me.user_id:
        return
    if group_id is not None:
        groups = directory("groups_in_workspace", me.workspace_id, group_ids=[group_id])
        if groups and me.user_id in groups[0]["members"]:
            return
    raise NotGoalOwner("Only the goal owner can see another user's or group's progress", "user_id")


def _group_members(db, directory, me, goal, group_id):
    stored = db.scalars(select(GoalMember.user_id).where(GoalMember.goal_id == goal.id,
                                                         GoalMember.group_id == group_id)).all()
    assigned = db.scalar(select(GoalAssignment.goal_id).where(GoalAssignment.goal_id == goal.id,
                                                              GoalAssignment.kind == "group",
                                                              GoalAssignment.assignee_id == group_id))
    if assigned is not None:
        return stored  # the membership the goal's figure was computed with
    groups = directory("groups_in_workspace", me.workspace_id, group_ids=[group_id])
    if not groups:
        raise InvalidGoalRequest("Group {} not found".format(group_id), "group_id")
    return groups[0]["members"]


# --- helpers ------------------------------------------------------------------------------------------
def _visible_goal(db, me, goal_uuid, lock=False):
    query = select(Goal).where(Goal.uuid == str(goal_uuid), Goal.workspace_id == me.workspace_id,
                               Goal.deleted_at.is_(None))
    goal = db.scalar(query.with_for_update() if lock else query)
    if goal is None:
        raise GoalNotFound("Goal {} not found".format(goal_uuid), "uuid")
    return goal


def _owned_goal(db, me, goal_uuid):
    goal = _visible_goal(db, me, goal_uuid)
    if goal.owner_id != me.user_id:
        raise NotGoalOwner()
    # campaign lock before the row lock: the order events take them in (see progress.py)
    progress.lock_campaigns(db, goal.workspace_id, {goal.campaign_uuid}, shared=False)
    return _visible_goal(db, me, goal_uuid, lock=True)


def _check_assignees(directory, workspace_id, user_ids, group_ids, strict=True):
    """(user ids, {group id: member ids}) of ids that exist in the workspace; InvalidAssignment if not."""
    user_ids, group_ids = sorted(set(user_ids)), sorted(set(group_ids))
    found_users = {u["id"] for u in directory("users_in_workspace", workspace_id, user_ids=user_ids)} if user_ids else set()
    groups = {g["id"]: g["members"] for g in directory("groups_in_workspace", workspace_id, group_ids=group_ids)} \
        if group_ids else {}
    missing_users = [u for u in user_ids if u not in found_users]
    missing_groups = [g for g in group_ids if g not in groups]
    if strict and (missing_users or missing_groups):
        raise InvalidAssignment("Unknown users {} / groups {} in this workspace".format(missing_users, missing_groups),
                                "users" if missing_users else "groups")
    return [u for u in user_ids if u in found_users], groups


def _set_assignments(db, goal, user_ids, groups):
    db.execute(delete(GoalAssignment).where(GoalAssignment.goal_id == goal.id))
    db.execute(delete(GoalMember).where(GoalMember.goal_id == goal.id))
    db.add_all(GoalAssignment(goal_id=goal.id, kind="user", assignee_id=u) for u in user_ids)
    db.add_all(GoalAssignment(goal_id=goal.id, kind="group", assignee_id=g) for g in sorted(groups))
    members = {(0, u) for u in user_ids} | {(g, m) for g, ids in groups.items() for m in ids}
    db.add_all(GoalMember(goal_id=goal.id, group_id=g, user_id=u) for g, u in sorted(members))
    goal.assigned = bool(user_ids or groups)
    db.flush()


def _assignments(db, goal_ids):
    found = {}
    if goal_ids:
        rows = db.scalars(select(GoalAssignment).where(GoalAssignment.goal_id.in_(goal_ids))
                          .order_by(GoalAssignment.goal_id, GoalAssignment.kind.desc(), GoalAssignment.assignee_id))
        for row in rows:
            found.setdefault(row.goal_id, []).append(row)
    return found


def _assignments_of(db, goal):
    return _assignments(db, [goal.id]).get(goal.id, [])


def _assignment_ids(db, goal):
    ids = {"user": [], "group": []}
    for row in _assignments_of(db, goal):
        ids[row.kind].append(row.assignee_id)
    return ids


def _names(directory, workspace_id, goals, assignments):
    """The directory's users and groups named by these goals (owners and assignees); an RPC only for
    ids this process has not seen (contracts.directory)."""
    user_ids = {goal.owner_id for goal in goals}
    group_ids = set()
    for rows in assignments.values():
        for row in rows:
            (user_ids if row.kind == "user" else group_ids).add(row.assignee_id)
    return (DIRECTORY_NAMES.users(directory, workspace_id, user_ids),
            DIRECTORY_NAMES.groups(directory, workspace_id, group_ids))
