"""Goals: the list's pages, one goal of a workspace, creating and soft-deleting one."""
from sqlalchemy import delete, exists, select

from services.goals.models import Contribution, Goal, GoalAssignment, GoalMember


def page_of_goals(session, workspace_id, limit, campaigns=None, owners=None, user_assigned=None,
                  group_assigned=None, progress_min=None, progress_max=None, before_id=None):
    """Up to `limit` live goals of the workspace, newest first (keyset on the primary key: those with
    an id below `before_id`), filtered as the list asks."""
    query = select(Goal).where(Goal.workspace_id == workspace_id, Goal.deleted_at.is_(None))
    if campaigns is not None:
        query = query.where(Goal.campaign_uuid.in_(campaigns))
    if owners is not None:
        query = query.where(Goal.owner_uuid.in_(owners))
    for kind, ids in (("user", user_assigned), ("group", group_assigned)):
        if ids is not None:
            query = query.where(exists().where(GoalAssignment.goal_id == Goal.id, GoalAssignment.kind == kind,
                                               GoalAssignment.assignee_id.in_(ids)))
    if progress_min is not None:
        query = query.where(Goal.progress_int >= progress_min)
    if progress_max is not None:
        query = query.where(Goal.progress_int <= progress_max)
    if before_id is not None:
        query = query.where(Goal.id < before_id)
    return session.scalars(query.order_by(Goal.id.desc()).limit(limit)).all()


def live_goal(session, workspace_id, goal_uuid, lock=False):
    """The workspace's goal of that uuid unless deleted (locked FOR UPDATE if asked), else None."""
    query = select(Goal).where(Goal.uuid == str(goal_uuid), Goal.workspace_id == workspace_id,
                               Goal.deleted_at.is_(None))
    return session.scalar(query.with_for_update() if lock else query)


def add_goal(session, **values):
    """A new goal (its id assigned)."""
    goal = Goal(**values)
    session.add(goal)
    session.flush()
    return goal


def soft_delete_goal(session, goal, now):
    """Marks the goal deleted and drops its contributions and members, so events no longer touch it."""
    goal.deleted_at = goal.modified_at = now
    session.execute(delete(Contribution).where(Contribution.goal_id == goal.id))
    session.execute(delete(GoalMember).where(GoalMember.goal_id == goal.id))
