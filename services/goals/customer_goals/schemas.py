"""Input schemas of the customer goals API (marshmallow). A goal or template record is read with
`unknown=INCLUDE`: keys the schema does not name are custom fields (`*__gc`) or lookup sources,
sorted out by usecases.records. The request wrappers are also what the gateway's API reference
shows."""
from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

from infra.reference import CURRENCIES_BY_CODE
from infra.validation import Id, Int64
from services.goals.customer_goals import domain

MAX_RECORDS = 100
MAX_METRICS = 100
MAX_TEXT = 100_000  # a description (HTML)
VALUE_RANGE = validate.Range(min=-1e15, max=1e15)


def _value(**kwargs):
    return fields.Float(allow_nan=False, validate=VALUE_RANGE, **kwargs)


def _gsid(**kwargs):
    return fields.String(validate=validate.Length(1, 36), **kwargs)


class MetricRef(fields.Field):
    """A metric to dissociate: its gsid, or {"metricId": gsid} as the template sample sends it."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict) and set(value) == {"metricId"}:
            value = value["metricId"]
        if not isinstance(value, str) or not 0 < len(value) <= 36:
            raise ValidationError("must be a metric id or {\"metricId\": id}")
        return value


class ActualValueInput(Schema):
    class Meta:
        unknown = RAISE

    value = _value(required=True)
    timestamp = fields.Date(required=True)
    gsid = fields.String(allow_none=True)  # shown in responses; ignored when sent back


class TemplateMetricInput(Schema):
    class Meta:
        unknown = RAISE

    metricId = _gsid(required=True)
    baseValue = _value(allow_none=True)
    targetValue = _value(allow_none=True)


class GoalMetricInput(TemplateMetricInput):
    actualValue = fields.List(fields.Nested(ActualValueInput), validate=validate.Length(max=1000))


class RecordInput(Schema):
    """The fields goals and templates share."""

    class Meta:
        unknown = INCLUDE

    Gsid = _gsid()
    Name = fields.String(allow_none=True, validate=validate.Length(max=255))
    Description = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    StatusName = fields.String(validate=validate.Length(1, 120))
    StatusId = _gsid()
    GoalTypeName = fields.String(validate=validate.Length(1, 120))
    GoalTypeId = _gsid()
    CurrencyIsoCode = fields.String(validate=validate.OneOf(sorted(CURRENCIES_BY_CODE)))
    AssociatedWork = fields.List(fields.String(validate=validate.Length(1, domain.MAX_EXTERNAL_ID)),
                                 allow_none=True, validate=validate.Length(max=domain.MAX_LINKS))
    metricsDissociation = fields.List(MetricRef(), validate=validate.Length(max=MAX_METRICS))


class GoalRecordInput(RecordInput):
    EntityType = fields.String(validate=validate.OneOf(domain.ENTITY_TYPES + ("RELATIONSHIP",)))
    DueDate = fields.Date(allow_none=True)
    CompanyId = fields.String(allow_none=True, validate=validate.Length(1, 36))
    OpportunityId = Id(strict=False, allow_none=True)
    RelationshipId = fields.String(allow_none=True)
    RelationshipTypeId = fields.String(allow_none=True)
    TemplateId = _gsid()
    metricsAssociation = fields.List(fields.Nested(GoalMetricInput), validate=validate.Length(max=MAX_METRICS))


class TemplateRecordInput(RecordInput):
    DueDate = Int64(allow_none=True, validate=validate.Range(0, domain.MAX_DUE_DAYS))
    metricsAssociation = fields.List(fields.Nested(TemplateMetricInput), validate=validate.Length(max=MAX_METRICS))


# --- request wrappers (validated by hand where the document gives errors their own codes) ---------------
class LinksInput(Schema):
    CTA = fields.List(fields.String())
    SP = fields.List(fields.String())


class RecordRequest(Schema):
    record = fields.Dict(required=True)
    association = fields.Nested(LinksInput)
    dissociation = fields.Nested(LinksInput)


class RecordsRequest(Schema):
    """create/update of goals (one record) and templates (up to 100)."""
    requests = fields.List(fields.Nested(RecordRequest), required=True)
    lookups = fields.Dict(keys=fields.String(), values=fields.Dict())


class FetchRequest(Schema):
    select = fields.List(fields.String())
    where = fields.Dict()
    pageSize = Int64()
    pageNumber = Int64()


class RecordIdsRequest(Schema):
    class Meta:
        unknown = RAISE

    recordIds = fields.List(_gsid(), required=True, validate=validate.Length(1, 1000))


# --- metrics -------------------------------------------------------------------------------------------
class MetricInput(Schema):
    class Meta:
        unknown = RAISE

    gsid = _gsid()
    name = fields.String(validate=validate.Length(1, 255))
    unitOfMeasure = fields.String(validate=validate.OneOf(domain.UNITS_OF_MEASURE))
    description = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    externalId = fields.String(allow_none=True, validate=validate.Length(max=64))
    active = fields.Boolean()


class MetricRequest(Schema):
    class Meta:
        unknown = RAISE

    record = fields.Nested(MetricInput, required=True)
    associateGoalTypes = fields.List(_gsid(), validate=validate.Length(max=MAX_RECORDS))
    associateGoalTypeNames = fields.List(fields.String(validate=validate.Length(1, 120)),
                                         validate=validate.Length(max=MAX_RECORDS))
    dissociateGoalTypes = fields.List(_gsid(), validate=validate.Length(max=MAX_RECORDS))
    dissociateGoalTypeNames = fields.List(fields.String(validate=validate.Length(1, 120)),
                                          validate=validate.Length(max=MAX_RECORDS))


class MetricsRequest(Schema):
    class Meta:
        unknown = RAISE

    requests = fields.List(fields.Nested(MetricRequest), required=True, validate=validate.Length(1, MAX_RECORDS))


# --- picklists -----------------------------------------------------------------------------------------
class PicklistQuery(Schema):
    class Meta:
        unknown = RAISE

    entityIds = fields.List(fields.String(validate=validate.Length(1, 64)), validate=validate.Length(max=100))
    active = fields.Boolean()
    includeMetrics = fields.Boolean()
    includeChildPicklist = fields.Boolean()
    picklistCategory = fields.String(validate=validate.OneOf(domain.PICKLIST_CATEGORIES))


class PicklistInput(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(1, 120))
    picklistCategory = fields.String(required=True, validate=validate.OneOf(domain.PICKLIST_CATEGORIES))
    color = fields.String(validate=validate.Regexp(r"^#[0-9A-Fa-f]{6}$"))
    active = fields.Boolean()
    openStatusType = fields.Boolean()
    associationIds = fields.List(fields.String(validate=validate.OneOf(domain.ASSOCIATION_IDS)),
                                 validate=validate.Length(1, len(domain.ASSOCIATION_IDS)))


class PicklistsRequest(Schema):
    class Meta:
        unknown = RAISE

    picklists = fields.List(fields.Nested(PicklistInput), required=True, validate=validate.Length(1, MAX_RECORDS))


# built once: a schema costs more to build than to load with
GOAL_RECORD, TEMPLATE_RECORD = GoalRecordInput(), TemplateRecordInput()
RECORD_IDS, METRICS, PICKLIST_QUERY, PICKLISTS = (RecordIdsRequest(), MetricsRequest(), PicklistQuery(),
                                                  PicklistsRequest())
