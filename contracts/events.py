"""Event payload schemas. Producers build payloads that validate against these; consumers load
incoming events with them (a payload that does not validate is a poison message: it is refused
and ends in the dead-letter queue). Documented for outside subscribers in docs/events.md."""
from marshmallow import EXCLUDE, Schema, fields, validate

OPPORTUNITY_STATES = ("open_0", "open_25", "open_50", "open_75", "won", "lost")
OPEN_STATES = ("open_0", "open_25", "open_50", "open_75")
OPPORTUNITY_TYPES = ("sale", "purchase", "exchange")
VALUE_TYPES = ("Total", "Monatlich", "Tagessatz", "Stundensatz")


class Envelope(Schema):
    class Meta:
        unknown = EXCLUDE  # new envelope fields must not break old consumers

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    occurred_at = fields.String(required=True)
    workspace_id = fields.Integer(required=True, strict=True)
    aggregate_type = fields.String(required=True)
    aggregate_id = fields.String(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    change = fields.String(required=True, validate=validate.OneOf(("created", "updated", "deleted")))


class OpportunitySnapshot(Schema):
    """A deal as the deals service holds it after the change."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    uuid = fields.String(required=True)
    workspace_id = fields.Integer(required=True, strict=True)
    user_id = fields.Integer(allow_none=True, load_default=None)
    company_id = fields.Integer(allow_none=True, load_default=None)
    name = fields.String(required=True)
    description = fields.String(allow_none=True, load_default=None)
    value = fields.Decimal(required=True, as_string=True)
    value_type = fields.String(required=True, validate=validate.OneOf(VALUE_TYPES))
    value_count = fields.Decimal(required=True, as_string=True)
    currency = fields.String(required=True)
    currency_id = fields.Integer(allow_none=True, load_default=None)
    target_date = fields.String(allow_none=True, load_default=None)
    finished_at = fields.String(allow_none=True, load_default=None)
    current_state = fields.String(required=True, validate=validate.OneOf(OPPORTUNITY_STATES))
    type = fields.String(required=True, validate=validate.OneOf(OPPORTUNITY_TYPES))
    account_uuid = fields.String(allow_none=True, load_default=None)
    campaign_uuid = fields.String(allow_none=True, load_default=None)
    input_uuid = fields.String(allow_none=True, load_default=None)
    crop_id = fields.Integer(allow_none=True, load_default=None)
    variety_id = fields.Integer(allow_none=True, load_default=None)
    quantity = fields.Decimal(allow_none=True, load_default=None, as_string=True)
    unit_id = fields.Integer(allow_none=True, load_default=None)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class OpportunityChanged(Envelope):
    """`deals.opportunity_changed`: snapshot is null when change == "deleted"."""

    snapshot = fields.Nested(OpportunitySnapshot, allow_none=True, required=True)


class GoalSnapshot(Schema):
    """A sales goal's figures after the change (goals service)."""

    class Meta:
        unknown = EXCLUDE

    uuid = fields.String(required=True)
    workspace_id = fields.Integer(required=True, strict=True)
    campaign_uuid = fields.String(required=True)
    goal_type = fields.String(required=True, validate=validate.OneOf(("sale", "purchase")))
    goal_subtype = fields.String(required=True, validate=validate.OneOf(("volume", "billing")))
    id_unit = fields.Integer(required=True, strict=True)
    unit = fields.String(allow_none=True, load_default=None)
    amount = fields.Decimal(required=True, as_string=True)
    current = fields.Decimal(required=True, as_string=True)
    previous_current = fields.Decimal(required=True, as_string=True)
    forecast = fields.Decimal(required=True, as_string=True)
    progress = fields.Decimal(required=True, as_string=True)
    achieved_at = fields.String(allow_none=True, load_default=None)


class GoalChanged(Envelope):
    """`goals.goal_progress_changed` and `goals.goal_achieved` (one version sequence per goal)."""

    snapshot = fields.Nested(GoalSnapshot, required=True)


# The one instance consumers load messages with: loading keeps no state on a schema (no context is
# used), so green threads can share it, and building a schema per message cost more than loading it.
OPPORTUNITY_CHANGED_SCHEMA = OpportunityChanged()

OPPORTUNITY_CHANGED = "opportunity_changed"
GOAL_PROGRESS_CHANGED = "goal_progress_changed"
GOAL_ACHIEVED = "goal_achieved"


class UserSnapshot(Schema):
    """A directory user after the change: who they are and what access they have."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    uuid = fields.String(required=True)
    workspace_id = fields.Integer(required=True, strict=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    is_owner = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    permissions = fields.List(fields.String(), required=True)
    access_changed_at = fields.String(allow_none=True, load_default=None)  # null until permissions or active change


class UserChanged(Envelope):
    """`directory.user_changed`: a user was created, their permissions changed or they were deactivated."""

    snapshot = fields.Nested(UserSnapshot, required=True)


USER_CHANGED_SCHEMA = UserChanged()
USER_CHANGED = "user_changed"


class ProspectSnapshot(Schema):
    """A prospect (or client, or partner) as the prospects service holds it after the change."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    uuid = fields.String(required=True)
    workspace_id = fields.Integer(required=True, strict=True)
    type = fields.Integer(required=True, strict=True, validate=validate.OneOf((1, 2, 3)))
    name = fields.String(allow_none=True, load_default=None)
    company_name = fields.String(allow_none=True, load_default=None)
    email = fields.String(allow_none=True, load_default=None)
    phone_code = fields.String(allow_none=True, load_default=None)
    phone = fields.String(allow_none=True, load_default=None)
    locale_id = fields.Integer(allow_none=True, load_default=None)
    follow_up_id = fields.Integer(required=True, strict=True)
    follow_name = fields.String(required=True)
    company_id = fields.Integer(allow_none=True, load_default=None)
    created_by = fields.Integer(required=True, strict=True)
    campaign = fields.String(allow_none=True, load_default=None)
    channel = fields.String(allow_none=True, load_default=None)
    account_value = fields.Decimal(required=True, as_string=True)
    monthly_shipments = fields.Integer(allow_none=True, load_default=None)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)


class ProspectChanged(Envelope):
    """`prospects.prospect_created` (change "created") and `prospects.prospect_changed` ("updated")."""

    snapshot = fields.Nested(ProspectSnapshot, required=True)


PROSPECT_CHANGED_SCHEMA = ProspectChanged()

PROSPECT_CREATED = "prospect_created"
PROSPECT_CHANGED = "prospect_changed"
