"""Pages, counts and the calendar. A page takes its ids first (an index-only scan for the default
order, however deep `start` goes) and then those rows."""
from sqlalchemy import func, select

from services.prospects.models import Note, Prospect, Salesman
from services.prospects.store.filters import SALESMAN_JOIN, order_by


def page(db, where, order, now, start, length):
    """The prospects of one page, in order."""
    query = select(Prospect.id).where(*where)
    if order.column == "salesman_name":
        query = query.outerjoin(Salesman, SALESMAN_JOIN)
    ids = db.scalars(query.order_by(*order_by(order, now)).offset(start).limit(length)).all()
    if not ids:
        return []
    rows = {prospect.id: prospect for prospect in db.scalars(select(Prospect).where(Prospect.id.in_(ids)))}
    return [rows[prospect_id] for prospect_id in ids]


def count(db, where):
    return db.scalar(select(func.count()).select_from(Prospect).where(*where))


def counts_by_follow(db, where):
    """{follow_up_id: (prospects, sum of account value)} of the prospects `where` selects."""
    query = (select(Prospect.follow_up_id, func.count(), func.coalesce(func.sum(Prospect.account_value), 0))
             .where(*where).group_by(Prospect.follow_up_id))
    return {follow: (int(number), value) for follow, number, value in db.execute(query)}


def next_contacts(db, prospect_ids, now):
    """{prospect id: its earliest note scheduled after `now`} of the prospects that have one."""
    if not prospect_ids:
        return {}
    query = (select(Note.prospect_id, func.min(Note.scheduled_date))
             .where(Note.prospect_id.in_(prospect_ids), Note.scheduled_date > now).group_by(Note.prospect_id))
    return dict(db.execute(query).all())


def activities(db, workspace_id, where, scheduled, start, length):
    """(note, prospect) of the notes scheduled within `scheduled` ([from, to)) on the prospects `where`
    selects, earliest first."""
    low, high = scheduled
    query = (select(Note, Prospect).join(Prospect, Prospect.id == Note.prospect_id)
             .where(Note.workspace_id == workspace_id, Note.scheduled_date >= low, Note.scheduled_date < high, *where)
             .order_by(Note.scheduled_date, Note.id).offset(start).limit(length))
    return db.execute(query).all()

