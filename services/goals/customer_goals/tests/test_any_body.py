"""Property: whatever JSON a client sends, reading a fetch or a goal/template write answers a
customer-goals error (a 4xx in the envelope) or reads it; nothing else is raised (a 500 is a bug)."""
from hypothesis import given, settings, strategies as st

from services.goals.customer_goals.dsl.compiler import compile_where
from services.goals.customer_goals.dsl.fields import GOAL_FIELDS, TEMPLATE_FIELDS
from services.goals.customer_goals.dsl.query import parse_fetch
from services.goals.customer_goals.exceptions import CustomerGoalsError
from services.goals.customer_goals.schemas import GOAL_RECORD, TEMPLATE_RECORD
from services.goals.customer_goals.usecases import records

KEYS = st.sampled_from(["select", "where", "pageSize", "pageNumber", "conditions", "expression", "fieldName",
                        "value", "alias", "operator", "requests", "record", "lookups", "association", "CTA", "SP",
                        "Name", "DueDate", "StatusName", "x__gc", "metricsAssociation", "metricId", "fields",
                        "objectName", "CompanyName", "EntityType", "OpportunityId", "A", "B"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(),
                    st.sampled_from(["A", "A AND B", "NOT (A", "EQ", "BTW", "Name", "x__gc", "DueDate", "2025-01-01",
                                     "company", "Name", "GLOBAL", "FIRSTMATCH", ""]), st.text(max_size=8))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(KEYS, inner, max_size=5)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(body=JSON)
def test_any_fetch_body_is_read_or_refused_as_a_customer_goals_error(body):
    for catalog in (GOAL_FIELDS, TEMPLATE_FIELDS):
        try:
            query = parse_fetch(body, catalog)
        except CustomerGoalsError as error:
            assert 400 <= error.status < 500
        else:
            compile_where(query.tree, query.conditions)


@settings(max_examples=400, deadline=None)
@given(body=JSON)
def test_any_write_body_is_read_or_refused_as_a_customer_goals_error(body):
    for schema in (GOAL_RECORD, TEMPLATE_RECORD):
        try:
            items, lookups = records.read_requests(body, single=False, with_links=True)
            for item in items:
                records.read_record(item, schema, lookups)
        except CustomerGoalsError as error:
            assert 400 <= error.status < 500


CONDITIONS = st.fixed_dictionaries({
    "fieldName": st.one_of(st.sampled_from(sorted(GOAL_FIELDS) + ["x__gc", "Nope"]), SCALARS),
    "operator": st.one_of(st.sampled_from(["EQ", "NE", "IN", "NOT_IN", "CONTAINS", "STARTS_WITH", "GT", "GTE", "LT",
                                           "LTE", "BTW", "IS_NULL", "IS_NOT_NULL", "eq"]), SCALARS),
    "value": JSON, "alias": st.one_of(st.sampled_from(["A", "B", "and", "A B"]), SCALARS)})
EXPRESSIONS = st.lists(st.sampled_from(["A", "B", "AND", "OR", "NOT", "(", ")", "C", "and", "!"]), max_size=8).map(
    " ".join)


@settings(max_examples=400, deadline=None)
@given(conditions=st.lists(CONDITIONS, max_size=3), expression=st.one_of(EXPRESSIONS, SCALARS), select=JSON)
def test_near_valid_where_clauses_are_read_or_refused_as_customer_goals_errors(conditions, expression, select):
    body = {"select": select, "where": {"conditions": conditions, "expression": expression}}
    try:
        query = parse_fetch(body, GOAL_FIELDS)
    except CustomerGoalsError as error:
        assert 400 <= error.status < 500
    else:
        compile_where(query.tree, query.conditions)
