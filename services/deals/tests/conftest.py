"""Fixtures of the deals tests: a signed-up workspace, a deal factory through the gateway, and an
event tap (a queue of our own bound to `deals.events` / `opportunity_changed`)."""
import pytest

from contracts.events import OPPORTUNITY_CHANGED
from tests.support.events import EventTap

DOCUMENT_DEAL = {"name": "Prozessoptimierung", "value_type": "Total", "target_date": "12-03-2014",
                 "value_count": "1", "value": "10000", "description": "..."}


@pytest.fixture(scope="session", autouse=True)
def keep_events_routable(test_env):
    """A durable queue bound before any deal is written, as a real subscriber's would be, so the
    relay's mandatory publishes are routed even when no goals/accounts consumer runs in this suite."""
    tap = EventTap(test_env.amqp_uri, "deals", OPPORTUNITY_CHANGED, name="deals-tests.all")
    tap.queue.purge()
    yield tap
    tap.close()


@pytest.fixture
def tap(test_env):
    event_tap = EventTap(test_env.amqp_uri, "deals", OPPORTUNITY_CHANGED)
    yield event_tap
    event_tap.close()


@pytest.fixture
def ws(api):
    return api.signup()


@pytest.fixture
def make_deal(api):
    def make(workspace, headers=None, **fields):
        body = dict(DOCUMENT_DEAL, **fields)
        response = api.post("/api/deals.json", {"deal": body}, token=workspace.token, headers=headers)
        assert response.status_code == 201, response.text
        return response.json()["deal"]
    return make
