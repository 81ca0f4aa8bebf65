"""A goal's assignees: assign adds users and groups, unassign removes users or groups; each
recomputes the goal's figures from the projection with the new members."""
from infra.db import now_utc
from infra.validation import load
from services.goals import schemas
from services.goals.exceptions import InvalidGoalRequest
from services.goals.figures import recompute_goal
from services.goals.store import assignments
from services.goals.usecases import directory
from services.goals.usecases.access import owned_goal


def assign_goal(ctx, payload):
    data = load(schemas.AssignSchema(), payload, InvalidGoalRequest)
    goal = owned_goal(ctx, data["goal_uuid"])
    current = assignments.assignment_ids(ctx.db, goal.id)
    users, groups = directory.check_assignees(ctx, set(current["user"]) | set(data["users"]),
                                              set(current["group"]) | set(data["groups"]))
    _reassign(ctx, goal, users, groups)


def unassign_users(ctx, payload):
    data = load(schemas.UnassignUsersSchema(), payload, InvalidGoalRequest)
    _unassign(ctx, data["goal_uuid"], users=set(data["users"]))


def unassign_groups(ctx, payload):
    data = load(schemas.UnassignGroupsSchema(), payload, InvalidGoalRequest)
    _unassign(ctx, data["goal_uuid"], groups=set(data["groups"]))


def _unassign(ctx, goal_uuid, users=frozenset(), groups=frozenset()):
    """Unassigning an id that is not assigned changes nothing; assignees the directory no longer
    knows are dropped."""
    goal = owned_goal(ctx, goal_uuid)
    current = assignments.assignment_ids(ctx.db, goal.id)
    kept_users, kept_groups = directory.check_assignees(
        ctx, [u for u in current["user"] if u not in users], [g for g in current["group"] if g not in groups],
        strict=False)
    _reassign(ctx, goal, kept_users, kept_groups)


def _reassign(ctx, goal, users, groups):
    assignments.replace_assignments(ctx.db, goal, users, groups)
    recompute_goal(ctx.db, goal)
    goal.modified_at = now_utc()
    ctx.db.commit()
