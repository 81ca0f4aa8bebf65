"""Goal types and statuses: reading them (GET, or POST with the document's body) and, for the
workspace owner, adding new ones."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from infra.validation import load
from services.goals.customer_goals import domain, views
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, NotWorkspaceAdmin, PicklistExists
from services.goals.customer_goals.schemas import PICKLIST_QUERY, PICKLISTS
from services.goals.customer_goals.store import metrics as metric_store
from services.goals.customer_goals.store import picklists
from services.goals.customer_goals.usecases import parts


def list_picklists(ctx, payload) -> dict:
    """`picklistCategory` GOAL_TYPE (default) or GOAL_STATUS; `active`: only active ones;
    `entityIds`: goal types associated with one of them (or with ALL_ENTITY);
    `includeChildPicklist`: the statuses in `childPicklists`; `includeMetrics`: the metrics."""
    db, me = ctx.db, ctx.me
    picklists.ensure_defaults(db, me.workspace_id)
    query = load(PICKLIST_QUERY, payload or {}, InvalidCustomerGoalRequest)
    category = query.get("picklistCategory", domain.GOAL_TYPE)
    rows = picklists.picklists(db, me.workspace_id, category)
    if query.get("active"):
        rows = [row for row in rows if row.active]
    entity_ids = set(query.get("entityIds") or ())
    if entity_ids and "ALL_ENTITY" not in entity_ids:
        rows = [row for row in rows if set(row.association_ids.split(",")) & (entity_ids | {"ALL_ENTITY"})]
    children = []
    if query.get("includeChildPicklist") and category == domain.GOAL_TYPE:
        children = [views.picklist_view(row) for row in picklists.picklists(db, me.workspace_id, domain.GOAL_STATUS)
                    if row.active or not query.get("active")]
    metrics = None
    if query.get("includeMetrics"):
        metrics = [views.metric_view(metric) for metric in metric_store.all_live(db, me.workspace_id)]
    return {"picklists": [views.picklist_view(row) for row in rows], "childPicklists": children, "metrics": metrics}


def create_picklists(ctx, payload) -> dict:
    """Adds goal types or statuses (owner only); a name already used in its category is a conflict."""
    db, me = ctx.db, ctx.me
    if not me.is_owner:
        raise NotWorkspaceAdmin()
    picklists.ensure_defaults(db, me.workspace_id)
    items = load(PICKLISTS, payload, InvalidCustomerGoalRequest)["picklists"]
    seen = set()
    for item in items:
        key = (item["picklistCategory"], domain.name_key(item["name"]))
        if not key[1]:
            raise InvalidCustomerGoalRequest("name cannot be empty", "name")
        if key in seen or picklists.by_name(db, me.workspace_id, key[0], [item["name"]]):
            raise PicklistExists("{} {!r} already exists".format(key[0], item["name"].strip()), "name")
        seen.add(key)
    try:  # the unique name decides a race between two requests adding the same name
        created = [_add(db, me.workspace_id, item) for item in items]
        db.commit()
    except IntegrityError:
        db.rollback()
        raise PicklistExists("A goal type or status of that name was just added", "name")
    return {"successList": [views.picklist_view(row) for row in created], "failureList": []}


def _add(db, workspace_id: int, item: dict):
    category = item["picklistCategory"]
    return picklists.add(db, workspace_id, {
        "category": category, "name": " ".join(item["name"].split()), "name_key": domain.name_key(item["name"]),
        "color": item.get("color", domain.DEFAULT_COLOR),
        "display_order": picklists.next_display_order(db, workspace_id, category),
        "active": item.get("active", True), "open_status_type": item.get("openStatusType", True),
        "system_defined": False, "association_ids": ",".join(item.get("associationIds", ["ALL_ENTITY"])),
        "created_date": parts.now_ms()})
