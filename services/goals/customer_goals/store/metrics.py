"""Metrics of a workspace and their goal types, and where goals and templates use them."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, select

from services.goals.customer_goals.models import CsGoal, CsGoalMetric, CsMetric, CsMetricGoalType, CsPicklist


def live(session, workspace_id: int, gsids, lock: bool = False, share: bool = False) -> dict[str, CsMetric]:
    """gsid -> the workspace's metric that is not deleted; missing ids are left out. `lock`: for a
    change of the metrics; `share`: for a goal that starts using them (a delete waits for it, and
    a use waits for a delete, which the use then does not see)."""
    query = select(CsMetric).where(CsMetric.workspace_id == workspace_id, CsMetric.gsid.in_(list(gsids)),
                                   CsMetric.deleted.is_(False))
    if lock or share:
        query = query.order_by(CsMetric.id).with_for_update(read=not lock)
    return {metric.gsid: metric for metric in session.scalars(query)}


def all_live(session, workspace_id: int) -> list[CsMetric]:
    return list(session.scalars(select(CsMetric).where(CsMetric.workspace_id == workspace_id,
                                                       CsMetric.deleted.is_(False)).order_by(CsMetric.display_order)))


def next_display_order(session, workspace_id: int) -> int:
    return (session.scalar(select(func.max(CsMetric.display_order)).where(CsMetric.workspace_id == workspace_id))
            or 0) + 1


def add(session, **values) -> CsMetric:
    metric = CsMetric(**values)
    session.add(metric)
    session.flush()
    return metric


def associate_goal_types(session, metric_id: int, goal_type_ids) -> None:
    dissociate_goal_types(session, metric_id, goal_type_ids)
    session.add_all(CsMetricGoalType(metric_id=metric_id, goal_type_id=type_id) for type_id in goal_type_ids)
    session.flush()


def dissociate_goal_types(session, metric_id: int, goal_type_ids=None) -> None:
    """The given goal types (None: all of them)."""
    statement = delete(CsMetricGoalType).where(CsMetricGoalType.metric_id == metric_id)
    if goal_type_ids is not None:
        statement = statement.where(CsMetricGoalType.goal_type_id.in_(list(goal_type_ids)))
    session.execute(statement)


def goal_type_names(session, metric_ids) -> dict[int, list[str]]:
    """metric id -> names of the goal types it is associated with (their layouts show it)."""
    found: dict[int, list[str]] = defaultdict(list)
    if metric_ids:
        for metric_id, name in session.execute(
                select(CsMetricGoalType.metric_id, CsPicklist.name)
                .join(CsPicklist, CsPicklist.id == CsMetricGoalType.goal_type_id)
                .where(CsMetricGoalType.metric_id.in_(list(metric_ids)))
                .order_by(CsMetricGoalType.metric_id, CsPicklist.display_order, CsPicklist.id)):
            found[metric_id].append(name)
    return found


def usage_in_goals(session, metric_id: int) -> list[dict]:
    """The live goals and templates that use the metric: [{"gsid", "name"}] in creation order."""
    rows = session.execute(select(CsGoal.gsid, CsGoal.name)
                           .join(CsGoalMetric, CsGoalMetric.goal_id == CsGoal.id)
                           .where(CsGoalMetric.metric_id == metric_id, CsGoal.deleted_date.is_(None))
                           .order_by(CsGoal.id))
    return [{"gsid": gsid, "name": name} for gsid, name in rows]
