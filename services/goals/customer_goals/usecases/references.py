"""What a record names by id or name in its workspace: its status (an unknown one is 8010), its
goal type, its metrics."""
from __future__ import annotations

from services.goals.customer_goals import domain
from services.goals.customer_goals.exceptions import InvalidCustomerGoalRequest, InvalidStatusName
from services.goals.customer_goals.store import metrics as metric_store
from services.goals.customer_goals.store import picklists


def status_of(db, workspace_id: int, fields: dict):
    """The status `StatusId` or `StatusName` names (both: the same one), or None if neither is given."""
    return _picklist(db, workspace_id, domain.GOAL_STATUS, fields.get("StatusId"), fields.get("StatusName"),
                     "Status", InvalidStatusName)


def goal_type_of(db, workspace_id: int, fields: dict):
    """The goal type `GoalTypeId` or `GoalTypeName` names, or None if neither is given."""
    return _picklist(db, workspace_id, domain.GOAL_TYPE, fields.get("GoalTypeId"), fields.get("GoalTypeName"),
                     "GoalType", InvalidCustomerGoalRequest)


def _picklist(db, workspace_id, category, gsid, name, label, error):
    by_id = by_name = None
    if gsid is not None:
        by_id = picklists.by_gsid(db, workspace_id, category, [gsid]).get(gsid)
        if by_id is None:
            raise error("Invalid {}Id provided in request: {}".format(label, gsid), label + "Id")
    if name is not None:
        by_name = picklists.by_name(db, workspace_id, category, [name]).get(domain.name_key(name))
        if by_name is None:
            raise error("Invalid {}Name provided in request: {}".format(label, name), label + "Name")
    if by_id is not None and by_name is not None and by_id.id != by_name.id:
        raise error("{}Id and {}Name name different records".format(label, label), label + "Name")
    return by_id or by_name


def default_goal_type(db, workspace_id: int):
    return next(row for row in picklists.picklists(db, workspace_id, domain.GOAL_TYPE)
                if row.system_name == "DEFAULT_GOAL_TYPE")


def default_status(db, workspace_id: int):
    """What a template without a status starts with: New."""
    return next(row for row in picklists.picklists(db, workspace_id, domain.GOAL_STATUS) if row.system_name == "NEW")


def status_name(db, workspace_id: int, gsid: str) -> str | None:
    row = picklists.by_gsid(db, workspace_id, domain.GOAL_STATUS, [gsid]).get(gsid)
    return row.name if row is not None else None


def metrics_named(db, workspace_id: int, fields: dict) -> dict:
    """gsid -> metric for every metric the record associates (an unknown one is refused) or
    dissociates (an unknown one is skipped: it is not associated)."""
    wanted = [item["metricId"] for item in fields.get("metricsAssociation") or []]
    wanted += fields.get("metricsDissociation") or []
    found = metric_store.live(db, workspace_id, set(wanted), share=True) if wanted else {}
    for item in fields.get("metricsAssociation") or []:
        if item["metricId"] not in found:
            raise InvalidCustomerGoalRequest("metricsAssociation: metric {} is not a metric of this workspace".format(
                item["metricId"]), "metricsAssociation")
    return found
