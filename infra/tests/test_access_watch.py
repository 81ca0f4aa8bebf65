"""AccessWatch against the real broker and directory: a process learns of access changes it missed
(made while it was not listening) from the load it does on start and after every reconnect."""

import time
import urllib.parse
import uuid

import pytest
from sqlalchemy import create_engine, text

from infra.access import LEDGER, AccessWatch
from infra.auth import Caller, Identity
from infra.db import now_utc
from infra.entrypoints import rpc
from infra.errors import Unauthenticated
from tests.support import resources
from tests.support.events import wait_for


class Watched:
    name = "access_watched_{}".format(uuid.uuid4().hex[:6])
    identity = Identity()

    @rpc
    def ping(self):
        return "ok"


def deactivate_silently(test_env, user_id):
    """A deactivation only the directory's database knows of: no event is published for it."""
    engine = create_engine(test_env.database_urls["directory"])
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET active = false, access_changed_at = :now, version = version + 1 WHERE id = :id"),
            {"now": now_utc(), "id": user_id},
        )
    engine.dispose()


def refused(user):
    try:
        LEDGER.current(
            Caller(
                user_id=user["id"],
                user_uuid=user["uuid"],
                workspace_id=1,
                workspace_uuid="w",
                issued_at=time.time() - 60,
            )
        )
    except Unauthenticated:
        return True
    return False


def watch_of(container):
    return next(ext for ext in container.subextensions if isinstance(ext, AccessWatch))


@pytest.fixture
def watched(container_factory, service_config, system):
    def start():
        container = container_factory(Watched, service_config)
        container.start()
        return watch_of(container)

    return start


def test_a_change_made_before_the_process_started_is_loaded_on_start(api, test_env, watched):
    user = api.signup().add_user()
    deactivate_silently(test_env, user["id"])
    assert not refused(user)
    watch = watched()
    assert watch.loaded.wait(10)
    assert refused(user)


def test_a_change_missed_while_disconnected_is_loaded_after_reconnecting(api, test_env, watched):
    user = api.signup().add_user()
    watch = watched()
    assert watch.loaded.wait(10)
    deactivate_silently(test_env, user["id"])
    time.sleep(0.5)
    assert not refused(user)  # no event: nothing to learn it from until the next load
    port = watch.link.connection.sock.getsockname()[1]
    connection = wait_for(
        lambda: [
            c
            for c in resources.management("GET", "/connections")
            if c.get("vhost") == test_env.vhost and c.get("peer_port") == port
        ]
    )[0]
    resources.management("DELETE", "/connections/{}".format(urllib.parse.quote(connection["name"], safe="")))
    wait_for(lambda: refused(user), timeout=10)
    assert watch.link.connection is not None and watch.link.connection.sock.getsockname()[1] != port
