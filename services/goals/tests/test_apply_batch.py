"""Batched consumption (infra.batching) with the goals consumer, straight against PostgreSQL: a batch is
one transaction with the figures of one-by-one application; duplicates and reordering inside it; a
poison message dead-lettered alone; an event failing inside a batch tried alone and only it
dead-lettered; a transient failure retrying the whole batch without dead-lettering; the statements."""
import uuid

import pytest
from sqlalchemy import create_engine, event as sa_event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
from infra import settings
from infra.consumers import EventConsumer, PoisonMessage
from services.goals.consumers import OPPORTUNITY_CHANGED, apply_opportunity_changed
from services.goals.tests.test_apply_change import Workspace


@pytest.fixture
def pg_sessions(test_env):
    engine = create_engine(test_env.database_urls["goals"])
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setenv("EVENT_RETRY_ATTEMPTS", "2")
    monkeypatch.setenv("EVENT_RETRY_MAX_SECONDS", "0.1")
    settings.reload()
    yield
    monkeypatch.undo()
    settings.reload()


class Traced:
    """The statements and commits an engine runs meanwhile."""

    def __init__(self, sessions):
        self.engine, self.statements, self.commits = sessions.kw["bind"], [], 0

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._statement)
        sa_event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._statement)
        sa_event.remove(self.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, *args):
        self.statements.append(statement.split()[0])

    def _commit(self, conn):
        self.commits += 1


def handle_batch(sessions, payloads, consumer=OPPORTUNITY_CHANGED):
    with sessions() as session:
        return consumer.handle_batch(session, payloads)


def tangled(ws):
    """Deals a, b, c in one stream with a duplicate and a reordered event: a ends at 20, b at 30, c deleted."""
    a, b, c = (str(uuid.uuid4()) for _ in range(3))
    return [ws.event(a, 1, quantity="10"), ws.event(b, 2, quantity="30"), ws.event(a, 1, quantity="10"),
            ws.event(b, 1, quantity="99"),  # older than 2, after it: ignored
            ws.event(c, 1, quantity="5"), ws.event(a, 2, quantity="20"), ws.event(c, 2, deleted=True)]


def test_a_batch_is_one_transaction_and_duplicates_and_reordering_inside_it_change_nothing(pg_sessions):
    ws = Workspace(pg_sessions)
    goal = ws.goal(amount=1000)
    batch = tangled(ws)
    with Traced(pg_sessions) as traced:
        assert handle_batch(pg_sessions, batch) == [None] * len(batch)
    assert traced.commits == 1
    assert ws.figures(goal)[:2] == (50, 50)
    ws.assert_recomputed(goal)
    alone = Workspace(pg_sessions)  # the same stream one event at a time: the same figures
    other = alone.goal(amount=1000)
    for payload in tangled(alone):
        alone.apply(payload)
    assert alone.figures(other)[:2] == ws.figures(goal)[:2]


def test_a_batch_costs_the_statements_of_its_events_and_one_commit(pg_sessions):
    ws = Workspace(pg_sessions)
    ws.goal(amount=10 ** 9)
    handle_batch(pg_sessions, [ws.event(str(uuid.uuid4()), 1)])  # prepares the goals query on the connection
    deals = [str(uuid.uuid4()) for _ in range(5)]
    with Traced(pg_sessions) as traced:
        assert handle_batch(pg_sessions, [ws.event(deal, 1) for deal in deals]) == [None] * 5
    # per event, as tests/test_apply_change counts for one goal: lock the row, update it with the campaign
    # lock, the goals, the goal's event, its figures, the contribution; one commit for all five
    assert traced.statements == ["INSERT", "UPDATE", "EXECUTE", "INSERT", "UPDATE", "INSERT"] * 5, traced.statements
    assert traced.commits == 1


def test_a_poison_message_in_a_batch_is_dead_lettered_alone_and_the_rest_applied(pg_sessions):
    ws = Workspace(pg_sessions)
    goal = ws.goal(amount=1000)
    poison = dict(ws.event(str(uuid.uuid4()), 1), version="one")  # not the contract
    mismatched = ws.event(str(uuid.uuid4()), 1)
    mismatched["snapshot"]["uuid"] = str(uuid.uuid4())  # the snapshot names another deal
    batch = [ws.event(str(uuid.uuid4()), 1, quantity="10"), poison, mismatched, ws.event(str(uuid.uuid4()), 1)]
    with Traced(pg_sessions) as traced:
        outcomes = handle_batch(pg_sessions, batch)
    assert outcomes[0] is None and outcomes[3] is None
    assert isinstance(outcomes[1], PoisonMessage) and isinstance(outcomes[2], PoisonMessage)
    assert traced.commits == 1
    assert ws.figures(goal)[:2] == (20, 20)
    ws.assert_recomputed(goal)


def test_an_event_failing_in_a_batch_is_tried_alone_and_only_it_is_dead_lettered(pg_sessions, quick_retries):
    ws = Workspace(pg_sessions)
    goal = ws.goal(amount=1000)
    broken = str(uuid.uuid4())
    tries = []

    def apply(session, event):
        applied = apply_opportunity_changed(session, event)  # its writes are rolled back with the failure
        if event["aggregate_id"] == broken:
            tries.append(event["version"])
            raise ValueError("a bug this event meets")
        return applied

    consumer = EventConsumer(OPPORTUNITY_CHANGED_SCHEMA, apply, "opportunity_changed")
    batch = [ws.event(str(uuid.uuid4()), 1, quantity="10"), ws.event(broken, 1, quantity="500"),
             ws.event(str(uuid.uuid4()), 1, quantity="30")]
    outcomes = handle_batch(pg_sessions, batch, consumer)
    assert outcomes[0] is None and outcomes[2] is None and isinstance(outcomes[1], ValueError)
    assert len(tries) == 1 + 2  # once in the batch, then EVENT_RETRY_ATTEMPTS tries alone
    assert ws.figures(goal)[:2] == (40, 40)  # the others once each; nothing of the failed batch was kept
    ws.assert_recomputed(goal)


class _Transient(Exception):
    pgcode = "40P01"  # deadlock detected


def test_a_transient_failure_retries_the_whole_batch_without_dead_lettering(pg_sessions, quick_retries):
    ws = Workspace(pg_sessions)
    goal = ws.goal(amount=1000)
    failures = []

    def apply(session, event):
        applied = apply_opportunity_changed(session, event)
        if len(failures) < 3 and str(event["snapshot"]["quantity"]) == "20":  # more failures than EVENT_RETRY_ATTEMPTS
            failures.append(1)
            raise OperationalError("UPDATE goals", {}, _Transient())
        return applied

    consumer = EventConsumer(OPPORTUNITY_CHANGED_SCHEMA, apply, "opportunity_changed")
    batch = [ws.event(str(uuid.uuid4()), 1, quantity="10"), ws.event(str(uuid.uuid4()), 1, quantity="20")]
    with Traced(pg_sessions) as traced:
        assert handle_batch(pg_sessions, batch, consumer) == [None, None]
    assert len(failures) == 3 and traced.commits == 1  # retried as a batch, committed once
    assert ws.figures(goal)[:2] == (30, 30)
    ws.assert_recomputed(goal)
