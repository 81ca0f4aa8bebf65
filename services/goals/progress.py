"""Keeping goal figures current: the opportunity projection, per-goal contributions, and the
goal_progress_changed / goal_achieved events written to the outbox in the same transaction.

Cost: an event reads the opportunity's existing contributions (by its uuid) and the goals of its
campaign that it matches (by index), and moves each of them by a delta. Nothing rescans the
opportunities of a workspace except `recompute_goal` (one goal, on create/assignment change/resync).

Concurrency (several consumers, several instances): the projection row is locked FOR UPDATE, goals
are locked in id order, and on PostgreSQL a transaction-scoped advisory lock per (workspace,
campaign) is taken shared by events and exclusive by recomputations, so a goal being created or
re-assigned never misses an event committed meanwhile.
"""
import hashlib
from decimal import Decimal

from sqlalchemy import delete, exists, false, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from infra.consumers import is_newer
from infra.db import now_utc
from infra.events import envelope, isoformat
from infra.outbox import record_event
from contracts.events import GOAL_ACHIEVED, GOAL_PROGRESS_CHANGED
from services.goals import domain
from services.goals.models import Contribution, Goal, GoalMember, Opportunity, outbox

PROJECTED = ("workspace_id", "user_id", "name", "campaign_uuid", "type", "input_uuid", "crop_id", "variety_id",
             "current_state", "quantity", "unit_id", "value", "value_count")


# --- the projection ---------------------------------------------------------------------------------
def projected_fields(workspace_id, snapshot):
    """The projection's columns for a contract-loaded snapshot (None: a tombstone)."""
    if snapshot is None:
        return dict({name: None for name in PROJECTED}, workspace_id=workspace_id, deleted=True, deal_id=None,
                    currency_id=None)
    values = {name: snapshot.get(name) for name in PROJECTED}
    values.update(deleted=False, deal_id=snapshot.get("id"),
                  currency_id=domain.currency_id_of(snapshot.get("currency"), snapshot.get("currency_id")))
    for name in ("quantity", "value", "value_count"):
        if values[name] is not None:
            values[name] = Decimal(values[name])
    return values


def opportunity_dict(row):
    values = {name: getattr(row, name) for name in PROJECTED}
    values.update(uuid=row.uuid, deleted=row.deleted, currency_id=row.currency_id, deal_id=row.deal_id)
    return values


def apply_change(session, aggregate_id, workspace_id, version, snapshot, replay_same_version=False):
    """Applies one opportunity change if its version is newer than the projection's; returns
    whether it did. The caller commits."""
    _insert_ignore(session, Opportunity, uuid=aggregate_id, version=0, workspace_id=workspace_id, deleted=True)
    row = session.execute(select(Opportunity).where(Opportunity.uuid == aggregate_id).with_for_update()).scalar_one()
    newer = is_newer(row.version or None, version) or (replay_same_version and version == row.version)
    if not newer:
        return False
    old_campaign = None if row.deleted else row.campaign_uuid
    values = projected_fields(workspace_id, snapshot)
    lock_campaigns(session, workspace_id, {old_campaign, values["campaign_uuid"]}, shared=True)
    for name, value in values.items():
        setattr(row, name, value)
    row.version = version
    session.flush()
    opp = opportunity_dict(row)
    old = {c.goal_id: c for c in session.scalars(select(Contribution).where(Contribution.opportunity_uuid == row.uuid))}
    matching = set() if row.deleted else set(session.scalars(_goals_matching(opp)))
    goal_ids = sorted(set(old) | matching)
    if not goal_ids:
        return True
    goals = session.scalars(select(Goal).where(Goal.id.in_(goal_ids)).order_by(Goal.id).with_for_update())
    for goal in goals:
        # the SQL match already checked the assignee, so the spec admits this opportunity's user
        spec = goal_spec(goal, members={opp["user_id"]})
        new = domain.contribution(spec, opp) if goal.id in matching else None
        _replace_contribution(session, goal, old.get(goal.id), new)
    return True


def _goals_matching(opp):
    if opp["type"] not in domain.GOAL_TYPES or not opp["campaign_uuid"] or opp["current_state"] == "lost":
        return select(Goal.id).where(false())
    query = select(Goal.id).where(Goal.workspace_id == opp["workspace_id"], Goal.campaign_uuid == opp["campaign_uuid"],
                                  Goal.goal_type == opp["type"], Goal.deleted_at.is_(None))
    if opp["type"] == "sale":
        query = query.where(Goal.input_uuid == opp["input_uuid"])
    else:
        query = query.where(Goal.crop_id == opp["crop_id"],
                            or_(Goal.variety_id.is_(None), Goal.variety_id == opp["variety_id"]))
    member = exists().where(GoalMember.goal_id == Goal.id, GoalMember.user_id == opp["user_id"])
    return query.where(or_(Goal.assigned.is_(False), member))


def _replace_contribution(session, goal, old, new):
    old_counted = _counted(old)
    old_forecast = _forecast(old)
    if old is not None:
        session.delete(old)
        session.flush()
    if new is not None:
        session.add(_contribution_row(goal.id, new))
    move_goal(session, goal, (new.counted if new else Decimal(0)) - old_counted,
              (new.forecast if new else Decimal(0)) - old_forecast)


def _counted(row):
    if row is None or row.state != "won" or row.amount is None:
        return Decimal(0)
    return Decimal(row.amount)


def _forecast(row):
    if row is None or row.amount is None:
        return Decimal(0)
    return domain.quantize(Decimal(row.amount) * domain.STATE_WEIGHTS[row.state] / domain.HUNDRED)


def _contribution_row(goal_id, contribution):
    return Contribution(goal_id=goal_id, opportunity_uuid=contribution.opportunity_uuid, user_id=contribution.user_id,
                        state=contribution.state, amount=contribution.amount, raw_quantity=contribution.raw_quantity,
                        raw_unit_id=contribution.raw_unit_id)


# --- goals ------------------------------------------------------------------------------------------
def goal_spec(goal, members=()):
    return domain.GoalSpec(workspace_id=goal.workspace_id, campaign_uuid=goal.campaign_uuid, goal_type=goal.goal_type,
                           goal_subtype=goal.goal_subtype, id_unit=goal.id_unit, input_uuid=goal.input_uuid,
                           crop_id=goal.crop_id, variety_id=goal.variety_id, assigned=goal.assigned,
                           members=frozenset(members))


def member_ids(session, goal_id):
    return set(session.scalars(select(GoalMember.user_id).where(GoalMember.goal_id == goal_id)))


def candidate_opportunities(session, goal, members):
    """The projected opportunities that can count for the goal (one goal's scan, by index)."""
    query = select(Opportunity).where(Opportunity.workspace_id == goal.workspace_id,
                                      Opportunity.campaign_uuid == goal.campaign_uuid,
                                      Opportunity.type == goal.goal_type, Opportunity.deleted.is_(False))
    if goal.goal_type == "sale":
        query = query.where(Opportunity.input_uuid == goal.input_uuid)
    else:
        query = query.where(Opportunity.crop_id == goal.crop_id)
    if goal.assigned:
        query = query.where(Opportunity.user_id.in_(sorted(members)))
    return (opportunity_dict(row) for row in session.scalars(query.execution_options(yield_per=2000)))


def recompute_goal(session, goal):
    """Rebuilds the goal's contributions and figures from the projection (create, reassignment, resync)."""
    lock_campaigns(session, goal.workspace_id, {goal.campaign_uuid}, shared=False)
    members = member_ids(session, goal.id)
    current, forecast, contributions = domain.figures(goal_spec(goal, members),
                                                      candidate_opportunities(session, goal, members))
    session.execute(delete(Contribution).where(Contribution.goal_id == goal.id))
    session.add_all(_contribution_row(goal.id, c) for c in contributions)
    move_goal(session, goal, current - Decimal(goal.current or 0), forecast - Decimal(goal.forecast or 0))


def move_goal(session, goal, delta_current, delta_forecast, force_event=False):
    """Moves the goal's figures; emits goal_progress_changed when the figure or progress moves and
    goal_achieved the first time it reaches its target."""
    previous_current, previous_progress = Decimal(goal.current or 0), Decimal(goal.progress or 0)
    goal.current = previous_current + delta_current
    goal.forecast = Decimal(goal.forecast or 0) + delta_forecast
    refresh_progress(goal)
    if delta_current or goal.progress != previous_progress or force_event:
        emit(session, goal, GOAL_PROGRESS_CHANGED, previous_current)
    if goal.achieved_at is None and domain.achieved(goal.current, goal.amount):
        goal.achieved_at = now_utc()
        emit(session, goal, GOAL_ACHIEVED, previous_current)


def refresh_progress(goal):
    goal.progress = domain.progress(goal.current, goal.amount)
    goal.progress_int = domain.progress_int(goal.current, goal.amount)


def emit(session, goal, event_type, previous_current):
    goal.version = (goal.version or 1) + 1
    snapshot = {"uuid": goal.uuid, "workspace_id": goal.workspace_id, "campaign_uuid": goal.campaign_uuid,
                "goal_type": goal.goal_type, "goal_subtype": goal.goal_subtype, "id_unit": goal.id_unit,
                "unit": domain.unit_label(goal.goal_subtype, goal.id_unit), "amount": _text(goal.amount),
                "current": _text(goal.current), "previous_current": _text(previous_current),
                "forecast": _text(goal.forecast), "progress": _text(goal.progress),
                "achieved_at": isoformat(goal.achieved_at)}
    record_event(session, outbox, envelope(event_type, goal.workspace_id, "goal", goal.uuid, goal.version,
                                           "updated", snapshot))


def _text(value):
    return format(Decimal(value).normalize(), "f") if value is not None else None


# --- locking ----------------------------------------------------------------------------------------
def lock_campaigns(session, workspace_id, campaign_uuids, shared):
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one connection per process, transactions are already serialized
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    for key in sorted(_lock_key(workspace_id, c) for c in campaign_uuids if c):
        session.execute(text("SELECT {}(:key)".format(function)), {"key": key})


def _lock_key(workspace_id, campaign_uuid):
    digest = hashlib.sha1("goals:{}:{}".format(workspace_id, campaign_uuid).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _insert_ignore(session, model, **values):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


def count(session, query):
    return session.scalar(select(func.count()).select_from(query.subquery()))
