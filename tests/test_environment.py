"""The one throw-away environment the tests and the benchmarks share (tests/support/environment.py)."""
import os

import psycopg2

from infra import settings
from tests.support import resources
from tests.support.environment import Environment


def vhosts():
    return {vhost["name"] for vhost in resources.management("GET", "/vhosts")}


def databases():
    connection = psycopg2.connect(resources.PG_ADMIN_URL)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database")
            return {row[0] for row in cursor.fetchall()}
    finally:
        connection.close()


def test_an_environment_makes_its_own_vhost_and_migrated_databases_and_removes_them(test_env):
    with Environment("probe", services=("directory", "deals")) as env:
        env.migrate(["directory", "gateway"])  # the gateway has no database: nothing to migrate
        assert env.vhost == "crm-probe-" + env.run_id and env.vhost in vhosts()
        assert set(env.database_urls) == {"directory", "deals"}
        assert os.environ["AMQP_URI"] == env.amqp_uri != test_env.amqp_uri
        assert settings.get().database_url("directory") == env.database_urls["directory"]
        with psycopg2.connect(env.database_urls["directory"]) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM alembic_version")
            assert cursor.fetchone()[0] == 1  # migrated
        with psycopg2.connect(env.database_urls["deals"]) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('alembic_version')")
            assert cursor.fetchone()[0] is None  # created, not asked to migrate
        names = {url.rsplit("/", 1)[1] for url in env.database_urls.values()}
        assert names <= databases()
    assert env.vhost not in vhosts() and not names & databases()
    # the suite's own environment is back, in os.environ and in the settings
    assert os.environ["AMQP_URI"] == test_env.amqp_uri
    assert settings.get().database_url("directory") == test_env.database_urls["directory"]


def test_an_environment_without_a_vhost_changes_only_its_databases_variables(test_env):
    with Environment("probe", services=("goals",), vhost=False) as env:
        assert env.vhost is None and env.amqp_uri is None
        assert os.environ["AMQP_URI"] == test_env.amqp_uri
        assert settings.get().database_url("goals") == env.database_urls["goals"]
        assert settings.get().database_url("deals") == test_env.database_urls["deals"]
    assert settings.get().database_url("goals") == test_env.database_urls["goals"]
