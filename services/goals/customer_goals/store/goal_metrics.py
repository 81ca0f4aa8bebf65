"""Metric values of goals and templates: base and target values, and the dated series of actual
values that updates add to (one point per date: a later value for a date replaces it)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select

from services.goals.customer_goals import domain
from services.goals.customer_goals.models import CsGoalMetric, CsMetric, CsMetricActual

UNSET = object()


def associate(session, goal_id: int, metric_id: int, base=UNSET, target=UNSET, actuals=()) -> CsGoalMetric:
    """Adds the metric to the goal, or updates it: base and target values when given, actual values
    merged into the series by date."""
    row = session.scalar(select(CsGoalMetric).where(CsGoalMetric.goal_id == goal_id,
                                                    CsGoalMetric.metric_id == metric_id))
    if row is None:
        row = CsGoalMetric(gsid=domain.new_gsid("goal_metric"), goal_id=goal_id, metric_id=metric_id)
        session.add(row)
    if base is not UNSET:
        row.base_value = base
    if target is not UNSET:
        row.target_value = target
    session.flush()
    if actuals:
        points = {point.on_date: point for point in session.scalars(
            select(CsMetricActual).where(CsMetricActual.goal_metric_id == row.id,
                                         CsMetricActual.on_date.in_([on_date for on_date, _ in actuals])))}
        for on_date, value in actuals:
            if on_date in points:
                points[on_date].value = value
            else:
                points[on_date] = CsMetricActual(gsid=domain.new_gsid("actual"), goal_metric_id=row.id,
                                                 on_date=on_date, value=value)
                session.add(points[on_date])
        session.flush()
    return row


def dissociate(session, goal_id: int, metric_ids) -> None:
    if metric_ids:
        session.execute(delete(CsGoalMetric).where(CsGoalMetric.goal_id == goal_id,
                                                   CsGoalMetric.metric_id.in_(list(metric_ids))))


def copy(session, source_id: int, target_id: int) -> None:
    """A template's metrics (with their base and target values) onto a new goal."""
    for row in session.scalars(select(CsGoalMetric).where(CsGoalMetric.goal_id == source_id)).all():
        associate(session, target_id, row.metric_id, row.base_value, row.target_value)


def metric_values(session, goals) -> dict[int, list[dict]]:
    """goal id -> MetricValues of the goals (objects with `id` and `gsid`), in association order."""
    gsids = {goal.id: goal.gsid for goal in goals}
    found: dict[int, list[dict]] = defaultdict(list)
    if not gsids:
        return found
    rows = session.execute(select(CsGoalMetric, CsMetric.gsid).join(CsMetric, CsMetric.id == CsGoalMetric.metric_id)
                           .where(CsGoalMetric.goal_id.in_(list(gsids))).order_by(CsGoalMetric.id)).all()
    series: dict[int, list[dict]] = defaultdict(list)
    if rows:
        for point in session.scalars(select(CsMetricActual).where(
                CsMetricActual.goal_metric_id.in_([row.id for row, _ in rows]))
                .order_by(CsMetricActual.goal_metric_id, CsMetricActual.on_date)):
            series[point.goal_metric_id].append({"gsid": point.gsid, "value": _number(point.value),
                                                 "timestamp": point.on_date.isoformat()})
    for row, metric_gsid in rows:
        found[row.goal_id].append({"metricId": metric_gsid, "goalId": gsids[row.goal_id],
                                   "baseValue": _number(row.base_value), "actualValue": series[row.id],
                                   "targetValue": _number(row.target_value), "gsid": row.gsid})
    return found


def _number(value):
    return None if value is None else float(value)
