"""Filters and sort orders as SQL: the WHERE of a listing and its ORDER BY."""
from sqlalchemy import and_, func, select

from services.prospects.domain.keys import like_pattern
from services.prospects.models import Note, Prospect, Salesman


def next_contact_of(now):
    """A prospect's next contact: its earliest note scheduled after `now` (correlated, per row)."""
    return (select(func.min(Note.scheduled_date))
            .where(Note.prospect_id == Prospect.id, Note.scheduled_date > now)
            .correlate(Prospect).scalar_subquery())


def _range(column, bounds, inclusive_high=False):
    low, high = bounds
    conditions = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column <= high if inclusive_high else column < high)
    return conditions


def conditions(filters, now):
    """The WHERE conditions of `filters` (domain.filters.Filters) on prospects."""
    where = [Prospect.workspace_id == filters.workspace_id, Prospect.source == filters.source]
    if filters.salesman_only is not None:
        where.append(Prospect.created_by == filters.salesman_only)
    members = ((Prospect.follow_up_id, filters.follow_ups), (Prospect.type, filters.types),
               (Prospect.created_by, filters.salesmen), (Prospect.onboarding_status, filters.onboarding),
               (Prospect.ecommerce_type_id, filters.ecommerce), (Prospect.campaign, filters.campaigns),
               (Prospect.weight_id, filters.weights), (Prospect.content_id, filters.contents),
               (Prospect.plan_type_id, filters.plan_types), (Prospect.lead_status, filters.lead_statuses))
    where.extend(column.in_(values) for column, values in members if values is not None)
    where.extend(getattr(Prospect, role).in_(ids) for role, ids in filters.roles)
    if filters.search:
        where.append(Prospect.search_key.like(like_pattern(filters.search), escape="\\"))
    if filters.min_shipments is not None:
        where.append(Prospect.monthly_shipments >= filters.min_shipments)
    if filters.has_recharge is not None:
        where.append(Prospect.has_recharge.is_(filters.has_recharge))
    if filters.created is not None:
        where.extend(_range(Prospect.created_at, filters.created))
    if filters.next_contact is not None:
        where.extend(_range(next_contact_of(now), filters.next_contact))
    if filters.estimated_close is not None:
        where.extend(_range(Prospect.estimated_close_date, filters.estimated_close, inclusive_high=True))
    if filters.commercial_offer is not None:
        where.extend(_range(Prospect.commercial_offer_date, filters.commercial_offer, inclusive_high=True))
    return where


SALESMAN_JOIN = and_(Salesman.workspace_id == Prospect.workspace_id, Salesman.user_id == Prospect.created_by)


def sort_key(column, now):
    """The expression a column sorts by: names case-insensitively, the follow-up in pipeline order,
    the days columns by their timestamp (sorted the other way: `Order.timestamp_descending`)."""
    return {
        "id": Prospect.id, "company_name": func.lower(Prospect.company_name), "name": func.lower(Prospect.name),
        "email": Prospect.email_key, "follow_name": Prospect.follow_up_id, "salesman_name": func.lower(Salesman.name),
        "balance": Prospect.balance, "account_value": Prospect.account_value,
        "first_contact": Prospect.first_contact, "last_contact": Prospect.last_contact,
        "days_uc": Prospect.follow_changed_at,
        "days_without_contact": func.coalesce(Prospect.last_contact, Prospect.created_at),
        "next_contact": next_contact_of(now), "monthly_shipments": Prospect.monthly_shipments,
        "monthly_shipments_desc": Prospect.monthly_shipments, "campaign": func.lower(Prospect.campaign),
        "lead_status": func.lower(Prospect.lead_status), "estimated_close_date": Prospect.estimated_close_date,
        "created_at": Prospect.created_at,
    }[column]


def order_by(order, now):
    """ORDER BY of `order` (domain.filters.Order): empty values last either way, ties by id in the
    direction of the sorted column, so pages never overlap."""
    descending = order.timestamp_descending
    if order.column == "id":
        return [Prospect.id.desc() if descending else Prospect.id.asc()]
    key = sort_key(order.column, now)
    key = key.desc() if descending else key.asc()
    return [key.nulls_last(), Prospect.id.desc() if descending else Prospect.id.asc()]
