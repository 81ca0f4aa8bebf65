"""The API's JSON shapes (the document's fields) and the event snapshot. Timestamps are UTC ISO 8601
with `Z`; the list's contact columns are days (`YYYY-MM-DD`), as the document shows them."""
from decimal import Decimal

from infra.events import isoformat
from services.prospects.domain.catalog import (FOLLOW_UPS, ONBOARDING_LABELS, ONBOARDING_STATUSES,
                                               ONBOARDING_STEPS, ROLES, shipments_desc)
from services.prospects.domain.timeline import days_since, days_without_contact


def number(amount):
    """A money amount as a JSON number: 5000 rather than 5000.00, 15000.5 as it is."""
    if amount is None:
        return None
    amount = Decimal(amount)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def day(moment):
    return None if moment is None else moment.strftime("%Y-%m-%d")


def services_of(prospect):
    return [int(item) for item in prospect.services.split(",") if item] if prospect.services else []


def prospect_view(prospect, salesman_name=None, next_contact=None, today=None):
    return {"id": prospect.id, "name": prospect.name, "company_name": prospect.company_name,
            "email": prospect.email, "phone_code": prospect.phone_code, "phone": prospect.phone,
            "company_id": prospect.company_id, "follow_up_id": prospect.follow_up_id,
            "follow_name": FOLLOW_UPS[prospect.follow_up_id], "locale_id": prospect.locale_id, "type": prospect.type,
            "status": prospect.status, "created_by": prospect.created_by, "salesman_name": salesman_name,
            "first_contact": isoformat(prospect.first_contact), "last_contact": isoformat(prospect.last_contact),
            "next_contact": isoformat(next_contact),
            "days_without_contact": days_without_contact(prospect.last_contact, prospect.created_at, today),
            "days_uc": days_since(prospect.follow_changed_at, today),
            "created_at": isoformat(prospect.created_at), "updated_at": isoformat(prospect.updated_at)}


def follow_data_view(prospect):
    return {"channel": prospect.channel, "account_value": number(prospect.account_value),
            "monthly_shipments": prospect.monthly_shipments,
            "monthly_shipments_desc": shipments_desc(prospect.monthly_shipments),
            "ecommerce_type_id": prospect.ecommerce_type_id, "weight_id": prospect.weight_id,
            "content_id": prospect.content_id, "plan_type_id": prospect.plan_type_id,
            "account_type": prospect.account_type, "estimated_close_date": day(prospect.estimated_close_date),
            "commercial_offer_date": day(prospect.commercial_offer_date), "annotations": prospect.annotations,
            "campaign": prospect.campaign, "lead_status": prospect.lead_status,
            "has_recharge": prospect.has_recharge, "verified": prospect.verified, "tier": prospect.tier,
            "services": services_of(prospect), "balance": number(prospect.balance)}


def assignments_view(prospect):
    return {role: getattr(prospect, role) for role in ROLES}


def grouped_record(prospect, salesman_name):
    return {"id": prospect.id, "company_name": prospect.company_name, "name": prospect.name, "email": prospect.email,
            "follow_up_id": prospect.follow_up_id, "follow_name": FOLLOW_UPS[prospect.follow_up_id],
            "balance": number(prospect.balance), "account_value": number(prospect.account_value),
            "last_contact": isoformat(prospect.last_contact), "salesman_name": salesman_name,
            "verified": prospect.verified, "tier": prospect.tier, "monthly_shipments": prospect.monthly_shipments,
            "services": services_of(prospect), "type": prospect.type, "company_id": prospect.company_id}


def list_record(prospect, salesman_name, next_contact, today):
    return {"id": prospect.id, "company_name": prospect.company_name, "name": prospect.name,
            "email": prospect.email, "follow_up_id": prospect.follow_up_id,
            "follow_name": FOLLOW_UPS[prospect.follow_up_id], "salesman_name": salesman_name,
            "balance": number(prospect.balance), "account_value": number(prospect.account_value),
            "first_contact": day(prospect.first_contact), "last_contact": day(prospect.last_contact),
            "days_uc": days_since(prospect.follow_changed_at, today),
            "days_without_contact": days_without_contact(prospect.last_contact, prospect.created_at, today),
            "next_contact": day(next_contact), "monthly_shipments": prospect.monthly_shipments,
            "monthly_shipments_desc": shipments_desc(prospect.monthly_shipments), "campaign": prospect.campaign,
            "lead_status": prospect.lead_status, "estimated_close_date": day(prospect.estimated_close_date),
            "type": prospect.type, "company_id": prospect.company_id, "created_at": isoformat(prospect.created_at)}


def note_view(note, author_name=None):
    return {"id": note.id, "prospect_id": note.prospect_id, "action": note.action, "note": note.comment,
            "follow": note.follow_up_id, "follow_name": FOLLOW_UPS.get(note.follow_up_id),
            "scheduled_date": isoformat(note.scheduled_date), "contact_at": isoformat(note.contact_at),
            "created_by": note.created_by, "created_by_name": author_name,
            "created_at": isoformat(note.created_at), "updated_at": isoformat(note.updated_at)}


def activity_view(row, author_name):
    """A note of the calendar: `row` has the note's columns and its prospect's names, company id and status."""
    is_client = row.company_id is not None
    return {"id": row.id, "entity_name": row.company_name or row.name,
            "entity_type": "client" if is_client else "prospect",
            "entity_id": row.company_id if is_client else row.prospect_id, "prospect_id": row.prospect_id,
            "action": row.action, "comment": row.comment, "scheduled_date": isoformat(row.scheduled_date),
            "created_by": row.created_by, "created_by_name": author_name, "follow_name": FOLLOW_UPS[row.follow_up_id]}


def contact_view(contact):
    return {"id": contact.id, "prospect_id": contact.prospect_id, "name": contact.name, "email": contact.email,
            "phone_code": contact.phone_code, "phone": contact.phone, "position": contact.position,
            "isDefault": False, "created_at": isoformat(contact.created_at)}


def default_contact_view(prospect):
    """The prospect's own contact, first in the contacts list."""
    return {"id": None, "prospect_id": prospect.id, "name": prospect.name, "email": prospect.email,
            "phone_code": prospect.phone_code, "phone": prospect.phone, "position": None, "isDefault": True,
            "created_at": isoformat(prospect.created_at)}


def location_view(location):
    return {"id": location.id, "prospect_id": location.prospect_id, "name": location.name, "link": location.link,
            "type": location.type, "created_at": isoformat(location.created_at),
            "updated_at": isoformat(location.updated_at)}


def partner_view(partner):
    if partner is None:
        return None
    return {"url": partner.url, "partner_type_id": partner.partner_type_id,
            "partner_origin_id": partner.partner_origin_id, "rating": partner.rating, "locale_id": partner.locale_id,
            "social_network": partner.social_network, "updated_at": isoformat(partner.updated_at)}


def company_view(prospect, salesman_name=None):
    return {"id": prospect.company_id, "prospect_id": prospect.id, "company_name": prospect.company_name,
            "name": prospect.name, "email": prospect.email, "phone_code": prospect.phone_code,
            "phone": prospect.phone, "balance": number(prospect.balance), "follow_up_id": prospect.follow_up_id,
            "follow_name": FOLLOW_UPS[prospect.follow_up_id], "type": prospect.type,
            "created_by": prospect.created_by, "salesman_name": salesman_name,
            "created_at": isoformat(prospect.created_at)}


def onboarding_view(prospect, steps, translate):
    """`steps`: {step key: done_at}; with `translate`, readable labels next to the keys."""
    status = ONBOARDING_STATUSES[prospect.onboarding_status or 0]
    view = {"company_id": prospect.company_id, "status": status, "completed": len(steps),
            "total": len(ONBOARDING_STEPS), "steps": []}
    for key, label in ONBOARDING_STEPS.items():
        step = {"key": key, "done": key in steps, "done_at": isoformat(steps.get(key))}
        if translate:
            step["label"] = label
        view["steps"].append(step)
    if translate:
        view["status_label"] = ONBOARDING_LABELS[status]
    return view


def snapshot(prospect):
    """The prospect as events carry it (contracts/events.py ProspectSnapshot)."""
    return {"id": prospect.id, "uuid": prospect.uuid, "workspace_id": prospect.workspace_id, "type": prospect.type,
            "name": prospect.name, "company_name": prospect.company_name, "email": prospect.email,
            "phone_code": prospect.phone_code, "phone": prospect.phone, "locale_id": prospect.locale_id,
            "follow_up_id": prospect.follow_up_id, "follow_name": FOLLOW_UPS[prospect.follow_up_id],
            "company_id": prospect.company_id, "created_by": prospect.created_by, "campaign": prospect.campaign,
            "channel": prospect.channel, "account_value": "{:.2f}".format(Decimal(prospect.account_value or 0)),
            "monthly_shipments": prospect.monthly_shipments, "created_at": isoformat(prospect.created_at),
            "updated_at": isoformat(prospect.updated_at)}
