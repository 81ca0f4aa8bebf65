"""Reading the `requests` of a goal or template write: each record's standard fields (schemas),
custom fields (`*__gc`), lookup sources (the record fields the `lookups` block names), and the
`association` / `dissociation` sets."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.validation import load
from services.goals.customer_goals import domain
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, InvalidLookupConfig
from services.goals.customer_goals.schemas import MAX_RECORDS

LOOKUP_NAMES = {"CompanyName": "CompanyId", "OpportunityName": "OpportunityId", "RelationshipName": "RelationshipId"}


@dataclass
class Record:
    fields: dict                                   # standard fields given, loaded
    custom: dict = field(default_factory=dict)     # name -> domain.CustomValue or None (remove)
    sources: dict = field(default_factory=dict)    # lookup target -> the value to look up
    association: dict = field(default_factory=dict)
    dissociation: dict = field(default_factory=dict)

    def given(self, name: str) -> bool:
        return name in self.fields

    @property
    def names(self) -> set:
        """The API fields this record sets (lookup targets included): what an update answers with."""
        return set(self.fields) | set(self.custom) | set(self.sources)


def read_requests(payload: Any, single: bool, with_links: bool) -> tuple[list[dict], dict]:
    """(the request items, the lookup specs). `single`: exactly one record (bulk is refused)."""
    if not isinstance(payload, dict):
        raise InvalidCustomerGoalRequest("Request body must be a JSON object", "body")
    unknown = sorted(set(payload) - {"requests", "lookups"})
    if unknown:
        raise InvalidCustomerGoalRequest("Unknown key {} (requests, lookups)".format(unknown[0]), unknown[0])
    items = payload.get("requests")
    if not isinstance(items, list) or not items:
        raise InvalidCustomerGoalRequest("requests must be a non-empty list", "requests")
    if single and len(items) > 1:
        raise InvalidCustomerGoalRequest("Bulk operations are not supported: send one record per request",
                                         "requests")
    if len(items) > MAX_RECORDS:
        raise InvalidCustomerGoalRequest("At most {} records per request".format(MAX_RECORDS), "requests")
    allowed = {"record", "association", "dissociation"} if with_links else {"record"}
    for index, item in enumerate(items):
        where = "requests[{}]".format(index)
        if not isinstance(item, dict) or not isinstance(item.get("record"), dict):
            raise InvalidCustomerGoalRequest("{} must be an object with a record".format(where), where)
        extra = sorted(set(item) - allowed)
        if extra:
            raise InvalidCustomerGoalRequest("{}: unknown key {}".format(where, extra[0]), where)
    return items, domain.parse_lookups(payload.get("lookups"))


def read_record(item: dict, schema, lookups: dict) -> Record:
    loaded = load(schema, item["record"], InvalidCustomerGoalRequest)
    known = schema.fields
    sources_of = {spec.source: spec.target for spec in lookups.values()}
    record = Record({name: value for name, value in loaded.items() if name in known})
    for name, value in loaded.items():
        if name in known:
            continue
        if domain.is_custom_field(name):
            record.custom[name] = domain.custom_value(name, value)
        elif name in sources_of:
            record.sources[sources_of[name]] = _lookup_value(name, value)
        elif name in LOOKUP_NAMES:
            raise InvalidLookupConfig("{} is resolved through lookups: add lookups.{} naming it".format(
                name, LOOKUP_NAMES[name]), name)
        else:
            raise InvalidCustomerGoalRequest("Unknown field {} (custom fields end in __gc)".format(name), name)
    if len(record.custom) > domain.MAX_CUSTOM_FIELDS:
        raise InvalidCustomerGoalRequest("At most {} custom fields per record".format(domain.MAX_CUSTOM_FIELDS),
                                         "record")
    for target in record.sources:
        if target in record.fields or target in record.custom:
            raise InvalidCustomerGoalRequest("{} is given both directly and through its lookup".format(target),
                                             target)
    if "Name" in record.fields and not (record.fields["Name"] or "").strip():
        raise InvalidCustomerGoalRequest("Name cannot be empty", "Name")
    record.association = domain.parse_links(item.get("association"), "association")
    record.dissociation = domain.parse_links(item.get("dissociation"), "dissociation")
    return record


def _lookup_value(name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip() or len(str(value)) > 255:
        raise InvalidLookupConfig("{}: a lookup value is text of 1 to 255 characters".format(name), name)
    return str(value)
