"""`python -m infra.migrate check`, what each service's initContainer in deploy/k8s runs so that its
pods start only once the migration Job has brought its database to head: against a real PostgreSQL
database before, during and after an upgrade, and against one it cannot reach."""
import os
import subprocess
import sys
import time
import uuid

import psycopg2
import pytest
from alembic.script import ScriptDirectory

from infra import migrate
from infra.processes import ROOT
from tests.support import resources

SERVICE = "deals"  # the service with the most revisions: one can stop short of head


@pytest.fixture
def database():
    url = "{}/crm_tcheck_{}".format(resources.PG_ADMIN_URL.rsplit("/", 1)[0], uuid.uuid4().hex[:10])
    resources.create_databases({SERVICE: url})
    yield url
    resources.drop_databases({SERVICE: url})


def environment(url):
    return dict(os.environ, PYTHONPATH=ROOT, PYTHONWARNINGS="ignore", **{"{}_DATABASE_URL".format(SERVICE.upper()): url})


def migrate_command(url, *args, timeout=120):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "infra.migrate"] + list(args), cwd=ROOT, env=environment(url),
                          capture_output=True, text=True, timeout=timeout)
    return done.returncode, (done.stdout + done.stderr).strip(), time.monotonic() - started


def revisions():
    """(head, the revision before it) of the service's migrations."""
    script = ScriptDirectory.from_config(migrate.alembic_config(SERVICE))
    head = script.get_revision(script.get_current_head())
    return head.revision, head.down_revision


def test_check_fails_until_the_database_is_at_head_and_passes_after(database):
    head, before_head = revisions()
    code, output, _ = migrate_command(database, "check", SERVICE)
    assert code == 1 and output == "{}: not migrated (head {})".format(SERVICE, head)
    assert migrate_command(database, SERVICE, before_head)[0] == 0
    code, output, _ = migrate_command(database, "check", SERVICE)
    assert code == 1 and output == "{}: at {}, head {}".format(SERVICE, before_head, head)
    assert migrate_command(database, SERVICE)[0] == 0
    code, output, _ = migrate_command(database, "check", SERVICE)
    assert code == 0 and output == "{}: at head {}".format(SERVICE, head)


def test_check_with_wait_returns_as_soon_as_the_migration_is_done(database):
    head, _ = revisions()
    waiting = subprocess.Popen([sys.executable, "-m", "infra.migrate", "check", SERVICE, "--wait", "120"], cwd=ROOT,
                               env=environment(database), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(3)
        assert waiting.poll() is None, "it must keep waiting while the database is not migrated"
        assert migrate_command(database, SERVICE)[0] == 0  # what the migration Job does
        migrated_at = time.monotonic()
        output, _ = waiting.communicate(timeout=60)
        waited_after = time.monotonic() - migrated_at
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
    assert waiting.returncode == 0
    assert output.strip().splitlines() == ["{}: not migrated (head {})".format(SERVICE, head),
                                           "{}: at head {}".format(SERVICE, head)]
    assert waited_after < migrate.CHECK_POLL_SECONDS + 10, waited_after


def test_check_refuses_a_revision_this_code_does_not_know(database):
    assert migrate_command(database, SERVICE)[0] == 0
    connection = psycopg2.connect(database)
    with connection, connection.cursor() as cursor:
        cursor.execute("UPDATE alembic_version SET version_num = 'f00dcafe'")  # as a newer release would leave it
    connection.close()
    code, output, _ = migrate_command(database, "check", SERVICE)
    assert code == 1 and "at f00dcafe, unknown to this code" in output, output


def test_check_gives_up_on_an_unreachable_database_when_its_wait_is_over():
    code, output, seconds = migrate_command("postgresql://crm@127.0.0.1:1/nothing", "check", SERVICE, "--wait", "3")
    assert code == 1 and "database unreachable" in output, output
    assert 3 <= seconds < 3 + 15, seconds
