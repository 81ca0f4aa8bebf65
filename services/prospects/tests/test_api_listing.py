"""The board, the table, the KPIs and the calendar through the gateway: every filter alone and
combined, sorting on every listed column, paging, and the counts against a recount."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts.permissions import PROSPECTS
from services.prospects.tests.support import boom, create, member, owner, row

TODAY = datetime.now(timezone.utc).date()


def _at(days):
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Board:
    """One workspace: the owner, salesmen Ann and Bob, and prospects P1..P8 (see `board`)."""


@pytest.fixture(scope="module")
def board(api):
    ws = api.signup()
    b = Board()
    b.ws, b.boss, b.ann, b.bob = ws, owner(ws), member(ws, first_name="Ann"), member(ws, first_name="Bob")

    def make(who, **fields):
        return create(api, who, row(**fields))["inserts"][0]["id"]

    def data(prospect_id, **fields):
        response = api.request("PATCH", "/prospects/{}/data".format(prospect_id), token=b.boss.token, json=fields)
        assert response.status_code == 200, response.text

    def note(prospect_id, **fields):
        response = api.post("/prospects/{}/notes".format(prospect_id), dict({"note": "n", "action": "call"}, **fields),
                            token=b.boss.token)
        assert response.status_code == 200, response.text

    b.p1 = make(b.ann, company="Café Ñandú", name="José Pérez")
    data(b.p1, account_value=1000, monthly_shipments=50, campaign="Q1", lead_status="hot", ecommerce_type_id=1,
         weight_id=1, content_id=2, plan_type_id=1, estimated_close_date="2026-04-10", has_recharge=True, tier="gold",
         assignments={"kae": b.bob.id})
    note(b.p1, scheduled_date=_at(5))
    b.p2 = make(b.ann, company="Acme", name="Zoë")
    data(b.p2, account_value=5000, monthly_shipments=150, campaign="Q2", lead_status="cold", ecommerce_type_id=2,
         weight_id=2, content_id=1, plan_type_id=2, estimated_close_date="2026-05-20", assignments={"csr": b.ann.id})
    note(b.p2, follow=2, scheduled_date=_at(-3))
    note(b.p2, scheduled_date=_at(10))
    b.p3 = make(b.bob, company="Beta Ltd", name="Ann Other")
    data(b.p3, account_value=250.5, monthly_shipments=600, campaign="Q1", lead_status="hot",
         estimated_close_date="2026-04-30")
    note(b.p3, follow=3)
    b.p4 = make(b.bob, company="Gamma", name="G", follow_up_id=4)
    b.p5 = make(b.boss, company="Delta Client", type=2)
    b.company5 = api.get("/prospects/{}".format(b.p5), token=b.boss.token).json()["prospect"]["company_id"]
    api.request("PATCH", "/clients/{}/onboarding".format(b.company5), token=b.boss.token,
                json={"steps": [{"key": "welcome_call"}]})
    b.p6 = make(b.boss, company="Epsilon", follow_up_id=6)
    b.p7 = make(b.boss, company="Partner Co", type=3)
    b.p8 = make(b.boss, company="Zeta", name=None)
    data(b.p8, account_value=42)
    b.company_ids = [b.p1, b.p2, b.p3, b.p4, b.p5, b.p6, b.p8]
    return b


def _list(api, who, query=""):
    response = api.get("/prospects/list?length=1000&" + query, token=who.token)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(api, who, query=""):
    return {record["id"] for record in _list(api, who, query)["data"]}


FILTERS = [  # (query, names of the prospects it leaves)
    ("follow=2,3", "p2 p3"), ("category=3", "p3"), ("category=3&follow=2", ""), ("type=2", "p5"),
    ("source=partner", "p7"), ("search=CAFE%20nandu", "p1"), ("search=zoe", "p2"), ("search=ann%20oth", "p3"),
    ("search=acme", "p2"), ("onboarding=in_progress", "p5"), ("onboarding=completed", ""), ("ecommerce=1", "p1"),
    ("campaing=Q1", "p1 p3"), ("weightRange=2", "p2"), ("contentId=2", "p1"), ("planTypeId=1,2", "p1 p2"),
    ("minShipments=150", "p2 p3"), ("leadStatus=hot", "p1 p3"), ("hasRecharge=1", "p1"),
    ("hasRecharge=0", "p2 p3 p4 p5 p6 p8"), ("estimatedCloseDate[0]=2026-04-01&estimatedCloseDate[1]=2026-04-30",
                                              "p1 p3"),
    ("estimatedCloseMonth=2026-05", "p2"), ("estimatedCloseDate[0]=2026-04-15", "p2 p3"),
    ("commercialOfferDate[0]={0}&commercialOfferDate[1]={0}".format(TODAY), "p4"),
    ("nextContact[0]={}&nextContact[1]={}".format(TODAY, TODAY + timedelta(days=7)), "p1"),
    ("nextContact[0]={}".format(TODAY), "p1 p2"), ("startDate={}&endDate={}".format(TODAY, TODAY),
                                                  "p1 p2 p3 p4 p5 p6 p8"),
    ("endDate={}".format(TODAY - timedelta(days=1)), ""), ("campaing=Q1&leadStatus=hot&follow=3", "p3"),
    ("search=acme&follow=2&minShipments=100", "p2"), ("search=acme&follow=3", ""), ("follow=", "p1 p2 p3 p4 p5 p6 p8"),
]


@pytest.mark.parametrize("query, expected", FILTERS)
def test_every_filter_alone_and_combined(api, board, query, expected):
    wanted = {getattr(board, name) for name in expected.split()}
    listed = _list(api, board.boss, query)
    assert {record["id"] for record in listed["data"]} == wanted
    assert listed["recordsFiltered"] == len(wanted)
    assert listed["recordsTotal"] == (1 if "source=partner" in query else 7)
    grouped = api.get("/prospects/grouped?counters=true&" + query, token=board.boss.token).json()["categories"]
    assert {record["id"] for category in grouped for record in category["records"]} == wanted
    assert sum(category["count"] for category in grouped) == len(wanted)
    kpis = api.get("/prospects/kpis?" + query, token=board.boss.token).json()
    assert sum(kpi["count"] for kpi in kpis) == len(wanted)


@pytest.mark.parametrize("role, who, expected", [("kae", "bob", "p1"), ("csr", "ann", "p2"), ("wms", "ann", ""),
                                                 ("salesman", "ann", "p1 p2"), ("salesman", "bob", "p3 p4")])
def test_role_and_salesman_filters(api, board, role, who, expected):
    query = "{}={}".format(role, getattr(board, who).id)
    assert _ids(api, board.boss, query) == {getattr(board, name) for name in expected.split()}


def _sort_key(column, record):
    value = record[column]
    if column in ("company_name", "name", "campaign", "lead_status", "salesman_name", "email"):
        value = value.lower() if value is not None else None
    if column == "follow_name":
        value = record["follow_up_id"]
    if column == "monthly_shipments_desc":
        value = record["monthly_shipments"]
    return value


SORTS = ["id", "company_name", "name", "email", "follow_name", "salesman_name", "balance", "account_value",
         "first_contact", "last_contact", "days_uc", "days_without_contact", "next_contact", "monthly_shipments",
         "monthly_shipments_desc", "campaign", "lead_status", "estimated_close_date", "created_at"]


@pytest.mark.parametrize("column", SORTS)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorting_on_every_listed_column_keeps_empty_values_last(api, board, column, direction):
    records = _list(api, board.boss, "sortBy={}&sortType={}".format(column, direction))["data"]
    assert len(records) == 7
    values = [_sort_key(column, record) for record in records]
    present = [value for value in values if value is not None]
    assert values[:len(present)] == present, "empty values come last"
    assert present == sorted(present, reverse=direction == "desc")
    assert len(set(present)) > 1 or column in ("balance", "days_uc", "days_without_contact", "first_contact",
                                                "last_contact", "created_at"), "the data set must tell orders apart"


def test_default_order_is_newest_first_and_pages_do_not_overlap(api, board):
    everything = [record["id"] for record in _list(api, board.boss)["data"]]
    assert everything == sorted(everything, reverse=True)
    pages = []
    for start in range(0, 7, 3):
        page = api.get("/prospects/list?start={}&length=3&draw=4".format(start), token=board.boss.token).json()
        assert page["draw"] == 4 and page["recordsTotal"] == page["recordsFiltered"] == 7
        pages += [record["id"] for record in page["data"]]
    assert pages == everything
    # the same pages through the offset path (a filter that leaves everything)
    every_status = "follow=1,2,3,4,5,6&length=3&start="
    offsets = [api.get("/prospects/list?" + every_status + str(start), token=board.boss.token).json()["data"]
               for start in range(0, 7, 3)]
    assert [record["id"] for page in offsets for record in page] == everything
    assert api.get("/prospects/list?start=90000", token=board.boss.token).json()["data"] == []


def test_the_list_shows_the_documents_columns(api, board):
    record = next(r for r in _list(api, board.boss)["data"] if r["id"] == board.p2)
    assert (record["company_name"], record["follow_name"], record["salesman_name"], record["account_value"],
            record["monthly_shipments_desc"], record["campaign"], record["lead_status"],
            record["estimated_close_date"]) == ("Acme", "contacted", board.ann.name, 5000, "100-500", "Q2", "cold",
                                                "2026-05-20")
    # the note logged 3 days back is the first contact; writing the one scheduled ahead is the last
    assert record["first_contact"] == (TODAY - timedelta(days=3)).isoformat()
    assert record["last_contact"] == TODAY.isoformat() and record["days_without_contact"] == 0
    assert record["next_contact"] == (TODAY + timedelta(days=10)).isoformat() and record["days_uc"] == 0


def test_grouped_and_kpis_count_what_a_recount_finds(api, board):
    records = _list(api, board.boss)["data"]
    recount = {}
    for record in records:
        count, value = recount.get(record["follow_up_id"], (0, 0))
        recount[record["follow_up_id"]] = (count + 1, value + record["account_value"])
    grouped = api.get("/prospects/grouped?counters=true", token=board.boss.token).json()["categories"]
    assert [(c["id"], c["name"]) for c in grouped] == [(1, "new_lead"), (2, "contacted"), (3, "negotiation"),
                                                       (4, "commercial_offer"), (5, "active_client"), (6, "lost")]
    assert {c["id"]: c["count"] for c in grouped} == {follow: recount.get(follow, (0, 0))[0] for follow in range(1, 7)}
    kpis = api.get("/prospects/kpis", token=board.boss.token).json()
    assert {k["category_id"]: (k["count"], k["total_value"]) for k in kpis} == \
        {follow: recount.get(follow, (0, 0)) for follow in range(1, 7)}
    assert "count" not in api.get("/prospects/grouped", token=board.boss.token).json()["categories"][0]


def test_grouped_pages_and_sorts_each_category(api, board):
    query = "follow=1&length=1&sortBy=company_name&sortType=asc"
    first = api.get("/prospects/grouped?" + query, token=board.boss.token).json()["categories"]
    second = api.get("/prospects/grouped?start=1&" + query, token=board.boss.token).json()["categories"]
    assert [c["id"] for c in first] == [1]
    assert [r["id"] for r in first[0]["records"] + second[0]["records"]] == [board.p1, board.p8]
    report = api.get("/prospects/grouped?report=true&length=1", token=board.boss.token).json()["categories"]
    assert len(report[0]["records"]) == report[0]["count"] == 2
    record = first[0]["records"][0]
    assert set(record) >= {"id", "company_name", "name", "email", "follow_up_id", "follow_name", "balance",
                           "account_value", "last_contact", "salesman_name", "verified", "tier",
                           "monthly_shipments", "services"}
    assert record["tier"] == "gold" and record["salesman_name"] == board.ann.name


def test_a_salesman_sees_only_their_own_on_every_listing(api, board):
    assert _ids(api, board.ann) == {board.p1, board.p2}
    grouped = api.get("/prospects/grouped?counters=true", token=board.ann.token).json()["categories"]
    assert {r["id"] for c in grouped for r in c["records"]} == {board.p1, board.p2}
    kpis = api.get("/prospects/kpis", token=board.ann.token).json()
    assert sum(k["total_value"] for k in kpis) == 6000
    month = "startDate={}&endDate={}".format(TODAY - timedelta(days=15), TODAY + timedelta(days=15))
    assert {a["prospect_id"] for a in api.get("/prospects/activities?" + month, token=board.bob.token).json()} == set()


def test_activities_select_notes_by_scheduled_date(api, board):
    week = "startDate={}&endDate={}".format(TODAY - timedelta(days=7), TODAY + timedelta(days=7))
    activities = api.get("/prospects/activities?" + week, token=board.boss.token).json()
    assert [a["prospect_id"] for a in activities] == [board.p2, board.p1]  # earliest first
    past = activities[0]
    assert (past["entity_name"], past["entity_type"], past["entity_id"], past["action"], past["follow_name"],
            past["created_by_name"]) == ("Acme", "prospect", board.p2, "call", "contacted", board.boss.name)
    month = "startDate={}&endDate={}".format(TODAY - timedelta(days=15), TODAY + timedelta(days=15))
    assert len(api.get("/prospects/activities?" + month, token=board.boss.token).json()) == 3
    assert [a["prospect_id"] for a in api.get("/prospects/activities?follow=1&" + month,
                                              token=board.boss.token).json()] == [board.p1]
    assert {a["prospect_id"] for a in api.get("/prospects/activities?search=acme&" + month,
                                              token=board.boss.token).json()} == {board.p2}
    assert [a["prospect_id"] for a in api.get("/prospects/activities?length=1&start=1&" + month,
                                              token=board.boss.token).json()] == [board.p1]
    ann_only = api.get("/prospects/activities?salesman={}&{}".format(board.bob.id, month), token=board.boss.token)
    assert ann_only.json() == []
    assert {a["prospect_id"] for a in api.get("/prospects/activities?" + month, token=board.ann.token).json()} == \
        {board.p1, board.p2}
    boom(api.get("/prospects/activities?salesman=1&" + month, token=board.ann.token), 403)


@pytest.mark.parametrize("query, field", [("endDate=2026-01-31", "startDate"), ("startDate=2026-01-31", "endDate"),
                                          ("startDate=2026-02-01&endDate=2026-01-31", "endDate"),
                                          ("startDate=yesterday&endDate=2026-01-31", "startDate")])
def test_activities_want_a_valid_range(api, board, query, field):
    assert field in boom(api.get("/prospects/activities?" + query, token=board.boss.token), 400)["message"]


@pytest.mark.parametrize("query, field", [("sortBy=password", "sortBy"), ("sortType=up", "sortType"),
                                          ("length=0", "length"), ("length=100000", "length"), ("start=-1", "start"),
                                          ("follow=7", "follow"), ("type=x", "type"), ("kae=1,a", "kae"),
                                          ("salesman=99999999999999999999", "salesman"), ("category=0", "category"),
                                          ("minShipments=lots", "minShipments"), ("hasRecharge=maybe", "hasRecharge"),
                                          ("estimatedCloseMonth=2026-13", "estimatedCloseMonth"),
                                          ("nextContact[0]=soon", "nextContact[0]"), ("source=shop", "source"),
                                          ("onboarding=done", "onboarding")])
def test_a_bad_parameter_is_400_naming_it(api, board, query, field):
    assert field in boom(api.get("/prospects/list?" + query, token=board.boss.token), 400)["message"]


def test_a_user_with_319_only_lists_nothing_of_others(api, board):
    newcomer = member(board.ws, permissions=(PROSPECTS,))
    assert _list(api, newcomer) == {"recordsTotal": 0, "recordsFiltered": 0, "data": []}
