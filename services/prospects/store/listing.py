"""Pages, counts and the calendar. Listings read plain rows (attribute access, no ORM identity map).
A page takes its ids first, then those rows; in the default order without filters the ids are a
range of `Prospect.seq` (dense per workspace and source), so a page at start=90000 costs what the
first page does, and otherwise an index scan skips `start` entries."""
from sqlalchemy import func, select

from services.prospects.models import Note, Prospect, ProspectSequence, Salesman
from services.prospects.store.filters import SALESMAN_JOIN, order_by

PROSPECTS = Prospect.__table__
ACTIVITY_COLUMNS = (Note.id, Note.prospect_id, Note.action, Note.comment, Note.scheduled_date, Note.created_by,
                    Prospect.company_name, Prospect.name, Prospect.company_id, Prospect.follow_up_id)


def _ids_by_offset(db, where, order, now, start, length):
    query = select(Prospect.id).where(*where)
    if order.column == "salesman_name":
        query = query.outerjoin(Salesman, SALESMAN_JOIN)
    return db.scalars(query.order_by(*order_by(order, now)).offset(start).limit(length)).all()


def _ids_by_seq(db, workspace_id, source, descending, start, length):
    """The page of the whole source in id order: seq numbers [start + 1, start + length] counted from
    the newest (descending) or the oldest end."""
    last = db.scalar(select(ProspectSequence.last_seq).where(ProspectSequence.workspace_id == workspace_id,
                                                             ProspectSequence.source == source)) or 0
    low, high = (last - start - length + 1, last - start) if descending else (start + 1, start + length)
    seq = Prospect.seq
    query = (select(Prospect.id).where(Prospect.workspace_id == workspace_id, Prospect.source == source,
                                       seq >= low, seq <= high)
             .order_by(seq.desc() if descending else seq.asc()))
    return db.scalars(query).all()


def rows(db, ids):
    """The prospects of `ids`, in that order."""
    if not ids:
        return []
    found = {row.id: row for row in db.execute(select(PROSPECTS).where(PROSPECTS.c.id.in_(ids)))}
    return [found[prospect_id] for prospect_id in ids if prospect_id in found]


def page(db, filters, where, order, now, start, length):
    """One page of the prospects `where` selects (`filters` is what they were built from)."""
    if order.column == "id" and filters.is_whole_source():
        ids = _ids_by_seq(db, filters.workspace_id, filters.source, order.descending, start, length)
    else:
        ids = _ids_by_offset(db, where, order, now, start, length)
    return rows(db, ids)


def pages(db, wheres, order, now, start, length):
    """{key: page} for each {key: where} (the board's categories), the rows read in one statement."""
    ids = {key: _ids_by_offset(db, where, order, now, start, length) for key, where in wheres.items()}
    found = {row.id: row for row in rows(db, [item for key_ids in ids.values() for item in key_ids])}
    return {key: [found[item] for item in key_ids if item in found] for key, key_ids in ids.items()}


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
    """The notes scheduled within `scheduled` ([from, to)) on the prospects `where` selects, earliest
    first: rows of the note's and its prospect's columns the calendar shows."""
    low, high = scheduled
    query = (select(*ACTIVITY_COLUMNS).join(Prospect, Prospect.id == Note.prospect_id)
             .where(Note.workspace_id == workspace_id, Note.scheduled_date >= low, Note.scheduled_date < high, *where)
             .order_by(Note.scheduled_date, Note.id).offset(start).limit(length))
    return db.execute(query).all()
