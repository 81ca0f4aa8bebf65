"""The deal document: what a client may write (DealInput) and how a deal is shown and published."""
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from contracts.events import OPPORTUNITY_STATES, OPPORTUNITY_TYPES, VALUE_TYPES
from infra import reference
from infra.events import isoformat
from infra.validation import Id
from services.deals import domain

ID = validate.Range(min=1, max=domain.MAX_ID)
READ_ONLY = ("id", "account_id", "finished_at", "created_at", "updated_at", "uuid")
MAX_AMOUNT = Decimal("1e15")


class DocumentDate(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return domain.parse_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc))


class IdList(fields.Field):
    """`person_ids_set` / `observer_user_ids`: "1, 2" or [1, 2]."""

    def __init__(self, maximum=2 ** 63 - 1, **kwargs):
        super().__init__(**kwargs)
        self.maximum = maximum

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return domain.parse_id_list(value, self.maximum)
        except ValueError as exc:
            raise ValidationError(str(exc))


class TagInput(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class CustomFieldInput(Schema):
    """{custom_fields_type_id | custom_fields_type_name, value} (`name` is accepted for value)."""

    class Meta:
        unknown = RAISE

    custom_fields_type_id = fields.Integer(strict=False, validate=ID)
    custom_fields_type_name = fields.String(validate=validate.Length(min=1, max=120))
    value = fields.String(validate=validate.Length(max=255))
    name = fields.String(validate=validate.Length(max=255))

    @validates_schema
    def _complete(self, data, **kwargs):
        if "custom_fields_type_id" not in data and "custom_fields_type_name" not in data:
            raise ValidationError("custom_fields_type_id or custom_fields_type_name is required")
        if "value" not in data and "name" not in data:
            raise ValidationError("value is required")


def _amount(minimum=Decimal(0)):
    return validate.Range(min=minimum, max=MAX_AMOUNT, max_inclusive=False)


class DealInput(Schema):
    class Meta:
        unknown = RAISE

    user_id = fields.Integer(strict=False, allow_none=True, validate=ID)
    company_id = fields.Integer(strict=False, allow_none=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(allow_none=True, validate=validate.Length(max=65535))
    value = fields.Decimal(required=True, allow_nan=False, validate=_amount())
    value_type = fields.String(required=True, validate=validate.OneOf(VALUE_TYPES))
    value_count = fields.Decimal(required=True, allow_nan=False, validate=_amount())
    currency = fields.String(validate=validate.OneOf(sorted(reference.CURRENCIES_BY_CODE)))
    target_date = DocumentDate(required=True)
    current_state = fields.String(validate=validate.OneOf(OPPORTUNITY_STATES))
    person_ids_set = IdList()
    observer_user_ids = IdList(maximum=domain.MAX_ID)
    tags_attributes = fields.List(fields.Nested(TagInput), validate=validate.Length(max=100))
    custom_fields_attributes = fields.List(fields.Nested(CustomFieldInput), validate=validate.Length(max=100))
    type = fields.String(validate=validate.OneOf(OPPORTUNITY_TYPES))
    account_uuid = fields.UUID(allow_none=True)
    campaign_uuid = fields.UUID(allow_none=True)
    input_uuid = fields.UUID(allow_none=True)
    crop_id = fields.Integer(strict=False, allow_none=True, validate=ID)
    variety_id = fields.Integer(strict=False, allow_none=True, validate=ID)
    quantity = fields.Decimal(allow_none=True, allow_nan=False, validate=_amount())
    unit_id = fields.Integer(strict=False, allow_none=True, validate=validate.OneOf(sorted(reference.UNITS_BY_ID)))

    @pre_load
    def _drop_read_only(self, data, **kwargs):
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if key not in READ_ONLY}
            if isinstance(data.get("currency"), str):
                data["currency"] = data["currency"].upper()
        return data

    @validates_schema
    def _non_null_required(self, data, **kwargs):
        for name in ("name", "value", "value_type", "value_count", "target_date"):
            if name in data and data[name] is None:
                raise ValidationError("may not be null", name)


MAX_LOOKUP = 500  # ids, uuids or names one deals_in_workspace call may ask for, and deals it answers


def _lookup_list(item):
    return fields.List(item, allow_none=True, load_default=None, validate=validate.Length(max=MAX_LOOKUP))


class DealLookup(Schema):
    """deals_in_workspace's arguments (other services' lookups). A uuid or name that cannot exist
    matches nothing, like a missing one."""

    class Meta:
        unknown = RAISE

    workspace_id = Id(required=True)
    ids = _lookup_list(Id())
    uuids = _lookup_list(fields.String(validate=validate.Length(max=255)))
    names = _lookup_list(fields.String(validate=validate.Length(max=255)))


def deal_reference(row):
    """A deal as other services look it up (deals_in_workspace)."""
    return {"id": row.id, "uuid": row.uuid, "name": row.name, "account_uuid": row.account_uuid,
            "current_state": row.current_state}


def deal_view(deal, extras=None):
    """The deal as the document shows it (`{"deal": ...}` is added by the caller)."""
    view = {
        "id": deal.id, "account_id": deal.workspace_id, "company_id": deal.company_id, "user_id": deal.user_id,
        "name": deal.name, "value": domain.decimal_text(deal.value), "value_type": deal.value_type,
        "target_date": deal.target_date.isoformat(), "finished_at": isoformat(deal.finished_at),
        "current_state": deal.current_state, "value_count": domain.decimal_text(deal.value_count),
        "description": deal.description, "created_at": isoformat(deal.created_at),
        "updated_at": isoformat(deal.updated_at), "currency": deal.currency,
        "uuid": deal.uuid, "type": deal.type, "account_uuid": deal.account_uuid,
        "campaign_uuid": deal.campaign_uuid, "input_uuid": deal.input_uuid, "crop_id": deal.crop_id,
        "variety_id": deal.variety_id, "quantity": domain.decimal_text(deal.quantity), "unit_id": deal.unit_id,
    }
    view.update(extras or {})
    return view


def snapshot(deal):
    """The event snapshot (contracts.events.OpportunitySnapshot)."""
    currency = reference.CURRENCIES_BY_CODE.get(deal.currency)
    return {
        "id": deal.id, "uuid": deal.uuid, "workspace_id": deal.workspace_id, "user_id": deal.user_id,
        "company_id": deal.company_id, "name": deal.name, "description": deal.description,
        "value": domain.decimal_text(deal.value), "value_type": deal.value_type,
        "value_count": domain.decimal_text(deal.value_count), "currency": deal.currency,
        "currency_id": currency["id"] if currency else None, "target_date": deal.target_date.isoformat(),
        "finished_at": isoformat(deal.finished_at), "current_state": deal.current_state, "type": deal.type,
        "account_uuid": deal.account_uuid, "campaign_uuid": deal.campaign_uuid, "input_uuid": deal.input_uuid,
        "crop_id": deal.crop_id, "variety_id": deal.variety_id, "quantity": domain.decimal_text(deal.quantity),
        "unit_id": deal.unit_id, "created_at": isoformat(deal.created_at), "updated_at": isoformat(deal.updated_at),
    }
