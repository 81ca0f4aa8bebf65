"""store.page straight against SQLite and PostgreSQL with enough deals that offset pages take the
deferred join (ids first, then the page's rows): every page equals the slice of the full ordering,
from both ends, and another workspace's deals never appear."""
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.deals import domain, store
from services.deals.models import Base, Deal, DealTotal
from tests.support.resources import sqlite_or_postgres_engine

DEALS = 3 * store.DEFERRED_JOIN_OFFSET + 37


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request, tmp_path):
    engine = sqlite_or_postgres_engine(request.param, tmp_path, request.getfixturevalue("test_env"), "deals",
                                       Base.metadata)
    workspace = uuid.uuid4().int % 10 ** 8 + 10 ** 8
    with Session(engine) as session:
        start = datetime(2025, 1, 1)
        for workspace_id in (workspace, workspace + 1):  # the next workspace's deals interleave by name
            for number in range(DEALS):
                name = "deal {:03d}".format((number * 7) % 50)  # ties: the id decides among equal names
                deal = Deal(workspace_id=workspace_id, name=name, name_search=name, value=Decimal(1),
                            value_type="Total", value_count=Decimal(1), currency="EUR",
                            target_date=date(2025, 1, 1) + timedelta(days=number % 9), current_state="open_0",
                            type="sale", created_at=start + timedelta(seconds=number),
                            updated_at=start + timedelta(seconds=number), version=1,
                            deleted_at=start if number % 11 == 0 else None)
                session.add(deal)
                store.move_totals(session, workspace_id, None, store.totals_key(deal))  # as the service does
        session.commit()
        session.workspace_id = workspace
        yield session
        for model in (Deal, DealTotal):
            session.execute(delete(model).where(model.workspace_id.in_((workspace, workspace + 1))))
        session.commit()
    engine.dispose()


@pytest.mark.parametrize("order", ["name-asc", "created_at-desc", "target_date-asc", "id-desc"])
def test_every_page_is_the_slice_of_the_full_ordering(session, order):
    workspace_id = session.workspace_id
    full = []
    for page in range(1, 100):
        deals, total = store.page(session, workspace_id, domain.parse_query({"order": order, "perpage": "250",
                                                                             "page": str(page)}, 1))
        full += [deal.id for deal in deals]
        if not deals:
            break
    assert len(full) == total == len(set(full)) == DEALS - len(range(0, DEALS, 11))
    for perpage in (7, 50):
        pages = -(-total // perpage)
        for page in (1, 2, pages // 2, pages // 2 + 1, pages - 1, pages):
            deals, _ = store.page(session, workspace_id, domain.parse_query(
                {"order": order, "perpage": str(perpage), "page": str(page)}, 1))
            start = (page - 1) * perpage
            assert [deal.id for deal in deals] == full[start:start + perpage], (perpage, page)
            assert {deal.workspace_id for deal in deals} == {workspace_id}
