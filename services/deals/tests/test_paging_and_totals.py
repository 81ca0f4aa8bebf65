"""Deep paging (offset pages read from the nearer end, keyset cursors) and deal_totals, the
per-workspace summary that answers the unfiltered count and stats: both must give exactly what a
scan of the deals gives."""
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

ORDERS = ("name-asc", "name-desc", "created_at-desc", "target_date-asc", "target_date-desc", "id-asc")


def ids(response):
    assert response.status_code == 200, response.text
    return [item["deal"]["id"] for item in response.json()]


@pytest.fixture
def seven_deals(ws, make_deal):
    # repeated names and dates, so the id tie-break decides part of every order
    specs = [("beta", "2024-01-03"), ("Alpha", "2024-01-01"), ("beta", "2024-01-01"), ("gamma", "2024-01-02"),
             ("alpha", "2024-01-02"), ("delta", "2024-01-03"), ("beta", "2024-01-02")]
    return [make_deal(ws, name=name, target_date=day)["id"] for name, day in specs]


@pytest.mark.parametrize("order", ORDERS)
def test_every_offset_page_matches_the_full_ordering(api, ws, seven_deals, order):
    everything = ids(api.get("/api/deals.json", params={"order": order, "perpage": 250}, token=ws.token))
    assert sorted(everything) == sorted(seven_deals)
    pages = [ids(api.get("/api/deals.json", params={"order": order, "perpage": 2, "page": page}, token=ws.token))
             for page in range(1, 6)]
    # pages 3 and 4 lie past the middle and are read backwards from the end of the index
    assert pages == [everything[0:2], everything[2:4], everything[4:6], everything[6:7], []]


@pytest.mark.parametrize("order", ORDERS)
def test_following_next_cursor_reads_every_deal_once_in_order(api, ws, seven_deals, order):
    everything = ids(api.get("/api/deals.json", params={"order": order, "perpage": 250}, token=ws.token))
    walked, params, hops = [], {"order": order, "perpage": 3}, 0
    while True:
        response = api.get("/api/deals.json", params=params, token=ws.token)
        walked += ids(response)
        assert response.headers["X-Total-Count"] == "7"
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            break
        params, hops = {"order": order, "perpage": 3, "cursor": cursor}, hops + 1
        assert hops < 5
    assert walked == everything


def test_a_full_last_page_still_offers_a_cursor_that_reads_nothing(api, ws, make_deal):
    for name in ("a", "b"):
        make_deal(ws, name=name)
    response = api.get("/api/deals.json", params={"perpage": 2}, token=ws.token)
    after = api.get("/api/deals.json", params={"perpage": 2, "cursor": response.headers["X-Next-Cursor"]},
                    token=ws.token)
    assert ids(after) == [] and "X-Next-Cursor" not in after.headers


@pytest.mark.parametrize("params", [{"cursor": "not-a-cursor"}, {"cursor": "W10"}, {"cursor": "WzEsMiwzXQ"},
                                    {"cursor": "x" * 600}])
def test_a_bad_cursor_is_400_naming_it(api, ws, params):
    response = api.get("/api/deals.json", params=params, token=ws.token)
    assert response.status_code == 400, response.text
    assert "cursor" in response.json()["errors"]


def test_a_cursor_belongs_to_its_order_and_excludes_page(api, ws, make_deal):
    for name in ("a", "b", "c"):
        make_deal(ws, name=name)
    cursor = api.get("/api/deals.json", params={"perpage": 1}, token=ws.token).headers["X-Next-Cursor"]
    other_order = api.get("/api/deals.json", params={"perpage": 1, "cursor": cursor, "order": "id-asc"},
                          token=ws.token)
    assert other_order.status_code == 400 and "cursor" in other_order.json()["errors"]
    with_page = api.get("/api/deals.json", params={"perpage": 1, "cursor": cursor, "page": 2}, token=ws.token)
    assert with_page.status_code == 400 and "cursor" in with_page.json()["errors"]


def test_another_workspaces_cursor_reads_only_the_callers_deals(api, ws, make_deal):
    other = api.signup()
    for name in ("a", "b"):
        make_deal(ws, name=name)
    mine = make_deal(other, name="c")
    cursor = api.get("/api/deals.json", params={"perpage": 1}, token=ws.token).headers["X-Next-Cursor"]
    assert ids(api.get("/api/deals.json", params={"perpage": 5, "cursor": cursor}, token=other.token)) == [mine["id"]]


# --- deal_totals ----------------------------------------------------------------------------------
def summary_and_scan(api, ws, currency):
    """(count, sum) answered by deal_totals, and the same figures forced through a scan of the deals
    (filter[type] is not a totals dimension)."""
    summary = api.get("/api/deals/stats.json", params={"currency": currency}, token=ws.token).json()
    scans = [api.get("/api/deals/stats.json", params={"currency": currency, "filter[type]": kind},
                     token=ws.token).json() for kind in ("sale", "purchase")]
    return ((summary["total_entries"], Decimal(str(summary["sum"]))),
            (sum(s["total_entries"] for s in scans), sum(Decimal(str(s["sum"])) for s in scans)))


def test_totals_follow_creates_updates_and_deletes(api, ws, make_deal):
    deal = make_deal(ws, value="100", value_count="3")
    usd = make_deal(ws, currency="USD", value="7.25", value_count="2")
    won = make_deal(ws, current_state="won", value="10", value_count="1", type="purchase")
    assert summary_and_scan(api, ws, "EUR") == ((3, Decimal(310)), (3, Decimal(310)))
    assert summary_and_scan(api, ws, "USD") == ((3, Decimal("14.5")), (3, Decimal("14.5")))
    api.put("/api/deals/{}.json".format(deal["id"]), {"deal": {"current_state": "won", "value": "50"}}, token=ws.token)
    api.put("/api/deals/{}.json".format(usd["id"]), {"deal": {"currency": "EUR"}}, token=ws.token)
    api.delete("/api/deals/{}.json".format(won["id"]), token=ws.token)
    assert summary_and_scan(api, ws, "EUR") == ((2, Decimal("164.5")), (2, Decimal("164.5")))
    won_only = api.get("/api/deals/stats.json", params={"filter[current_state]": "won"}, token=ws.token).json()
    assert won_only == {"total_entries": 1, "sum": 150, "currency": "eur"}
    listed = api.get("/api/deals.json", params={"filter[current_state]": "won"}, token=ws.token)
    assert listed.headers["X-Total-Count"] == "1" and ids(listed) == [deal["id"]]
    assert api.get("/api/deals.json", token=ws.token).headers["X-Total-Count"] == "2"


def test_totals_equal_a_recount_after_concurrent_writes(api, ws, make_deal, test_env):
    deals = [make_deal(ws, value=str(10 + index), value_count="1.5") for index in range(6)]
    states = ("won", "lost", "open_50", "open_75")

    def churn(deal, round_):
        state = states[(deal["id"] + round_) % len(states)]
        response = api.put("/api/deals/{}.json".format(deal["id"]),
                           {"deal": {"current_state": state, "value": str(20 + round_)}}, token=ws.token)
        assert response.status_code == 200, response.text

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(lambda job: churn(*job), [(deal, round_) for round_ in range(4) for deal in deals]))
    api.delete("/api/deals/{}.json".format(deals[0]["id"]), token=ws.token)
    engine = create_engine(test_env.database_urls["deals"])
    try:
        with engine.connect() as connection:
            workspace_id = connection.scalar(text("SELECT workspace_id FROM deals WHERE id = :id"),
                                             {"id": deals[1]["id"]})
            kept = connection.execute(text(
                "SELECT current_state, currency, deals, amount FROM deal_totals "
                "WHERE workspace_id = :ws AND deals <> 0 ORDER BY 1, 2"), {"ws": workspace_id}).all()
            recount = connection.execute(text(
                "SELECT current_state, currency, count(*), sum(value * value_count) FROM deals "
                "WHERE workspace_id = :ws AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2"),
                {"ws": workspace_id}).all()
    finally:
        engine.dispose()
    assert [(s, c, n, Decimal(a)) for s, c, n, a in kept] == [(s, c, n, Decimal(a)) for s, c, n, a in recount]
    assert sum(row[2] for row in kept) == 5
