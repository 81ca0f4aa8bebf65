"""The consumer (`consumers.OPPORTUNITY_CHANGED` -> `consumers.apply_change`) straight against the
database, on SQLite (`make run`) and PostgreSQL: figures, duplicates and reordering, the outbox, the
row lock and the campaign lock, the statements an event costs, and poison messages."""
import itertools
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, event as sa_event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from infra.consumers import PoisonMessage
from services.goals import domain
from services.goals.consumers import OPPORTUNITY_CHANGED, apply_change
from services.goals.figures import recompute_goal
from services.goals.models import Base, Contribution, Goal, GoalMember, Opportunity, outbox
from services.goals.store import assignments, projection
from services.goals.store.locks import lock_campaigns
from tests.support.events import opportunity_event
from tests.support.resources import sqlite_or_postgres_engine

INPUT, OTHER_INPUT = str(uuid.uuid4()), str(uuid.uuid4())
_workspaces = itertools.count(uuid.uuid4().int % 10 ** 6 + 10 ** 8)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    engine = sqlite_or_postgres_engine(request.param, tmp_path, request.getfixturevalue("test_env"), "goals",
                                       Base.metadata)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return sessionmaker(engine, expire_on_commit=False)


class Workspace:
    def __init__(self, sessions):
        self.sessions, self.id, self.campaign = sessions, next(_workspaces), str(uuid.uuid4())

    def goal(self, amount=100, members=(), **fields):
        values = dict(workspace_id=self.id, owner_id=1, owner_uuid=str(uuid.uuid4()), description="goal",
                      campaign_uuid=self.campaign, campaign_name="campaign", goal_type="sale", goal_subtype="volume",
                      input_uuid=INPUT, amount=Decimal(amount), id_unit=1, assigned=bool(members), current=0,
                      forecast=0, progress=0, progress_int=0, version=1)
        values.update(fields)
        with self.sessions() as session:
            goal = Goal(**values)
            session.add(goal)
            session.flush()
            session.add_all(GoalMember(goal_id=goal.id, group_id=0, user_id=user) for user in members)
            session.commit()
            return goal.id

    def event(self, deal, version, deleted=False, **fields):
        fields = dict({"campaign_uuid": self.campaign, "input_uuid": INPUT, "current_state": "won",
                       "quantity": "10", "unit_id": 1, "user_id": 7}, **fields)
        return opportunity_event(self.id, version, deal, "deleted" if deleted else None, **fields)

    def apply(self, payload):
        with self.sessions() as session:
            OPPORTUNITY_CHANGED.handle(session, payload)

    def figures(self, goal_id):
        with self.sessions() as session:
            goal = session.get(Goal, goal_id)
            return goal.current, goal.forecast, goal.version

    def goal_events(self, goal_id):
        with self.sessions() as session:
            goal_uuid = session.get(Goal, goal_id).uuid
            return session.scalar(select(func.count()).select_from(outbox).where(outbox.c.payload.contains(goal_uuid)))

    def assert_recomputed(self, *goal_ids):
        """Stored figures and contributions equal a from-scratch recomputation from the projection."""
        with self.sessions() as session:
            for goal_id in goal_ids:
                goal = session.get(Goal, goal_id)
                members = assignments.member_ids(session, goal.id)
                current, forecast, contributions = domain.figures(
                    domain.goal_spec(goal, members), projection.candidate_opportunities(session, goal, members))
                assert (goal.current, goal.forecast) == (current, forecast)
                stored = {(c.opportunity_uuid, c.state, c.amount)
                          for c in session.scalars(select(Contribution).where(Contribution.goal_id == goal_id))}
                assert stored == {(c.opportunity_uuid, c.state, c.amount) for c in contributions}


def test_events_move_goals_and_stale_or_duplicate_events_change_nothing(sessions):
    ws = Workspace(sessions)
    everyone, assigned = ws.goal(amount=100), ws.goal(amount=100, members=[7])
    other_product = ws.goal(amount=100, input_uuid=OTHER_INPUT)
    deal, other = str(uuid.uuid4()), str(uuid.uuid4())
    ws.apply(ws.event(deal, 1, quantity="30"))
    assert ws.figures(everyone)[:2] == ws.figures(assigned)[:2] == (30, 30)
    assert ws.goal_events(everyone) == 1
    duplicate = ws.event(deal, 1, quantity="30")
    ws.apply(duplicate)
    ws.apply(ws.event(deal, 3, current_state="open_50", quantity="30"))
    ws.apply(ws.event(deal, 2, quantity="99"))  # older than 3: ignored
    assert ws.figures(everyone)[:2] == (0, 15)
    assert ws.goal_events(everyone) == 2  # forecast alone moving emits nothing, the figure moving does
    ws.apply(ws.event(other, 1, user_id=8, quantity="120"))  # not a member of `assigned`
    assert ws.figures(everyone)[:2] == (120, 135) and ws.figures(assigned)[:2] == (0, 15)
    assert ws.goal_events(everyone) == 4  # progress changed + achieved
    ws.apply(ws.event(deal, 4, input_uuid=OTHER_INPUT, quantity="5"))  # moves to the other goal
    assert ws.figures(everyone)[:2] == (120, 120) and ws.figures(assigned)[:2] == (0, 0)
    assert ws.figures(other_product)[:2] == (5, 5)
    ws.apply(ws.event(deal, 5, campaign_uuid=str(uuid.uuid4())))  # leaves the campaign
    assert ws.figures(other_product)[:2] == (0, 0)
    ws.apply(ws.event(other, 2, deleted=True))
    ws.apply(ws.event(other, 1, user_id=8, quantity="120"))  # a late create cannot resurrect it
    assert ws.figures(everyone)[:2] == (0, 0)
    with sessions() as session:
        assert session.get(Opportunity, other).deleted and session.get(Opportunity, other).version == 2
        assert session.get(Opportunity, deal).version == 5
    ws.assert_recomputed(everyone, assigned, other_product)


def test_several_goals_reached_by_one_event_are_all_achieved(sessions):
    ws = Workspace(sessions)
    goals = [ws.goal(amount=10), ws.goal(amount=15), ws.goal(amount=500)]
    ws.apply(ws.event(str(uuid.uuid4()), 1, quantity="20"))
    with sessions() as session:
        rows = [session.get(Goal, goal_id) for goal_id in goals]
        assert [(g.current, g.progress, g.progress_int, g.version) for g in rows] == [
            (20, 100, 100, 3), (20, 100, 100, 3), (20, 4, 4, 2)]
        assert [g.achieved_at is not None for g in rows] == [True, True, False]
    assert [ws.goal_events(goal_id) for goal_id in goals] == [2, 2, 1]
    ws.assert_recomputed(*goals)


def test_purchase_goals_match_crop_and_variety_and_lost_deals_count_nothing(sessions):
    ws = Workspace(sessions)
    crop = ws.goal(goal_type="purchase", input_uuid=None, crop_id=3)
    variety = ws.goal(goal_type="purchase", input_uuid=None, crop_id=3, variety_id=9)
    deal = str(uuid.uuid4())
    ws.apply(ws.event(deal, 1, type="purchase", input_uuid=None, crop_id=3, variety_id=1, quantity="4"))
    assert (ws.figures(crop)[0], ws.figures(variety)[0]) == (4, 0)
    ws.apply(ws.event(deal, 2, type="purchase", input_uuid=None, crop_id=3, variety_id=9, quantity="6"))
    assert (ws.figures(crop)[0], ws.figures(variety)[0]) == (6, 6)
    ws.apply(ws.event(deal, 3, type="purchase", input_uuid=None, crop_id=3, variety_id=9, current_state="lost"))
    assert (ws.figures(crop)[0], ws.figures(variety)[0]) == (0, 0)
    ws.assert_recomputed(crop, variety)


def test_resync_replays_the_same_version(sessions):
    ws = Workspace(sessions)
    goal = ws.goal()
    deal = str(uuid.uuid4())
    ws.apply(ws.event(deal, 1, quantity="10"))
    snapshot = dict(ws.event(deal, 1, quantity="12")["snapshot"], quantity=Decimal(12), value=Decimal(100),
                    value_count=Decimal(1))
    with sessions() as session:
        assert apply_change(session, deal, ws.id, 1, snapshot) is False
        assert apply_change(session, deal, ws.id, 1, snapshot, replay_same_version=True) is True
        session.commit()
    assert ws.figures(goal)[0] == 12
    ws.assert_recomputed(goal)


def test_a_poison_message_raises_before_touching_the_database():
    ws_id, deal = 1, str(uuid.uuid4())
    bad_state = opportunity_event(ws_id, 1, deal)
    bad_state["snapshot"]["current_state"] = "sold"
    other_uuid = opportunity_event(ws_id, 1, deal)
    other_uuid["snapshot"]["uuid"] = str(uuid.uuid4())
    deleted_with_snapshot = opportunity_event(ws_id, 2, deal)
    deleted_with_snapshot["change"] = "deleted"
    missing = opportunity_event(ws_id, 1, deal)
    del missing["version"]
    for payload in ("not an object", None, [], bad_state, other_uuid, deleted_with_snapshot, missing):
        with pytest.raises(PoisonMessage):
            OPPORTUNITY_CHANGED.handle(object(), payload)  # no database: refused before any query


# --- PostgreSQL: statements per event and locks --------------------------------------------------------
@pytest.fixture
def pg_sessions(test_env):
    engine = create_engine(test_env.database_urls["goals"])
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def count_statements(sessions, function):
    engine = sessions.kw["bind"]
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.split()[0])

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        function()
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    return seen


def test_statements_per_event_on_postgresql(pg_sessions):
    ws = Workspace(pg_sessions)
    deal, lonely = str(uuid.uuid4()), str(uuid.uuid4())
    no_goal = count_statements(pg_sessions, lambda: ws.apply(ws.event(lonely, 1)))
    # upsert locking the projection row, its update with the campaign lock, the goals (none): a prepared
    # statement, prepared once per connection
    assert no_goal == ["INSERT", "UPDATE", "PREPARE", "EXECUTE"], no_goal
    with pg_sessions() as session:  # a rolled back transaction keeps the connection's prepared statement
        apply_change(session, str(uuid.uuid4()), ws.id, 1, dict(ws.event(deal, 1)["snapshot"], quantity=Decimal(10)))
        session.rollback()
    ws.goal()
    one_goal = count_statements(pg_sessions, lambda: ws.apply(ws.event(deal, 1)))
    # ... + the goal's event in the outbox, its figures, the contribution
    assert one_goal == ["INSERT", "UPDATE", "EXECUTE", "INSERT", "UPDATE", "INSERT"], one_goal
    duplicate = count_statements(pg_sessions, lambda: ws.apply(ws.event(deal, 1)))
    assert duplicate == ["INSERT"], duplicate
    moved = count_statements(pg_sessions, lambda: ws.apply(ws.event(deal, 2, campaign_uuid=str(uuid.uuid4()))))
    # to another campaign: both campaign locks on their own, in key order; the contribution deleted
    assert moved == ["INSERT", "UPDATE", "SELECT", "SELECT", "EXECUTE", "INSERT", "UPDATE", "DELETE"], moved
    ws.goal(members=[7])
    two_goals = count_statements(pg_sessions, lambda: ws.apply(ws.event(str(uuid.uuid4()), 1)))
    # two goal events, one UPDATE of both goals, one upsert of both contributions
    assert two_goals == ["INSERT", "UPDATE", "EXECUTE", "INSERT", "INSERT", "UPDATE", "INSERT"], two_goals
    lost = count_statements(pg_sessions, lambda: ws.apply(ws.event(deal, 3, current_state="lost")))
    assert lost == ["INSERT", "UPDATE", "SELECT", "SELECT", "PREPARE", "EXECUTE"], lost  # the other query


def lock_timeout(session, ms=300):
    session.execute(text("SET LOCAL lock_timeout = '{}ms'".format(ms)))


def test_a_second_event_of_the_same_deal_waits_for_the_first_on_postgresql(pg_sessions):
    ws = Workspace(pg_sessions)
    ws.goal()
    deal = str(uuid.uuid4())
    first = ws.event(deal, 1, quantity="10")["snapshot"]
    with pg_sessions() as one, pg_sessions() as two:
        assert apply_change(one, deal, ws.id, 1, dict(first, quantity=Decimal(10)))  # a new row, locked
        lock_timeout(two)
        with pytest.raises(OperationalError, match="lock"):
            apply_change(two, deal, ws.id, 2, dict(first, quantity=Decimal(20)))
        two.rollback()
        one.commit()
        assert apply_change(two, deal, ws.id, 2, dict(first, quantity=Decimal(20)))
        two.commit()
    with pg_sessions() as session:
        assert session.get(Opportunity, deal).version == 2


def assert_campaign_locked(sessions, workspace_id, campaign):
    with sessions() as recompute:
        lock_timeout(recompute)
        with pytest.raises(OperationalError, match="lock"):
            lock_campaigns(recompute, workspace_id, {campaign}, shared=False)


def test_an_event_holds_its_campaign_locks_against_recomputations_on_postgresql(pg_sessions):
    ws = Workspace(pg_sessions)
    goal_id = ws.goal()
    deal = str(uuid.uuid4())
    snapshot = dict(ws.event(deal, 1)["snapshot"], quantity=Decimal(10))
    with pg_sessions() as event_session:
        apply_change(event_session, deal, ws.id, 1, snapshot)
        assert_campaign_locked(pg_sessions, ws.id, ws.campaign)
        event_session.commit()
    with pg_sessions() as recompute:
        recompute_goal(recompute, recompute.get(Goal, goal_id))
        recompute.commit()
    assert ws.figures(goal_id)[0] == 10
    elsewhere = str(uuid.uuid4())
    with pg_sessions() as event_session:  # a move between campaigns holds both until it commits
        apply_change(event_session, deal, ws.id, 2, dict(snapshot, campaign_uuid=elsewhere))
        assert_campaign_locked(pg_sessions, ws.id, ws.campaign)
        assert_campaign_locked(pg_sessions, ws.id, elsewhere)
        event_session.commit()
    assert ws.figures(goal_id)[0] == 0
    ws.assert_recomputed(goal_id)
