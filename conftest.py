"""Suite-wide fixtures: every run gets its own RabbitMQ vhost and PostgreSQL databases (removed
afterwards); `system` starts every service and the gateway against them once per run."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated.*")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # services and the tests' own containers need green sockets and psycopg2

import os  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402

import pytest  # noqa: E402

from infra import migrate, settings  # noqa: E402
from infra.processes import ROOT, System, available_components  # noqa: E402
from tests.support import resources  # noqa: E402
from tests.support.client import Api  # noqa: E402


class TestEnvironment:
    def __init__(self, run_id, vhost, amqp_uri, database_urls, env):
        self.run_id, self.vhost, self.amqp_uri = run_id, vhost, amqp_uri
        self.database_urls, self.env = database_urls, env


@pytest.fixture(scope="session", autouse=True)
def test_env():
    run_id = resources.new_run_id()
    vhost = "crm-test-{}".format(run_id)
    amqp_uri = resources.create_vhost(vhost)
    urls = resources.database_urls(run_id)
    resources.create_databases(urls)
    env = {"AMQP_URI": amqp_uri, "CRM_ENV": "test", "JWT_SECRET": secrets.token_urlsafe(32),
           "CRM_VAR_DIR": os.path.join(ROOT, "var", "test-{}".format(run_id)), "OUTBOX_POLL_SECONDS": "0.2", "RPC_TIMEOUT_SECONDS": "5"}
    env.update({"{}_DATABASE_URL".format(service.upper()): url for service, url in urls.items()})
    os.environ.update(env)
    settings.reload()
    for service in urls:
        if service in selected_components() and os.path.isdir(os.path.join(ROOT, "services", service, "migrations", "versions")):
            migrate.upgrade(service)
    try:
        yield TestEnvironment(run_id, vhost, amqp_uri, urls, env)
    finally:
        resources.drop_databases(urls)
        resources.delete_vhost(vhost)


def selected_components():
    """TEST_COMPONENTS=directory,deals,gateway limits what the suite migrates and starts (default: all)."""
    wanted = os.environ.get("TEST_COMPONENTS")
    present = available_components()
    return [name for name in present if not wanted or name in wanted.split(",")]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def system(test_env):
    env = dict(os.environ, GATEWAY_ADDRESS="127.0.0.1:{}".format(free_port()))
    running = System(env=env, log_dir=os.path.join(ROOT, "var", "test-logs", test_env.run_id),
                     components=selected_components())
    try:
        running.start()
    except Exception:
        running.stop()
        raise
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
