"""Request schemas of the sales goals API and the views it answers with."""
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from infra.events import isoformat
from infra.validation import Id, Int64
from services.goals import domain

INT32_MAX = 2 ** 31 - 1


def stored_id(**kwargs):
    """An id the goals database keeps in an INTEGER column (users, groups, crops, varieties, as the
    directory and the deals keep them): 1 .. 2^31-1."""
    return Int64(validate=validate.Range(min=1, max=INT32_MAX), **kwargs)


def ids(size=validate.Length(max=1000), **kwargs):
    return fields.List(stored_id(), validate=size, **kwargs)


def routed_action():
    """The body's `action`: the gateway calls one RPC per action (gateway/routes/goals.py) and
    forwards the body as sent."""
    return fields.String()


PERCENT = validate.Range(min=0, max=100)
MAX_PAGE_SIZE = 100


class Amount(fields.Decimal):
    """A JSON number (not a string, not a boolean) > 0."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("must be a number")
        amount = super()._deserialize(str(value), attr, data, **kwargs)
        if amount <= 0:
            raise ValidationError("must be greater than 0")
        if amount >= Decimal("1e17"):
            raise ValidationError("is too large")
        return amount


class ListGoalsSchema(Schema):
    action = routed_action()
    campaigns = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(max=500))
    owner = fields.List(fields.String(validate=validate.Length(max=64)), validate=validate.Length(max=500))
    user_assigned = ids()
    group_assigned = ids()
    progress_min = Int64(validate=PERCENT, allow_none=True)
    progress_max = Int64(validate=PERCENT, allow_none=True)
    page = fields.String(allow_none=True, validate=validate.Length(max=512))
    page_size = Int64(load_default=10, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class CreateGoalSchema(Schema):
    action = routed_action()
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    campaign_uuid = fields.UUID(required=True)
    goal_type = fields.String(required=True)
    goal_subtype = fields.String(required=True)
    input_uuid = fields.UUID(allow_none=True, load_default=None)
    crop_id = stored_id(allow_none=True, load_default=None)
    variety_id = stored_id(allow_none=True, load_default=None)
    amount = Amount(required=True)
    id_unit = Id(required=True)
    users = ids(load_default=list)
    groups = ids(load_default=list)

    @validates_schema
    def _rules(self, data, **kwargs):
        if data["goal_type"] == "sale" and data.get("input_uuid") is None:
            raise ValidationError("is required for sale goals", "input_uuid")
        if data["goal_type"] == "purchase" and data.get("crop_id") is None:
            raise ValidationError("is required for purchase goals", "crop_id")
        if not domain.valid_unit(data["goal_subtype"], data["id_unit"]):
            table = "currencies (monedas)" if data["goal_subtype"] == "billing" else "units (unidades)"
            raise ValidationError("must be an id of the {} table".format(table), "id_unit")


class UpdateGoalSchema(Schema):
    action = routed_action()
    uuid = fields.UUID(required=True)
    description = fields.String(validate=validate.Length(min=1, max=500))
    amount = Amount()
    users = ids()
    groups = ids()


class DeleteGoalSchema(Schema):
    action = routed_action()
    uuid = fields.UUID(required=True)


class AssignSchema(Schema):
    goal_uuid = fields.UUID(required=True)
    users = ids(load_default=list)
    groups = ids(load_default=list)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data["users"] and not data["groups"]:
            raise ValidationError("provide users or groups to assign", "users")


class UnassignUsersSchema(Schema):
    action = routed_action()
    goal_uuid = fields.UUID(required=True)
    users = ids(required=True, size=validate.Length(min=1, max=1000))


class UnassignGroupsSchema(Schema):
    action = routed_action()
    goal_uuid = fields.UUID(required=True)
    groups = ids(required=True, size=validate.Length(min=1, max=1000))


class ProgressSchema(Schema):
    goal_uuid = fields.UUID(required=True)
    user_id = stored_id(allow_none=True, load_default=None)
    group_id = stored_id(allow_none=True, load_default=None)

    @validates_schema
    def _not_both(self, data, **kwargs):
        if data.get("user_id") is not None and data.get("group_id") is not None:
            raise ValidationError("user_id and group_id cannot be sent together", "user_id")


# --- views --------------------------------------------------------------------------------------------
def assignee_view(assignment, users, groups):
    """{"type", "id", "uuid", "name"}; names from the directory (None if it no longer knows the id)."""
    if assignment.kind == "user":
        user = users.get(assignment.assignee_id)
        name = "{} {}".format(user["first_name"], user["last_name"]).strip() if user else None
        return {"type": "user", "id": assignment.assignee_id, "uuid": user["uuid"] if user else None, "name": name}
    group = groups.get(assignment.assignee_id)
    return {"type": "group", "id": assignment.assignee_id, "uuid": group["uuid"] if group else None,
            "name": group["name"] if group else None}


def goal_view(goal, assignments, users, groups):
    """A goal as the list shows it (the document's Goal object)."""
    owner = users.get(goal.owner_id) or {}
    return {
        "uuid": goal.uuid,
        "description": goal.description,
        "campaign": {"uuid": goal.campaign_uuid, "name": goal.campaign_name},
        "created_by": {"id": goal.owner_id, "uuid": goal.owner_uuid, "first_name": owner.get("first_name"),
                       "last_name": owner.get("last_name")},
        "assigned_to": [assignee_view(a, users, groups) for a in assignments],
        "goal_type": goal.goal_type,
        "goal_subtype": goal.goal_subtype,
        "input_uuid": goal.input_uuid,
        "crop_id": goal.crop_id,
        "variety_id": goal.variety_id,
        "amount": domain.number(goal.amount),
        "id_unit": goal.id_unit,
        "unit": domain.unit_label(goal.goal_subtype, goal.id_unit),
        "current": domain.number(goal.current),
        "progress": goal.progress_int,
        "forecast": domain.number(goal.forecast),
        "created_at": isoformat(goal.created_at),
        "modified_at": isoformat(goal.modified_at),
    }


def created_view(goal, assignments):
    return {
        "uuid": goal.uuid,
        "description": goal.description,
        "campaign": {"uuid": goal.campaign_uuid, "name": goal.campaign_name},
        "goal_type": goal.goal_type,
        "goal_subtype": goal.goal_subtype,
        "input_uuid": goal.input_uuid,
        "crop_id": goal.crop_id,
        "variety_id": goal.variety_id,
        "amount": domain.number(goal.amount),
        "id_unit": goal.id_unit,
        "unit": domain.unit_label(goal.goal_subtype, goal.id_unit),
        "assigned_to": [{"type": a.kind, "id": a.assignee_id} for a in assignments],
        "progress": goal.progress_int,
        "created_at": isoformat(goal.created_at),
    }


def updated_view(goal, assignments):
    return {
        "uuid": goal.uuid,
        "description": goal.description,
        "amount": domain.number(goal.amount),
        "assigned_to": [{"type": a.kind, "id": a.assignee_id} for a in assignments],
        "progress": goal.progress_int,
        "modified_at": isoformat(goal.modified_at),
    }


def operation_view(row, opportunity_names):
    name, deal_id = opportunity_names.get(row.opportunity_uuid, (None, None))
    return {"uuid": row.opportunity_uuid, "id": deal_id, "name": name, "quantity": domain.number(row.amount),
            "user_id": row.user_id}


def other_unit_view(row, opportunity_names):
    name, deal_id = opportunity_names.get(row.opportunity_uuid, (None, None))
    return {"uuid": row.opportunity_uuid, "id": deal_id, "name": name, "quantity": domain.number(row.raw_quantity),
            "unit_id": row.raw_unit_id, "user_id": row.user_id}


def goal_event_snapshot(goal, previous_current):
    """The snapshot of goal_progress_changed / goal_achieved (docs/events.md): decimals as strings."""
    text = domain.decimal_text
    return {"uuid": goal.uuid, "workspace_id": goal.workspace_id, "campaign_uuid": goal.campaign_uuid,
            "goal_type": goal.goal_type, "goal_subtype": goal.goal_subtype, "id_unit": goal.id_unit,
            "unit": domain.unit_label(goal.goal_subtype, goal.id_unit), "amount": text(goal.amount),
            "current": text(goal.current), "previous_current": text(previous_current),
            "forecast": text(goal.forecast), "progress": text(goal.progress),
            "achieved_at": isoformat(goal.achieved_at)}
