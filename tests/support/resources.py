"""Per-run RabbitMQ vhost and PostgreSQL databases, created before the suite and removed after it,
so runs (and developers) never share state. The management API is used for vhosts and queues."""
import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

import psycopg2

from infra.settings import SERVICES

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBIT_MANAGEMENT_URL = os.environ.get("TEST_RABBIT_MANAGEMENT_URL", "http://127.0.0.1:15672")
RABBIT_USER = os.environ.get("TEST_RABBIT_USER", "guest")
RABBIT_PASSWORD = os.environ.get("TEST_RABBIT_PASSWORD", "guest")
RABBIT_HOST = os.environ.get("TEST_RABBIT_HOST", "127.0.0.1:5672")


def new_run_id():
    return uuid.uuid4().hex[:10]


# --- RabbitMQ -----------------------------------------------------------------------------------
def management(method, path, body=None):
    request = urllib.request.Request(RABBIT_MANAGEMENT_URL + "/api" + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    token = base64.b64encode("{}:{}".format(RABBIT_USER, RABBIT_PASSWORD).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def create_vhost(name):
    vhost = urllib.parse.quote(name, safe="")
    management("PUT", "/vhosts/" + vhost, {})
    management("PUT", "/permissions/{}/{}".format(vhost, RABBIT_USER), {"configure": ".*", "write": ".*", "read": ".*"})
    return "amqp://{}:{}@{}/{}".format(RABBIT_USER, RABBIT_PASSWORD, RABBIT_HOST, vhost)


def delete_vhost(name):
    try:
        management("DELETE", "/vhosts/" + urllib.parse.quote(name, safe=""))
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise


def queue_info(vhost, queue):
    """The management API's view of a queue (messages, messages_unacknowledged...), or None."""
    try:
        return management("GET", "/queues/{}/{}".format(urllib.parse.quote(vhost, safe=""),
                                                        urllib.parse.quote(queue, safe="")))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def queues(vhost):
    return management("GET", "/queues/{}".format(urllib.parse.quote(vhost, safe="")))


# --- PostgreSQL ---------------------------------------------------------------------------------
def _admin():
    connection = psycopg2.connect(PG_ADMIN_URL)
    connection.autocommit = True
    return connection


def database_urls(run_id):
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return {service: "{}/crm_t{}_{}".format(base, run_id, service) for service in SERVICES}


def create_databases(urls):
    connection = _admin()
    with connection.cursor() as cursor:
        for url in urls.values():
            cursor.execute('CREATE DATABASE "{}"'.format(url.rsplit("/", 1)[1]))
    connection.close()


def drop_databases(urls):
    connection = _admin()
    with connection.cursor() as cursor:
        for url in urls.values():
            cursor.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(url.rsplit("/", 1)[1]))
    connection.close()


def drop_stale_databases(prefix="crm_t"):
    """Databases left by runs that were killed before their cleanup."""
    connection = _admin()
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (prefix + "%",))
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(name))
    connection.close()
    return names


def sqlite_or_postgres_engine(kind, tmp_path, test_env, service, metadata):
    """An engine for tests that run on both databases: a fresh SQLite file with `metadata`'s tables
    (`make run`'s database) or the run's migrated PostgreSQL database of `service`."""
    from sqlalchemy import create_engine
    if kind == "sqlite":
        engine = create_engine("sqlite:///{}".format(tmp_path / "{}.db".format(service)))
        metadata.create_all(engine)
        return engine
    return create_engine(test_env.database_urls[service])
