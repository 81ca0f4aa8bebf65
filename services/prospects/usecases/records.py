"""One record: the detail of a prospect or a client, and the PATCH endpoints of its fields."""
from infra.db import now_utc
from infra.validation import load
from services.prospects.domain import keys
from services.prospects.domain.catalog import PARTNER, ROLES
from services.prospects.exceptions import InvalidProspect, InvalidQuery
from services.prospects.models import PartnerData
from services.prospects.schemas import views
from services.prospects.schemas.inputs import DATA_PATCH, PARTNER_DATA, PROSPECT_PATCH
from services.prospects.schemas.queries import DETAIL_QUERY
from services.prospects.store import clients, listing, related, salesmen, totals
from services.prospects.usecases.access import (PARTNERS, PROSPECTS, body, by_prospect, find, full_name, names_of,
                                                remember_caller, require, users_by_id)
from services.prospects.usecases.changes import record_update, set_own_contact

DATA_FIELDS = ("ecommerce_type_id", "channel", "account_value", "monthly_shipments", "weight_id", "content_id",
               "plan_type_id", "annotations", "account_type", "estimated_close_date", "commercial_offer_date",
               "campaign", "lead_status", "has_recharge", "verified", "tier")
PARTNER_FIELDS = ("url", "partner_type_id", "partner_origin_id", "rating", "locale_id", "social_network")


def _record_view(ctx, prospect, notes=()):
    """The record's own view: `prospect` (with its salesman's name and next contact) or, for a client
    reached by its company id, `company`."""
    now = now_utc()
    names = names_of(ctx, {prospect.created_by} | {note.created_by for note in notes})
    upcoming = listing.next_contacts(ctx.db, [prospect.id], now).get(prospect.id)
    return views.prospect_view(prospect, names.get(prospect.created_by), upcoming, now.date()), names


def get_prospect(ctx, ref, args=None):
    require(ctx, PROSPECTS)
    load(DETAIL_QUERY, args if isinstance(args, dict) else {}, InvalidQuery)
    prospect = find(ctx, ref)
    notes = related.notes_of(ctx.db, prospect.id)
    view, names = _record_view(ctx, prospect, notes)
    return {"prospect": view, "follow_data": views.follow_data_view(prospect),
            "assignments": views.assignments_view(prospect),
            "partner_data": views.partner_view(related.partner_of(ctx.db, prospect.id)),
            "notes": [views.note_view(note, names.get(note.created_by)) for note in notes],
            "contacts": [views.contact_view(contact) for contact in related.contacts_of(ctx.db, prospect.id)],
            "locations": [views.location_view(location) for location in related.locations_of(ctx.db, prospect.id)]}


def get_client(ctx, ref):
    require(ctx, PROSPECTS)
    prospect = find(ctx, ref)
    notes = related.notes_of(ctx.db, prospect.id)
    names = names_of(ctx, {prospect.created_by} | {note.created_by for note in notes})
    return {"company": views.company_view(prospect, names.get(prospect.created_by)),
            "follow_data": views.follow_data_view(prospect), "assignments": views.assignments_view(prospect),
            "notes": [views.note_view(note, names.get(note.created_by)) for note in notes],
            "contacts": [views.contact_view(contact) for contact in related.contacts_of(ctx.db, prospect.id)],
            "locations": [views.location_view(location) for location in related.locations_of(ctx.db, prospect.id)],
            "integrations": [],
            "onboarding": views.onboarding_view(prospect, clients.steps_of(ctx.db, prospect.company_id), False)}


def update_prospect(ctx, prospect_id, payload):
    """PATCH /prospects/{id}: the core fields; `created_by` hands the prospect to another salesman."""
    me = require(ctx)
    data = load(PROSPECT_PATCH, body(payload), InvalidProspect)
    salesman = None
    if "created_by" in data:  # asked before the row is locked
        salesman = users_by_id(ctx, [data["created_by"]]).get(data["created_by"])
        if salesman is None:
            raise InvalidProspect("created_by is not an active user of this workspace", "created_by")
    prospect = find(ctx, by_prospect(prospect_id), for_update=True)
    before = totals.key_of(prospect)
    set_own_contact(ctx, prospect, data)
    if salesman is not None:
        salesmen.remember(ctx.db, me.workspace_id, {salesman["id"]: full_name(salesman)})
        prospect.created_by = salesman["id"]
    record_update(ctx.db, prospect, before, now_utc())
    remember_caller(ctx)
    ctx.db.commit()
    return {"prospect": _record_view(ctx, prospect)[0]}


def update_data(ctx, ref, payload):
    """PATCH /prospects/{id}/data and /clients/{id}/data: follow-up data and role assignments."""
    me = require(ctx, PROSPECTS)
    data = load(DATA_PATCH, body(payload), InvalidProspect)
    assignments = data.get("assignments", {})
    assignees = users_by_id(ctx, [user_id for user_id in assignments.values() if user_id is not None])
    prospect = find(ctx, ref, for_update=True)
    before = totals.key_of(prospect)
    for role in ROLES:
        if role in assignments:
            if assignments[role] is not None and assignments[role] not in assignees:
                raise InvalidProspect("assignments.{} is not an active user of this workspace".format(role),
                                      "assignments." + role)
            setattr(prospect, role, assignments[role])
    salesmen.remember(ctx.db, me.workspace_id, {user["id"]: full_name(user) for user in assignees.values()})
    for name in DATA_FIELDS:
        if name in data:
            setattr(prospect, name, data[name])
    if "name" in data:
        prospect.name = data["name"]
        prospect.search_key = keys.search_key(prospect.company_name, prospect.name)
    if "locale" in data:
        prospect.locale_id = data["locale"]
    if "services" in data:
        prospect.services = ",".join(str(item) for item in dict.fromkeys(data["services"]))
    record_update(ctx.db, prospect, before, now_utc())
    ctx.db.commit()
    view = (views.company_view(prospect, names_of(ctx, [prospect.created_by]).get(prospect.created_by))
            if ref.kind == "client" else _record_view(ctx, prospect)[0])
    return {"company" if ref.kind == "client" else "prospect": view,
            "follow_data": views.follow_data_view(prospect), "assignments": views.assignments_view(prospect)}


def update_partner_data(ctx, prospect_id, payload):
    """PATCH /prospects/{id}/partner-data: only partners (type 3) have partner data."""
    me = require(ctx, PARTNERS)
    data = load(PARTNER_DATA, body(payload), InvalidProspect)
    prospect = find(ctx, by_prospect(prospect_id), for_update=True)
    if prospect.type != PARTNER:
        raise InvalidProspect("Partner data applies only to partner prospects (type 3)", "type")
    partner = related.partner_of(ctx.db, prospect.id)
    if partner is None:
        partner = PartnerData(prospect_id=prospect.id, workspace_id=me.workspace_id)
        ctx.db.add(partner)
    for name in PARTNER_FIELDS:  # every field: what is not sent is cleared
        setattr(partner, name, data.get(name))
    partner.updated_at = now_utc()
    ctx.db.commit()
    return {"prospect_id": prospect.id, "partner_data": views.partner_view(partner)}
