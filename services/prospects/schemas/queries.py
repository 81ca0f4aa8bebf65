"""Query strings of the listing endpoints. Every value arrives as text; parameters we do not know are
ignored (DataTables sends its own, e.g. `draw`, `columns[...]`)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from infra.validation import Int64
from services.prospects.domain.catalog import FOLLOW_UPS, ONBOARDING_STATUSES, SOURCES, TYPES
from services.prospects.domain.timeline import month_bounds
from services.prospects.schemas.fields import CommaIds, CommaTexts, Flag, Moment, Text

SORT_COLUMNS = ("id", "company_name", "name", "email", "follow_name", "salesman_name", "balance", "account_value",
                "first_contact", "last_contact", "days_uc", "days_without_contact", "next_contact",
                "monthly_shipments", "monthly_shipments_desc", "campaign", "lead_status", "estimated_close_date",
                "created_at")
MAX_LENGTH = 1000


class Filters(Schema):
    """The filters of grouped, list and kpis (activities takes them too, but `startDate`/`endDate`)."""

    class Meta:
        unknown = EXCLUDE

    category = Int64(strict=False, validate=validate.Range(min=min(FOLLOW_UPS), max=max(FOLLOW_UPS)))
    search = Text(100, allow_none=True)
    follow = CommaIds(low=min(FOLLOW_UPS), high=max(FOLLOW_UPS))
    type = CommaIds(low=min(TYPES), high=max(TYPES))
    onboarding = CommaTexts(choices=tuple(ONBOARDING_STATUSES.values()))
    ecommerce = CommaIds()
    campaing = CommaTexts()  # sic: the document's name of the campaign filter
    salesman = CommaIds()
    startDate = Moment()
    endDate = Moment()
    source = fields.String(load_default="company", validate=validate.OneOf(tuple(SOURCES)))
    weightRange = CommaIds()
    contentId = CommaIds()
    planTypeId = CommaIds()
    minShipments = Int64(strict=False, validate=validate.Range(min=0))
    leadStatus = CommaTexts(max_length=50)
    estimatedCloseMonth = fields.String()
    hasRecharge = Flag()
    nextContact_from = Moment(data_key="nextContact[0]")
    nextContact_to = Moment(data_key="nextContact[1]")
    estimatedCloseDate_from = Moment(data_key="estimatedCloseDate[0]")
    estimatedCloseDate_to = Moment(data_key="estimatedCloseDate[1]")
    commercialOfferDate_from = Moment(data_key="commercialOfferDate[0]")
    commercialOfferDate_to = Moment(data_key="commercialOfferDate[1]")
    kae, kae_ltl, csr, csr_ltl = CommaIds(), CommaIds(), CommaIds(), CommaIds()
    fullfilment, wms, ecartpay, parapaquetes = CommaIds(), CommaIds(), CommaIds(), CommaIds()

    @pre_load
    def blanks_are_absent(self, data, **kwargs):
        """`?follow=&search=` is what a form sends for "no filter"."""
        return {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}

    @validates_schema
    def month_is_a_month(self, data, **kwargs):
        if "estimatedCloseMonth" in data and month_bounds(data["estimatedCloseMonth"]) is None:
            raise ValidationError("must be a month, YYYY-MM", "estimatedCloseMonth")


class Page(Filters):
    start = Int64(strict=False, load_default=0, validate=validate.Range(min=0))
    sortBy = fields.String(validate=validate.OneOf(SORT_COLUMNS))
    sortType = fields.String(validate=validate.OneOf(("asc", "desc", "ASC", "DESC")))
    draw = Int64(strict=False)  # DataTables' request counter, echoed


class ListQuery(Page):
    length = Int64(strict=False, load_default=25, validate=validate.Range(min=1, max=MAX_LENGTH))


class GroupedQuery(Page):
    length = Int64(strict=False, load_default=20, validate=validate.Range(min=1, max=MAX_LENGTH))
    counters = Flag(load_default=False)
    report = Flag(load_default=False)


class ActivitiesQuery(Filters):
    startDate = Moment(required=True)
    endDate = Moment(required=True)
    start = Int64(strict=False, load_default=0, validate=validate.Range(min=0))
    length = Int64(strict=False, load_default=200, validate=validate.Range(min=1, max=MAX_LENGTH))


class DetailQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    source = fields.String(load_default="company", validate=validate.OneOf(tuple(SOURCES)))


class OnboardingQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    translate = Flag(load_default=False)


FILTERS, LIST_QUERY, GROUPED_QUERY = Filters(), ListQuery(), GroupedQuery()
ACTIVITIES_QUERY, DETAIL_QUERY, ONBOARDING_QUERY = ActivitiesQuery(), DetailQuery(), OnboardingQuery()
