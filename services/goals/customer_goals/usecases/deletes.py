"""Deleting goals or templates by `recordIds`: each found one is deleted (soft: it stays for the
goals created from it and for the event history); each id not found in the workspace is reported
in `failureList`, the others still deleted."""
from __future__ import annotations

from infra.validation import load
from services.goals.customer_goals import domain
from services.goals.customer_goals.exceptions import CustomerGoalNotFound, InvalidCustomerGoalRequest
from services.goals.customer_goals.schemas import RECORD_IDS
from services.goals.customer_goals.store import goals as goal_store
from services.goals.customer_goals.usecases import parts


def delete_records(ctx, payload, category: str, missing_message: str, on_deleted=None) -> dict:
    db, me = ctx.db, ctx.me
    gsids = domain.ordered_unique(load(RECORD_IDS, payload, InvalidCustomerGoalRequest)["recordIds"])
    found = goal_store.live(db, me.workspace_id, category, gsids, lock=True)
    now = parts.now_ms()
    success, failure = [], []
    for gsid in gsids:
        goal = found.get(gsid)
        if goal is None:
            failure.append({"Gsid": gsid, "Deleted": False, "errorCode": CustomerGoalNotFound.code,
                            "message": missing_message})
            continue
        goal.deleted_date = now
        parts.stamp(goal, me, now)
        if on_deleted is not None:
            on_deleted(db, goal)
        success.append({"Deleted": True, "GoalCategory": category, "Gsid": gsid, "ModifiedById": me.user_uuid,
                        "ModifiedDate": now})
    db.commit()
    return {"failureList": failure, "successList": success, "success": not failure, "failCount": len(failure)}
