"""Property: for random where clauses (random conditions over standard and custom fields, combined by
a random AND / OR / NOT expression with random parentheses), the fetch query compiled for PostgreSQL
returns exactly the records, in order, that a plain Python evaluation of the same clause selects."""
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.goals.customer_goals import domain
from services.goals.customer_goals.dsl.compiler import compile_where
from services.goals.customer_goals.dsl.fields import GOAL_FIELDS
from services.goals.customer_goals.dsl.query import parse_fetch
from services.goals.customer_goals.store import goals as goal_store

TEXT = "abAB%_/ "
STATUSES = ["S-NEW", "S-TRACK", "S-RISK"]
DAY0 = date(2025, 1, 1)
ROWS = 120


def _text(rng, low):
    return "".join(rng.choice(TEXT) for _ in range(rng.randint(low, 4)))


def _custom(rng):
    return rng.choice([None, None, _text(rng, 0), rng.randint(-3, 3), rng.choice([0.5, -1.25, 2.0]), True, False])


def make_rows(seed=20251):
    rng = random.Random(seed)
    return [{"Name": _text(rng, 1), "Description": rng.choice([None, _text(rng, 0)]),
             "DueDate": rng.choice([None, DAY0 + timedelta(days=rng.randint(0, 9))]),
             "OpportunityId": rng.choice([None, rng.randint(1, 6)]), "StatusId": rng.choice(STATUSES),
             "CreatedDate": 1000 + rng.randint(0, 20), "c1__gc": _custom(rng), "c2__gc": _custom(rng)}
            for _ in range(ROWS)]


@pytest.fixture(scope="module")
def dataset(test_env):
    engine = create_engine(test_env.database_urls["goals"])
    workspace_id = random.randint(10 ** 8, 2 * 10 ** 9)
    rows = make_rows()
    with Session(engine) as session:
        for row in rows:
            goal = goal_store.add(session, gsid=domain.new_gsid("goal"), workspace_id=workspace_id, category="GOAL",
                                  name=row["Name"], description=row["Description"], due_date=row["DueDate"],
                                  opportunity_id=row["OpportunityId"], status_id=row["StatusId"],
                                  goal_type_id="T", entity_type="GLOBAL", currency_iso_code="USD",
                                  created_by_id="u", modified_by_id="u", created_date=row["CreatedDate"],
                                  modified_date=0)
            goal_store.set_custom(session, goal.id, {name: domain.custom_value(name, row[name])
                                                     for name in ("c1__gc", "c2__gc")})
            row["Gsid"] = goal.gsid
        session.commit()
    yield engine, workspace_id, rows
    engine.dispose()


# --- the plain Python evaluation -----------------------------------------------------------------------
def _same_kind(stored, wanted):
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return isinstance(stored, bool) and isinstance(wanted, bool) and stored == wanted
    if isinstance(stored, str) or isinstance(wanted, str):
        return isinstance(stored, str) and isinstance(wanted, str) and stored == wanted
    return Decimal(repr(stored)) == Decimal(str(wanted))


def holds(row, condition):
    field, operator, values = condition["fieldName"], condition["operator"], condition.get("value") or []
    value = row[field]
    if field == "DueDate" and values and operator not in ("IS_NULL", "IS_NOT_NULL"):
        values = [date.fromisoformat(v) for v in values]
    if operator == "IS_NULL":
        return value is None
    if operator == "IS_NOT_NULL":
        return value is not None
    if operator in ("NE", "NOT_IN"):
        return not holds(row, dict(condition, operator="IN"))
    if value is None:
        return False
    if operator in ("EQ", "IN"):
        return any(_same_kind(value, v) if field.endswith("__gc") else value == v for v in values)
    if operator in ("CONTAINS", "STARTS_WITH"):
        if not isinstance(value, str):
            return False
        test = (lambda v: v.lower() in value.lower()) if operator == "CONTAINS" else \
            (lambda v: value.lower().startswith(v.lower()))
        return any(test(v) for v in values)
    if field.endswith("__gc"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        value, values = Decimal(repr(value)), [Decimal(str(v)) for v in values]
    if operator == "BTW":
        return values[0] <= value <= values[1]
    return {"GT": value > values[0], "GTE": value >= values[0], "LT": value < values[0],
            "LTE": value <= values[0]}[operator]


def evaluate(tree, row, conditions):
    kind = tree[0]
    if kind == "alias":
        return holds(row, conditions[tree[1]])
    if kind == "not":
        return not evaluate(tree[1], row, conditions)
    results = [evaluate(node, row, conditions) for node in tree[1]]
    return all(results) if kind == "and" else any(results)


# --- random where clauses ------------------------------------------------------------------------------
texts = st.text(TEXT, min_size=0, max_size=3)
days = st.integers(0, 10).map(lambda n: (DAY0 + timedelta(days=n)).isoformat())
numbers = st.sampled_from([-3, -1, 0, 0.5, 1, 2, 2.0, 3, -1.25])
customs = st.one_of(texts, numbers, st.booleans())
ALL = ("EQ", "NE", "IN", "NOT_IN", "IS_NULL", "IS_NOT_NULL")
FIELDS = {
    "Name": (texts, ALL + ("CONTAINS", "STARTS_WITH")), "Description": (texts, ALL + ("CONTAINS", "STARTS_WITH")),
    "StatusId": (st.sampled_from(STATUSES + ["S-NONE"]), ALL),
    "DueDate": (days, ALL + ("GT", "GTE", "LT", "LTE", "BTW")),
    "OpportunityId": (st.integers(0, 7), ALL + ("GT", "GTE", "LT", "LTE", "BTW")),
    "CreatedDate": (st.integers(995, 1025), ALL + ("GT", "GTE", "LT", "LTE", "BTW")),
    "c1__gc": (customs, ALL + ("CONTAINS", "STARTS_WITH", "GT", "GTE", "LT", "LTE", "BTW")),
    "c2__gc": (customs, ALL + ("CONTAINS", "STARTS_WITH", "GT", "GTE", "LT", "LTE", "BTW")),
}


@st.composite
def conditions(draw, alias):
    field = draw(st.sampled_from(sorted(FIELDS)))
    values, operators = FIELDS[field]
    operator = draw(st.sampled_from(operators))
    if field.endswith("__gc") and operator in ("CONTAINS", "STARTS_WITH"):
        values = texts
    elif field.endswith("__gc") and operator in ("GT", "GTE", "LT", "LTE", "BTW"):
        values = numbers
    count = {"IS_NULL": 0, "IS_NOT_NULL": 0, "BTW": 2, "GT": 1, "GTE": 1, "LT": 1, "LTE": 1}.get(
        operator, draw(st.integers(1, 3)))
    condition = {"fieldName": field, "operator": operator, "alias": alias,
                 "value": sorted(draw(st.lists(values, min_size=count, max_size=count)), key=str)}
    if operator == "BTW" and not field.endswith("__gc"):
        condition["value"].sort()
    if count == 0 and draw(st.booleans()):
        del condition["value"]
    return condition


def trees(aliases):
    leaves = st.sampled_from(aliases).map(lambda alias: ("alias", alias))
    return st.recursive(leaves, lambda inner: st.one_of(
        inner.map(lambda node: ("not", node)),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3))), max_leaves=8)


def render(tree, draw):
    """The tree as text, with random keyword case and extra parentheses (always enough to keep the shape)."""
    kind = tree[0]
    if kind == "alias":
        text = tree[1]
    elif kind == "not":
        text = "{} {}".format(draw(st.sampled_from(["NOT", "not", "Not"])), render(tree[1], draw))
    else:
        word = draw(st.sampled_from([kind.upper(), kind]))
        text = "({})".format(" {} ".format(word).join(render(node, draw) for node in tree[1]))
    return "({})".format(text) if draw(st.booleans()) and kind == "alias" else text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fetch_selects_exactly_what_the_expression_says(dataset, data):
    engine, workspace_id, rows = dataset
    aliases = ["A", "B", "C", "D"][:data.draw(st.integers(1, 4))]
    drawn = [data.draw(conditions(alias)) for alias in aliases]
    tree = data.draw(trees(aliases))
    text = render(tree, data.draw)
    query = parse_fetch({"where": {"conditions": drawn, "expression": text}, "pageSize": 1000}, GOAL_FIELDS)
    with Session(engine) as session:
        found = [goal.gsid for goal in goal_store.page(session, workspace_id, "GOAL",
                                                       compile_where(query.tree, query.conditions), 1000, 0)]
    by_alias = {condition["alias"]: condition for condition in drawn}
    expected = [row["Gsid"] for row in rows if evaluate(query.tree, row, by_alias)]
    assert found == expected, (text, drawn)


def test_the_dataset_has_every_kind_of_value(dataset):
    """The property is only as strong as the data: nulls, texts, numbers and booleans in custom fields."""
    _, _, rows = dataset
    kinds = {type(row["c1__gc"]).__name__ for row in rows} | {type(row["c2__gc"]).__name__ for row in rows}
    assert kinds == {"NoneType", "str", "int", "float", "bool"}
    assert any(row["DueDate"] is None for row in rows) and any(row["OpportunityId"] is None for row in rows)
