"""The goals one opportunity change touches, read in one statement and locked in id order.

Those the deal contributed to (with that old contribution: `old_state`, `old_amount`) and, when it
can count for a goal type now (domain.goal_type_to_match), those it now matches (`matches`): the
same rule as domain.matches, in SQL, by index. One statement per (goal type, dialect), built at
import; on PostgreSQL it runs as a prepared statement of the connection (store.prepared).
"""
from sqlalchemy import and_, bindparam, exists, false, or_, select, union_all
from sqlalchemy.sql.util import ClauseAdapter

from services.goals import domain
from services.goals.models import Contribution, Goal, GoalMember
from services.goals.store.prepared import execute_prepared

# what an event may change on a goal (written back by store.batches.update_goals)
FIGURES = ("current", "forecast", "progress", "progress_int", "version", "achieved_at")
GOAL_COLUMNS = ("id", "uuid", "workspace_id", "campaign_uuid", "goal_type", "goal_subtype", "id_unit", "input_uuid",
                "crop_id", "variety_id", "assigned", "amount") + FIGURES

_goals, _contributions, _members = Goal.__table__, Contribution.__table__, GoalMember.__table__


def _build(goal_type, postgres):
    """Parameters: uuid, and with a goal type workspace_id, campaign_uuid, user_id and input_uuid
    (sale) or crop_id and variety_id (purchase)."""
    g, c = _goals, _contributions
    old_goals = select(c.c.goal_id).where(c.c.opportunity_uuid == bindparam("uuid"))
    if goal_type is None:
        candidates, matches = old_goals, false()
    else:
        matches = and_(g.c.workspace_id == bindparam("workspace_id"), g.c.campaign_uuid == bindparam("campaign_uuid"),
                       g.c.goal_type == goal_type, g.c.deleted_at.is_(None))
        if goal_type == "sale":
            matches = and_(matches, g.c.input_uuid == bindparam("input_uuid"))
        else:
            matches = and_(matches, g.c.crop_id == bindparam("crop_id"),
                           or_(g.c.variety_id.is_(None), g.c.variety_id == bindparam("variety_id")))
        member = exists().where(_members.c.goal_id == g.c.id, _members.c.user_id == bindparam("user_id"))
        matches = and_(matches, or_(g.c.assigned.is_(False), member))
        inner = g.alias("matching")  # the same condition on its own FROM (not correlated to the outer goals)
        candidates = union_all(old_goals, select(inner.c.id).where(ClauseAdapter(inner).traverse(matches)))
    joined = g.outerjoin(c, and_(c.c.goal_id == g.c.id, c.c.opportunity_uuid == bindparam("uuid")))
    query = (select(*[g.c[name] for name in GOAL_COLUMNS], c.c.state.label("old_state"),
                    c.c.amount.label("old_amount"), matches.label("matches"))
             .select_from(joined).where(g.c.id.in_(candidates)).order_by(g.c.id))
    return query.with_for_update(of=g) if postgres else query


_STATEMENTS = {(goal_type, postgres): _build(goal_type, postgres)
               for goal_type in (None,) + domain.GOAL_TYPES for postgres in (False, True)}


def affected_goals(connection, opp):
    """The rows (GOAL_COLUMNS, old_state, old_amount, matches) of the goals the opportunity's change
    touches; `opp` is its new state (domain.projected_fields with its uuid)."""
    postgres = connection.dialect.name == "postgresql"
    goal_type = domain.goal_type_to_match(opp)
    params = {"uuid": opp["uuid"]}
    if goal_type is not None:
        params.update(workspace_id=opp["workspace_id"], campaign_uuid=opp["campaign_uuid"], user_id=opp["user_id"])
        if goal_type == "sale":
            params["input_uuid"] = opp["input_uuid"]
        else:
            params.update(crop_id=opp["crop_id"], variety_id=opp["variety_id"])
    statement = _STATEMENTS[(goal_type, postgres)]
    if postgres:
        return execute_prepared(connection, statement, params)
    return connection.execute(statement, params).all()
