"""`where.conditions`: each {fieldName, value: [...], alias, operator} checked against the field
whitelist and its values converted to the field's kind.

Semantics (two-valued: a condition is true or false for every record, so NOT is its complement):
- EQ / IN: the field has one of the values. NE / NOT_IN: it has none of them (a field without a
  value is "not equal").
- CONTAINS / STARTS_WITH: case-insensitive, any of the values (text fields).
- GT, GTE, LT, LTE (one value), BTW (two: low and high, inclusive): numbers and dates.
- IS_NULL / IS_NOT_NULL: no value.
- Custom fields (`*__gc`) compare like with like: a text value matches text, a number numbers, a
  boolean booleans; CONTAINS and STARTS_WITH take text, the ordering operators numbers.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from infra.validation import INT64_MAX, INT64_MIN
from services.goals.customer_goals.domain import MAX_CUSTOM_NUMBER, as_decimal
from services.goals.customer_goals.dsl.expression import is_alias
from services.goals.customer_goals.dsl.fields import CUSTOM, DATE, INT, STR, FieldSpec, field_spec
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, InvalidField

MAX_CONDITIONS = 50
MAX_VALUES = 1000
MAX_TEXT = 1000
DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INT_TEXT = re.compile(r"-?[0-9]{1,19}")

EQUALITY = ("EQ", "NE", "IN", "NOT_IN")
TEXT_MATCH = ("CONTAINS", "STARTS_WITH")
ORDERING = ("GT", "GTE", "LT", "LTE", "BTW")
NULLNESS = ("IS_NULL", "IS_NOT_NULL")
OPERATORS = EQUALITY + TEXT_MATCH + ORDERING + NULLNESS
ALLOWED = {STR: EQUALITY + TEXT_MATCH + NULLNESS, DATE: EQUALITY + ORDERING + NULLNESS,
           INT: EQUALITY + ORDERING + NULLNESS, CUSTOM: OPERATORS}


@dataclass(frozen=True)
class Condition:
    alias: str
    field: FieldSpec
    operator: str
    values: tuple  # converted: str, date, int; custom: str, Decimal or bool


def _bad(where: str, message: str) -> InvalidCustomerGoalRequest:
    return InvalidCustomerGoalRequest("{}: {}".format(where, message), where)


def parse_conditions(raw: Any, catalog: dict[str, FieldSpec]) -> dict[str, Condition]:
    """alias -> Condition, in the request's order."""
    if raw is None:
        return {}
    if not isinstance(raw, list) or len(raw) > MAX_CONDITIONS:
        raise _bad("where.conditions", "must be a list of at most {} conditions".format(MAX_CONDITIONS))
    conditions: dict[str, Condition] = {}
    for index, item in enumerate(raw):
        where = "where.conditions[{}]".format(index)
        if not isinstance(item, dict):
            raise _bad(where, "must be an object with fieldName, operator, value and alias")
        unknown = sorted(set(item) - {"fieldName", "value", "alias", "operator"})
        if unknown:
            raise _bad(where, "unknown key {}".format(unknown[0]))
        condition = parse_condition(item, catalog, where)
        if condition.alias in conditions:
            raise _bad(where, "alias {!r} is used twice".format(condition.alias))
        conditions[condition.alias] = condition
    return conditions


def parse_condition(item: dict, catalog: dict[str, FieldSpec], where: str) -> Condition:
    alias = item.get("alias")
    if not is_alias(alias):
        raise _bad(where, "alias must be a name (letters, digits, _) other than AND, OR, NOT")
    spec = field_spec(catalog, item.get("fieldName"))
    if spec is None or not spec.filterable:
        raise InvalidField("Invalid field in where clause - {}".format(item.get("fieldName")), where + ".fieldName")
    operator = item.get("operator")
    if not isinstance(operator, str) or operator.upper() not in OPERATORS:
        raise _bad(where, "operator must be one of {}".format(", ".join(OPERATORS)))
    operator = operator.upper()
    if operator not in ALLOWED[spec.kind]:
        raise _bad(where, "{} does not apply to {}".format(operator, spec.name))
    raw = item.get("value")
    values = [] if raw is None else (raw if isinstance(raw, list) else [raw])
    _check_count(operator, values, where)
    converted = tuple(_convert(spec, value, where) for value in values)
    _check_custom_kinds(spec, operator, converted, where)
    return Condition(str(alias), spec, operator, converted)


def _check_count(operator: str, values: list, where: str) -> None:
    if operator in NULLNESS:
        if values:
            raise _bad(where, "{} takes no value".format(operator))
    elif operator == "BTW":
        if len(values) != 2:
            raise _bad(where, "BTW takes two values: low and high")
    elif operator in ("GT", "GTE", "LT", "LTE"):
        if len(values) != 1:
            raise _bad(where, "{} takes one value".format(operator))
    elif not values or len(values) > MAX_VALUES:
        raise _bad(where, "{} takes 1 to {} values".format(operator, MAX_VALUES))


def _convert(spec: FieldSpec, value: Any, where: str) -> Any:
    if spec.kind == STR:
        if isinstance(value, str) and len(value) <= MAX_TEXT:
            return value
        raise _bad(where, "{} takes text values of at most {} characters".format(spec.name, MAX_TEXT))
    if spec.kind == DATE:
        if isinstance(value, str) and DATE_TEXT.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise _bad(where, "{} takes dates as YYYY-MM-DD".format(spec.name))
    if spec.kind == INT:
        number = int(value) if isinstance(value, str) and INT_TEXT.fullmatch(value) else value
        if isinstance(number, int) and not isinstance(number, bool) and INT64_MIN <= number <= INT64_MAX:
            return number
        raise _bad(where, "{} takes integers".format(spec.name))
    return _convert_custom(value, where)


def _convert_custom(value: Any, where: str) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if (isinstance(value, float) and not math.isfinite(value)) or abs(as_decimal(value)) >= MAX_CUSTOM_NUMBER:
            raise _bad(where, "numbers must be finite and below 10^18")
        return as_decimal(value)
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        return value
    raise _bad(where, "custom fields compare with text, numbers or booleans")


def _check_custom_kinds(spec: FieldSpec, operator: str, values: tuple, where: str) -> None:
    if spec.kind != CUSTOM:
        return
    if operator in TEXT_MATCH and not all(isinstance(value, str) for value in values):
        raise _bad(where, "{} takes text values".format(operator))
    if operator in ORDERING and not all(isinstance(value, Decimal) for value in values):
        raise _bad(where, "{} on a custom field takes numbers".format(operator))
