"""Request schemas (field limits of the accounts document) and the views of the responses."""
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from infra.events import isoformat
from infra.reference import COUNTRIES
from infra.validation import Id
from services.accounts.domain import STATE_FILTERS

COUNTRY_IDS = sorted(country["id"] for country in COUNTRIES)
TEXT_255 = validate.Length(max=255)
PAGE_SIZE_DEFAULT = 10
PAGE_SIZE_MAX = 1000
LOOKUP_MAX = 1000  # uuids or names one accounts_in_workspace call may ask for


def _uuid_list():
    return fields.List(fields.UUID(), validate=validate.Length(max=1000))


class AccountSchema(Schema):
    """create (and update, which adds `uuid`)."""
    action = fields.String()
    country = fields.Integer(required=True, strict=True,
                             validate=validate.OneOf(COUNTRY_IDS, error="Unknown country id"))
    tax_id = fields.String(required=True, validate=validate.Length(min=1, max=20))
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    address = fields.String(allow_none=True, load_default=None, validate=TEXT_255)
    location = fields.String(allow_none=True, load_default=None, validate=TEXT_255)

    @pre_load
    def _strip(self, data, **kwargs):
        if isinstance(data, dict):
            data = {key: value.strip() if isinstance(value, str) and key in ("tax_id", "name") else value
                    for key, value in data.items()}
        return data


class UpdateAccountSchema(AccountSchema):
    uuid = fields.UUID(required=True)


class AccountRefSchema(Schema):
    action = fields.String()
    uuid = fields.UUID(required=True)


class ValidateTaxIdSchema(Schema):
    action = fields.String()
    tax_id = fields.String(required=True, validate=validate.Length(min=1, max=20))
    country = fields.Integer(strict=True, allow_none=True, load_default=None)  # optional narrowing


class AddContactSchema(AccountRefSchema):
    contact_uuid = fields.UUID(load_default=None)  # the contact's own id; a new one when absent
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    start_date = fields.DateTime(load_default=None)  # when the association started; now when absent


class RemoveContactSchema(AccountRefSchema):
    contact_uuid = fields.UUID(required=True)


class AddFieldSchema(AccountRefSchema):
    field_uuid = fields.UUID(load_default=None)
    farm_uuid = fields.UUID(load_default=None)
    hectares = fields.Decimal(required=True, places=2, allow_nan=False,
                              validate=validate.Range(min=0, max=999999999))


class RemoveFieldSchema(AccountRefSchema):
    field_uuid = fields.UUID(required=True)


class StatesField(fields.Field):
    """`opportunities_state`: a list of openDeals/wonDeals/lostDeals (a single string is accepted too)."""

    def _deserialize(self, value, attr, data, **kwargs):
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValidationError("Must be a list of strings")
        unknown = [v for v in values if v not in STATE_FILTERS]
        if unknown:
            raise ValidationError("Must be one of: {}".format(", ".join(STATE_FILTERS)))
        return sorted({STATE_FILTERS[v] for v in values})


class FiltersSchema(Schema):
    accounts = _uuid_list()
    contacts = _uuid_list()
    farms_uuid = _uuid_list()
    name = fields.String(validate=validate.Length(max=255))
    opportunities_state = StatesField()
    area_min = fields.Float(allow_nan=False, validate=validate.Range(min=0))
    area_max = fields.Float(allow_nan=False, validate=validate.Range(min=0))
    page = fields.String(allow_none=True, validate=validate.Length(max=512))
    page_size = fields.Integer(strict=True, load_default=PAGE_SIZE_DEFAULT,
                               validate=validate.Range(min=1, max=PAGE_SIZE_MAX))

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("area_min") is not None and data.get("area_max") is not None and data["area_min"] > data["area_max"]:
            raise ValidationError("must not be less than area_min", "area_max")


class AccountsInWorkspaceSchema(Schema):
    """accounts_in_workspace (for other services): the workspace comes from the calling service."""
    workspace_id = Id(required=True)
    uuids = fields.List(fields.String(validate=validate.Length(max=64)), allow_none=True, load_default=None,
                        validate=validate.Length(max=LOOKUP_MAX))
    names = fields.List(fields.String(validate=validate.Length(max=255)), allow_none=True, load_default=None,
                        validate=validate.Length(max=LOOKUP_MAX))

    @validates_schema
    def _something_asked(self, data, **kwargs):
        if data.get("uuids") is None and data.get("names") is None:
            raise ValidationError("uuids or names is required", "uuids")


class ListSchema(Schema):
    action = fields.String(validate=validate.OneOf(["lite"]))
    filters = fields.Nested(FiltersSchema, load_default=lambda: {"page_size": PAGE_SIZE_DEFAULT})


def account_detail(account):
    return {"uuid": account.uuid, "country": account.country, "tax_id": account.tax_id, "name": account.name,
            "address": account.address, "location": account.location, "draft": account.draft,
            "created_date": isoformat(account.created_date), "inactivation_date": isoformat(account.inactivation_date)}


def account_written(account, with_draft=True):
    data = {"country": account.country, "tax_id": account.tax_id, "name": account.name,
            "address": account.address, "location": account.location}
    if with_draft:
        data["draft"] = account.draft
    return data


def account_reference(account):
    """What other services read of an account (accounts_in_workspace)."""
    return {"uuid": account.uuid, "name": account.name, "country": account.country, "tax_id": account.tax_id,
            "active": account.inactivation_date is None}


def contact_view(contact):
    return {"uuid": contact.contact_uuid, "first_name": contact.first_name, "last_name": contact.last_name,
            "start_date": isoformat(contact.start_date)}


def field_view(field):
    return {"uuid": field.field_uuid, "farm_uuid": field.farm_uuid, "hectares": float(field.hectares)}
