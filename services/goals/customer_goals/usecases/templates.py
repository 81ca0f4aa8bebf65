"""Goal templates (the goals library): create, update, delete. A request's records are written all
or none: the first record that cannot be accepted answers for the request, and nothing is written."""
from __future__ import annotations

from services.goals.customer_goals import domain
from services.goals.customer_goals.dsl.fields import TEMPLATE_FIELDS
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, TemplateNotFound
from services.goals.customer_goals.schemas import TEMPLATE_RECORD
from services.goals.customer_goals.store import goals as goal_store
from services.goals.customer_goals.store import picklists
from services.goals.customer_goals.usecases import lookups, parts, records, references
from services.goals.customer_goals.usecases.deletes import delete_records


def _read(ctx, payload) -> list:
    """[(record, status, goal type, metrics, resolved lookups)] of every request, checked before any write."""
    db, me = ctx.db, ctx.me
    picklists.ensure_defaults(db, me.workspace_id)
    items, specs = records.read_requests(payload, single=False, with_links=False)
    read = []
    for item in items:
        record = records.read_record(item, TEMPLATE_RECORD, specs)
        for name in ("CompanyId", "OpportunityId"):
            if name in record.sources:
                raise InvalidCustomerGoalRequest("Templates have no {}: give it when creating the goal".format(name),
                                                 name)
        read.append((record, references.status_of(db, me.workspace_id, record.fields),
                     references.goal_type_of(db, me.workspace_id, record.fields),
                     references.metrics_named(db, me.workspace_id, record.fields),
                     lookups.resolve(ctx, specs, record.sources)))
    return read


def create_templates(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    written = []
    for record, status, goal_type, metrics, resolved in _read(ctx, payload):
        name = record.fields.get("Name") or ""
        if not name.strip():
            raise InvalidCustomerGoalRequest("Name is required", "Name")
        status = status or references.default_status(db, me.workspace_id)
        goal_type = goal_type or references.default_goal_type(db, me.workspace_id)
        now = parts.now_ms()
        template = goal_store.add(
            db, gsid=domain.new_gsid("goal"), workspace_id=me.workspace_id, category=domain.TEMPLATE, name=name,
            goal_type_id=goal_type.gsid, status_id=status.gsid, due_days=record.fields.get("DueDate"),
            currency_iso_code=domain.DEFAULT_CURRENCY, created_by_id=me.user_uuid, modified_by_id=me.user_uuid,
            created_date=now, modified_date=now, version=1)
        parts.set_scalars(template, record.fields, resolved)
        parts.apply_parts(db, template, record, resolved, metrics)
        written.append(template)
    return _committed(db, written)


def update_templates(ctx, payload) -> dict:
    db, me = ctx.db, ctx.me
    read = _read(ctx, payload)
    gsids = [record.fields.get("Gsid") for record, *_ in read]
    if not all(gsids):
        raise InvalidCustomerGoalRequest("Gsid of the template is required", "Gsid")
    found = goal_store.live(db, me.workspace_id, domain.TEMPLATE, gsids, lock=True)
    written = []
    for record, status, goal_type, metrics, resolved in read:
        template = found.get(record.fields["Gsid"])
        if template is None:
            raise TemplateNotFound("Goal template {} not found".format(record.fields["Gsid"]), "Gsid")
        parts.set_scalars(template, record.fields, resolved)
        if record.given("DueDate"):
            template.due_days = record.fields["DueDate"]
        if status is not None:
            template.status_id = status.gsid
        if goal_type is not None:
            template.goal_type_id = goal_type.gsid
        parts.stamp(template, me, parts.now_ms())
        parts.apply_parts(db, template, record, resolved, metrics)
        written.append(template)
    return _committed(db, written)


def _committed(db, written: list) -> dict:
    db.commit()
    return {"successList": [parts.full_view(db, template, TEMPLATE_FIELDS) for template in written],
            "failureList": []}


def delete_templates(ctx, payload) -> dict:
    return delete_records(ctx, payload, domain.TEMPLATE, TemplateNotFound.message)
