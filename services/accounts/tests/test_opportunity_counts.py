"""Opportunity counts per account from `deals.opportunity_changed`: idempotent, order-tolerant,
following state changes, deletions and moves between accounts."""
import uuid

from services.accounts.tests.conftest import deal_event, error_of
from tests.support.events import wait_for

ZERO = {"purchase": 0, "sale": 0, "exchange": 0}


def counts_of(accounts, account):
    return accounts.page({"accounts": [account]})["data"][0]["opportunities"]


def expect(accounts, account, expected):
    """Waits until the account's counts equal `expected` ({"openDeals": {"sale": 1}, ...})."""
    full = {bucket: dict(ZERO, **expected.get(bucket, {})) for bucket in ("openDeals", "wonDeals", "lostDeals")}
    got = wait_for(lambda: (lambda c: c if c == full else None)(counts_of(accounts, account)))
    assert got == full, counts_of(accounts, account)


def test_counts_follow_created_updated_deleted_and_moved_deals(workspace, accounts, deals_events):
    ws = workspace.workspace["id"]
    first, second = accounts.create(name="First"), accounts.create(name="Second")
    sale, purchase, swap = (str(uuid.uuid4()) for _ in range(3))
    deals_events.publish(deal_event(ws, sale, 1, "created", first, "open_25", "sale"))
    deals_events.publish(deal_event(ws, purchase, 1, "created", first, "open_0", "purchase"))
    deals_events.publish(deal_event(ws, swap, 1, "created", first, "lost", "exchange"))
    expect(accounts, first, {"openDeals": {"sale": 1, "purchase": 1}, "lostDeals": {"exchange": 1}})
    deals_events.publish(deal_event(ws, sale, 2, "updated", first, "won", "sale"))
    expect(accounts, first, {"openDeals": {"purchase": 1}, "wonDeals": {"sale": 1}, "lostDeals": {"exchange": 1}})
    deals_events.publish(deal_event(ws, purchase, 2, "updated", second, "open_50", "purchase"))  # moved
    expect(accounts, first, {"wonDeals": {"sale": 1}, "lostDeals": {"exchange": 1}})
    expect(accounts, second, {"openDeals": {"purchase": 1}})
    deals_events.publish(deal_event(ws, swap, 2, "deleted"))
    expect(accounts, first, {"wonDeals": {"sale": 1}})


def test_duplicates_and_out_of_order_events_are_harmless(workspace, accounts, deals_events):
    ws = workspace.workspace["id"]
    account = accounts.create()
    deal, late = str(uuid.uuid4()), str(uuid.uuid4())
    # version 3 arrives first; versions 1 and 2 (older) and a duplicate of 3 change nothing
    deals_events.publish(deal_event(ws, deal, 3, "updated", account, "won", "exchange"))
    deals_events.publish(deal_event(ws, deal, 1, "created", account, "open_0", "sale"))
    deals_events.publish(deal_event(ws, deal, 2, "updated", account, "lost", "sale"))
    deals_events.publish(deal_event(ws, deal, 3, "updated", account, "won", "exchange"))
    # a deletion overtaking the creation leaves a tombstone: the late creation is ignored
    deals_events.publish(deal_event(ws, late, 2, "deleted"))
    deals_events.publish(deal_event(ws, late, 1, "created", account, "open_0", "sale"))
    marker = str(uuid.uuid4())  # published last: once it counts, everything before was handled
    deals_events.publish(deal_event(ws, marker, 1, "created", account, "lost", "purchase"))
    expect(accounts, account, {"wonDeals": {"exchange": 1}, "lostDeals": {"purchase": 1}})


def test_events_of_another_workspace_do_not_touch_the_account(api, workspace, accounts, deals_events):
    account = accounts.create()
    other_ws = api.signup().workspace["id"]
    deals_events.publish(deal_event(other_ws, str(uuid.uuid4()), 1, "created", account, "open_0", "sale"))
    mine = str(uuid.uuid4())
    deals_events.publish(deal_event(workspace.workspace["id"], mine, 1, "created", account, "won", "sale"))
    expect(accounts, account, {"wonDeals": {"sale": 1}})


def test_concurrent_events_for_many_deals_of_one_account_all_count(workspace, accounts, deals_events):
    ws = workspace.workspace["id"]
    account = accounts.create()
    deals = [str(uuid.uuid4()) for _ in range(30)]
    for deal in deals:
        deals_events.publish(deal_event(ws, deal, 1, "created", account, "open_75", "sale"))
    for deal in deals[:10]:
        deals_events.publish(deal_event(ws, deal, 2, "updated", account, "won", "sale"))
    expect(accounts, account, {"openDeals": {"sale": 20}, "wonDeals": {"sale": 10}})


def test_opportunities_state_filter(workspace, accounts, deals_events):
    ws = workspace.workspace["id"]
    open_one, won_one, lost_one = accounts.create(name="Open"), accounts.create(name="Won"), accounts.create(name="Lost")
    accounts.create(name="Nothing")
    deals_events.publish(deal_event(ws, str(uuid.uuid4()), 1, "created", open_one, "open_50", "sale"))
    deals_events.publish(deal_event(ws, str(uuid.uuid4()), 1, "created", won_one, "won", "purchase"))
    deals_events.publish(deal_event(ws, str(uuid.uuid4()), 1, "created", lost_one, "lost", "exchange"))
    expect(accounts, lost_one, {"lostDeals": {"exchange": 1}})
    expect(accounts, open_one, {"openDeals": {"sale": 1}})
    expect(accounts, won_one, {"wonDeals": {"purchase": 1}})

    def names(states):
        return [item["name"] for item in accounts.page({"opportunities_state": states})["data"]]

    assert names(["openDeals"]) == ["Open"]
    assert names(["openDeals", "wonDeals"]) == ["Open", "Won"]
    assert names(["lostDeals"]) == ["Lost"]
    assert names("wonDeals") == ["Won"]  # the document's JavaScript example sends a single string


def test_inactivate_refused_while_opportunities_are_open(workspace, accounts, deals_events):
    ws = workspace.workspace["id"]
    account = accounts.create()
    deal = str(uuid.uuid4())
    deals_events.publish(deal_event(ws, deal, 1, "created", account, "open_0", "purchase"))
    expect(accounts, account, {"openDeals": {"purchase": 1}})
    assert error_of(accounts.action("inactivate", uuid=account)) == (400, 8)
    assert accounts.get(account).json()["data"]["inactivation_date"] is None
    deals_events.publish(deal_event(ws, deal, 2, "updated", account, "lost", "purchase"))
    expect(accounts, account, {"lostDeals": {"purchase": 1}})
    assert accounts.action("inactivate", uuid=account).status_code == 200


def test_many_versions_of_one_deal_at_once_end_at_the_newest(workspace, accounts, deals_events, test_env):
    ws = workspace.workspace["id"]
    first, second = accounts.create(name="Ping"), accounts.create(name="Pong")
    deal = str(uuid.uuid4())
    states = ["open_0", "open_25", "won", "lost", "open_75"]
    for version in range(30, 0, -1):  # newest first, then older ones: all but one must be ignored
        target = first if version % 2 else second
        deals_events.publish(deal_event(ws, deal, version, "updated", target, states[version % 5], "exchange"))
    marker = str(uuid.uuid4())
    deals_events.publish(deal_event(ws, marker, 1, "created", first, "won", "purchase"))
    expect(accounts, first, {"wonDeals": {"purchase": 1}})
    expect(accounts, second, {"openDeals": {"exchange": 1}})  # version 30: second, states[0]
    assert_counters_match_projection(test_env, ws)


def assert_counters_match_projection(test_env, workspace_id):
    """The counters kept on the accounts equal a from-scratch recount of the projection."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from services.accounts.models import Account
    from services.accounts.schemas import counters
    from services.accounts.store import projection
    engine = create_engine(test_env.database_urls["accounts"])
    try:
        with Session(engine) as db:
            expected = projection.recount(db, workspace_id)
            for account in db.scalars(select(Account).where(Account.workspace_id == workspace_id)):
                kept = {key: value for key, value in counters(account).items() if value}
                assert kept == expected.get(account.uuid, {}), account.name
                assert account.open_total == sum(v for (b, _), v in kept.items() if b == "open")
    finally:
        engine.dispose()


def test_an_event_that_breaks_the_contract_ends_in_the_dead_letter_queue(workspace, accounts, deals_events, test_env):
    from tests.support import resources
    bad = deal_event(workspace.workspace["id"], str(uuid.uuid4()), 1, "created", accounts.create(), "open_0", "sale")
    bad["snapshot"]["current_state"] = "maybe"
    deals_events.publish(bad)
    name = "evt-deals-opportunity_changed--accounts.handle_opportunity_changed.dead-letter"
    info = wait_for(lambda: (lambda q: q if q and q.get("messages", 0) >= 1 else None)(
        resources.queue_info(test_env.vhost, name)), timeout=30, interval=0.5)
    assert info and info["messages"] >= 1, info
