"""The whitelist of fields the API shows, selects and filters on: each API name with the column
(`attr` of models.CsGoal) it reads and the kind of its values. Nothing else reaches a query."""
from __future__ import annotations

from dataclasses import dataclass

from services.goals.customer_goals.domain import is_custom_field

STR, DATE, INT, LIST, METRICS, CUSTOM = "str", "date", "int", "list", "metrics", "custom"


@dataclass(frozen=True)
class FieldSpec:
    name: str              # the API's name
    kind: str              # str, date, int (stored columns); list, metrics (read apart); custom
    attr: str | None = None
    nullable: bool = True

    @property
    def filterable(self) -> bool:
        return self.kind not in (LIST, METRICS)


_COMMON = (
    FieldSpec("Gsid", STR, "gsid", nullable=False),
    FieldSpec("Name", STR, "name", nullable=False),
    FieldSpec("Description", STR, "description"),
    FieldSpec("GoalTypeId", STR, "goal_type_id", nullable=False),
    FieldSpec("StatusId", STR, "status_id", nullable=False),
    FieldSpec("CurrencyIsoCode", STR, "currency_iso_code", nullable=False),
    FieldSpec("GoalCategory", STR, "category", nullable=False),
    FieldSpec("CreatedById", STR, "created_by_id", nullable=False),
    FieldSpec("ModifiedById", STR, "modified_by_id", nullable=False),
    FieldSpec("CreatedDate", INT, "created_date", nullable=False),
    FieldSpec("ModifiedDate", INT, "modified_date", nullable=False),
    FieldSpec("AssociatedWork", LIST),
    FieldSpec("MetricValues", METRICS),
)

GOAL_FIELDS = {spec.name: spec for spec in _COMMON + (
    FieldSpec("DueDate", DATE, "due_date"),
    FieldSpec("EntityType", STR, "entity_type"),
    FieldSpec("CompanyId", STR, "company_id"),
    FieldSpec("OpportunityId", INT, "opportunity_id"),
    FieldSpec("RelationshipId", STR, "relationship_id"),
    FieldSpec("RelationshipTypeId", STR, "relationship_type_id"),
    FieldSpec("TemplateId", STR, "template_id"),
)}

TEMPLATE_FIELDS = {spec.name: spec for spec in _COMMON + (FieldSpec("DueDate", INT, "due_days"),)}


def field_spec(catalog: dict[str, FieldSpec], name: object) -> FieldSpec | None:
    """The spec of `name` in `catalog`, a custom field's spec for any `*__gc` name, else None."""
    if not isinstance(name, str):
        return None
    if name in catalog:
        return catalog[name]
    if is_custom_field(name):
        return FieldSpec(name, CUSTOM)
    return None


def stored_fields(catalog: dict[str, FieldSpec]) -> list[FieldSpec]:
    """The specs read straight from a goal's columns, in the catalog's order."""
    return [spec for spec in catalog.values() if spec.attr is not None]
