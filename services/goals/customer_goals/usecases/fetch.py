"""Fetching goals and templates with the select / where / page DSL (services/goals/customer_goals/dsl)."""
from __future__ import annotations

from services.goals.customer_goals import domain, views
from services.goals.customer_goals.dsl.compiler import compile_where
from services.goals.customer_goals.dsl.fields import CUSTOM, GOAL_FIELDS, LIST, METRICS, TEMPLATE_FIELDS
from services.goals.customer_goals.dsl.query import parse_fetch
from services.goals.customer_goals.store import goal_metrics
from services.goals.customer_goals.store import goals as goal_store


def fetch_goals(ctx, payload) -> dict:
    """{"recordList": [{"dataList": {...}, "associatedCTAs": [...], "associatedSPs": [...]}]}"""
    found = _fetch(ctx, payload, domain.GOAL, GOAL_FIELDS, link_kinds=("CTA", "SP"))
    return {"recordList": [{"dataList": view, "associatedCTAs": views.link_objects(links.get("CTA", [])),
                            "associatedSPs": views.link_objects(links.get("SP", []))} for view, links in found]}


def fetch_templates(ctx, payload) -> dict:
    """{"recordList": [{...flat template...}]}"""
    return {"recordList": [view for view, _ in _fetch(ctx, payload, domain.TEMPLATE, TEMPLATE_FIELDS, ())]}


def _fetch(ctx, payload, category: str, catalog: dict, link_kinds: tuple) -> list:
    """[(the record's selected fields, its links by kind)] of the requested page."""
    db = ctx.db
    query = parse_fetch(payload, catalog)
    rows = goal_store.page(db, ctx.me.workspace_id, category, compile_where(query.tree, query.conditions),
                           query.page_size, query.offset)
    ids = [row.id for row in rows]
    custom = goal_store.custom_values(db, ids) if views.needs(query.select, CUSTOM) else {}
    kinds = link_kinds + (("WORK",) if views.needs(query.select, LIST) else ())
    links = goal_store.links(db, ids, kinds) if kinds else {}
    metrics = goal_metrics.metric_values(db, rows) if views.needs(query.select, METRICS) else {}
    found = []
    for row in rows:
        row_links = links.get(row.id, {})
        view = views.record_view(row, catalog, goal_store.custom_json(custom.get(row.id, {})),
                                 row_links.get("WORK", []), metrics.get(row.id, []), query.select)
        found.append((view, row_links))
    return found
