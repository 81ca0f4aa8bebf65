"""What the resync and reconcile commands (services/goals/cli.py) read and refresh."""
from collections import defaultdict

from sqlalchemy import delete, select

from services.goals.models import Goal, GoalAssignment, GoalMember
from services.goals.store.locks import lock_campaigns


def _live_goals(workspace_id):
    query = select(Goal).where(Goal.deleted_at.is_(None))
    return query if workspace_id is None else query.where(Goal.workspace_id == workspace_id)


def live_goals(session, workspace_id=None):
    """Every goal not deleted (of one workspace), by id."""
    return session.scalars(_live_goals(workspace_id).order_by(Goal.id)).all()


def live_goal_ids(session, workspace_id=None):
    return [goal.id for goal in live_goals(session, workspace_id)]


def goal_for_recompute(session, goal_id):
    """The goal locked for a recomputation: its campaign's lock (exclusive, first, as events take it
    before the goal's row) then its row."""
    goal = session.get(Goal, goal_id)
    lock_campaigns(session, goal.workspace_id, {goal.campaign_uuid}, shared=False)
    session.refresh(goal, with_for_update=True)
    return goal


def members_by_goal(session):
    """{goal id: {user ids}} of every goal."""
    members = defaultdict(set)
    for goal_id, user_id in session.execute(select(GoalMember.goal_id, GoalMember.user_id)):
        members[goal_id].add(user_id)
    return members


def assigned_groups(session, workspace_id=None):
    """(goal id, workspace id, group id) of every group assigned to a live goal."""
    query = (select(Goal.id, Goal.workspace_id, GoalAssignment.assignee_id)
             .join(GoalAssignment, GoalAssignment.goal_id == Goal.id)
             .where(Goal.deleted_at.is_(None), GoalAssignment.kind == "group"))
    if workspace_id is not None:
        query = query.where(Goal.workspace_id == workspace_id)
    return session.execute(query).all()


def replace_group_members(session, goal_id, group_id, user_ids):
    session.execute(delete(GoalMember).where(GoalMember.goal_id == goal_id, GoalMember.group_id == group_id))
    session.add_all(GoalMember(goal_id=goal_id, group_id=group_id, user_id=u) for u in user_ids)
