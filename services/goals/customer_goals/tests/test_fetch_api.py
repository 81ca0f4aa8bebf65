"""Fetching goals through the gateway: select (8009 naming an unknown field), where with conditions
and an AND / OR / NOT expression (a malformed one is 400), pages (8007), custom fields."""
import pytest

from services.goals.customer_goals.tests.support import FETCH


def cond(field, operator, value=None, alias="A"):
    return {"fieldName": field, "operator": operator, "alias": alias, **({"value": value} if value is not None else {})}


def names(records):
    return sorted(record["dataList"]["Name"] for record in records)


@pytest.fixture
def barca(cs):
    """The document's template-fetch sample data, as goals."""
    for name, extra in (("barca_template", {"cust_string_value__gc": "hello", "DueDate": "2025-01-30"}),
                        ("Barca custom goal ", {"cust_string_value__gc": "hello"}),
                        ("barca_template", {"cust_string_value__gc": "hello", "DueDate": "2025-01-30"}),
                        ("real madrid", {"score__gc": 3}), ("b%_ literal", {"score__gc": 7.5, "flag__gc": True})):
        cs.create(Name=name, **extra)
    return cs


def test_the_documents_fetch_sample_answers_its_shape(barca):
    records = barca.fetch(select=["Name", "Gsid", "StatusId", "cust_string_value__gc", "CurrencyIsoCode"],
                          where={"conditions": [cond("Name", "STARTS_WITH", ["barca"]),
                                                cond("Name", "CONTAINS", ["b"], alias="B")],
                                 "expression": "A AND B"}, pageSize=10, pageNumber=1)
    assert names(records) == ["Barca custom goal ", "barca_template", "barca_template"]  # case-insensitive
    for record in records:
        assert set(record) == {"dataList", "associatedCTAs", "associatedSPs"}
        assert set(record["dataList"]) == {"Name", "Gsid", "StatusId", "cust_string_value__gc", "CurrencyIsoCode"}
        assert record["dataList"]["cust_string_value__gc"] == "hello"


def test_records_come_in_creation_order_and_nulls_are_left_out(barca):
    records = barca.fetch(select=["Name", "DueDate", "score__gc"])
    assert [r["dataList"]["Name"] for r in records] == ["barca_template", "Barca custom goal ", "barca_template",
                                                          "real madrid", "b%_ literal"]
    assert "DueDate" not in records[1]["dataList"] and records[0]["dataList"]["DueDate"] == "2025-01-30"
    assert records[3]["dataList"] == {"Name": "real madrid", "score__gc": 3}


def test_without_select_every_field_is_answered(barca):
    data = barca.fetch(where={"conditions": [cond("Name", "EQ", ["real madrid"])]})[0]["dataList"]
    assert {"Gsid", "Name", "StatusId", "GoalTypeId", "EntityType", "CreatedById", "CreatedDate",
            "ModifiedDate", "GoalCategory", "CurrencyIsoCode", "score__gc"} <= set(data)


@pytest.mark.parametrize("where, expected", [
    ({"conditions": [cond("score__gc", "GT", [3])]}, ["b%_ literal"]),
    ({"conditions": [cond("score__gc", "BTW", [3, 7.5])]}, ["b%_ literal", "real madrid"]),
    ({"conditions": [cond("score__gc", "IS_NULL")]}, ["Barca custom goal ", "barca_template", "barca_template"]),
    ({"conditions": [cond("flag__gc", "EQ", [True])]}, ["b%_ literal"]),
    ({"conditions": [cond("cust_string_value__gc", "NE", ["hello"])]}, ["b%_ literal", "real madrid"]),
    ({"conditions": [cond("Name", "CONTAINS", ["%_"])]}, ["b%_ literal"]),  # no wildcard: the text itself
    ({"conditions": [cond("Name", "IN", ["real madrid", "nobody"]), cond("DueDate", "IS_NOT_NULL", alias="B")],
      "expression": "A OR B"}, ["barca_template", "barca_template", "real madrid"]),
    ({"conditions": [cond("Name", "STARTS_WITH", ["barca"]), cond("DueDate", "EQ", ["2025-01-30"], alias="B")],
      "expression": "A AND NOT B"}, ["Barca custom goal "]),
    ({"conditions": [cond("Name", "NOT_IN", ["real madrid"]), cond("score__gc", "LTE", [7.5], alias="B"),
                     cond("Name", "STARTS_WITH", ["b"], alias="C")],
      "expression": "NOT (A AND NOT B) OR (C and not C)"}, ["b%_ literal", "real madrid"]),
    ({"conditions": [cond("Name", "EQ", ["x' OR '1'='1"])]}, []),
])
def test_conditions_and_expressions_select_the_records(barca, where, expected):
    assert names(barca.fetch(where=where)) == expected


def test_pages(cs):
    for index in range(7):
        cs.create(Name="p{}".format(index))
    pages = [[r["dataList"]["Name"] for r in cs.fetch(select=["Name"], pageSize=3, pageNumber=n)] for n in (1, 2, 3, 4)]
    assert pages == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"], []]


@pytest.mark.parametrize("body", [{"pageSize": 0}, {"pageSize": 1001}, {"pageNumber": 0}, {"pageNumber": -2},
                                  {"pageSize": "100"}, {"pageNumber": 2 ** 70}])
def test_bad_pages_are_8007(cs, body):
    status, code, envelope = cs.error("POST", FETCH, body)
    assert (status, code, envelope["errorDesc"]) == (400, 8007, "INVALID_PAGE_REQUEST")


@pytest.mark.parametrize("body, named", [({"select": ["Name", "Gsd"]}, "Gsd"),
                                          ({"where": {"conditions": [cond("Nmae", "EQ", ["x"])]}}, "Nmae")])
def test_an_unknown_field_is_8009_naming_it(cs, body, named):
    status, code, envelope = cs.error("POST", FETCH, body)
    assert (status, code, envelope["errorDesc"]) == (400, 8009, "INVALID_FIELD") and named in envelope["message"]


@pytest.mark.parametrize("expression", ["A AND C", "(A OR B", "A OR B)", "A AND", "A B", "A || B", "NOT"])
def test_a_malformed_expression_is_400(cs, expression):
    where = {"conditions": [cond("Name", "EQ", ["x"]), cond("Name", "EQ", ["y"], alias="B")], "expression": expression}
    status, code, envelope = cs.error("POST", FETCH, {"where": where})
    assert (status, code) == (400, "CG_INVALID_REQUEST") and "where.expression" in envelope["message"]


@pytest.mark.parametrize("body", [[], "x", {"unknown": 1}, {"where": []}, {"where": {"conditions": {}}},
                                  {"select": "Name"}])
def test_malformed_fetch_bodies_are_400(cs, body):
    assert cs.error("POST", FETCH, body)[:2] == (400, "CG_INVALID_REQUEST")
