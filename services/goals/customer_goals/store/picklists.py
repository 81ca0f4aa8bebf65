"""Goal types and statuses of a workspace. Every workspace starts with the defaults of
domain.DEFAULT_GOAL_TYPES / DEFAULT_GOAL_STATUSES, inserted on its first customer-goals request
(idempotent: an insert that meets the unique name does nothing, so concurrent first requests and
several service instances agree)."""
from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.goals.customer_goals import domain
from services.goals.customer_goals.models import CsPicklist

_seeded: set = set()  # (database url, workspace id) seeded by this process: never undone, so safe to remember


def ensure_defaults(session, workspace_id: int) -> None:
    """Inserts the workspace's default goal type and statuses if missing, and commits."""
    key = (str(session.get_bind().url), workspace_id)
    if key in _seeded:
        return
    if session.scalar(select(func.count()).select_from(CsPicklist).where(
            CsPicklist.workspace_id == workspace_id, CsPicklist.system_defined.is_(True))) < _default_count():
        rows = _default_rows(workspace_id)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(CsPicklist).on_conflict_do_nothing(), rows)
        session.commit()
    _seeded.add(key)


def _default_count() -> int:
    return len(domain.DEFAULT_GOAL_TYPES) + len(domain.DEFAULT_GOAL_STATUSES)


def _default_rows(workspace_id: int) -> list[dict]:
    now = domain.epoch_ms(time.time())
    rows = []
    for category, defaults in ((domain.GOAL_TYPE, domain.DEFAULT_GOAL_TYPES),
                               (domain.GOAL_STATUS, domain.DEFAULT_GOAL_STATUSES)):
        for order, (name, system_name, open_status) in enumerate(defaults, start=1):
            rows.append({"gsid": domain.new_gsid("picklist"), "workspace_id": workspace_id, "category": category,
                         "name": name, "name_key": domain.name_key(name), "system_name": system_name,
                         "color": domain.DEFAULT_COLOR, "display_order": order, "active": True,
                         "open_status_type": open_status, "system_defined": True, "association_ids": "ALL_ENTITY",
                         "created_date": now})
    return rows


def picklists(session, workspace_id: int, category: str | None = None) -> list[CsPicklist]:
    query = select(CsPicklist).where(CsPicklist.workspace_id == workspace_id)
    if category is not None:
        query = query.where(CsPicklist.category == category)
    return list(session.scalars(query.order_by(CsPicklist.category, CsPicklist.display_order, CsPicklist.id)))


def by_gsid(session, workspace_id: int, category: str, gsids) -> dict[str, CsPicklist]:
    found = session.scalars(select(CsPicklist).where(CsPicklist.workspace_id == workspace_id,
                                                     CsPicklist.category == category, CsPicklist.gsid.in_(gsids)))
    return {row.gsid: row for row in found}


def by_name(session, workspace_id: int, category: str, names) -> dict[str, CsPicklist]:
    """name_key -> picklist, for the given names (matched case-insensitively)."""
    keys = [domain.name_key(name) for name in names]
    found = session.scalars(select(CsPicklist).where(CsPicklist.workspace_id == workspace_id,
                                                     CsPicklist.category == category, CsPicklist.name_key.in_(keys)))
    return {row.name_key: row for row in found}


def next_display_order(session, workspace_id: int, category: str) -> int:
    return (session.scalar(select(func.max(CsPicklist.display_order)).where(
        CsPicklist.workspace_id == workspace_id, CsPicklist.category == category)) or 0) + 1


def add(session, workspace_id: int, item: dict) -> CsPicklist:
    row = CsPicklist(gsid=domain.new_gsid("picklist"), workspace_id=workspace_id, **item)
    session.add(row)
    session.flush()
    return row
