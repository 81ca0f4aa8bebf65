"""The consumer's retry rule (issue 10) against the real system: a failure of our own infrastructure
(the database locked, a statement cancelled by a timeout, a connection lost) is retried with growing
delays for as long as it lasts and never dead-letters.

The accounts projection table is locked from a separate connection for about 20 seconds while deal
changes flow through the deals API, so every opportunity_changed waits on the lock. A lock that
outlives DB_STATEMENT_TIMEOUT_MS (30 s) fails the waiting statement with SQLSTATE 57014 and one the
server drops fails it with a lost connection; to get many such failures in 20 seconds rather than one
every 30, the waiting statements are cancelled (57014, what a statement timeout raises) and their
connections terminated, in turns, every 2.5 seconds, until a message has failed more often than the
old budget of EVENT_RETRY_ATTEMPTS quick tries (the consumer's log says so) and at least 15 seconds
have passed. Once the lock is released, every counter is right, the dead-letter queue got nothing,
and reconcile finds no drift."""
import os
import re
import time

from kombu import Connection
from sqlalchemy import text

from infra import settings
from services.accounts.tests.conftest import run_cli
from services.accounts.tests.test_counts_from_deals import change, deal
from services.accounts.tests.test_opportunity_counts import counts_of, expect
from tests.support.events import wait_for

DEAD_LETTERS = "evt-deals-opportunity_changed--accounts.handle_opportunity_changed.dead-letter"
ROUND_SECONDS, MIN_LOCKED_SECONDS, MAX_LOCKED_SECONDS = 2.5, 15, 45
WAITING_ON_A_LOCK = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")


def dead_lettered(amqp_uri):
    """Messages in the consumer's dead-letter queue now (exact, unlike the management API's sampled count)."""
    with Connection(amqp_uri, connect_timeout=10) as connection:
        return connection.channel().queue_declare(DEAD_LETTERS, passive=True).message_count


def interrupt_waiting(connection, how):
    """Cancels the statements waiting on a lock (`pg_cancel_backend`) or drops their connections
    (`pg_terminate_backend`); returns how many."""
    pids = connection.execute(text(WAITING_ON_A_LOCK)).scalars().all()
    for pid in pids:
        connection.execute(text("SELECT {}(:pid)".format(how)), {"pid": pid})
    return len(pids)


def retries_logged(path, start):
    """The retry numbers the consumer logged for transient failures since offset `start` of its log (the
    failure's message may span lines)."""
    with open(path, "rb") as log:
        log.seek(start)
        return [int(n) for n in re.findall(rb"(?s)opportunity_changed \S+: transient failure .*?; retry (\d+) in",
                                           log.read())]


def test_a_locked_projection_loses_no_change_and_dead_letters_nothing(api, workspace, accounts, accounts_db,
                                                                      system, test_env):
    ws = workspace.workspace["id"]
    first, second = accounts.create(name="First"), accounts.create(name="Second")
    deal(api, workspace, account_uuid=second, type="sale", current_state="open_0")
    expect(accounts, second, {"openDeals": {"sale": 1}})  # the consumer is up and applying
    dead_before = dead_lettered(test_env.amqp_uri)
    log_path = os.path.join(system.log_dir, "accounts.log")
    log_start = os.path.getsize(log_path)

    locker = accounts_db.connect()
    locker.begin()
    locker.execute(text("LOCK TABLE opportunity_projection IN ACCESS EXCLUSIVE MODE"))
    locked_at, interrupted, budget = time.monotonic(), [], settings.get().event_retry_attempts
    try:
        sale = deal(api, workspace, account_uuid=first, type="sale", current_state="open_25")
        gone = deal(api, workspace, account_uuid=first, type="purchase", current_state="won")
        moved = deal(api, workspace, account_uuid=first, type="exchange", current_state="lost")
        change(api, workspace, moved, account_uuid=second)
        change(api, workspace, sale, current_state="won")
        assert api.delete("/api/deals/{}.json".format(gone), token=workspace.token).status_code == 200
        with accounts_db.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
            wait_for(lambda: admin.execute(text(WAITING_ON_A_LOCK)).first(), timeout=20)
            while True:
                time.sleep(ROUND_SECONDS)
                how = "pg_terminate_backend" if len(interrupted) % 2 else "pg_cancel_backend"
                interrupted.append(interrupt_waiting(admin, how))
                locked_for = time.monotonic() - locked_at
                if max(retries_logged(log_path, log_start), default=0) > budget and locked_for > MIN_LOCKED_SECONDS:
                    break
                assert locked_for < MAX_LOCKED_SECONDS, (interrupted, retries_logged(log_path, log_start))
        # nothing got through the lock: the counts are still those from before it
        assert counts_of(accounts, first) == {"openDeals": {"purchase": 0, "sale": 0, "exchange": 0},
                                              "wonDeals": {"purchase": 0, "sale": 0, "exchange": 0},
                                              "lostDeals": {"purchase": 0, "sale": 0, "exchange": 0}}
    finally:
        locker.rollback()
        locker.close()

    assert interrupted[0] > 0, interrupted  # the changes were waiting on the lock
    expect(accounts, first, {"wonDeals": {"sale": 1}})
    expect(accounts, second, {"openDeals": {"sale": 1}, "lostDeals": {"exchange": 1}})
    assert dead_lettered(test_env.amqp_uri) == dead_before
    code, output = run_cli("reconcile", "--workspace", str(ws))
    assert code == 0 and "0 with drift" in output, output
