"""The API's JSON shapes: records (flat, with the document's field names, fields without a value
left out as the document's samples do), metrics, picklists, user info."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from services.goals.customer_goals.dsl.fields import CUSTOM, LIST, METRICS, FieldSpec, stored_fields


def field_value(goal: Any, spec: FieldSpec) -> Any:
    value = getattr(goal, str(spec.attr))
    return value.isoformat() if isinstance(value, date) else value


def record_view(goal: Any, catalog: dict, custom: dict | None = None, work: list | None = None,
                metric_values: list | None = None, select: Iterable[FieldSpec] | None = None) -> dict:
    """The record's fields (`select`: only those, else all), keys sorted, nulls left out. `custom` is
    the record's custom values as JSON; `work` its associated work; `metric_values` its MetricValues."""
    custom = custom or {}
    if select is None:
        specs = stored_fields(catalog)
        view = {spec.name: field_value(goal, spec) for spec in specs}
        view.update(custom)
        view["AssociatedWork"] = work or None
        view["MetricValues"] = metric_values or None
    else:
        view = {}
        for spec in select:
            if spec.kind == CUSTOM:
                view[spec.name] = custom.get(spec.name)
            elif spec.kind == LIST:
                view[spec.name] = work or []
            elif spec.kind == METRICS:
                view[spec.name] = metric_values or []
            else:
                view[spec.name] = field_value(goal, spec)
    return {name: view[name] for name in sorted(view) if view[name] is not None}


def needs(select: Iterable[FieldSpec] | None, kind: str) -> bool:
    """Whether a fetch selecting `select` (None: everything) shows fields of `kind`."""
    return select is None or any(spec.kind == kind for spec in select)


def user_name(first_name: str, last_name: str) -> str:
    return " ".join(part for part in (first_name, last_name) if part)


def user_info(me: Any) -> dict:
    name = user_name(me.first_name, me.last_name)
    return {me.user_uuid: {"gsid": me.user_uuid, "name": name, "profilePicture": None}}


def with_references(view: dict, me: Any, status_name: str | None) -> dict:
    """The create answer's `__gr` companions: the names of the users and of the status."""
    name = {"Name": user_name(me.first_name, me.last_name)}
    view = dict(view, CreatedById__gr=name, ModifiedById__gr=name)
    if status_name is not None:
        view["StatusId__gr"] = {"Name": status_name}
    return {key: view[key] for key in sorted(view)}


def link_objects(external_ids: Iterable[str]) -> list[dict]:
    """associatedCTAs / associatedSPs: the linked records by their external id (we hold no more of them)."""
    return [{"gsid": external_id} for external_id in external_ids]


def metric_view(metric: Any) -> dict:
    return {"createdAt": metric.created_at, "deleted": metric.deleted, "modifiedAt": metric.modified_at,
            "createdBy": metric.created_by, "modifiedBy": metric.modified_by, "name": metric.name,
            "description": metric.description, "unitOfMeasure": metric.unit_of_measure,
            "displayOrder": metric.display_order, "externalId": metric.external_id, "active": metric.active,
            "systemDefined": metric.system_defined, "gsid": metric.gsid}


def picklist_view(row: Any) -> dict:
    view = {"gsid": row.gsid, "name": row.name, "color": row.color, "picklistCategory": row.category,
            "displayOrder": row.display_order, "active": row.active, "openStatusType": row.open_status_type,
            "recurring": False, "systemDefined": row.system_defined,
            "associationDetails": {"autoAssignFutureAssociationIds": True, "associationCategory": "ENTITY",
                                   "associationIds": row.association_ids.split(",")},
            "childPicklistIds": {}}
    if row.system_name:
        view["systemName"] = row.system_name
    return view
