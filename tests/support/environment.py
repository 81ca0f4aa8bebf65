"""One throw-away environment for a test run or a benchmark: its own RabbitMQ vhost and PostgreSQL
databases, the variables that point the settings (and every process started from here) at them,
the services' migrations, and the whole system started on them. Removed afterwards, so runs never
share state. conftest.py and bench/ both use it:

    with Environment("bench", extra_env={"LOG_LEVEL": "WARNING"}) as env:
        env.migrate(["directory", "deals"])
        system = env.start_system(["directory", "deals", "gateway"])
        env.api.signup()
"""
import os
import secrets
import socket

from infra import migrate, settings
from infra.processes import ROOT, System, available_components
from infra.settings import SERVICES
from tests.support import resources
from tests.support.client import Api


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrated_services(components):
    """The services among `components` that have migrations (the gateway has none)."""
    return [name for name in components if name in SERVICES
            and os.path.isdir(os.path.join(ROOT, "services", name, "migrations", "versions"))]


class Environment:
    """`kind` names the run in the vhost (crm-<kind>-<run id>), the logs (var/<kind>-logs/<run id>)
    and the variable directory. `services` limits which databases are created (default: every
    service's); `vhost=False` creates no vhost. `extra_env` adds or overrides variables."""

    def __init__(self, kind, services=SERVICES, vhost=True, extra_env=None):
        self.kind = kind
        self.run_id = resources.new_run_id()
        self.vhost = "crm-{}-{}".format(kind, self.run_id) if vhost else None
        self.database_urls = {name: url for name, url in resources.database_urls(self.run_id).items()
                              if name in services}
        self.amqp_uri = None
        self.extra_env = dict(extra_env or {})
        self.env = {}  # the variables set for the run
        self.log_dir = os.path.join(ROOT, "var", "{}-logs".format(kind), self.run_id)
        self.system = None
        self._previous = {}  # what os.environ held before, restored by destroy()
        self._api = None

    # --- lifetime -----------------------------------------------------------------------------------------
    def create(self):
        """Creates the vhost and the databases and points os.environ and the settings at them."""
        if self.vhost:
            self.amqp_uri = resources.create_vhost(self.vhost)
        resources.create_databases(self.database_urls)
        env = {"CRM_ENV": "test", "JWT_SECRET": secrets.token_urlsafe(32),
               "CRM_VAR_DIR": os.path.join(ROOT, "var", "{}-{}".format(self.kind, self.run_id))}
        if self.amqp_uri:
            env["AMQP_URI"] = self.amqp_uri
        env.update({"{}_DATABASE_URL".format(name.upper()): url for name, url in self.database_urls.items()})
        env.update(self.extra_env)
        self.env = env
        self._previous = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        settings.reload()
        return self

    def migrate(self, components=None):
        """Upgrades the databases of `components` (default: every present component) to head."""
        for name in migrated_services(components or available_components()):
            if name in self.database_urls:
                migrate.upgrade(name)

    def start_system(self, components=None, extra_env=None):
        """Starts `components` (default: all) as `make run` does, the gateway and each process's
        metrics on free ports (`system.metrics_ports`)."""
        env = dict(os.environ, GATEWAY_ADDRESS="127.0.0.1:{}".format(free_port()), METRICS_PORT_BASE="0")
        env.update(extra_env or {})
        self.system = System(env=env, log_dir=self.log_dir, components=components or available_components())
        try:
            self.system.start()
        except Exception:
            self.system.stop()
            raise
        return self.system

    @property
    def api(self):
        """An HTTP client of the running system's gateway."""
        if self._api is None:
            self._api = Api(self.system.base_url)
        return self._api

    def destroy(self):
        """Stops the system, drops the databases and the vhost, and gives os.environ and the settings
        back what they were."""
        try:
            if self.system is not None:
                self.system.stop()
        finally:
            try:
                resources.drop_databases(self.database_urls)
            finally:
                if self.vhost:
                    resources.delete_vhost(self.vhost)
                for name, value in self._previous.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
                settings.reload()

    def __enter__(self):
        try:
            return self.create()
        except Exception:
            self.destroy()
            raise

    def __exit__(self, *exc):
        self.destroy()
