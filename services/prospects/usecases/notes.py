"""Follow-up notes. A note records a contact (first/last contact of its record) and may move the
record to another follow-up status (`follow`); one scheduled ahead is the next contact."""
from infra.db import now_utc
from infra.validation import load
from services.prospects.domain import timeline
from services.prospects.exceptions import InvalidProspect, NoteNotFound
from services.prospects.models import Note
from services.prospects.schemas import views
from services.prospects.schemas.inputs import NOTE_INPUT, NOTE_PATCH
from services.prospects.store import related, totals
from services.prospects.usecases.access import (PROSPECTS, body, by_client, by_prospect, find, full_name, is_id,
                                                remember_caller, require)
from services.prospects.usecases.changes import record_update, set_status


def add_note(ctx, ref, payload):
    me = require(ctx, PROSPECTS)
    data = load(NOTE_INPUT, body(payload), InvalidProspect)
    prospect = find(ctx, ref, for_update=True)
    now = now_utc()
    contact_at = timeline.contact_at(now, data.get("scheduled_date"))
    note = related.add(ctx.db, Note(workspace_id=me.workspace_id, prospect_id=prospect.id, action=data.get("action"),
                                    comment=data["note"], follow_up_id=data.get("follow"),
                                    scheduled_date=data.get("scheduled_date"), contact_at=contact_at,
                                    created_by=me.user_id, created_at=now, updated_at=now))
    prospect.first_contact = min(prospect.first_contact or contact_at, contact_at)
    prospect.last_contact = max(prospect.last_contact or contact_at, contact_at)
    remember_caller(ctx)
    before = totals.key_of(prospect)
    if data.get("follow") is not None and set_status(ctx.db, prospect, data["follow"], now):
        record_update(ctx.db, prospect, before, now)
    ctx.db.commit()
    return views.note_view(note, full_name(me))


def update_note(ctx, entity_id, note_id, payload):
    """PATCH /prospects/{id}/notes/{noteId}: `origin` says whether {id} is a prospect id or a company id."""
    require(ctx, PROSPECTS)
    data = load(NOTE_PATCH, body(payload), InvalidProspect)
    ref = by_client(entity_id) if data["origin"] == "company" else by_prospect(entity_id)
    prospect = find(ctx, ref, for_update=True)
    note = related.note(ctx.db, ctx.me.workspace_id, note_id, prospect.id, for_update=True) if is_id(note_id) else None
    if note is None:
        raise NoteNotFound("Note {} not found".format(note_id), "noteId")
    note.scheduled_date = data["scheduled_date"]
    note.contact_at = timeline.contact_at(note.created_at, note.scheduled_date)
    note.updated_at = now_utc()
    ctx.db.flush()
    prospect.first_contact, prospect.last_contact = related.contact_bounds(ctx.db, prospect.id)
    ctx.db.commit()
    return views.note_view(note)
