"""Request bodies. Unknown fields are refused (400 naming them), so a typo is never dropped in silence."""
from marshmallow import RAISE, Schema, fields, validate

from infra.validation import Id, Int64
from services.prospects.domain.catalog import (ACCOUNT_TYPES, FOLLOW_UPS, LOCATION_TYPES, NOTE_ACTIONS,
                                               NOTE_ORIGINS, ONBOARDING_STEPS)
from services.prospects.schemas.fields import DateTime, Day, Email, Money, Phone, PhoneCode, Text

MAX_SHIPMENTS = 10 ** 12
FOLLOW_RANGE = validate.Range(min=min(FOLLOW_UPS), max=max(FOLLOW_UPS))


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ProspectPatch(Strict):
    company_name = Text(200, allow_none=True)
    name = Text(150, allow_none=True)
    email = Email(allow_none=True)
    phone_code = PhoneCode(allow_none=True)
    phone = Phone(allow_none=True)
    created_by = Id()


class Assignments(Strict):
    """Role assignments: a user id of the workspace each, null to clear (catalog.ROLES)."""
    kae, kae_ltl, csr, csr_ltl = Id(allow_none=True), Id(allow_none=True), Id(allow_none=True), Id(allow_none=True)
    fullfilment, wms, ecartpay = Id(allow_none=True), Id(allow_none=True), Id(allow_none=True)
    parapaquetes = Id(allow_none=True)


class DataPatch(Strict):
    name = Text(150, allow_none=True)
    ecommerce_type_id = Id(allow_none=True)
    channel = Text(100, allow_none=True)
    account_value = Money()
    locale = Id(allow_none=True)
    monthly_shipments = Int64(allow_none=True, validate=validate.Range(min=0, max=MAX_SHIPMENTS))
    weight_id = Id(allow_none=True)
    content_id = Id(allow_none=True)
    plan_type_id = Id(allow_none=True)
    annotations = Text(5000, allow_none=True)
    account_type = fields.String(allow_none=True, validate=validate.OneOf(ACCOUNT_TYPES))
    estimated_close_date = Day(allow_none=True)
    commercial_offer_date = Day(allow_none=True)
    campaign = Text(100, allow_none=True)
    lead_status = Text(50, allow_none=True)
    has_recharge = fields.Boolean(strict=True)
    verified = fields.Boolean(strict=True)
    tier = Text(30, allow_none=True)
    services = fields.List(Id(), validate=validate.Length(max=20))
    assignments = fields.Nested(Assignments)


class PartnerDataInput(Strict):
    url = fields.Url(required=True, validate=validate.Length(max=255))
    partner_type_id = Id(required=True)
    partner_origin_id = Id(required=True)
    rating = Int64(required=True, validate=validate.Range(min=1, max=5))
    locale_id = Id(required=True)
    social_network = Text(150, allow_none=True)


class ContactInput(Strict):
    name = Text(150, required=True, blank_is_none=False)
    email = Email(required=True)
    phone_code = PhoneCode(required=True)
    phone = Phone(required=True)
    position = Text(100, allow_none=True)


class ContactUpdate(Strict):
    """`id` names the extra contact to change; `isDefault: true` changes the prospect's own contact."""
    id = Id()
    isDefault = fields.Boolean(strict=True, load_default=False)
    name = Text(150, blank_is_none=False)
    email = Email()
    phone_code = PhoneCode()
    phone = Phone()
    position = Text(100, allow_none=True)


class ContactRef(Strict):
    id = Id()


class NoteInput(Strict):
    follow = Int64(allow_none=True, validate=FOLLOW_RANGE)
    action = fields.String(allow_none=True, validate=validate.OneOf(NOTE_ACTIONS))
    note = Text(10000, required=True, blank_is_none=False)
    scheduled_date = DateTime(allow_none=True)


class NotePatch(Strict):
    scheduled_date = DateTime(required=True, allow_none=True)
    origin = fields.String(required=True, validate=validate.OneOf(NOTE_ORIGINS))


class LocationInput(Strict):
    name = Text(50, required=True, blank_is_none=False)
    link = Text(150, required=True, blank_is_none=False)
    type = fields.String(required=True, validate=validate.OneOf(LOCATION_TYPES))


class LocationPatch(Strict):
    name = Text(50, blank_is_none=False)
    link = Text(150, blank_is_none=False)
    type = fields.String(validate=validate.OneOf(LOCATION_TYPES))


class OnboardingStepInput(Strict):
    key = fields.String(required=True, validate=validate.OneOf(tuple(ONBOARDING_STEPS)))
    done = fields.Boolean(strict=True, load_default=True)
    date = DateTime(allow_none=True, load_default=None)


class OnboardingPatch(Strict):
    steps = fields.List(fields.Nested(OnboardingStepInput), required=True,
                        validate=validate.Length(min=1, max=len(ONBOARDING_STEPS)))


# built once: building a schema per request costs more than loading with it
PROSPECT_PATCH, DATA_PATCH, PARTNER_DATA = ProspectPatch(), DataPatch(), PartnerDataInput()
CONTACT_INPUT, CONTACT_UPDATE, CONTACT_REF = ContactInput(), ContactUpdate(), ContactRef()
NOTE_INPUT, NOTE_PATCH = NoteInput(), NotePatch()
LOCATION_INPUT, LOCATION_PATCH, ONBOARDING_PATCH = LocationInput(), LocationPatch(), OnboardingPatch()


class ImportRow(Schema):
    """One row of `POST /prospects/process` and `POST /prospects` (the body is an array of them, at most
    5,000). Documentation only: rows are checked one by one by domain.imports, which answers each
    problem row with its own code instead of failing the request."""
    name = fields.String()
    company = fields.String()
    email = fields.String()
    phone = fields.Raw(metadata={"description": "number or numeric text"})
    code = fields.Raw(metadata={"description": "country calling code"})
    locale = Id()
    type = Int64(validate=validate.Range(min=1, max=3))
    monthly_shipments = fields.Raw(metadata={"description": "number, numeric text or a range label such as 100-500"})
    follow_up_id = Int64(validate=FOLLOW_RANGE)
    campaign = fields.String()
