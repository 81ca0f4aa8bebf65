"""A fetch request (`select`, `where`, `pageSize`, `pageNumber`) read into a FetchQuery, with the
document's errors: an unknown selected field is 8009 naming it, a bad page 8007; a malformed where
clause is CG_INVALID_REQUEST."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.goals.customer_goals.dsl import expression
from services.goals.customer_goals.dsl.conditions import Condition, parse_conditions
from services.goals.customer_goals.dsl.fields import FieldSpec, field_spec
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, InvalidField, InvalidPageRequest

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PAGE_NUMBER = 10_000_000
MAX_SELECT = 200
KEYS = ("select", "where", "pageSize", "pageNumber")


@dataclass(frozen=True)
class FetchQuery:
    select: tuple | None            # FieldSpecs in the request's order; None: every field
    conditions: dict                # alias -> Condition
    tree: Any                       # expression tree over the aliases, or None: no filter
    page_size: int
    page_number: int

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size


def parse_fetch(payload: Any, catalog: dict[str, FieldSpec]) -> FetchQuery:
    if not isinstance(payload, dict):
        raise InvalidCustomerGoalRequest("Request body must be a JSON object", "body")
    unknown = sorted(set(payload) - set(KEYS))
    if unknown:
        raise InvalidCustomerGoalRequest("Unknown key {} (select, where, pageSize, pageNumber)".format(unknown[0]),
                                         unknown[0])
    page_size = _page_value(payload, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    page_number = _page_value(payload, "pageNumber", 1, MAX_PAGE_NUMBER)
    select = parse_select(payload.get("select"), catalog)
    conditions, tree = parse_where(payload.get("where"), catalog)
    return FetchQuery(select, conditions, tree, page_size, page_number)


def _page_value(payload: dict, name: str, default: int, maximum: int) -> int:
    value = payload.get(name, default)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise InvalidPageRequest("Invalid page request: {} must be an integer from 1 to {}".format(name, maximum),
                                 name)
    return value


def parse_select(raw: Any, catalog: dict[str, FieldSpec]) -> tuple | None:
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list) or len(raw) > MAX_SELECT:
        raise InvalidCustomerGoalRequest("select must be a list of at most {} field names".format(MAX_SELECT),
                                         "select")
    specs: list[FieldSpec] = []
    for name in raw:
        spec = field_spec(catalog, name)
        if spec is None:
            raise InvalidField("Invalid fields in select clause - {}".format(name), "select")
        if spec not in specs:
            specs.append(spec)
    return tuple(specs)


def parse_where(raw: Any, catalog: dict[str, FieldSpec]) -> tuple[dict[str, Condition], Any]:
    if raw is None:
        return {}, None
    if not isinstance(raw, dict):
        raise InvalidCustomerGoalRequest("where must be an object with conditions and expression", "where")
    unknown = sorted(set(raw) - {"conditions", "expression"})
    if unknown:
        raise InvalidCustomerGoalRequest("where: unknown key {}".format(unknown[0]), "where")
    conditions = parse_conditions(raw.get("conditions"), catalog)
    text = raw.get("expression")
    if text is None or (isinstance(text, str) and not text.strip()):
        return conditions, expression.conjunction_of(list(conditions)) if conditions else None
    return conditions, expression.parse(text, conditions)
