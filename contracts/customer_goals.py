"""`goals.customer_goal_changed`: a customer goal (seed 001) was created, changed status or was
deleted. Documented in docs/events.md; the goals service writes it to its outbox in the same
transaction as the change."""

from marshmallow import EXCLUDE, Schema, fields

from contracts.events import Envelope

CUSTOMER_GOAL_CHANGED = "customer_goal_changed"
AGGREGATE_TYPE = "customer_goal"


class CustomerGoalSnapshot(Schema):
    """The goal after the change, with the API's field names."""

    class Meta:
        unknown = EXCLUDE

    Gsid = fields.String(required=True)
    Name = fields.String(required=True)
    Description = fields.String(allow_none=True, required=True)
    EntityType = fields.String(required=True)
    CompanyId = fields.String(allow_none=True, required=True)
    OpportunityId = fields.Integer(allow_none=True, required=True, strict=True)
    GoalTypeId = fields.String(required=True)
    StatusId = fields.String(required=True)
    StatusName = fields.String(required=True)
    DueDate = fields.String(allow_none=True, required=True)
    TemplateId = fields.String(allow_none=True, required=True)
    CurrencyIsoCode = fields.String(required=True)
    CreatedById = fields.String(required=True)
    ModifiedById = fields.String(required=True)
    CreatedDate = fields.Integer(required=True, strict=True)
    ModifiedDate = fields.Integer(required=True, strict=True)
    customFields = fields.Dict(keys=fields.String(), required=True)
    associatedCTAs = fields.List(fields.String(), required=True)
    associatedSPs = fields.List(fields.String(), required=True)
    AssociatedWork = fields.List(fields.String(), required=True)


class CustomerGoalChanged(Envelope):
    """snapshot is null when change == "deleted"."""

    snapshot = fields.Nested(CustomerGoalSnapshot, allow_none=True, required=True)


CUSTOMER_GOAL_CHANGED_SCHEMA = CustomerGoalChanged()
