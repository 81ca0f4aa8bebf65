"""The consumer's body (`consumers.OPPORTUNITY_CHANGED.handle` -> `consumers.apply_opportunity_changed`)
straight against the database, on SQLite (`make run`) and PostgreSQL: counters equal the recount after
duplicates, reordering, moves and deletes; the row lock; the statements a message costs; poison messages."""
import itertools
import uuid

import pytest
from sqlalchemy import create_engine, event as sa_event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from infra.db import now_utc
from services.accounts import consumers
from services.accounts.models import Account, Base, Opportunity
from services.accounts.schemas import counters
from services.accounts.store import projection
from tests.support.resources import sqlite_or_postgres_engine
from infra.consumers import PoisonMessage
from services.accounts.tests.conftest import deal_event

_workspaces = itertools.count(uuid.uuid4().int % 10 ** 6 + 10 ** 8)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path):
    engine = sqlite_or_postgres_engine(request.param, tmp_path, request.getfixturevalue("test_env"), "accounts",
                                       Base.metadata)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def pg_sessions(test_env):
    engine = create_engine(test_env.database_urls["accounts"])
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def new_accounts(sessions, workspace_id, count):
    uuids = [str(uuid.uuid4()) for _ in range(count)]
    with sessions() as db:
        db.add_all(Account(uuid=u, workspace_id=workspace_id, owner_id=1, country=1, tax_id=u[:8], tax_key=u[:8],
                           name="Account " + u[:4], draft=False, created_date=now_utc()) for u in uuids)
        db.commit()
    return uuids


def apply_opportunity_event(db, payload):
    return consumers.OPPORTUNITY_CHANGED.handle(db, payload)


def apply(sessions, payload):
    with sessions() as db:
        return apply_opportunity_event(db, payload)


def kept_counters(sessions, workspace_id):
    with sessions() as db:
        accounts = db.scalars(select(Account).where(Account.workspace_id == workspace_id)).all()
        return ({a.uuid: {k: v for k, v in counters(a).items() if v} for a in accounts},
                {a.uuid: (a.open_total, a.won_total, a.lost_total) for a in accounts},
                projection.recount(db, workspace_id))


def test_counters_equal_the_recount_after_moves_duplicates_reordering_and_deletes(sessions):
    ws = next(_workspaces)
    first, second = new_accounts(sessions, ws, 2)
    deal, other = str(uuid.uuid4()), str(uuid.uuid4())
    assert apply(sessions, deal_event(ws, deal, 1, "created", first, "open_25", "sale"))
    assert not apply(sessions, deal_event(ws, deal, 1, "created", first, "open_25", "sale"))  # duplicate
    assert apply(sessions, deal_event(ws, deal, 3, "updated", first, "won", "purchase"))  # bucket and type move
    assert not apply(sessions, deal_event(ws, deal, 2, "updated", second, "lost", "sale"))  # older
    assert apply(sessions, deal_event(ws, other, 1, "created", first, "open_0", "exchange"))
    assert apply(sessions, deal_event(ws, other, 2, "updated", second, "open_50", "exchange"))  # same bucket, moved
    kept, totals, recount = kept_counters(sessions, ws)
    assert kept == {first: {("won", "purchase"): 1}, second: {("open", "exchange"): 1}}
    assert totals == {first: (0, 1, 0), second: (1, 0, 0)}
    assert {a: c for a, c in kept.items() if c} == recount
    assert apply(sessions, deal_event(ws, deal, 4, "deleted"))
    assert not apply(sessions, deal_event(ws, deal, 1, "created", first, "open_25", "sale"))  # no resurrection
    assert not apply(sessions, deal_event(next(_workspaces), other, 9, "updated", first, "won", "sale"))  # not ours
    kept, totals, recount = kept_counters(sessions, ws)
    assert kept == {first: {}, second: {("open", "exchange"): 1}} and totals[first] == (0, 0, 0)
    assert {a: c for a, c in kept.items() if c} == recount
    with sessions() as db:
        tombstone = db.get(Opportunity, deal)
        assert (tombstone.deleted, tombstone.version, tombstone.account_uuid) == (True, 4, first)


def test_a_poison_message_raises_before_touching_the_database():
    bad = deal_event(1, str(uuid.uuid4()), 1, "created", None, "open_0", "sale")
    bad["snapshot"]["current_state"] = "maybe"
    for payload in ("not an object", None, bad, {"version": 1}):
        with pytest.raises(PoisonMessage):
            apply_opportunity_event(object(), payload)


def test_statements_per_message_on_postgresql(pg_sessions):
    ws = next(_workspaces)
    account, other = new_accounts(pg_sessions, ws, 2)
    deal = str(uuid.uuid4())
    engine = pg_sessions.kw["bind"]

    def statements(payload):
        seen = []
        listener = lambda conn, cursor, statement, *args: seen.append(statement.split()[0])  # noqa: E731
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            apply(pg_sessions, payload)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        return seen

    # the upsert that locks the projection row, then the row's update with the account's counters
    assert statements(deal_event(ws, deal, 1, "created", account, "open_0", "sale")) == ["INSERT", "WITH"]
    assert statements(deal_event(ws, deal, 2, "updated", account, "won", "sale")) == ["INSERT", "WITH"]
    # moved: the row, then each account on its own, in uuid order
    assert statements(deal_event(ws, deal, 3, "updated", other, "won", "sale")) == ["INSERT", "UPDATE", "UPDATE",
                                                                                     "UPDATE"]
    assert statements(deal_event(ws, deal, 3, "updated", other, "won", "sale")) == ["INSERT"]  # duplicate
    assert statements(deal_event(ws, deal, 4, "updated", None, "won", "sale")) == ["INSERT", "WITH"]  # left it
    assert statements(deal_event(ws, deal, 5, "updated", None, "lost", "sale")) == ["INSERT", "UPDATE"]  # no account
    kept, _, recount = kept_counters(pg_sessions, ws)
    assert kept == {account: {}, other: {}} and recount == {}
    with pg_sessions() as db:
        row = db.get(Opportunity, deal)
        assert (row.version, row.account_uuid, row.state, row.deleted) == (5, None, "lost", False)


def test_a_second_message_of_the_same_deal_waits_for_the_first_on_postgresql(pg_sessions):
    ws = next(_workspaces)
    (account,) = new_accounts(pg_sessions, ws, 1)
    deal = str(uuid.uuid4())
    with pg_sessions() as one, pg_sessions() as two:
        # the consumer's body does not commit: the first transaction stays open
        consumers.apply_opportunity_changed(one, _loaded(deal_event(ws, deal, 1, "created", account, "open_0")))
        two.execute(text("SET LOCAL lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock"):
            consumers.apply_opportunity_changed(two, _loaded(deal_event(ws, deal, 2, "updated", account, "won")))
        two.rollback()
        one.commit()
        assert consumers.apply_opportunity_changed(two, _loaded(deal_event(ws, deal, 2, "updated", account, "won")))
        two.commit()
    kept, _, recount = kept_counters(pg_sessions, ws)
    assert kept == {account: {("won", "sale"): 1}} == recount


def _loaded(payload):
    from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
    return OPPORTUNITY_CHANGED_SCHEMA.load(payload)
