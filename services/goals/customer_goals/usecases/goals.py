"""Customer goals: create (one per request, optionally from a template), update, delete."""
from __future__ import annotations

from datetime import datetime, timezone

from services.goals.customer_goals import domain, views
from services.goals.customer_goals.dsl.fields import GOAL_FIELDS
from services.goals.customer_goals.exceptions import (CustomerGoalNotFound, InvalidCustomerGoalRequest,
                                                      InvalidStatusName)
from services.goals.customer_goals.schemas import GOAL_RECORD
from services.goals.customer_goals.store import goal_metrics, picklists
from services.goals.customer_goals.store import goals as goal_store
from services.goals.customer_goals.usecases import events, lookups, parts, records, references
from services.goals.customer_goals.usecases.deletes import delete_records


def create_goal(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    specs, record = _read_one(ctx, payload)
    fields = record.fields
    template = _template(db, me.workspace_id, fields.get("TemplateId"))
    entity_type = _entity_type(fields)
    status = references.status_of(db, me.workspace_id, fields)
    if status is None and template is None:
        raise InvalidStatusName("StatusName or StatusId is required", "StatusName")
    goal_type = references.goal_type_of(db, me.workspace_id, fields) or (
        None if template is not None else references.default_goal_type(db, me.workspace_id))
    metrics = references.metrics_named(db, me.workspace_id, fields)
    resolved = _resolve(ctx, specs, record)
    name = fields.get("Name") or (template.name if template is not None else "")
    if not name.strip():
        raise InvalidCustomerGoalRequest("Name is required", "Name")
    company_id = resolved.get("CompanyId", fields.get("CompanyId"))
    opportunity_id = resolved.get("OpportunityId", fields.get("OpportunityId"))
    _check_entity(entity_type, company_id, opportunity_id)
    now = parts.now_ms()
    goal = goal_store.add(
        db, gsid=domain.new_gsid("goal"), workspace_id=me.workspace_id, category=domain.GOAL, name=name,
        entity_type=entity_type, goal_type_id=goal_type.gsid if goal_type is not None else template.goal_type_id,
        status_id=status.gsid if status is not None else template.status_id,
        due_date=fields["DueDate"] if record.given("DueDate") else _due_from(template),
        description=template.description if template is not None else None,
        currency_iso_code=template.currency_iso_code if template is not None else domain.DEFAULT_CURRENCY,
        template_id=template.gsid if template is not None else None, created_by_id=me.user_uuid,
        modified_by_id=me.user_uuid, created_date=now, modified_date=now, version=1)
    parts.set_scalars(goal, dict(fields, Name=name), resolved)
    if template is not None:  # the template's custom fields, work and metrics, then the request's own
        goal_store.copy_parts(db, template.id, goal.id)
        goal_metrics.copy(db, template.id, goal.id)
    parts.apply_parts(db, goal, record, resolved, metrics)
    db.flush()
    events.goal_changed(db, goal, "created")
    db.commit()
    view = parts.full_view(db, goal, GOAL_FIELDS)
    status_name = references.status_name(db, me.workspace_id, goal.status_id)
    return {"goal": views.with_references(view, me, status_name), "userInfo": views.user_info(me)}


def update_goal(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    specs, record = _read_one(ctx, payload)
    fields = record.fields
    if not fields.get("Gsid"):
        raise InvalidCustomerGoalRequest("Gsid of the goal is required", "Gsid")
    if record.given("TemplateId"):
        raise InvalidCustomerGoalRequest("TemplateId is set when a goal is created", "TemplateId")
    _no_relationships(fields)
    status = references.status_of(db, me.workspace_id, fields)
    goal_type = references.goal_type_of(db, me.workspace_id, fields)
    metrics = references.metrics_named(db, me.workspace_id, fields)
    resolved = _resolve(ctx, specs, record)
    goal = goal_store.live(db, me.workspace_id, domain.GOAL, [fields["Gsid"]], lock=True).get(fields["Gsid"])
    if goal is None:
        raise CustomerGoalNotFound("Goal {} not found".format(fields["Gsid"]), "Gsid")
    if record.given("EntityType") and fields["EntityType"] != goal.entity_type:
        raise InvalidCustomerGoalRequest("EntityType cannot be changed", "EntityType")
    parts.set_scalars(goal, fields, resolved)
    _check_entity(goal.entity_type, goal.company_id, goal.opportunity_id)
    if record.given("DueDate"):
        goal.due_date = fields["DueDate"]
    if goal_type is not None:
        goal.goal_type_id = goal_type.gsid
    status_changed = status is not None and status.gsid != goal.status_id
    if status is not None:
        goal.status_id = status.gsid
    parts.stamp(goal, me, parts.now_ms())
    parts.apply_parts(db, goal, record, resolved, metrics)
    db.flush()
    if status_changed:
        goal.version += 1
        events.goal_changed(db, goal, "updated")
    db.commit()
    return {"record": parts.changed_view(db, goal, GOAL_FIELDS, record), "updatedGoals": None, "properties": {}}


def delete_goals(ctx, payload) -> dict:
    def deleted(db, goal):
        goal.version += 1
        events.goal_changed(db, goal, "deleted")
    return delete_records(ctx, payload, domain.GOAL, CustomerGoalNotFound.message, deleted)


def _read_one(ctx, payload) -> tuple:
    """(the lookup specs, the one record) of a goal write."""
    picklists.ensure_defaults(ctx.db, ctx.me.workspace_id)
    items, specs = records.read_requests(payload, single=True, with_links=True)
    return specs, records.read_record(items[0], GOAL_RECORD, specs)


def _template(db, workspace_id: int, gsid: str | None):
    if gsid is None:
        return None
    template = goal_store.live(db, workspace_id, domain.TEMPLATE, [gsid]).get(gsid)
    if template is None:
        raise InvalidCustomerGoalRequest("TemplateId {} is not a goal template of this workspace".format(gsid),
                                         "TemplateId")
    return template


def _entity_type(fields: dict) -> str:
    entity_type = fields.get("EntityType")
    if entity_type is None:
        raise InvalidCustomerGoalRequest("EntityType is required (COMPANY, OPPORTUNITY or GLOBAL)", "EntityType")
    _no_relationships(fields)
    return entity_type


def _no_relationships(fields: dict) -> None:
    if fields.get("EntityType") == "RELATIONSHIP" or fields.get("RelationshipId") or fields.get("RelationshipTypeId"):
        raise InvalidCustomerGoalRequest("Relationships are not supported: goals are on a COMPANY, an "
                                         "OPPORTUNITY or GLOBAL", "EntityType")


def _resolve(ctx, specs: dict, record) -> dict:
    resolved = lookups.resolve(ctx, specs, record.sources)
    if "CompanyId" not in resolved:
        lookups.check_company(ctx, record.fields.get("CompanyId"))
    if "OpportunityId" not in resolved:
        lookups.check_opportunity(ctx, record.fields.get("OpportunityId"))
    return resolved


def _check_entity(entity_type: str, company_id, opportunity_id) -> None:
    if entity_type == "COMPANY" and company_id is None:
        raise InvalidCustomerGoalRequest("A COMPANY goal needs its company: CompanyName with lookups.CompanyId, "
                                         "or CompanyId", "CompanyId")
    if entity_type == "OPPORTUNITY" and opportunity_id is None:
        raise InvalidCustomerGoalRequest("An OPPORTUNITY goal needs its opportunity: OpportunityName with "
                                         "lookups.OpportunityId, or OpportunityId", "OpportunityId")


def _due_from(template):
    today = datetime.now(timezone.utc).date()
    return domain.due_date_from_template(template.due_days, today) if template is not None else None
