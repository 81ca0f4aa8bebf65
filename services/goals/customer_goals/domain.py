"""Pure rules of the customer goals: external ids, custom fields, descriptions, statuses and types,
template due dates, lookup configurations. No I/O, no nameko, no SQLAlchemy."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable, Sequence

import nh3

from services.goals.customer_goals.exceptions import (
    CtaRecordEmpty,
    InvalidCustomerGoalRequest,
    InvalidLookupConfig,
    SpRecordEmpty,
)

GOAL, TEMPLATE = "GOAL", "TEMPLATE"
GOAL_TYPE, GOAL_STATUS = "GOAL_TYPE", "GOAL_STATUS"
PICKLIST_CATEGORIES = (GOAL_TYPE, GOAL_STATUS)
ENTITY_TYPES = ("COMPANY", "OPPORTUNITY", "GLOBAL")
ASSOCIATION_IDS = ("ALL_ENTITY", "COMPANY", "OPPORTUNITY", "GLOBAL")
UNITS_OF_MEASURE = ("DECIMAL", "PERCENTAGE", "CURRENCY")
DEFAULT_CURRENCY = "USD"
DEFAULT_COLOR = "#98E7B1"
MAX_DUE_DAYS = 36500

# External ids: 36 characters, a 4-character kind prefix and 32 random base-36 characters (160 bits)
GSID_PREFIXES = {"goal": "1CG0", "picklist": "1I00", "metric": "1I05", "goal_metric": "1I04", "actual": "1I06"}
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

CUSTOM_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}__gc$")
MAX_CUSTOM_FIELDS = 200  # per record
MAX_CUSTOM_TEXT = 10000
MAX_CUSTOM_NUMBER = Decimal(10) ** 18

# The statuses and the type every workspace starts with (name, system name, open status)
DEFAULT_GOAL_TYPES = (("Default", "DEFAULT_GOAL_TYPE", False),)
DEFAULT_GOAL_STATUSES = (
    ("New", "NEW", True),
    ("On Track", "ON_TRACK", True),
    ("At Risk", "AT_RISK", True),
    ("Achieved", "ACHIEVED", False),
    ("Not Achieved", "NOT_ACHIEVED", False),
)


def new_gsid(kind: str) -> str:
    """A new external id of `kind` (goal, picklist, metric, goal_metric, actual)."""
    number, digits = secrets.randbelow(36**32), []
    for _ in range(32):
        number, digit = divmod(number, 36)
        digits.append(_BASE36[digit])
    return GSID_PREFIXES[kind] + "".join(digits)


def name_key(name: str) -> str:
    """What makes two picklist names the same name."""
    return " ".join(name.split()).casefold()


def is_custom_field(name: str) -> bool:
    return bool(CUSTOM_FIELD.match(name))


@dataclass(frozen=True)
class CustomValue:
    """A custom field's value as stored: kind `s` (text), `n` (number) or `b` (boolean as 1/0)."""

    kind: str
    text: str | None = None
    number: Decimal | None = None

    def as_json(self) -> Any:
        if self.kind == "s":
            return self.text
        if self.kind == "b":
            return self.number == 1
        assert self.number is not None
        return json_number(self.number)


def json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def as_decimal(value: int | float) -> Decimal:
    """A JSON number as an exact Decimal (a float by its shortest repr, so 0.1 stays 0.1)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def custom_value(name: str, value: Any) -> CustomValue | None:
    """The stored form of a custom field's JSON value; None for null (the field is removed)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return CustomValue("b", number=Decimal(1 if value else 0))
    if isinstance(value, (int, float)):
        if (isinstance(value, float) and not math.isfinite(value)) or abs(as_decimal(value)) >= MAX_CUSTOM_NUMBER:
            raise InvalidCustomerGoalRequest("{}: numbers must be finite and below 10^18".format(name), name)
        return CustomValue("n", number=as_decimal(value))
    if isinstance(value, str):
        if len(value) > MAX_CUSTOM_TEXT:
            raise InvalidCustomerGoalRequest("{}: at most {} characters".format(name, MAX_CUSTOM_TEXT), name)
        return CustomValue("s", text=value)
    raise InvalidCustomerGoalRequest("{}: a custom field holds a string, a number or a boolean".format(name), name)


def sanitize_description(html: str | None) -> str | None:
    """Keeps formatting tags; drops scripts, event-handler attributes and javascript: links (Ammonia)."""
    return None if html is None else nh3.clean(html)


def epoch_ms(seconds: float) -> int:
    return int(seconds * 1000)


def due_date_from_template(days: int | None, today: date) -> date | None:
    return None if days is None else today + timedelta(days=days)


# --- lookups ----------------------------------------------------------------------------------------
LOOKUP_OBJECTS = {"company": "CompanyId", "opportunity": "OpportunityId"}
MATCH_ON = ("Name", "Gsid")
MAX_LOOKUPS = 20  # each one a record uses is an RPC
MULTI_MATCH_OPTIONS = ("FIRSTMATCH", "ERROR", "MARKNULL")
NO_MATCH_OPTIONS = ("ERROR", "MARKNULL")


@dataclass(frozen=True)
class LookupSpec:
    """`target` (CompanyId, OpportunityId or a *__gc field) is filled with the `Gsid` of the
    `object_name` record whose `match_on` (Name or Gsid) equals the record's `source` field."""

    target: str
    source: str
    object_name: str
    match_on: str
    multi_match: str
    on_no_match: str


def parse_lookups(raw: Any) -> dict[str, LookupSpec]:
    """The `lookups` block, or InvalidLookupConfig (8008) naming what is wrong."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_LOOKUPS:
        raise InvalidLookupConfig(
            "lookups must be an object of at most {} lookup configurations".format(MAX_LOOKUPS), "lookups"
        )
    specs = {}
    for target, config in raw.items():
        specs[target] = _lookup_spec(target, config)
    sources = [spec.source for spec in specs.values()]
    if len(set(sources)) != len(sources):
        raise InvalidLookupConfig("a record field can feed only one lookup", "lookups")
    return specs


def _lookup_spec(target: str, config: Any) -> LookupSpec:
    where = "lookups.{}".format(target)
    if target == "RelationshipId":
        raise InvalidLookupConfig("{}: relationships are not supported".format(where), where)
    if target not in LOOKUP_OBJECTS.values() and not is_custom_field(target):
        raise InvalidLookupConfig("{}: lookups fill CompanyId, OpportunityId or a *__gc field".format(where), where)
    if not isinstance(config, dict):
        raise InvalidLookupConfig("{} must be an object".format(where), where)
    fields = config.get("fields")
    if not isinstance(fields, dict) or len(fields) != 1:
        raise InvalidLookupConfig("{}.fields must map one record field to Name or Gsid".format(where), where)
    ((source, match_on),) = fields.items()
    object_name = str(config.get("objectName"))  # any JSON value: a list must not reach the dict lookups
    problems = (
        (match_on not in MATCH_ON, "fields: match on Name or Gsid, not {!r}".format(match_on)),
        (not isinstance(source, str) or not source or source.endswith("__gc"), "fields: a record field name"),
        (config.get("lookupField", "Gsid") != "Gsid", "lookupField must be Gsid"),
        (object_name not in LOOKUP_OBJECTS, "objectName must be company or opportunity"),
        (
            target in LOOKUP_OBJECTS.values() and LOOKUP_OBJECTS.get(object_name) not in (None, target),
            "objectName {} cannot fill {}".format(object_name, target),
        ),
        (
            config.get("multiMatchOption", "FIRSTMATCH") not in MULTI_MATCH_OPTIONS,
            "multiMatchOption must be one of {}".format(", ".join(MULTI_MATCH_OPTIONS)),
        ),
        (
            config.get("onNoMatch", "ERROR") not in NO_MATCH_OPTIONS,
            "onNoMatch must be one of {}".format(", ".join(NO_MATCH_OPTIONS)),
        ),
    )
    for failed, message in problems:
        if failed:
            raise InvalidLookupConfig("{}: {}".format(where, message), where)
    return LookupSpec(
        target,
        source,
        object_name,
        match_on,
        config.get("multiMatchOption", "FIRSTMATCH"),
        config.get("onNoMatch", "ERROR"),
    )


def pick_match(spec: LookupSpec, value: Any, matches: Sequence[Any]) -> Any:
    """The looked-up id among `matches` (the owning service's records in its order), by the options."""
    if not matches:
        if spec.on_no_match == "MARKNULL":
            return None
        raise InvalidLookupConfig(
            "{}: no {} matches {} {!r}".format(spec.target, spec.object_name, spec.match_on, value), spec.source
        )
    if len(matches) > 1 and spec.multi_match != "FIRSTMATCH":
        if spec.multi_match == "MARKNULL":
            return None
        raise InvalidLookupConfig(
            "{}: {} {}s match {} {!r}".format(spec.target, len(matches), spec.object_name, spec.match_on, value),
            spec.source,
        )
    return matches[0]


# --- links (CTAs, success plans, associated work) ---------------------------------------------------------
LINK_KINDS = ("CTA", "SP")
MAX_LINKS = 1000
MAX_EXTERNAL_ID = 64


def external_ids(values: Any, where: str) -> list[str]:
    """A list of external ids (non-empty strings of at most 64 characters), duplicates dropped."""
    if not isinstance(values, list) or len(values) > MAX_LINKS:
        raise InvalidCustomerGoalRequest("{} must be a list of at most {} ids".format(where, MAX_LINKS), where)
    for value in values:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_EXTERNAL_ID:
            raise InvalidCustomerGoalRequest(
                "{}: ids are strings of 1 to {} characters".format(where, MAX_EXTERNAL_ID), where
            )
    return list(dict.fromkeys(values))


def ordered_unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def parse_links(raw: Any, where: str) -> dict[str, list[str]]:
    """`association` / `dissociation`: {"CTA": [...], "SP": [...]}; an empty set given is 8001 / 8002."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidCustomerGoalRequest("{} must be an object with CTA and SP lists".format(where), where)
    unknown = sorted(set(raw) - set(LINK_KINDS))
    if unknown:
        raise InvalidCustomerGoalRequest("{}: unknown key {} (CTA, SP)".format(where, unknown[0]), where)
    links = {}
    for kind, empty_error in (("CTA", CtaRecordEmpty), ("SP", SpRecordEmpty)):
        if raw.get(kind) is None:
            continue
        if raw[kind] == []:
            raise empty_error("{}.{}: {}".format(where, kind, empty_error.message), "{}.{}".format(where, kind))
        links[kind] = external_ids(raw[kind], "{}.{}".format(where, kind))
    return links
