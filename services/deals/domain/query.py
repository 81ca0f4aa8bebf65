"""The index query language (order, paging, filter[...], tags, custom_fields[...], observers,
includes and methods), read from the query string into a DealQuery."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

from contracts.events import OPPORTUNITY_STATES, OPPORTUNITY_TYPES, VALUE_TYPES
from services.deals.domain.cursors import decode_deal_cursor
from services.deals.domain.deal import MAX_ID
from services.deals.domain.values import parse_date
from services.deals.exceptions import InvalidQuery

DEFAULT_PERPAGE = 25
MAX_PERPAGE = 250
INCLUDES = ("tags", "people", "company", "custom_fields")
METHODS = ("responsible_user_natural_name",)

# order criterion -> (column key, default direction when the client sends no direction)
ORDERS = {
    "name": ("name_search", "asc"),  # alphabetical regardless of case
    "created_at": ("created_at", "desc"),
    "updated_at": ("updated_at", "desc"),
    "activity": ("updated_at", "desc"),  # the last change of the deal is its last activity here
    "target_date": ("target_date", "asc"),
    "id": ("id", "asc"),
}

# filter[field] -> how its value is read; every document field except the write-only ones
FILTERABLE = {
    "id": "int",
    "user_id": "int",
    "company_id": "int",
    "name": "str",
    "description": "str",
    "value": "decimal",
    "value_type": "str",
    "value_count": "decimal",
    "currency": "currency",
    "target_date": "date",
    "current_state": "str",
    "type": "str",
    "account_uuid": "str",
    "campaign_uuid": "str",
    "input_uuid": "str",
    "crop_id": "int",
    "variety_id": "int",
    "quantity": "decimal",
    "unit_id": "int",
    "uuid": "str",
}
CHOICES = {"value_type": VALUE_TYPES, "current_state": OPPORTUNITY_STATES, "type": OPPORTUNITY_TYPES}


CustomFieldCondition = tuple[Optional[int], Optional[str], str]  # (type id or None, type name or None, value)


@dataclass
class DealQuery:
    filters: dict[str, Any] = field(default_factory=dict)
    tag_id: Optional[int] = None
    tag_name: Optional[str] = None
    custom_fields: list[CustomFieldCondition] = field(default_factory=list)
    observer_user_id: Optional[int] = None
    order: tuple[str, str] = ("name_search", "asc")
    page: int = 1
    perpage: int = DEFAULT_PERPAGE
    cursor: Optional[tuple[Any, int]] = None  # (sort value, id) of the last deal of the previous page
    includes: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()


def parse_query(args: Mapping[str, Any], caller_user_id: int) -> DealQuery:
    """The index/stats query parameters (a flat dict of the query string) as a DealQuery."""
    query = DealQuery()
    custom: dict[str, str] = {}
    for key, raw in args.items():
        value = raw if isinstance(raw, str) else str(raw)
        if key.startswith("filter[") and key.endswith("]"):
            name = key[len("filter[") : -1]
            query.filters[name] = _filter_value(name, value)
        elif key.startswith("custom_fields[") and key.endswith("]"):
            custom[key[len("custom_fields[") : -1]] = value
    query.custom_fields = _custom_field_conditions(custom)
    if args.get("tag_id") not in (None, ""):
        query.tag_id = _int(args["tag_id"], "tag_id")
    if args.get("tag_name") not in (None, ""):
        query.tag_name = str(args["tag_name"])
    if "observer_user_id" in args:  # present without a value: the caller's own observed deals
        raw = args["observer_user_id"]
        query.observer_user_id = caller_user_id if raw in (None, "") else _int(raw, "observer_user_id")
    query.order = parse_order(args.get("order"))
    query.page = _int(args.get("page") or 1, "page", minimum=1)
    query.perpage = _int(args.get("perpage") or DEFAULT_PERPAGE, "perpage", minimum=1)
    if query.perpage > MAX_PERPAGE:
        raise InvalidQuery("must be at most {}".format(MAX_PERPAGE), "perpage")
    if args.get("cursor") not in (None, ""):
        if query.page != 1:
            raise InvalidQuery("cannot be combined with page: follow the cursor alone", "cursor")
        query.cursor = decode_deal_cursor(args["cursor"], query.order)
    query.includes = _words(args.get("includes"), INCLUDES, "includes", allow_all=True)
    query.methods = _words(args.get("methods"), METHODS, "methods")
    return query


def parse_order(order: Any) -> tuple[str, str]:
    """`name-asc` (default), `created_at-desc`...; a criterion alone gets its own default direction."""
    if order in (None, ""):
        return ("name_search", "asc")
    criterion, _, direction = str(order).strip().partition("-")
    if criterion not in ORDERS:
        raise InvalidQuery("must be one of {} with -asc or -desc".format(", ".join(ORDERS)), "order")
    column, default = ORDERS[criterion]
    direction = direction or default
    if direction not in ("asc", "desc"):
        raise InvalidQuery("direction must be asc or desc", "order")
    return (column, direction)


def _filter_value(name: str, value: str) -> Any:
    kind = FILTERABLE.get(name)
    param = "filter[{}]".format(name)
    if kind is None:
        raise InvalidQuery("cannot filter by {!r}".format(name), param)
    if value == "" or value.lower() == "null":
        return None  # filter[company_id]= : deals without one
    if kind == "int":
        return _int(value, param)
    if kind == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise InvalidQuery("must be a number", param) from None
        if not number.is_finite():
            raise InvalidQuery("must be a number", param)
        return number
    if kind == "date":
        try:
            return parse_date(value)
        except ValueError as exc:
            raise InvalidQuery(str(exc), param) from None
    if kind == "currency":
        return value.upper()
    if name in CHOICES and value not in CHOICES[name]:
        raise InvalidQuery("must be one of {}".format(", ".join(CHOICES[name])), param)
    return value


def _custom_field_conditions(custom: Mapping[str, str]) -> list[CustomFieldCondition]:
    """The document's three forms: {custom_field_type_id, value}, {custom_field_type_name, value},
    and {<type id>: value, ...} (all must match)."""
    if not custom:
        return []
    if "custom_field_type_id" in custom or "custom_field_type_name" in custom:
        if "value" not in custom:
            raise InvalidQuery("custom_fields[value] is required", "custom_fields[value]")
        if "custom_field_type_id" in custom:
            type_id = _int(custom["custom_field_type_id"], "custom_fields[custom_field_type_id]")
            return [(type_id, None, custom["value"])]
        return [(None, custom["custom_field_type_name"], custom["value"])]
    conditions: list[CustomFieldCondition] = []
    for key, value in sorted(custom.items()):
        conditions.append((_int(key, "custom_fields[{}]".format(key)), None, value))
    return conditions


def _words(value: Any, allowed: tuple[str, ...], param: str, allow_all: bool = False) -> frozenset[str]:
    if value in (None, ""):
        return frozenset()
    words = set(str(value).replace(",", " ").split())
    if allow_all and "all" in words:
        return frozenset(allowed)
    unknown = words - set(allowed)
    if unknown:
        raise InvalidQuery("unknown {}; use {}".format(", ".join(sorted(unknown)), " ".join(allowed)), param)
    return frozenset(words)


def _int(value: Any, param: str, minimum: Optional[int] = None) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidQuery("must be an integer", param) from None
    if abs(number) > MAX_ID or (minimum is not None and number < minimum):
        raise InvalidQuery("must be an integer{}".format(" >= {}".format(minimum) if minimum else ""), param)
    return number
