"""The goal a caller may read (any live goal of their workspace) or change (one they own)."""
from services.goals.exceptions import GoalNotFound, NotGoalOwner
from services.goals.store import goals, locks


def visible_goal(ctx, goal_uuid, lock=False):
    """The caller's workspace's live goal, else GoalNotFound (another workspace's answers the same)."""
    goal = goals.live_goal(ctx.db, ctx.me.workspace_id, goal_uuid, lock)
    if goal is None:
        raise GoalNotFound("Goal {} not found".format(goal_uuid), "uuid")
    return goal


def owned_goal(ctx, goal_uuid):
    """The caller's own goal, locked for a change (NotGoalOwner if it is someone else's): its campaign's
    lock first, then its row, the order events take them in (consumers.py)."""
    goal = visible_goal(ctx, goal_uuid)
    if goal.owner_id != ctx.me.user_id:
        raise NotGoalOwner()
    locks.lock_campaigns(ctx.db, goal.workspace_id, {goal.campaign_uuid}, shared=False)
    return visible_goal(ctx, goal_uuid, lock=True)
