"""A record's extra contacts, and its own contact (`isDefault`). An email or phone in use by a prospect
of the workspace (its own contact), an email of a user of the workspace, or a second contact of the
same record with the same email or phone is a 409."""
from infra.db import now_utc
from infra.validation import load
from services.prospects.domain import keys
from services.prospects.exceptions import ContactNotFound, DuplicateContact, InvalidProspect, ProspectNotFound
from services.prospects.models import ExtraContact
from services.prospects.schemas import views
from services.prospects.schemas.inputs import CONTACT_INPUT, CONTACT_UPDATE
from services.prospects.store import related, totals
from services.prospects.usecases.access import PROSPECTS, body, by_prospect, find, is_id, require
from services.prospects.usecases.changes import check_free, record_update, set_own_contact

CONTACT_FIELDS = ("name", "email", "phone_code", "phone", "position")


def _check_contact(ctx, prospect, email_key, phone_key, contact_id=None):
    check_free(ctx, email_key, phone_key)
    if related.contact_holding(ctx.db, ctx.me.workspace_id, email_key, phone_key, prospect.id, contact_id):
        raise DuplicateContact("Another contact of this record has this email or phone", "email")


def add_contact(ctx, ref, payload):
    me = require(ctx, PROSPECTS)
    data = load(CONTACT_INPUT, body(payload), InvalidProspect)
    prospect = find(ctx, ref)
    email_key, phone_key = keys.email_key(data["email"]), keys.phone_key(data["phone_code"], data["phone"])
    _check_contact(ctx, prospect, email_key, phone_key)
    now = now_utc()
    contact = related.add(ctx.db, ExtraContact(workspace_id=me.workspace_id, prospect_id=prospect.id,
                                               email_key=email_key, phone_key=phone_key, created_at=now,
                                               updated_at=now, **data))
    ctx.db.commit()
    return views.contact_view(contact)


def update_contact(ctx, ref, payload):
    """PUT: the extra contact named by `id`, or with `isDefault: true` the record's own contact."""
    require(ctx, PROSPECTS)
    data = load(CONTACT_UPDATE, body(payload), InvalidProspect)
    is_default = data.pop("isDefault")
    contact_id = data.pop("id", None)
    if not is_default and contact_id is None:
        raise InvalidProspect("id is required (or isDefault: true for the record's own contact)", "id")
    prospect = find(ctx, ref, for_update=True)
    if is_default:
        data.pop("position", None)  # the record's own contact has no position
        before = totals.key_of(prospect)
        set_own_contact(ctx, prospect, data)
        record_update(ctx.db, prospect, before, now_utc())
        ctx.db.commit()
        return {"id": None, "prospect_id": prospect.id, "name": prospect.name, "email": prospect.email,
                "phone_code": prospect.phone_code, "phone": prospect.phone, "position": None, "isDefault": True}
    contact = related.contact(ctx.db, ctx.me.workspace_id, contact_id, for_update=True)
    if contact is None or contact.prospect_id != prospect.id:
        raise ContactNotFound("Contact {} not found".format(contact_id), "id")
    email_key = keys.email_key(data.get("email", contact.email))
    phone_key = keys.phone_key(data.get("phone_code", contact.phone_code), data.get("phone", contact.phone))
    _check_contact(ctx, prospect, email_key if email_key != contact.email_key else None,
                   phone_key if phone_key != contact.phone_key else None, contact.id)
    for name in CONTACT_FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    contact.email_key, contact.phone_key, contact.updated_at = email_key, phone_key, now_utc()
    ctx.db.commit()
    return views.contact_view(contact)


def delete_contact(ctx, contact_id):
    """DELETE /prospects/{id}/contacts: the path names the contact (as the document says)."""
    require(ctx, PROSPECTS)
    contact = related.contact(ctx.db, ctx.me.workspace_id, contact_id, for_update=True) if is_id(contact_id) else None
    if contact is None:
        raise ContactNotFound("Contact {} not found".format(contact_id), "id")
    try:
        find(ctx, by_prospect(contact.prospect_id))
    except ProspectNotFound:  # another salesman's record: the contact is as missing as the record
        raise ContactNotFound("Contact {} not found".format(contact_id), "id")
    view = views.contact_view(contact)
    related.delete(ctx.db, contact)
    ctx.db.commit()
    return view
