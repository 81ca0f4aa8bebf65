"""Fixtures of the customer goals tests: a fresh workspace and its owner as a caller of the API."""
import pytest

from services.goals.customer_goals.tests.support import CsGoals


@pytest.fixture
def ws(api):
    return api.signup()


@pytest.fixture
def cs(api, ws):
    return CsGoals(api, ws.token)
