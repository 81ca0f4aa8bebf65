"""What goals and templates share when written: the scalar fields, custom fields (lookups
included), associated work, CTA and success-plan links, metrics; and the record as answered."""
from __future__ import annotations

import time

from services.goals.customer_goals import domain, views
from services.goals.customer_goals.store import goal_metrics
from services.goals.customer_goals.store import goals as goal_store
from services.goals.customer_goals.usecases import lookups

# API field -> column, for the fields copied as given
SCALARS = {"Name": "name", "CompanyId": "company_id", "OpportunityId": "opportunity_id",
           "CurrencyIsoCode": "currency_iso_code"}


def now_ms() -> int:
    return domain.epoch_ms(time.time())


def set_scalars(goal, fields: dict, resolved: dict) -> None:
    """Copies the given scalar fields, and the CompanyId / OpportunityId lookups resolved, onto `goal`."""
    for name, column in SCALARS.items():
        if name in resolved:
            setattr(goal, column, resolved[name])
        elif name in fields:
            setattr(goal, column, fields[name])
    if "Description" in fields:
        goal.description = domain.sanitize_description(fields["Description"])


def stamp(goal, me, now: int) -> None:
    goal.modified_by_id, goal.modified_date = me.user_uuid, now


def apply_parts(db, goal, record, resolved: dict, metrics: dict) -> None:
    """Custom fields, work, links and metrics of `record` onto the (flushed) `goal`."""
    custom = dict(record.custom)
    custom.update(lookups.custom_targets(resolved))
    goal_store.set_custom(db, goal.id, custom)
    fields = record.fields
    if "AssociatedWork" in fields:
        goal_store.replace_links(db, goal.id, "WORK", domain.ordered_unique(fields["AssociatedWork"] or []))
    for kind, external_ids in record.dissociation.items():
        goal_store.remove_links(db, goal.id, kind, external_ids)
    for kind, external_ids in record.association.items():
        goal_store.add_links(db, goal.id, kind, external_ids)
    goal_metrics.dissociate(db, goal.id, [metrics[gsid].id for gsid in fields.get("metricsDissociation") or []
                                          if gsid in metrics])
    for item in fields.get("metricsAssociation") or []:
        actuals = [(point["timestamp"], domain.as_decimal(point["value"])) for point in item.get("actualValue") or []]
        goal_metrics.associate(db, goal.id, metrics[item["metricId"]].id, base=_value(item, "baseValue"),
                               target=_value(item, "targetValue"), actuals=actuals)


def _value(item: dict, name: str):
    if name not in item:
        return goal_metrics.UNSET
    return None if item[name] is None else domain.as_decimal(item[name])


def full_view(db, goal, catalog: dict) -> dict:
    """The whole record as create answers it (fields without a value left out)."""
    custom = goal_store.custom_values(db, [goal.id]).get(goal.id, {})
    work = goal_store.links(db, [goal.id], ("WORK",)).get(goal.id, {}).get("WORK", [])
    metric_values = goal_metrics.metric_values(db, [goal]).get(goal.id, [])
    return views.record_view(goal, catalog, goal_store.custom_json(custom), work, metric_values)


def changed_view(db, goal, catalog: dict, record) -> dict:
    """What an update answers: the fields the request set (as stored, lookups resolved; a cleared field
    as null) with Gsid, GoalCategory, ModifiedById and ModifiedDate; MetricValues when metrics changed."""
    full = full_view(db, goal, catalog)
    names = record.names - {"StatusName", "GoalTypeName", "metricsAssociation", "metricsDissociation"}
    if record.given("StatusName"):
        names.add("StatusId")
    if record.given("GoalTypeName"):
        names.add("GoalTypeId")
    if record.given("metricsAssociation") or record.given("metricsDissociation"):
        names.add("MetricValues")
    names |= {"Gsid", "GoalCategory", "ModifiedById", "ModifiedDate"}
    empty = {"MetricValues": [], "AssociatedWork": []}
    return {name: full.get(name, empty.get(name)) for name in sorted(names)}
