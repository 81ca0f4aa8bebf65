"""Goals and templates (cs_goals) with their custom values and links: reads and writes. Every query
starts with the workspace, and a soft-deleted record is not found."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, insert, select

from services.goals.customer_goals.domain import CustomValue
from services.goals.customer_goals.models import CsGoal, CsGoalCustomValue, CsGoalLink


def live(session, workspace_id: int, category: str, gsids, lock: bool = False) -> dict[str, CsGoal]:
    """gsid -> the live goal (or template) of the workspace; missing ids are left out."""
    query = select(CsGoal).where(CsGoal.workspace_id == workspace_id, CsGoal.category == category,
                                 CsGoal.gsid.in_(list(gsids)), CsGoal.deleted_date.is_(None))
    if lock:
        query = query.order_by(CsGoal.id).with_for_update()
    return {goal.gsid: goal for goal in session.scalars(query)}


def add(session, **values) -> CsGoal:
    goal = CsGoal(**values)
    session.add(goal)
    session.flush()
    return goal


# --- custom fields ----------------------------------------------------------------------------------------
def set_custom(session, goal_id: int, values: dict[str, CustomValue | None]) -> None:
    """Sets the given custom fields (None removes one); others are left as they are."""
    if not values:
        return
    session.execute(delete(CsGoalCustomValue).where(CsGoalCustomValue.goal_id == goal_id,
                                                    CsGoalCustomValue.name.in_(list(values))))
    rows = [{"goal_id": goal_id, "name": name, "kind": value.kind, "text_value": value.text,
             "number_value": value.number} for name, value in values.items() if value is not None]
    if rows:
        session.execute(insert(CsGoalCustomValue), rows)


def custom_values(session, goal_ids) -> dict[int, dict[str, CustomValue]]:
    found: dict[int, dict[str, CustomValue]] = defaultdict(dict)
    if goal_ids:
        for row in session.execute(select(CsGoalCustomValue).where(CsGoalCustomValue.goal_id.in_(list(goal_ids)))
                                   .order_by(CsGoalCustomValue.goal_id, CsGoalCustomValue.name)).scalars():
            found[row.goal_id][row.name] = CustomValue(row.kind, row.text_value, row.number_value)
    return found


def custom_json(values: dict[str, CustomValue]) -> dict:
    return {name: value.as_json() for name, value in values.items()}


# --- links: CTAs, success plans, associated work ----------------------------------------------------------
def add_links(session, goal_id: int, kind: str, external_ids) -> None:
    remove_links(session, goal_id, kind, external_ids)
    if external_ids:
        session.execute(insert(CsGoalLink), [{"goal_id": goal_id, "kind": kind, "external_id": external_id}
                                             for external_id in external_ids])


def remove_links(session, goal_id: int, kind: str, external_ids) -> None:
    if external_ids:
        session.execute(delete(CsGoalLink).where(CsGoalLink.goal_id == goal_id, CsGoalLink.kind == kind,
                                                 CsGoalLink.external_id.in_(list(external_ids))))


def replace_links(session, goal_id: int, kind: str, external_ids) -> None:
    session.execute(delete(CsGoalLink).where(CsGoalLink.goal_id == goal_id, CsGoalLink.kind == kind))
    add_links(session, goal_id, kind, external_ids)


def links(session, goal_ids, kinds) -> dict[int, dict[str, list[str]]]:
    """goal id -> kind -> external ids (in id order)."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if goal_ids:
        for row in session.execute(select(CsGoalLink).where(CsGoalLink.goal_id.in_(list(goal_ids)),
                                                            CsGoalLink.kind.in_(list(kinds)))
                                   .order_by(CsGoalLink.goal_id, CsGoalLink.kind, CsGoalLink.external_id)).scalars():
            found[row.goal_id][row.kind].append(row.external_id)
    return found


def copy_parts(session, source_id: int, target_id: int) -> None:
    """A template's custom values and associated work onto a new goal (before the request's own)."""
    for row in session.scalars(select(CsGoalCustomValue).where(CsGoalCustomValue.goal_id == source_id)).all():
        session.add(CsGoalCustomValue(goal_id=target_id, name=row.name, kind=row.kind, text_value=row.text_value,
                                      number_value=row.number_value))
    for row in session.scalars(select(CsGoalLink).where(CsGoalLink.goal_id == source_id,
                                                        CsGoalLink.kind == "WORK")).all():
        session.add(CsGoalLink(goal_id=target_id, kind=row.kind, external_id=row.external_id))
    session.flush()


def page(session, workspace_id: int, category: str, where, limit: int, offset: int) -> list[CsGoal]:
    """One page of the workspace's live goals or templates matching `where`, in creation (id) order."""
    query = select(CsGoal).where(CsGoal.workspace_id == workspace_id, CsGoal.category == category,
                                 CsGoal.deleted_date.is_(None))
    if where is not None:
        query = query.where(where)
    return list(session.scalars(query.order_by(CsGoal.id).limit(limit).offset(offset)))

