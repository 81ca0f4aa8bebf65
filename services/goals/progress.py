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

from sqlalchemy import BigInteger, and_, bindparam, delete, exists, false, func, or_, select, text, union_all, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import psycopg2
from sqlalchemy.sql.util import ClauseAdapter

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
    whether it did. The caller commits.

    Statements built once (no ORM objects, no flush): lock the projection row and read what it held
    (PostgreSQL: one upsert that locks and returns it); update it and take the shared campaign lock(s)
    (PostgreSQL, one campaign: in the same statement); read the affected goals with this deal's old
    contributions (one statement, goals locked in id order, after the campaign lock); then write the
    goal events, the goals that moved (PostgreSQL: one UPDATE) and the contributions (one upsert, one
    delete)."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    params = {"uuid": aggregate_id, "workspace_id": workspace_id}
    if postgres:
        old = connection.execute(_PG_LOCK_ROW, params).one()
    else:
        connection.execute(_SQLITE_INSERT_IGNORE, params)
        old = connection.execute(_SQLITE_READ_ROW, params).one()
    newer = is_newer(old.version or None, version) or (replay_same_version and version == old.version)
    if not newer:
        return False
    old_campaign = None if old.deleted else old.campaign_uuid
    values = projected_fields(workspace_id, snapshot)
    row_values = dict(values, version=version, row_uuid=aggregate_id)
    campaigns = {c for c in (old_campaign, values["campaign_uuid"]) if c}
    if postgres and len(campaigns) == 1:  # the usual case: the shared campaign lock in the same round trip
        updated = connection.execute(_UPDATE_ROW_LOCKING_CAMPAIGN,
                                     dict(row_values, campaign_key=_lock_key(workspace_id, campaigns.pop())))
        if updated.rowcount != 1:
            raise RuntimeError("opportunity {} not updated".format(aggregate_id))
    else:
        connection.execute(_UPDATE_ROW, row_values)
        lock_campaigns(session, workspace_id, campaigns, shared=True)
    opp = dict(values, uuid=aggregate_id)
    query, match = _affected_goals_query(opp, postgres)
    params = dict(match, uuid=aggregate_id)
    goals = _execute_prepared(connection, query, params) if postgres else connection.execute(query, params).all()
    removed, written, moved = [], [], []
    for row in goals:
        goal = _EventGoal(row)
        # the SQL match already checked the assignee, so the spec admits this opportunity's user
        new = domain.contribution(goal_spec(goal, members={opp["user_id"]}), opp) if row.matches else None
        old_contribution = _OldContribution(row.old_state, row.old_amount) if row.old_state is not None else None
        if new is not None:
            written.append(_contribution_values(goal.id, new))
        elif old_contribution is not None:
            removed.append(goal.id)
        move_goal(session, goal, (new.counted if new else Decimal(0)) - _counted(old_contribution),
                  (new.forecast if new else Decimal(0)) - _forecast(old_contribution))
        changes = goal.changes()
        if changes:
            moved.append(dict(changes, goal_id=goal.id))
    if postgres and len(moved) > 1:
        connection.execute(*_update_goals(moved))
    else:
        for changes in moved:
            connection.execute(_UPDATE_GOAL, changes)
    if removed:
        connection.execute(_DELETE_CONTRIBUTIONS, {"uuid": aggregate_id, "goal_ids": removed})
    if written:
        connection.execute(*_upsert_contributions(written))
    return True


class _EventGoal:
    """A goal row as an event reads it: the attributes goal_spec, move_goal and emit use, and which of
    its figures they changed (written back with one UPDATE)."""
    FIGURES = ("current", "forecast", "progress", "progress_int", "version", "achieved_at")

    def __init__(self, row):
        self.__dict__.update(row._mapping)
        self._before = {name: getattr(self, name) for name in self.FIGURES}

    def changes(self):
        now = {name: getattr(self, name) for name in self.FIGURES}
        return now if now != self._before else None


class _OldContribution:
    __slots__ = ("state", "amount")

    def __init__(self, state, amount):
        self.state, self.amount = state, amount


def _contribution_values(goal_id, contribution):
    return {"goal_id": goal_id, "opportunity_uuid": contribution.opportunity_uuid, "user_id": contribution.user_id,
            "state": contribution.state, "amount": contribution.amount, "raw_quantity": contribution.raw_quantity,
            "raw_unit_id": contribution.raw_unit_id}


# --- the event's statements, built once (so compiled once per dialect, no cache key per call) ------------
_opportunities, _goals = Opportunity.__table__, Goal.__table__
_contributions, _members = Contribution.__table__, GoalMember.__table__
_OLD = (_opportunities.c.version, _opportunities.c.deleted, _opportunities.c.campaign_uuid)
# The upserts are text: SQLAlchemy 2.0 does not cache the dialects' INSERT constructs (it would compile
# them again for every event); a text statement is compiled once.
_PG_LOCK_ROW = text(
    # creates the row if it is missing (version 0, deleted) and locks it either way: the no-op update takes
    # the row lock (after a concurrent first insert commits); returns what the row holds, in one round trip
    "INSERT INTO opportunities (uuid, version, workspace_id, deleted) VALUES (:uuid, 0, :workspace_id, true) "
    "ON CONFLICT (uuid) DO UPDATE SET uuid = excluded.uuid RETURNING version, deleted, campaign_uuid")
# SQLite: one connection per process, so transactions are already serialized and there is no row lock
_SQLITE_INSERT_IGNORE = text("INSERT INTO opportunities (uuid, version, workspace_id, deleted) "
                             "VALUES (:uuid, 0, :workspace_id, 1) ON CONFLICT (uuid) DO NOTHING")
_SQLITE_READ_ROW = select(*_OLD).where(_opportunities.c.uuid == bindparam("uuid"))
_UPDATE_ROW = update(_opportunities).where(_opportunities.c.uuid == bindparam("row_uuid"))
# The same update taking the shared campaign lock (the deal's one campaign): the lock is a filter on the
# row found by its primary key (so it is taken once; `void IS NOT NULL` is true) and it is held before the
# next statement, the one that reads the goals and contributions, takes its snapshot.
_UPDATE_ROW_LOCKING_CAMPAIGN = _UPDATE_ROW.where(
    func.pg_advisory_xact_lock_shared(bindparam("campaign_key", type_=BigInteger())).is_not(None))
_UPDATE_GOAL = update(_goals).where(_goals.c.id == bindparam("goal_id"))
_DELETE_CONTRIBUTIONS = delete(_contributions).where(
    _contributions.c.opportunity_uuid == bindparam("uuid"),
    _contributions.c.goal_id.in_(bindparam("goal_ids", expanding=True)))
_GOAL_COLUMNS = ("id", "uuid", "workspace_id", "campaign_uuid", "goal_type", "goal_subtype", "id_unit", "input_uuid",
                 "crop_id", "variety_id", "assigned", "amount") + _EventGoal.FIGURES


_GOAL_UPDATES = {}


def _update_goals(rows):
    """PostgreSQL: one UPDATE .. FROM (VALUES ..) for the figures of several goals (already locked), with
    parameters <column>_<n>; the text is built once per number of goals."""
    statement = _GOAL_UPDATES.get(len(rows))
    if statement is None:
        columns = ("goal_id",) + _EventGoal.FIGURES
        types = {name: _goals.c["id" if name == "goal_id" else name].type for name in columns}
        sql_types = {name: type_.compile(dialect=postgresql.dialect()) for name, type_ in types.items()}
        values = ", ".join("({})".format(", ".join("CAST(:{}_{} AS {})".format(name, n, sql_types[name])
                                                   for name in columns)) for n in range(len(rows)))
        statement = text("UPDATE goals SET {} FROM (VALUES {}) AS moved ({}) WHERE goals.id = moved.goal_id".format(
            ", ".join("{0} = moved.{0}".format(name) for name in _EventGoal.FIGURES), values, ", ".join(columns)))
        statement = _GOAL_UPDATES[len(rows)] = statement.bindparams(*[
            bindparam("{}_{}".format(name, n), type_=types[name]) for n in range(len(rows)) for name in columns])
    return statement, {"{}_{}".format(name, n): row[name] for n, row in enumerate(rows) for name in row}


_CONTRIBUTION_COLUMNS = ("goal_id", "opportunity_uuid", "user_id", "state", "amount", "raw_quantity", "raw_unit_id")
_UPSERTS = {}


def _upsert_contributions(rows):
    """One INSERT .. ON CONFLICT DO UPDATE for the rows (PostgreSQL and SQLite share the syntax), with
    the rows' values as parameters <column>_<n>; the text is built once per number of rows."""
    statement = _UPSERTS.get(len(rows))
    if statement is None:
        values = ", ".join("({})".format(", ".join(":{}_{}".format(name, n) for name in _CONTRIBUTION_COLUMNS))
                           for n in range(len(rows)))
        statement = text("INSERT INTO goal_contributions ({}) VALUES {} ON CONFLICT (goal_id, opportunity_uuid) "
                         "DO UPDATE SET {}".format(", ".join(_CONTRIBUTION_COLUMNS), values, ", ".join(
                             "{0} = excluded.{0}".format(name) for name in _CONTRIBUTION_COLUMNS[2:])))
        statement = _UPSERTS[len(rows)] = statement.bindparams(*[
            bindparam("{}_{}".format(name, n), type_=_contributions.c[name].type)
            for n in range(len(rows)) for name in _CONTRIBUTION_COLUMNS])
    return statement, {"{}_{}".format(name, n): row[name] for n, row in enumerate(rows) for name in row}


def _build_affected_goals(goal_type, postgres):
    """The goals a deal's change touches, locked in id order: those it contributed to (with that old
    contribution, `old_state`/`old_amount`) and, for a goal type, those it now matches (`matches`).
    Parameters: uuid, and with a goal type workspace_id, campaign_uuid, user_id and input_uuid (sale) or
    crop_id and variety_id (purchase)."""
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
    query = (select(*[g.c[name] for name in _GOAL_COLUMNS], c.c.state.label("old_state"),
                    c.c.amount.label("old_amount"), matches.label("matches"))
             .select_from(joined).where(g.c.id.in_(candidates)).order_by(g.c.id))
    return query.with_for_update(of=g) if postgres else query


_AFFECTED_GOALS = {(goal_type, postgres): _build_affected_goals(goal_type, postgres)
                   for goal_type in (None,) + domain.GOAL_TYPES for postgres in (False, True)}


def _affected_goals_query(opp, postgres):
    """(statement, its parameters besides uuid) for the opportunity's new state."""
    goal_type = opp["type"]
    if opp["deleted"] or goal_type not in domain.GOAL_TYPES or not opp["campaign_uuid"] \
            or opp["current_state"] == "lost":
        return _AFFECTED_GOALS[(None, postgres)], {}
    match = {"workspace_id": opp["workspace_id"], "campaign_uuid": opp["campaign_uuid"], "user_id": opp["user_id"]}
    if goal_type == "sale":
        match["input_uuid"] = opp["input_uuid"]
    else:
        match.update(crop_id=opp["crop_id"], variety_id=opp["variety_id"])
    return _AFFECTED_GOALS[(goal_type, postgres)], match


_NUMBERED = psycopg2.dialect(paramstyle="numeric_dollar")
_PREPARED = {}  # statement -> (name, its PREPARE, parameter names in $n order, constant parameters)


def _execute_prepared(connection, statement, params):
    """PostgreSQL: the statement's rows, run as a prepared statement of the connection (PREPARE once per
    connection: it outlives transactions, rolled back ones too), so the server does not plan it again
    for every event (planning the affected-goals query cost about as much as running it)."""
    entry = _PREPARED.get(statement)
    if entry is None:
        compiled = statement.compile(dialect=_NUMBERED)
        name = "goals_event_{}".format(len(_PREPARED) + 1)
        entry = _PREPARED[statement] = (name, "PREPARE {} AS {}".format(name, compiled), list(compiled.positiontup),
                                        dict(compiled.params))
    name, prepare, order, constants = entry
    prepared = connection.connection.info.setdefault("goals_prepared", set())  # per DBAPI connection
    if name not in prepared:
        connection.exec_driver_sql(prepare)
        prepared.add(name)
    values = tuple(params[key] if key in params else constants[key] for key in order)
    return connection.exec_driver_sql("EXECUTE {} ({})".format(name, ", ".join(["%s"] * len(values))), values).all()


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
    statement = _LOCK_SHARED if shared else _LOCK_EXCLUSIVE
    for key in sorted(_lock_key(workspace_id, c) for c in campaign_uuids if c):
        session.execute(statement, {"key": key})


_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(:key)")
_LOCK_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:key)")


def _lock_key(workspace_id, campaign_uuid):
    digest = hashlib.sha1("goals:{}:{}".format(workspace_id, campaign_uuid).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def count(session, query):
    return session.scalar(select(func.count()).select_from(query.subquery()))
