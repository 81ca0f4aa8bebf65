"""The fetch DSL without a database: the expression grammar, conditions against the field whitelist,
select and page checks, each with the document's error code."""
import pytest

from services.goals.customer_goals.dsl import expression
from services.goals.customer_goals.dsl.fields import GOAL_FIELDS, TEMPLATE_FIELDS
from services.goals.customer_goals.dsl.query import parse_fetch
from services.goals.customer_goals.exceptions import (InvalidCustomerGoalRequest, InvalidField,
                                                      InvalidPageRequest)

ALIASES = {"A", "B", "C", "D"}


@pytest.mark.parametrize("text, tree", [
    ("A", ("alias", "A")),
    ("A AND B", ("and", [("alias", "A"), ("alias", "B")])),
    ("A and B or C", ("or", [("and", [("alias", "A"), ("alias", "B")]), ("alias", "C")])),
    ("A OR B AND C", ("or", [("alias", "A"), ("and", [("alias", "B"), ("alias", "C")])])),
    ("NOT A AND B", ("and", [("not", ("alias", "A")), ("alias", "B")])),
    ("not (A or B)", ("not", ("or", [("alias", "A"), ("alias", "B")]))),
    ("((A))", ("alias", "A")),
    ("(A OR B)AND(C OR NOT D)", ("and", [("or", [("alias", "A"), ("alias", "B")]),
                                        ("or", [("alias", "C"), ("not", ("alias", "D"))])])),
    ("NOT NOT A", ("not", ("not", ("alias", "A")))),
])
def test_expressions_parse_with_not_over_and_over_or(text, tree):
    assert expression.parse(text, ALIASES) == tree


@pytest.mark.parametrize("text, problem", [
    ("A AND E", "unknown alias 'E'"), ("(A AND B", "not closed"), ("A AND B)", "unbalanced"),
    ("A AND", "ends where"), ("AND A", "unexpected 'AND'"), ("A B", "unexpected 'B'"), ("()", "unexpected ')'"),
    ("A & B", "unexpected '&'"), ("A; DROP TABLE cs_goals", "unexpected ';'"), ("", "non-empty"),
    ("(" * 40 + "A" + ")" * 40, "deeper"), ("NOT " * 40 + "A", "deeper"), ("A OR " * 600 + "A", "at most"),
])
def test_malformed_expressions_are_refused_naming_the_problem(text, problem):
    with pytest.raises(InvalidCustomerGoalRequest) as refused:
        expression.parse(text, ALIASES)
    assert problem in refused.value.info and refused.value.status == 400


def fetch(**body):
    return parse_fetch(body, GOAL_FIELDS)


def where(*conditions, expression_text=None):
    return {"conditions": list(conditions), **({"expression": expression_text} if expression_text else {})}


def cond(field, operator, value=None, alias="A"):
    return {"fieldName": field, "operator": operator, "alias": alias, **({"value": value} if value is not None else {})}


def test_the_documents_sample_fetch_parses():
    query = fetch(select=["CompanyId", "Name", "RelationshipId", "OpportunityId", "Gsid"],
                  where=where(cond("Name", "EQ", ["CGnew"]), expression_text="A"), pageSize=100, pageNumber=1)
    assert [spec.name for spec in query.select] == ["CompanyId", "Name", "RelationshipId", "OpportunityId", "Gsid"]
    assert query.tree == ("alias", "A") and query.conditions["A"].values == ("CGnew",)
    assert (query.page_size, query.offset) == (100, 0)


def test_without_expression_every_condition_must_hold_and_without_where_nothing_is_filtered():
    query = fetch(where=where(cond("Name", "EQ", ["x"]), cond("StatusId", "NE", ["y"], alias="B")))
    assert query.tree == ("and", [("alias", "A"), ("alias", "B")])
    assert fetch().tree is None and fetch().select is None and fetch().page_size == 100


@pytest.mark.parametrize("select", [["Gsd"], ["Name", "Gsd"], ["name"], [3], ["x__gc", "bad field__gc"]])
def test_an_unknown_selected_field_is_8009_naming_it(select):
    with pytest.raises(InvalidField) as refused:
        fetch(select=select)
    assert refused.value.code == 8009 and refused.value.status == 400
    assert str([s for s in select if s not in ("Name", "x__gc")][0]) in refused.value.info


def test_custom_fields_and_list_fields_are_selectable_and_templates_have_their_own_due_date():
    selected = fetch(select=["cust_string_value__gc", "MetricValues"]).select
    assert [spec.kind for spec in selected] == ["custom", "metrics"]
    assert parse_fetch({"select": ["DueDate"]}, TEMPLATE_FIELDS).select[0].kind == "int"
    with pytest.raises(InvalidField):
        parse_fetch({"select": ["EntityType"]}, TEMPLATE_FIELDS)


@pytest.mark.parametrize("page", [{"pageSize": 0}, {"pageSize": -1}, {"pageSize": 1001}, {"pageSize": "10"},
                                  {"pageSize": 1.5}, {"pageNumber": 0}, {"pageNumber": True},
                                  {"pageNumber": 2 ** 63}])
def test_bad_page_values_are_8007(page):
    with pytest.raises(InvalidPageRequest) as refused:
        fetch(**page)
    assert refused.value.code == 8007


@pytest.mark.parametrize("condition", [
    cond("Name", "GT", ["a"]), cond("DueDate", "CONTAINS", ["2025"]), cond("Name", "LIKE", ["a"]),
    cond("Name", "EQ", []), cond("Name", "EQ", [1]), cond("DueDate", "EQ", ["2025-02-30"]),
    cond("DueDate", "EQ", ["25-01-01"]), cond("OpportunityId", "EQ", ["x"]), cond("OpportunityId", "EQ", [2 ** 63]),
    cond("CreatedDate", "BTW", [1]), cond("CreatedDate", "GT", [1, 2]), cond("Name", "IS_NULL", ["x"]),
    cond("x__gc", "CONTAINS", [5]), cond("x__gc", "GT", ["a"]), cond("x__gc", "GT", [True]),
    cond("x__gc", "EQ", [{"a": 1}]), cond("x__gc", "EQ", [float("inf")]), cond("x__gc", "EQ", [10 ** 19]),
    {"fieldName": "Name", "operator": "EQ", "value": ["x"], "alias": "AND"},
    {"fieldName": "Name", "operator": "EQ", "value": ["x"], "alias": "A B"},
    {"fieldName": "Name", "operator": "EQ", "value": ["x"], "alias": "A", "extra": 1},
], ids=str)
def test_conditions_that_do_not_fit_their_field_are_400(condition):
    with pytest.raises(InvalidCustomerGoalRequest) as refused:
        fetch(where=where(condition))
    assert refused.value.status == 400 and refused.value.code == "CG_INVALID_REQUEST"


@pytest.mark.parametrize("field", ["Gsd", "MetricValues", "AssociatedWork", "x__gc__"])
def test_an_unknown_or_unfilterable_where_field_is_8009(field):
    with pytest.raises(InvalidField) as refused:
        fetch(where=where(cond(field, "EQ", ["x"])))
    assert refused.value.code == 8009 and field in refused.value.info


def test_values_are_converted_to_the_fields_kind():
    query = fetch(where=where(cond("DueDate", "BTW", ["2025-01-01", "2025-12-31"]),
                              cond("OpportunityId", "IN", ["12", 13], alias="B"),
                              cond("x__gc", "IN", [1, 2.5, "a", False], alias="C")))
    assert [str(v) for v in query.conditions["A"].values] == ["2025-01-01", "2025-12-31"]
    assert query.conditions["B"].values == (12, 13)
    assert [str(v) for v in query.conditions["C"].values] == ["1", "2.5", "a", "False"]


def test_a_duplicate_alias_is_refused():
    with pytest.raises(InvalidCustomerGoalRequest):
        fetch(where=where(cond("Name", "EQ", ["a"]), cond("Name", "EQ", ["b"])))
