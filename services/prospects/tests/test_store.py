"""The store straight against SQLite (`make run`) and PostgreSQL (tests, production): accent- and
case-insensitive search, the insert that skips taken keys, the maintained totals, sort orders with
empty values last."""
import random
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.prospects.domain import keys
from services.prospects.domain.filters import Filters, Order
from services.prospects.models import Base, Prospect
from services.prospects.store import filters as sql
from services.prospects.store import imports, listing, totals
from tests.support.resources import sqlite_or_postgres_engine

NOW = datetime(2026, 3, 20, 12)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, test_env):
    engine = sqlite_or_postgres_engine(request.param, tmp_path, test_env, "prospects", Base.metadata)
    with Session(engine) as session:
        yield session
        session.rollback()
    engine.dispose()


def _record(workspace_id, company, name=None, email=None, **fields):
    record = {"uuid": str(uuid.uuid4()), "workspace_id": workspace_id, "type": 1, "source": 1, "status": 1,
              "name": name, "company_name": company, "search_key": keys.search_key(company, name),
              "email": email, "email_key": keys.email_key(email), "phone_code": None, "phone": None,
              "phone_key": None, "locale_id": None, "follow_up_id": 1, "follow_changed_at": NOW, "company_id": None,
              "created_by": 1, "created_at": NOW, "updated_at": NOW, "version": 1, "channel": None,
              "account_value": 0, "balance": 0, "monthly_shipments": None, "commercial_offer_date": None,
              "campaign": None, "has_recharge": False, "verified": False, "services": "", "onboarding_status": None,
              "last_contact": None}
    record.update(fields)
    return record


def _insert(db, records):
    """insert_prospects after numbering the records as an import does."""
    for source in {record["source"] for record in records}:
        mine = [record for record in records if record["source"] == source]
        first = imports.take_seqs(db, mine[0]["workspace_id"], source, len(mine))
        for number, record in enumerate(mine, first):
            record["seq"] = number
    return imports.insert_prospects(db, records)


def _ids(db, filters, order=Order(), start=0, length=100):
    where = sql.conditions(filters, NOW)
    return [prospect.id for prospect in listing.page(db, filters, where, order, NOW, start, length)]


def test_search_ignores_case_and_accents_and_treats_wildcards_literally(db):
    ws = random.randint(10 ** 9, 2 ** 40)
    inserted = _insert(db, [
        _record(ws, "Café Ñandú", "José Pérez"), _record(ws, "ACME", "Zoë"), _record(ws, "50%_off", "x"),
        _record(ws, "500 off", "y")])
    ids = list(inserted.values())
    find = (lambda term: sorted(_ids(db, Filters(workspace_id=ws, source=1, search=term))))
    assert find("cafe nandu") == [ids[0]] and find("JOSÉ") == [ids[0]] and find("perez") == [ids[0]]
    assert find("zoe") == [ids[1]] and find("50%_") == [ids[2]] and find("nobody") == []


def test_insert_skips_a_row_whose_email_is_taken_and_answers_the_others(db):
    ws = random.randint(10 ** 9, 2 ** 40)
    first = _insert(db, [_record(ws, "A", email="a@x.io")])
    again = [_record(ws, "A again", email="a@x.io"), _record(ws, "B", email="b@x.io")]
    second = _insert(db, again)
    assert list(second) == [again[1]["uuid"]] and len(first) == 1
    other_workspace = _insert(db, [_record(ws + 1, "A", email="a@x.io")])
    assert len(other_workspace) == 1  # keys are unique per workspace


def test_totals_move_with_each_change_and_answer_the_filters_they_are_keyed_by(db):
    ws = random.randint(10 ** 9, 2 ** 40)
    deltas = {}
    for salesman, follow, value in ((1, 1, "10.50"), (1, 1, "4.50"), (2, 3, "100"), (2, 1, "1")):
        totals.add(deltas, totals.key_of(SimpleNamespace(created_by=salesman, type=1, follow_up_id=follow,
                                                         account_value=Decimal(value))))
    totals.move(db, ws, deltas)
    totals.move_one(db, ws, ((2, 1, 3), Decimal("100")), ((2, 1, 6), Decimal("120")))
    everyone = totals.by_follow(db, Filters(workspace_id=ws, source=1))
    assert {follow: (count, Decimal(value)) for follow, (count, value) in everyone.items()} == {
        1: (3, Decimal("16.00")), 3: (0, Decimal("0")), 6: (1, Decimal("120"))}
    mine = totals.by_follow(db, Filters(workspace_id=ws, source=1, salesman_only=1))
    assert {follow: count for follow, (count, _) in mine.items()} == {1: 2}
    assert totals.by_follow(db, Filters(workspace_id=ws, source=2)) == {}


def test_sorting_puts_empty_values_last_in_both_directions_and_ties_by_id(db):
    ws = random.randint(10 ** 9, 2 ** 40)
    made = _insert(db, [
        _record(ws, "b", campaign="Beta"), _record(ws, "a", campaign=None), _record(ws, "c", campaign="alpha"),
        _record(ws, "d", campaign="Beta", last_contact=NOW - timedelta(days=3))])
    b, a, c, d = made.values()
    everyone = Filters(workspace_id=ws, source=1)
    assert _ids(db, everyone, Order("campaign", False)) == [c, b, d, a]
    assert _ids(db, everyone, Order("campaign", True)) == [d, b, c, a]
    assert _ids(db, everyone, Order("last_contact", True))[0] == d
    assert _ids(db, everyone, Order("last_contact", False))[0] == d
    # days without contact: a prospect never contacted counts from its creation (NOW), d from 3 days ago
    assert _ids(db, everyone, Order("days_without_contact", True))[0] == d
    assert _ids(db, everyone) == sorted(made.values(), reverse=True)


def test_pages_of_the_whole_source_by_seq_equal_pages_by_offset(db):
    ws = random.randint(10 ** 9, 2 ** 40)
    made = _insert(db, [_record(ws, "c{}".format(n), source=2 if n % 4 == 0 else 1, type=3 if n % 4 == 0 else 1)
                        for n in range(30)])
    everyone = Filters(workspace_id=ws, source=1)
    narrowed = Filters(workspace_id=ws, source=1, follow_ups=(1,))  # the same prospects, through the offset path
    assert everyone.is_whole_source() and not narrowed.is_whole_source()
    for descending in (True, False):
        for start in (0, 5, 19, 22, 40):
            order = Order("id", descending)
            assert _ids(db, everyone, order, start, 5) == _ids(db, narrowed, order, start, 5), (descending, start)
    assert len(_ids(db, everyone)) == 22 and len(_ids(db, Filters(workspace_id=ws, source=2))) == 8
    assert sorted(_ids(db, everyone) + _ids(db, Filters(workspace_id=ws, source=2))) == sorted(made.values())


def test_a_skipped_row_leaves_no_gap_in_the_numbering(db):
    ws = random.randint(10 ** 9, 2 ** 40)
    _insert(db, [_record(ws, "taken", email="taken@x.io")])
    records = [_record(ws, "a"), _record(ws, "dup", email="taken@x.io"), _record(ws, "b"), _record(ws, "c")]
    first = imports.take_seqs(db, ws, 1, len(records))
    for number, record in enumerate(records, first):
        record["seq"] = number
    inserted = imports.insert_prospects(db, records)
    seqs = {inserted[record["uuid"]]: record["seq"] for record in records if record["uuid"] in inserted}
    imports.close_gaps(db, ws, 1, seqs, first, len(records))
    numbered = db.execute(select(Prospect.seq).where(Prospect.workspace_id == ws).order_by(Prospect.id)).scalars()
    assert list(numbered) == [1, 2, 3, 4]
    assert imports.take_seqs(db, ws, 1, 1) == 5
