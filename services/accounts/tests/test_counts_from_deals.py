"""Counts following real deal changes made through the deals API (deals service -> outbox ->
`deals.opportunity_changed` -> accounts projection): created, state changes, moved, deleted."""
from services.accounts.tests.conftest import error_of
from services.accounts.tests.test_opportunity_counts import expect


def deal(api, workspace, **fields):
    body = dict({"name": "Harvest", "value": "1000", "value_type": "Total", "value_count": "1",
                 "target_date": "2025-06-01", "current_state": "open_0", "type": "sale"}, **fields)
    response = api.post("/api/deals.json", {"deal": body}, token=workspace.token)
    assert response.status_code == 201, response.text
    return response.json()["deal"]["id"]


def change(api, workspace, deal_id, **fields):
    response = api.put("/api/deals/{}.json".format(deal_id), {"deal": fields}, token=workspace.token)
    assert response.status_code == 200, response.text


def test_counts_follow_deals_made_through_the_deals_api(api, workspace, accounts):
    first, second = accounts.create(name="First"), accounts.create(name="Second")
    sale = deal(api, workspace, account_uuid=first, type="sale", current_state="open_25")
    purchase = deal(api, workspace, account_uuid=first, type="purchase", current_state="open_50")
    swap = deal(api, workspace, account_uuid=first, type="exchange", current_state="won")
    expect(accounts, first, {"openDeals": {"sale": 1, "purchase": 1}, "wonDeals": {"exchange": 1}})

    change(api, workspace, sale, current_state="lost")                      # state change
    expect(accounts, first, {"openDeals": {"purchase": 1}, "wonDeals": {"exchange": 1}, "lostDeals": {"sale": 1}})

    change(api, workspace, purchase, account_uuid=second)                   # moved to another account
    expect(accounts, first, {"wonDeals": {"exchange": 1}, "lostDeals": {"sale": 1}})
    expect(accounts, second, {"openDeals": {"purchase": 1}})
    assert error_of(accounts.action("inactivate", uuid=second)) == (400, 8)

    response = api.delete("/api/deals/{}.json".format(swap), token=workspace.token)  # deleted
    assert response.status_code in (200, 204), response.text
    expect(accounts, first, {"lostDeals": {"sale": 1}})
    names = [item["name"] for item in accounts.page({"opportunities_state": ["openDeals"]})["data"]]
    assert names == ["Second"]
