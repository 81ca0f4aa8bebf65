"""A parsed where clause compiled to one SQLAlchemy expression over models.CsGoal.

Only whitelisted columns (dsl.fields) and bound parameters appear: no text of the request ever
reaches the SQL. Every condition compiles to an expression that is true or false, never NULL (a
nullable column is guarded by IS NOT NULL, a custom field is an EXISTS), so NOT is exactly the
complement and the result matches the documented two-valued semantics (dsl.conditions).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select

from services.goals.customer_goals.dsl.conditions import Condition
from services.goals.customer_goals.dsl.fields import CUSTOM
from services.goals.customer_goals.models import CsGoal, CsGoalCustomValue as Custom


def compile_where(tree: Any, conditions: dict[str, Condition]) -> ColumnElement | None:
    if tree is None:
        return None
    return _node(tree, {alias: _condition(condition) for alias, condition in conditions.items()})


def _node(tree: Any, compiled: dict[str, ColumnElement]) -> ColumnElement:
    kind = tree[0]
    if kind == "alias":
        return compiled[tree[1]]
    if kind == "not":
        return not_(_node(tree[1], compiled))
    parts = [_node(node, compiled) for node in tree[1]]
    return and_(*parts) if kind == "and" else or_(*parts)


def _condition(condition: Condition) -> ColumnElement:
    if condition.field.kind == CUSTOM:
        return _custom(condition)
    column = getattr(CsGoal, str(condition.field.attr))
    operator, values = condition.operator, condition.values
    if operator == "IS_NULL":
        return column.is_(None) if condition.field.nullable else false()
    if operator == "IS_NOT_NULL":
        return column.is_not(None)
    if operator in ("NE", "NOT_IN"):
        return not_(_guarded(column, condition.field.nullable, _matches(column, "IN", values)))
    return _guarded(column, condition.field.nullable, _matches(column, operator, values))


def _guarded(column: Any, nullable: bool, predicate: ColumnElement) -> ColumnElement:
    return and_(column.is_not(None), predicate) if nullable else predicate


def _matches(column: Any, operator: str, values: tuple) -> ColumnElement:
    """The positive predicate of `operator` on a non-NULL value of `column`."""
    if operator in ("EQ", "IN"):
        return column == values[0] if len(values) == 1 else column.in_(values)
    if operator == "CONTAINS":
        return or_(*(column.icontains(value, autoescape=True) for value in values))
    if operator == "STARTS_WITH":
        return or_(*(column.istartswith(value, autoescape=True) for value in values))
    if operator == "BTW":
        return and_(column >= values[0], column <= values[1])
    return {"GT": column > values[0], "GTE": column >= values[0], "LT": column < values[0],
            "LTE": column <= values[0]}[operator]


def _has(name: str, predicate: ColumnElement | None = None) -> ColumnElement:
    """The goal has custom field `name` (with a value matching `predicate`)."""
    query = select(Custom.goal_id).where(Custom.goal_id == CsGoal.id, Custom.name == name).correlate(CsGoal)
    return exists(query if predicate is None else query.where(predicate))


def _custom(condition: Condition) -> ColumnElement:
    name, operator, values = condition.field.name, condition.operator, condition.values
    if operator == "IS_NULL":
        return not_(_has(name))
    if operator == "IS_NOT_NULL":
        return _has(name)
    if operator in ("EQ", "IN", "NE", "NOT_IN"):
        texts = [value for value in values if isinstance(value, str)]
        numbers = [value for value in values if isinstance(value, Decimal)]
        flags = [Decimal(1 if value else 0) for value in values if isinstance(value, bool)]
        parts = [and_(Custom.kind == kind, column.in_(group)) for kind, column, group in (
            ("s", Custom.text_value, texts), ("n", Custom.number_value, numbers), ("b", Custom.number_value, flags))
            if group]
        found = _has(name, or_(*parts))
        return not_(found) if operator in ("NE", "NOT_IN") else found
    if operator in ("CONTAINS", "STARTS_WITH"):
        return _has(name, and_(Custom.kind == "s", _matches(Custom.text_value, operator, values)))
    return _has(name, and_(Custom.kind == "n", _matches(Custom.number_value, operator, values)))
