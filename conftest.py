"""Suite-wide fixtures: every run gets its own RabbitMQ vhost and PostgreSQL databases (removed
afterwards); `system` starts every service and the gateway against them once per run."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # services and the tests' own containers need green sockets and psycopg2

import os  # noqa: E402

import pytest  # noqa: E402

from infra import settings  # noqa: E402
from infra.processes import available_components  # noqa: E402
from tests.support.client import Api  # noqa: E402
from tests.support.environment import Environment  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def test_env():
    """The run's Environment (tests/support/environment.py): run_id, vhost, amqp_uri, database_urls, env."""
    with Environment("test", extra_env={"OUTBOX_POLL_SECONDS": "0.2", "RPC_TIMEOUT_SECONDS": "5"}) as env:
        env.migrate(selected_components())
        yield env


def selected_components():
    """TEST_COMPONENTS=directory,deals,gateway limits what the suite migrates and starts (default: all)."""
    wanted = os.environ.get("TEST_COMPONENTS")
    present = available_components()
    return [name for name in present if not wanted or name in wanted.split(",")]


@pytest.fixture(scope="session")
def system(test_env):
    running = test_env.start_system(selected_components())
    yield running
    running.stop()


@pytest.fixture(scope="session")
def api(system):
    return Api(system.base_url)


@pytest.fixture
def service_config(test_env):
    """nameko config for containers a test starts itself (container_factory)."""
    return {"AMQP_URI": test_env.amqp_uri, "max_workers": 10, "serializer": "json"}


@pytest.fixture(autouse=True)
def settings_as_the_environment_says():
    """A test that changes the environment calls settings.reload(); afterwards the run's own come back."""
    yield
    settings.reload()
