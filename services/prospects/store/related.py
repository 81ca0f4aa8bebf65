"""What hangs off a prospect: notes, extra contacts, locations, partner data."""
from sqlalchemy import func, select

from services.prospects.models import ExtraContact, Location, Note, PartnerData, Prospect


def add(db, record):
    db.add(record)
    db.flush()
    return record


def notes_of(db, prospect_id):
    """Newest first."""
    return db.scalars(select(Note).where(Note.prospect_id == prospect_id)
                      .order_by(Note.created_at.desc(), Note.id.desc())).all()


def note(db, workspace_id, note_id, prospect_id, for_update=False):
    query = select(Note).where(Note.id == note_id, Note.workspace_id == workspace_id, Note.prospect_id == prospect_id)
    return db.scalar(query.with_for_update() if for_update else query)


def contact_bounds(db, prospect_id):
    """(first, last) contact of the prospect's notes."""
    return db.execute(select(func.min(Note.contact_at), func.max(Note.contact_at))
                      .where(Note.prospect_id == prospect_id)).one()


def contacts_of(db, prospect_id):
    return db.scalars(select(ExtraContact).where(ExtraContact.prospect_id == prospect_id)
                      .order_by(ExtraContact.id)).all()


def contact(db, workspace_id, contact_id, for_update=False):
    query = select(ExtraContact).where(ExtraContact.id == contact_id, ExtraContact.workspace_id == workspace_id)
    return db.scalar(query.with_for_update() if for_update else query)


def contact_holding(db, workspace_id, email_key, phone_key, prospect_id, except_id=None):
    """An extra contact of the prospect with this email or phone (other than `except_id`), or None."""
    query = select(ExtraContact.id).where(ExtraContact.workspace_id == workspace_id,
                                          ExtraContact.prospect_id == prospect_id,
                                          (ExtraContact.email_key == email_key) | (ExtraContact.phone_key == phone_key))
    if except_id is not None:
        query = query.where(ExtraContact.id != except_id)
    return db.scalar(query.limit(1))


def delete(db, record):
    db.delete(record)
    db.flush()


def locations_of(db, prospect_id):
    return db.scalars(select(Location).where(Location.prospect_id == prospect_id).order_by(Location.id)).all()


def location(db, workspace_id, location_id, salesman=None, clients_only=False, for_update=False):
    """The location and its prospect, in the workspace (and the salesman's, when given)."""
    query = (select(Location, Prospect).join(Prospect, Prospect.id == Location.prospect_id)
             .where(Location.id == location_id, Location.workspace_id == workspace_id))
    if salesman is not None:
        query = query.where(Prospect.created_by == salesman)
    if clients_only:
        query = query.where(Prospect.company_id.isnot(None))
    row = db.execute(query.with_for_update(of=Location) if for_update else query).first()
    return (row[0], row[1]) if row else (None, None)


def partner_of(db, prospect_id):
    return db.get(PartnerData, prospect_id)
