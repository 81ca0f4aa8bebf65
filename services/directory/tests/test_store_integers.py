"""The store answers an id beyond BIGINT (from a path, or another service's RPC) like a missing one,
on SQLite (`make run`'s database, where binding it overflows) and PostgreSQL."""
import pytest
from sqlalchemy.orm import Session

from services.directory import store
from services.directory.exceptions import GroupNotFound, UserNotFound
from services.directory.models import Base
from tests.support.resources import sqlite_or_postgres_engine

OUT_OF_RANGE = [2 ** 63, 2 ** 64, -(2 ** 63) - 1]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, test_env):
    engine = sqlite_or_postgres_engine(request.param, tmp_path, test_env, "directory", Base.metadata)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_out_of_range_ids_are_missing_records(db, number):
    with pytest.raises(UserNotFound):
        store.get_user(db, 1, number)
    with pytest.raises(UserNotFound):
        store.get_user(db, 1, str(number))
    with pytest.raises(GroupNotFound):
        store.get_group(db, 1, number)
    with pytest.raises(UserNotFound):
        store.existing_user_ids(db, 1, [number])
    assert store.users_of_workspace(db, number, user_ids=[number]) == []
    assert store.groups_of_workspace(db, number, group_ids=[number]) == []
    assert store.campaigns_of_workspace(db, number) == []
