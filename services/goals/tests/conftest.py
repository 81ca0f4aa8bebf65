"""Fixtures of the goals tests: a fresh workspace with a campaign, and a publisher of
contract-valid `deals.opportunity_changed` events on the test vhost."""
import pytest

from services.goals.tests.support import GoalsClient
from tests.support.events import EventPublisher, EventTap


@pytest.fixture
def ws(api):
    return api.signup()


@pytest.fixture
def goals(api, ws):
    return GoalsClient(api, ws)


@pytest.fixture(scope="session")
def publisher(test_env, system):
    publisher = EventPublisher(test_env.amqp_uri)
    yield publisher
    publisher.close()


@pytest.fixture
def goal_events(test_env, system):
    events = EventTap(test_env.amqp_uri, "goals")
    yield events
    events.close()


@pytest.fixture
def deals(api, ws, goals):
    from services.goals.tests.support import DealsClient
    return DealsClient(api, ws, goals.campaign["uuid"])


@pytest.fixture
def deal_tap(test_env, system):
    tap = EventTap(test_env.amqp_uri, "deals", "opportunity_changed")
    yield tap
    tap.close()


@pytest.fixture
def goals_db(test_env):
    from sqlalchemy import create_engine
    engine = create_engine(test_env.database_urls["goals"])
    yield engine
    engine.dispose()
