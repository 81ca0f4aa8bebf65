"""The accounts maintenance commands (services/accounts/cli.py) against the real system: reconcile
recounts every account's deal counters from the deals service (`--local`: from the projection) and
reports each drifted account with exit status 1; resync rebuilds the projection from the deals
service and recounts, after which reconcile is clean."""
import uuid

from sqlalchemy import text

from services.accounts.tests.conftest import deal_event, run_cli
from services.accounts.tests.test_counts_from_deals import change, deal
from services.accounts.tests.test_opportunity_counts import expect


def reconcile(ws, *extra):
    return run_cli("reconcile", "--workspace", str(ws), *extra)


def assert_no_drift(ws, accounts_checked):
    for extra in ((), ("--local",)):
        code, output = reconcile(ws, *extra)
        assert code == 0, output
        assert "{} accounts checked".format(accounts_checked) in output and "0 with drift" in output, output


def test_reconcile_reports_a_corrupted_counter_and_resync_repairs_it(api, workspace, accounts, accounts_db):
    ws = workspace.workspace["id"]
    first, second = accounts.create(name="First"), accounts.create(name="Second")
    sale = deal(api, workspace, account_uuid=first, type="sale", current_state="open_25")
    deal(api, workspace, account_uuid=first, type="purchase", current_state="won")
    moved = deal(api, workspace, account_uuid=first, type="exchange", current_state="lost")
    change(api, workspace, moved, account_uuid=second)
    change(api, workspace, sale, current_state="open_75")
    expect(accounts, first, {"openDeals": {"sale": 1}, "wonDeals": {"purchase": 1}})
    expect(accounts, second, {"lostDeals": {"exchange": 1}})
    assert_no_drift(ws, 2)

    with accounts_db.begin() as connection:
        connection.execute(text("UPDATE accounts SET opp_open_sale = opp_open_sale + 2, open_total = open_total + 2 "
                                "WHERE uuid = :uuid"), {"uuid": first})
    expect(accounts, first, {"openDeals": {"sale": 3}, "wonDeals": {"purchase": 1}})  # what the list shows now
    for extra in ((), ("--local",)):
        code, output = reconcile(ws, *extra)
        assert code == 1, output
        assert "DRIFT account {} (workspace {}): opp_open_sale stored 3 recounted 1".format(first, ws) in output, output
        assert "open_total stored 3 recounted 1" in output and "1 with drift" in output, output
        assert second not in output

    code, output = run_cli("resync", "--workspace", str(ws))
    assert code == 0, output
    assert "3 opportunities from deals, 0 applied; 0 stale projection rows tombstoned; 2 accounts recounted, " \
           "1 corrected" in output, output
    expect(accounts, first, {"openDeals": {"sale": 1}, "wonDeals": {"purchase": 1}})
    assert_no_drift(ws, 2)


def test_resync_rebuilds_a_corrupted_projection_and_drops_a_deal_the_deals_service_never_had(
        api, workspace, accounts, accounts_db, deals_events):
    ws = workspace.workspace["id"]
    account = accounts.create()
    response = api.post("/api/deals.json", {"deal": {"name": "Real", "value": "10", "value_type": "Total",
                                                     "value_count": "1", "target_date": "2025-06-01",
                                                     "current_state": "won", "type": "sale",
                                                     "account_uuid": account}}, token=workspace.token)
    assert response.status_code == 201, response.text
    real = response.json()["deal"]["uuid"]
    ghost = str(uuid.uuid4())  # only an event claims it exists: the deals service never had it
    deals_events.publish(deal_event(ws, ghost, 1, "created", account, "open_0", "purchase"))
    expect(accounts, account, {"wonDeals": {"sale": 1}, "openDeals": {"purchase": 1}})
    with accounts_db.begin() as connection:
        # the real deal's row loses its state at the same version, the counters following it (the
        # projection and the counters agree, both wrong); the ghost's row is an hour old
        connection.execute(text("UPDATE opportunity_projection SET state = 'lost' WHERE deal_uuid = :uuid"),
                           {"uuid": real})
        connection.execute(text("UPDATE accounts SET opp_won_sale = 0, won_total = 0, opp_lost_sale = 1, "
                                "lost_total = 1 WHERE uuid = :uuid"), {"uuid": account})
        connection.execute(text("UPDATE opportunity_projection SET updated_at = updated_at - interval '1 hour' "
                                "WHERE deal_uuid = :uuid"), {"uuid": ghost})
    code, output = reconcile(ws, "--local")
    assert code == 0 and "0 with drift" in output, output
    code, output = reconcile(ws)
    assert code == 1, output
    for drift in ("opp_open_purchase stored 1 recounted 0", "opp_won_sale stored 0 recounted 1",
                  "opp_lost_sale stored 1 recounted 0"):
        assert drift in output, output

    code, output = run_cli("resync", "--workspace", str(ws))
    assert code == 0, output
    assert "1 opportunities from deals, 1 applied; 1 stale projection rows tombstoned; 1 accounts recounted, " \
           "1 corrected" in output, output
    expect(accounts, account, {"wonDeals": {"sale": 1}})
    assert_no_drift(ws, 1)
    with accounts_db.connect() as connection:
        rows = dict(connection.execute(text("SELECT deal_uuid, deleted FROM opportunity_projection "
                                            "WHERE deal_uuid IN (:real, :ghost)"), {"real": real, "ghost": ghost}).all())
    assert rows == {real: False, ghost: True}
