"""Contacts over time: when a note's contact happened, how long a prospect has gone without one,
what a follow-up status change brings with it. Datetimes are naive UTC."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.prospects.domain.catalog import ACTIVE_CLIENT, CLIENT, COMMERCIAL_OFFER, PROSPECT


def contact_at(created_at: datetime, scheduled_date: datetime | None) -> datetime:
    """A note records a contact when it is written, or at its `scheduled_date` when that lies before
    the writing (a call logged afterwards); a date ahead plans the next contact instead."""
    if scheduled_date is not None and scheduled_date < created_at:
        return scheduled_date
    return created_at


def days_since(moment: datetime | date | None, today: date) -> int | None:
    if moment is None:
        return None
    day = moment.date() if isinstance(moment, datetime) else moment
    return max(0, (today - day).days)


def days_without_contact(last_contact: datetime | None, created_at: datetime, today: date) -> int | None:
    """Days since the last contact; a prospect never contacted counts from its creation."""
    return days_since(last_contact or created_at, today)


@dataclass(frozen=True)
class StatusMove:
    """What moving a record to a follow-up status changes besides the status itself."""
    type: int
    becomes_client: bool  # needs a company id
    commercial_offer_date: date | None


def move_to(follow_up_id: int, record_type: int, has_company: bool, offer_date: date | None,
            today: date) -> StatusMove:
    """`active_client` makes a prospect a client (type 2, with a company id; a partner stays type 3 and
    gets one too); the first move to `commercial_offer` dates the offer."""
    new_type = record_type
    becomes_client = False
    if follow_up_id == ACTIVE_CLIENT:
        if record_type == PROSPECT:
            new_type = CLIENT
        becomes_client = not has_company
    if follow_up_id == COMMERCIAL_OFFER and offer_date is None:
        offer_date = today
    return StatusMove(new_type, becomes_client, offer_date)


def initial_status(record_type: int, follow_up_id: int | None) -> int:
    """A new record's status: the one given, else `active_client` for a client, `new_lead` otherwise."""
    if follow_up_id is not None:
        return follow_up_id
    return ACTIVE_CLIENT if record_type == CLIENT else 1


def inclusive_end(end: datetime | date) -> datetime:
    """The exclusive upper bound of a range ending at `end`: a date covers its whole day."""
    if isinstance(end, datetime):
        return end + timedelta(microseconds=1)
    return datetime(end.year, end.month, end.day) + timedelta(days=1)


def start_of(start: datetime | date) -> datetime:
    return start if isinstance(start, datetime) else datetime(start.year, start.month, start.day)


def month_bounds(month: str) -> tuple[date, date] | None:
    """"2026-04" -> (2026-04-01, 2026-04-30); None when it is not a month."""
    try:
        first = datetime.strptime(month.strip(), "%Y-%m").date()
    except ValueError:
        return None
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)
