"""A goal's assignees (users and groups, as the API shows them) and its members: the users whose
opportunities count for it, directly (group 0) or as members of an assigned group, resolved from
the directory when the assignment changes."""
from sqlalchemy import delete, select

from services.goals.models import GoalAssignment, GoalMember

DIRECT = 0  # the group id of a member assigned directly


def assignments_of(session, goal_ids):
    """{goal id: [GoalAssignment]} of these goals: users first, then groups, by id."""
    found = {}
    if goal_ids:
        rows = session.scalars(select(GoalAssignment).where(GoalAssignment.goal_id.in_(goal_ids))
                               .order_by(GoalAssignment.goal_id, GoalAssignment.kind.desc(),
                                         GoalAssignment.assignee_id))
        for row in rows:
            found.setdefault(row.goal_id, []).append(row)
    return found


def assignment_ids(session, goal_id):
    """{"user": [ids], "group": [ids]} assigned to the goal."""
    ids = {"user": [], "group": []}
    for row in assignments_of(session, [goal_id]).get(goal_id, []):
        ids[row.kind].append(row.assignee_id)
    return ids


def replace_assignments(session, goal, user_ids, groups):
    """The goal's assignees become `user_ids` and the groups of `groups` ({group id: member ids})."""
    session.execute(delete(GoalAssignment).where(GoalAssignment.goal_id == goal.id))
    session.execute(delete(GoalMember).where(GoalMember.goal_id == goal.id))
    session.add_all(GoalAssignment(goal_id=goal.id, kind="user", assignee_id=u) for u in user_ids)
    session.add_all(GoalAssignment(goal_id=goal.id, kind="group", assignee_id=g) for g in sorted(groups))
    members = {(DIRECT, u) for u in user_ids} | {(g, m) for g, ids in groups.items() for m in ids}
    session.add_all(GoalMember(goal_id=goal.id, group_id=g, user_id=u) for g, u in sorted(members))
    goal.assigned = bool(user_ids or groups)
    session.flush()


def member_ids(session, goal_id):
    """The users whose opportunities count for the goal (when it is assigned)."""
    return set(session.scalars(select(GoalMember.user_id).where(GoalMember.goal_id == goal_id)))


def assigned_group_members(session, goal_id, group_id):
    """The members the goal's figure was computed with for that group, or None if the group is not
    assigned to the goal."""
    assigned = session.scalar(select(GoalAssignment.goal_id).where(
        GoalAssignment.goal_id == goal_id, GoalAssignment.kind == "group", GoalAssignment.assignee_id == group_id))
    if assigned is None:
        return None
    return session.scalars(select(GoalMember.user_id).where(GoalMember.goal_id == goal_id,
                                                            GoalMember.group_id == group_id)).all()
