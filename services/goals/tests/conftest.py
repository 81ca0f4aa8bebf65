"""Fixtures of the goals tests: a fresh workspace with a campaign, and a publisher of
contract-valid `deals.opportunity_changed` events on the test vhost."""
import pytest

from services.goals.tests.support import EventPublisher, GoalsClient


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
    from services.goals.tests.support import GoalEvents
    events = GoalEvents(test_env.amqp_uri)
    yield events
    events.close()


@pytest.fixture
def deals(api, ws, goals):
    from services.goals.tests.support import DealsClient
    return DealsClient(api, ws, goals.campaign["uuid"])


@pytest.fixture
def deal_tap(test_env, system):
    from services.goals.tests.support import DealEventTap
    tap = DealEventTap(test_env.amqp_uri)
    yield tap
    tap.close()


@pytest.fixture
def goals_db(test_env):
    from sqlalchemy import create_engine
    engine = create_engine(test_env.database_urls["goals"])
    yield engine
    engine.dispose()
