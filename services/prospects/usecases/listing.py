"""The board (grouped), the table (list), the calendar (activities), the KPIs and the follow-up
catalog. Counts come from the maintained totals whenever the filters are among their keys."""
from infra.db import now_utc
from infra.validation import load
from services.prospects.domain.catalog import FOLLOW_UPS
from services.prospects.domain.filters import Filters, filters_from, order_from, restricted_filters
from services.prospects.domain.timeline import inclusive_end, start_of
from services.prospects.exceptions import InvalidQuery, MissingPermission
from services.prospects.models import Prospect
from services.prospects.schemas.queries import ACTIVITIES_QUERY, FILTERS, GROUPED_QUERY, LIST_QUERY
from services.prospects.schemas.views import activity_view, grouped_record, list_record, number
from services.prospects.store import filters as sql
from services.prospects.store import listing, totals
from services.prospects.usecases.access import ALL_PROSPECTS, PROSPECTS, names_of, own_only, require

REPORT_LIMIT = 5000  # records per category in report mode


def list_follow_ups(ctx):
    require(ctx, PROSPECTS)
    return [{"id": follow, "name": name, "category_id": follow, "category_name": name}
            for follow, name in FOLLOW_UPS.items()]


def _query(ctx, schema, args, restricted=None):
    """The loaded query and its Filters; 403 for a filter that needs all-prospects without it."""
    me = require(ctx, PROSPECTS)
    query = load(schema, args if isinstance(args, dict) else {}, InvalidQuery)
    needs_all = restricted_filters(query) if restricted is None else [name for name in restricted if name in query]
    if needs_all and ALL_PROSPECTS not in me.permissions:
        raise MissingPermission("The {} filter needs the all-prospects permission".format(needs_all[0]), needs_all[0])
    return query, filters_from(query, me.workspace_id, own_only(me), with_created=restricted is None)


def _counts(db, filters, where):
    """{follow_up_id: (prospects, account value)} of what `filters` select."""
    if filters.counted_by_totals():
        return totals.by_follow(db, filters)
    return listing.counts_by_follow(db, where)


def grouped_prospects(ctx, args):
    query, filters = _query(ctx, GROUPED_QUERY, args)
    now, order = now_utc(), order_from(query)
    where = sql.conditions(filters, now)
    start, length = (0, REPORT_LIMIT) if query["report"] else (query["start"], query["length"])
    wheres = {follow: where + [Prospect.follow_up_id == follow] for follow in filters.categories()}
    pages = listing.pages(ctx.db, wheres, order, now, start, length)
    counts = _counts(ctx.db, filters, where) if query["counters"] or query["report"] else None
    names = names_of(ctx, {record.created_by for records in pages.values() for record in records})
    categories = []
    for follow, records in pages.items():
        category = {"id": follow, "name": FOLLOW_UPS[follow],
                    "records": [grouped_record(record, names.get(record.created_by)) for record in records]}
        if counts is not None:
            category["count"] = counts.get(follow, (0, 0))[0]
        categories.append(category)
    return {"categories": categories}


def list_prospects(ctx, args):
    query, filters = _query(ctx, LIST_QUERY, args)
    now = now_utc()
    where = sql.conditions(filters, now)
    unfiltered = Filters(workspace_id=filters.workspace_id, source=filters.source,
                         salesman_only=filters.salesman_only)
    records_total = sum(count for count, _ in totals.by_follow(ctx.db, unfiltered).values())
    if filters.counted_by_totals():
        records_filtered = sum(count for count, _ in totals.by_follow(ctx.db, filters).values())
    else:
        records_filtered = listing.count(ctx.db, where)
    records = listing.page(ctx.db, filters, where, order_from(query), now, query["start"], query["length"])
    names = names_of(ctx, {record.created_by for record in records})
    upcoming = listing.next_contacts(ctx.db, [record.id for record in records], now)
    today = now.date()
    result = {"recordsTotal": records_total, "recordsFiltered": records_filtered,
              "data": [list_record(record, names.get(record.created_by), upcoming.get(record.id), today)
                       for record in records]}
    if "draw" in query:
        result["draw"] = query["draw"]
    return result


def prospect_kpis(ctx, args):
    _, filters = _query(ctx, FILTERS, args)
    counts = _counts(ctx.db, filters, sql.conditions(filters, now_utc()))
    return [{"category_id": follow, "category_name": FOLLOW_UPS[follow],
             "total_value": number(counts.get(follow, (0, 0))[1]), "count": counts.get(follow, (0, 0))[0]}
            for follow in filters.categories()]


def prospect_activities(ctx, args):
    """Notes scheduled within [startDate, endDate] (a bare endDate covers its whole day)."""
    query, filters = _query(ctx, ACTIVITIES_QUERY, args, restricted=("salesman",))
    low, high = start_of(query["startDate"]), inclusive_end(query["endDate"])
    if high <= low:
        raise InvalidQuery("endDate must not be before startDate", "endDate")
    rows = listing.activities(ctx.db, filters.workspace_id, sql.conditions(filters, now_utc()), (low, high),
                              query["start"], query["length"])
    names = names_of(ctx, {row.created_by for row in rows})
    return [activity_view(row, names.get(row.created_by)) for row in rows]
