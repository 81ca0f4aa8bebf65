"""Fixtures of the prospects tests: a signed-up workspace and its owner (all permissions)."""
import pytest

from services.prospects.tests import support


@pytest.fixture
def ws(api):
    return api.signup()


@pytest.fixture
def boss(ws):
    return support.owner(ws)
