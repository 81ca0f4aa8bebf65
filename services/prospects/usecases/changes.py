"""Changing a prospect the way every write must: its follow-up status with what that brings, its
own contact with unique keys, and last before the commit its version, its event in the outbox and
its move in the maintained totals, in one transaction."""
from contracts.events import PROSPECT_CHANGED, PROSPECT_CREATED
from infra.db import commit_or_raise
from infra.events import envelope
from infra.outbox import record_event
from services.prospects.domain import keys, timeline
from services.prospects.exceptions import DuplicateContact
from services.prospects.models import outbox
from services.prospects.schemas.views import snapshot
from services.prospects.store import prospects as prospects_store
from services.prospects.store import totals
from services.prospects.usecases.access import users_by_email


def event_of(prospect, change):
    event_type = PROSPECT_CREATED if change == "created" else PROSPECT_CHANGED
    return envelope(event_type, prospect.workspace_id, "prospect", prospect.uuid, prospect.version, change,
                    snapshot(prospect))


def record_update(db, prospect, totals_before, now):
    """The prospect changed: a new version, its `prospect_changed` event and its totals move."""
    prospect.updated_at = now
    prospect.version += 1
    db.flush()
    record_event(db, outbox, event_of(prospect, "updated"))
    totals.move_one(db, prospect.workspace_id, totals_before, totals.key_of(prospect))


def set_status(db, prospect, follow_up_id, now):
    """Moves the prospect to `follow_up_id` (True if it moved): `active_client` makes it a client
    with a company id, the first `commercial_offer` dates the offer."""
    if follow_up_id == prospect.follow_up_id:
        return False
    move = timeline.move_to(follow_up_id, prospect.type, prospect.company_id is not None,
                            prospect.commercial_offer_date, now.date())
    prospect.follow_up_id, prospect.follow_changed_at = follow_up_id, now
    prospect.type, prospect.commercial_offer_date = move.type, move.commercial_offer_date
    if move.becomes_client:
        prospects_store.make_client(db, prospect)
    return True


def set_own_contact(ctx, prospect, data):
    """Sets the prospect's own name, company, email and phone from `data` (the keys present), keeping
    emails and phones unique: one held by another prospect of the workspace, or an email held by a
    user of it, is a 409."""
    email_key = keys.email_key(data["email"]) if "email" in data else None
    phone_changes = {"phone", "phone_code"} & set(data)
    code, phone = data.get("phone_code", prospect.phone_code), data.get("phone", prospect.phone)
    phone_key = keys.phone_key(code, phone)
    check_free(ctx, email_key if email_key != prospect.email_key else None,
               phone_key if phone_changes and phone_key != prospect.phone_key else None, prospect.id)
    for name in ("name", "company_name"):
        if name in data:
            setattr(prospect, name, data[name])
    prospect.search_key = keys.search_key(prospect.company_name, prospect.name)
    if "email" in data:
        prospect.email, prospect.email_key = data["email"], email_key
    if phone_changes:
        prospect.phone_code, prospect.phone, prospect.phone_key = code, phone, phone_key
    # a concurrent write that took the key since the check: the unique index decides
    commit_or_raise(ctx.db, DuplicateContact("This email or phone belongs to another prospect of the workspace",
                                             "email"), flush_only=True)


def check_free(ctx, email_key, phone_key, prospect_id=None):
    """409 if another prospect of the workspace holds the email or phone, or a user the email."""
    me = ctx.me
    for field_name, key in (("email", email_key), ("phone", phone_key)):
        if key is None:
            continue
        holder = prospects_store.key_holder(ctx.db, me.workspace_id, **{field_name + "_key": key})
        if holder is not None and holder != prospect_id:
            raise DuplicateContact("This {} belongs to another prospect of the workspace".format(field_name),
                                   field_name)
    if email_key is not None and users_by_email(ctx, {email_key}):
        raise DuplicateContact("This email belongs to a user of the workspace", "email")
