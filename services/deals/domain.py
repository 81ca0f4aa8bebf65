"""Deal rules with no I/O: states and finished_at, the document's number and date forms, and the
index query language (order, paging, filter[...], tags, custom_fields[...], observers)."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from contracts.events import OPEN_STATES, OPPORTUNITY_STATES, OPPORTUNITY_TYPES, VALUE_TYPES
from infra.cursors import decode_cursor, encode_cursor
from services.deals.exceptions import InvalidQuery

FINISHED_STATES = ("won", "lost")
DEFAULT_PERPAGE = 25
MAX_PERPAGE = 250
MAX_ID = 2 ** 31 - 1  # integer columns
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
    "id": "int", "user_id": "int", "company_id": "int", "name": "str", "description": "str",
    "value": "decimal", "value_type": "str", "value_count": "decimal", "currency": "currency",
    "target_date": "date", "current_state": "str", "type": "str", "account_uuid": "str",
    "campaign_uuid": "str", "input_uuid": "str", "crop_id": "int", "variety_id": "int",
    "quantity": "decimal", "unit_id": "int", "uuid": "str",
}
CHOICES = {"value_type": VALUE_TYPES, "current_state": OPPORTUNITY_STATES, "type": OPPORTUNITY_TYPES}

_DOCUMENT_DATE = re.compile(r"^(\d{1,2})[-.](\d{1,2})[-.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(value):
    """The document's `12-03-2014` (day-month-year, also with dots) or ISO `2014-03-12`."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD or DD-MM-YYYY)")
    text = value.strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DOCUMENT_DATE.match(text)
        if not match:
            raise ValueError("must be a date (YYYY-MM-DD or DD-MM-YYYY)")
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("is not a valid calendar date")


def finished_at_after(old_state, old_finished_at, new_state, now):
    """finished_at is set when the state becomes won or lost and cleared when the deal reopens."""
    if new_state in OPEN_STATES:
        return None
    if new_state != old_state or old_finished_at is None:
        return now
    return old_finished_at


def decimal_text(number):
    """Decimals as the document shows them: `10000.0`, `75.5` (never an exponent)."""
    if number is None:
        return None
    number = Decimal(number)
    if number == number.to_integral_value():
        return "{}.0".format(int(number))
    return format(number.normalize(), "f")


def json_number(number):
    """A sum for the stats answer: an integer when whole (the document shows `217408`)."""
    number = Decimal(number or 0)
    if number == number.to_integral_value():
        return int(number)
    return float(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def parse_id_list(value, maximum=2 ** 63 - 1):
    """`person_ids_set`: "1, 2" or [1, 2] -> sorted unique ints; ValueError if not ids."""
    if value is None or value == "":
        return []
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, (list, tuple)):
        raise ValueError("must be a comma-separated list of ids")
    ids = set()
    for part in parts:
        if isinstance(part, bool):
            raise ValueError("must be a comma-separated list of ids")
        text = str(part).strip()
        if not text:
            continue
        if not text.isdigit() or len(text) > 19 or int(text) > maximum:
            raise ValueError("must be a comma-separated list of ids")
        ids.add(int(text))
    return sorted(ids)


def search_key(name):
    """The case-insensitive form names are searched by (stored, indexed, same on every database)."""
    return (name or "").casefold()


def like_prefix(term):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


# --- the index query ------------------------------------------------------------------------------
@dataclass
class DealQuery:
    filters: dict = field(default_factory=dict)
    tag_id: int = None
    tag_name: str = None
    custom_fields: list = field(default_factory=list)  # [(type id or None, type name or None, value)]
    observer_user_id: int = None
    order: tuple = ("name_search", "asc")
    page: int = 1
    perpage: int = DEFAULT_PERPAGE
    cursor: tuple = None  # (sort value, id) of the last deal of the previous page
    includes: frozenset = frozenset()
    methods: frozenset = frozenset()


def parse_query(args, caller_user_id):
    """The index/stats query parameters (a flat dict of the query string) as a DealQuery."""
    query = DealQuery()
    custom = {}
    for key, raw in args.items():
        value = raw if isinstance(raw, str) else str(raw)
        if key.startswith("filter[") and key.endswith("]"):
            name = key[len("filter["):-1]
            query.filters[name] = _filter_value(name, value)
        elif key.startswith("custom_fields[") and key.endswith("]"):
            custom[key[len("custom_fields["):-1]] = value
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


def parse_order(order):
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


# --- keyset cursors of the index: [order column, direction, last sort value, last id] --------------
def encode_deal_cursor(order, sort_value, deal_id):
    if isinstance(sort_value, (date, datetime)):
        sort_value = sort_value.isoformat()
    return encode_cursor([order[0], order[1], sort_value, deal_id])


def decode_deal_cursor(text, order):
    """(sort value, id) of a cursor made for the same order; InvalidQuery for anything else."""
    try:
        values = decode_cursor(text, InvalidQuery)
    except InvalidQuery:
        raise InvalidQuery("is not a cursor of the deals index", "cursor")
    if len(values) != 4 or type(values[3]) is not int or not 0 < values[3] <= MAX_ID:
        raise InvalidQuery("is not a cursor of the deals index", "cursor")
    if (values[0], values[1]) != tuple(order):
        raise InvalidQuery("was made for another order; send the order it came with", "cursor")
    column, raw = order[0], values[2]
    try:
        if column == "id":
            if type(raw) is not int:
                raise ValueError
            sort_value = raw
        elif column in ("created_at", "updated_at"):
            sort_value = datetime.fromisoformat(raw)
        elif column == "target_date":
            sort_value = date.fromisoformat(raw)
        elif isinstance(raw, str):
            sort_value = raw
        else:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidQuery("is not a cursor of the deals index", "cursor")
    return sort_value, values[3]


def _filter_value(name, value):
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
            raise InvalidQuery("must be a number", param)
        if not number.is_finite():
            raise InvalidQuery("must be a number", param)
        return number
    if kind == "date":
        try:
            return parse_date(value)
        except ValueError as exc:
            raise InvalidQuery(str(exc), param)
    if kind == "currency":
        return value.upper()
    if name in CHOICES and value not in CHOICES[name]:
        raise InvalidQuery("must be one of {}".format(", ".join(CHOICES[name])), param)
    return value


def _custom_field_conditions(custom):
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
    conditions = []
    for key, value in sorted(custom.items()):
        conditions.append((_int(key, "custom_fields[{}]".format(key)), None, value))
    return conditions


def _words(value, allowed, param, allow_all=False):
    if value in (None, ""):
        return frozenset()
    words = set(str(value).replace(",", " ").split())
    if allow_all and "all" in words:
        return frozenset(allowed)
    unknown = words - set(allowed)
    if unknown:
        raise InvalidQuery("unknown {}; use {}".format(", ".join(sorted(unknown)), " ".join(allowed)), param)
    return frozenset(words)


def _int(value, param, minimum=None):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidQuery("must be an integer", param)
    if abs(number) > MAX_ID or (minimum is not None and number < minimum):
        raise InvalidQuery("must be an integer{}".format(" >= {}".format(minimum) if minimum else ""), param)
    return number
