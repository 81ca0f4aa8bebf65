"""Metrics: create, update (with the goal types they are associated with, by id or by name),
delete (refused with VC_8026 while goals or templates use the metric). All or none per request."""
from __future__ import annotations

from infra.validation import load
from services.goals.customer_goals import domain, views
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, MetricInUse, MetricNotFound
from services.goals.customer_goals.schemas import METRICS, RECORD_IDS
from services.goals.customer_goals.store import metrics as metric_store
from services.goals.customer_goals.store import picklists
from services.goals.customer_goals.usecases import parts


def create_metrics(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    picklists.ensure_defaults(db, me.workspace_id)
    requests = _load(payload)
    planned = []
    for index, request in enumerate(requests):
        record = request["record"]
        for name in ("name", "unitOfMeasure"):
            if name not in record:
                raise InvalidCustomerGoalRequest("requests[{}].record.{} is required".format(index, name), name)
        planned.append((request, _goal_types(db, me.workspace_id, request, "associate")))
    created = []
    order = metric_store.next_display_order(db, me.workspace_id)
    for offset, (request, associate) in enumerate(planned):
        record, now = request["record"], parts.now_ms()
        metric = metric_store.add(
            db, gsid=domain.new_gsid("metric"), workspace_id=me.workspace_id, name=record["name"],
            description=domain.sanitize_description(record.get("description")),
            unit_of_measure=record["unitOfMeasure"], display_order=order + offset,
            external_id=record.get("externalId"), active=record.get("active", True), system_defined=False,
            deleted=False, created_at=now, modified_at=now, created_by=me.user_uuid, modified_by=me.user_uuid)
        metric_store.associate_goal_types(db, metric.id, associate)
        created.append(metric)
    db.commit()
    return {"successList": [views.metric_view(metric) for metric in created], "failureList": []}


def update_metrics(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    picklists.ensure_defaults(db, me.workspace_id)
    requests = _load(payload)
    gsids = [request["record"].get("gsid") for request in requests]
    if not all(gsids):
        raise InvalidCustomerGoalRequest("gsid of the metric is required", "gsid")
    found = metric_store.live(db, me.workspace_id, gsids, lock=True)
    planned = []
    for request in requests:
        metric = found.get(request["record"]["gsid"])
        if metric is None:
            raise MetricNotFound("Metric {} not found".format(request["record"]["gsid"]), "gsid")
        planned.append((request, metric, _goal_types(db, me.workspace_id, request, "associate"),
                        _goal_types(db, me.workspace_id, request, "dissociate")))
    for request, metric, associate, dissociate in planned:
        record = request["record"]
        if "name" in record:
            metric.name = record["name"]
        if "description" in record:
            metric.description = domain.sanitize_description(record["description"])
        if "unitOfMeasure" in record:
            metric.unit_of_measure = record["unitOfMeasure"]
        if "externalId" in record:
            metric.external_id = record["externalId"]
        if "active" in record:
            metric.active = record["active"]
        metric.modified_at, metric.modified_by = parts.now_ms(), me.user_uuid
        metric_store.dissociate_goal_types(db, metric.id, dissociate)
        metric_store.associate_goal_types(db, metric.id, associate)
    db.commit()
    return {"successList": [views.metric_view(metric) for _, metric, _, _ in planned], "failureList": []}


def delete_metrics(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    gsids = domain.ordered_unique(load(RECORD_IDS, payload, InvalidCustomerGoalRequest)["recordIds"])
    found = metric_store.live(db, me.workspace_id, gsids, lock=True)
    missing = [gsid for gsid in gsids if gsid not in found]
    if missing:
        raise MetricNotFound("Metric {} not found".format(missing[0]), "recordIds")
    metrics = [found[gsid] for gsid in gsids]
    in_goals = [usage for metric in metrics for usage in metric_store.usage_in_goals(db, metric.id)]
    if in_goals:
        layouts = metric_store.goal_type_names(db, [metric.id for metric in metrics])
        raise MetricInUse(error_info={
            "usageInLayouts": domain.ordered_unique(name for metric in metrics for name in layouts.get(metric.id, [])),
            "usageInGoals": list({usage["gsid"]: usage for usage in in_goals}.values()), "hasUsage": True})
    now = parts.now_ms()
    for metric in metrics:
        metric.deleted, metric.modified_at, metric.modified_by = True, now, me.user_uuid
        metric_store.dissociate_goal_types(db, metric.id)
    db.commit()
    return {"deletedMetrics": [views.metric_view(metric) for metric in metrics]}


def _load(payload) -> list[dict]:
    requests = load(METRICS, payload, InvalidCustomerGoalRequest)["requests"]
    for request in requests:
        if "name" in request["record"] and not request["record"]["name"].strip():
            raise InvalidCustomerGoalRequest("name cannot be empty", "name")
    return requests


def _goal_types(db, workspace_id: int, request: dict, verb: str) -> list[int]:
    """Ids of the goal types `request` names to associate (verb "associate") or dissociate, by gsid
    (`<verb>GoalTypes`) and by name (`<verb>GoalTypeNames`); an unknown one is refused."""
    gsids, names = request.get(verb + "GoalTypes") or [], request.get(verb + "GoalTypeNames") or []
    by_gsid = picklists.by_gsid(db, workspace_id, domain.GOAL_TYPE, gsids) if gsids else {}
    by_name = picklists.by_name(db, workspace_id, domain.GOAL_TYPE, names) if names else {}
    for gsid in gsids:
        if gsid not in by_gsid:
            raise InvalidCustomerGoalRequest("{}GoalTypes: no goal type {}".format(verb, gsid), verb + "GoalTypes")
    for name in names:
        if domain.name_key(name) not in by_name:
            raise InvalidCustomerGoalRequest("{}GoalTypeNames: no goal type named {!r}".format(verb, name),
                                             verb + "GoalTypeNames")
    return domain.ordered_unique([row.id for row in by_gsid.values()] + [row.id for row in by_name.values()])
