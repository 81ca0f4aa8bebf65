"""What a listing asks for: the filters of grouped, list, kpis and activities, read from the loaded
query, and the sort order of a page."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Mapping

from services.prospects.domain.catalog import FOLLOW_UPS, ROLES, SOURCES, onboarding_code
from services.prospects.domain.timeline import inclusive_end, month_bounds, start_of

RESTRICTED = ("salesman", "startDate", "endDate")  # filters that need the all-prospects permission
# filters the maintained totals can answer (prospect_totals is keyed by them)
COUNTED = {"workspace_id", "source", "salesman_only", "follow_ups", "types", "salesmen"}
INVERTED_SORTS = ("days_uc", "days_without_contact")  # more days = an older timestamp


@dataclass(frozen=True)
class Filters:
    workspace_id: int
    source: int
    salesman_only: int | None = None  # the caller without all-prospects sees only their own
    follow_ups: tuple[int, ...] | None = None
    types: tuple[int, ...] | None = None
    salesmen: tuple[int, ...] | None = None
    search: str | None = None
    onboarding: tuple[int, ...] | None = None
    ecommerce: tuple[int, ...] | None = None
    campaigns: tuple[str, ...] | None = None
    weights: tuple[int, ...] | None = None
    contents: tuple[int, ...] | None = None
    plan_types: tuple[int, ...] | None = None
    lead_statuses: tuple[str, ...] | None = None
    min_shipments: int | None = None
    has_recharge: bool | None = None
    created: tuple[datetime | None, datetime | None] | None = None  # [from, to)
    next_contact: tuple[datetime | None, datetime | None] | None = None  # [from, to)
    estimated_close: tuple[date | None, date | None] | None = None  # inclusive days
    commercial_offer: tuple[date | None, date | None] | None = None
    roles: tuple[tuple[str, tuple[int, ...]], ...] = field(default_factory=tuple)

    def categories(self) -> list[int]:
        """The Kanban categories (= follow-up statuses) these filters leave, in pipeline order."""
        return [follow for follow in FOLLOW_UPS if self.follow_ups is None or follow in self.follow_ups]

    def is_whole_source(self) -> bool:
        """True when nothing narrows the workspace's source (every prospect of it is selected)."""
        return self.roles == () and all(getattr(self, item.name) is None for item in fields(self)
                                        if item.name not in ("workspace_id", "source", "roles"))

    def counted_by_totals(self) -> bool:
        """True when only the keys of the maintained totals filter (no per-row scan needed to count)."""
        return self.roles == () and all(getattr(self, item.name) is None for item in fields(self)
                                        if item.name not in COUNTED and item.name != "roles")


@dataclass(frozen=True)
class Order:
    column: str = "id"
    descending: bool = True

    @property
    def timestamp_descending(self) -> bool:
        """The direction to sort the underlying column in (days columns sort their timestamp inversely)."""
        return not self.descending if self.column in INVERTED_SORTS else self.descending


def restricted_filters(query: Mapping[str, Any]) -> list[str]:
    return [name for name in RESTRICTED if name in query]


def _days(low: Any, high: Any) -> tuple[date | None, date | None] | None:
    if low is None and high is None:
        return None
    as_day = (lambda value: value.date() if isinstance(value, datetime) else value)
    return (as_day(low) if low is not None else None, as_day(high) if high is not None else None)


def _moments(low: Any, high: Any) -> tuple[datetime | None, datetime | None] | None:
    if low is None and high is None:
        return None
    return (start_of(low) if low is not None else None, inclusive_end(high) if high is not None else None)


def _follow_ups(query: Mapping[str, Any]) -> tuple[int, ...] | None:
    follow, category = query.get("follow"), query.get("category")
    if category is None:
        return follow
    return tuple(item for item in (follow or (category,)) if item == category)


def filters_from(query: Mapping[str, Any], workspace_id: int, salesman_only: int | None,
                 with_created: bool = True) -> Filters:
    """`query`: a loaded Filters schema; `with_created`: startDate/endDate filter the creation date
    (activities reads them as its calendar range instead)."""
    estimated = _days(query.get("estimatedCloseDate_from"), query.get("estimatedCloseDate_to"))
    if "estimatedCloseMonth" in query:
        month = month_bounds(query["estimatedCloseMonth"])
        if month is not None:
            low, high = month
            if estimated is not None:  # both given: the days of the month inside the range
                low = max(low, estimated[0]) if estimated[0] else low
                high = min(high, estimated[1]) if estimated[1] else high
            estimated = (low, high)
    onboarding = query.get("onboarding")
    return Filters(
        workspace_id=workspace_id, source=SOURCES[query.get("source", "company")], salesman_only=salesman_only,
        follow_ups=_follow_ups(query), types=query.get("type"), salesmen=query.get("salesman"),
        search=query.get("search"), ecommerce=query.get("ecommerce"), campaigns=query.get("campaing"),
        onboarding=tuple(code for code in map(onboarding_code, onboarding) if code is not None) if onboarding else None,
        weights=query.get("weightRange"), contents=query.get("contentId"), plan_types=query.get("planTypeId"),
        lead_statuses=query.get("leadStatus"), min_shipments=query.get("minShipments"),
        has_recharge=query.get("hasRecharge"),
        created=_moments(query.get("startDate"), query.get("endDate")) if with_created else None,
        next_contact=_moments(query.get("nextContact_from"), query.get("nextContact_to")),
        estimated_close=estimated,
        commercial_offer=_days(query.get("commercialOfferDate_from"), query.get("commercialOfferDate_to")),
        roles=tuple((role, query[role]) for role in ROLES if query.get(role)))


def order_from(query: Mapping[str, Any]) -> Order:
    """`sortBy` (default: newest first) and `sortType` (default asc when a column is named)."""
    column = query.get("sortBy")
    if column is None:
        return Order("id", (query.get("sortType") or "desc").lower() == "desc")
    return Order(column, (query.get("sortType") or "asc").lower() == "desc")
