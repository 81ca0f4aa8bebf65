"""Maintenance commands of the accounts service (`make resync`, `make reconcile`).

  python -m services.accounts.cli resync      rebuild the deals projection from the deals service (RPC
                                              list_opportunities), tombstone rows of deals it does not
                                              know, and recount every account's deal counters
  python -m services.accounts.cli reconcile   recount every account's deal counters from the deals
                                              service's opportunities and report each account whose
                                              stored counters differ; exit status 1 if any does
           ... reconcile --local              the same check against the accounts service's projection
  --workspace N                               either command for one workspace only

Both use ACCOUNTS_DATABASE_URL and AMQP_URI like the service, and are safe while it runs: the resync
locks each projection row as the consumer does and recounts accounts under their row locks.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (green sockets for the RPC client and psycopg2)

import argparse  # noqa: E402
import sys  # noqa: E402
from datetime import timedelta  # noqa: E402

from sqlalchemy.orm import sessionmaker  # noqa: E402

from contracts.deals import opportunity_pages  # noqa: E402
from infra import rpc, settings  # noqa: E402
from infra.db import get_engine, now_utc  # noqa: E402
from services.accounts import domain  # noqa: E402
from services.accounts.consumers import projected_values  # noqa: E402
from services.accounts.store import projection  # noqa: E402

BATCH = 500
# A row the deals service did not list is a stale one only if it was last changed this long before the
# resync started (the consumers' clocks may differ from ours; a deal created during the resync is
# changed after it started).
CLOCK_MARGIN = timedelta(seconds=60)


def session_factory():
    return sessionmaker(get_engine(settings.get().database_url("accounts")), expire_on_commit=False)


def deals_client():
    return rpc.standalone(name="accounts-cli")


# --- resync ---------------------------------------------------------------------------------------------
def resync(workspace_id=None, out=sys.stdout):
    sessions, started = session_factory(), now_utc()
    listed, applied = set(), 0
    client = deals_client()
    try:
        for items in opportunity_pages(client, workspace_id):
            with sessions() as session:
                for deal_uuid, deal_workspace, version, snapshot in items:
                    listed.add(deal_uuid)
                    applied += replay(session, deal_uuid, deal_workspace, version, snapshot)
                session.commit()
    finally:
        client.stop()
    stale = tombstone_unlisted(sessions, workspace_id, listed, started - CLOCK_MARGIN)
    checked, corrected = recount_counters(sessions, workspace_id)
    print("resync: {} opportunities from deals, {} applied; {} stale projection rows tombstoned; {} accounts "
          "recounted, {} corrected".format(len(listed), applied, stale, checked, corrected), file=out)
    return 0


def replay(session, deal_uuid, workspace_id, version, snapshot):
    """Sets the deal's projection row to what the deals service holds now, unless the row holds a newer
    version (an event applied since); the counters are recounted afterwards. True if it changed it."""
    connection, now = session.connection(), now_utc()
    row = projection.lock_row(connection, deal_uuid, workspace_id, now)
    if row.workspace_id != workspace_id or version < row.version:
        return False
    values = dict(projected_values(row, snapshot), version=version)
    if all(values[name] == getattr(row, name) for name in ("account_uuid", "state", "type", "deleted", "version")):
        return False
    projection.replace_row(connection, deal_uuid, dict(values, updated_at=now))
    return True


def tombstone_unlisted(sessions, workspace_id, listed, changed_before):
    """Rows of deals the deals service did not list (it never had them), changed before `changed_before`,
    become tombstones. Returns how many."""
    marked, after = 0, ""
    while True:
        with sessions() as session:
            page = projection.live_rows_changed_before(session, workspace_id, changed_before, after, BATCH)
            unlisted = [deal_uuid for deal_uuid in page if deal_uuid not in listed]
            if unlisted:
                marked += projection.tombstone_rows(session, unlisted, changed_before, now_utc())
                session.commit()
        if len(page) < BATCH:
            return marked
        after = page[-1]


def recount_counters(sessions, workspace_id=None):
    """Sets every account's counters to the recount of the projection, a batch of accounts at a time,
    each locked (in uuid order, as the consumer locks them) before its deals are counted, so an event
    applied meanwhile is either counted or moves the counters after us. Returns (checked, corrected)."""
    checked = corrected = 0
    after = ""
    while True:
        with sessions() as session:
            page = projection.kept_counters(session, workspace_id, after, BATCH)
            if not page:
                return checked, corrected
            locked = projection.lock_counters(session, [row.id for row in page])
            counts = projection.projected_counts(session, account_uuids=[row.uuid for row in locked])
            for row in locked:
                expected = domain.counter_values(counts.get((row.workspace_id, row.uuid), {}))
                if stored_counters(row) != expected:
                    projection.set_counters(session, row.id, expected)
                    corrected += 1
            session.commit()
        checked += len(page)
        after = page[-1].uuid


def stored_counters(row):
    return {name: getattr(row, name) for name in projection.COUNTERS}


# --- reconcile ------------------------------------------------------------------------------------------
def reconcile(local=False, workspace_id=None, out=sys.stdout):
    sessions = session_factory()
    if local:
        with sessions() as session:
            expected = projection.projected_counts(session, workspace_id)
        source = "accounts projection"
    else:
        expected, seen = counts_from_deals(workspace_id)
        source = "{} opportunities of the deals service".format(seen)
    checked = drifted = 0
    after = ""
    while True:
        with sessions() as session:
            page = projection.kept_counters(session, workspace_id, after, BATCH)
        for row in page:
            stored = stored_counters(row)
            recounted = domain.counter_values(expected.get((row.workspace_id, row.uuid), {}))
            if stored != recounted:
                drifted += 1
                print("DRIFT account {} (workspace {}): {}".format(row.uuid, row.workspace_id, ", ".join(
                    "{} stored {} recounted {}".format(name, stored[name], recounted[name])
                    for name in projection.COUNTERS if stored[name] != recounted[name])), file=out)
        checked += len(page)
        if len(page) < BATCH:
            break
        after = page[-1].uuid
    print("reconcile: {} accounts checked against the {}; {} with drift".format(checked, source, drifted), file=out)
    return 1 if drifted else 0


def counts_from_deals(workspace_id=None):
    """({(workspace_id, account_uuid): {(bucket, type): count}} of the deals the deals service holds now,
    how many deals it listed), read page by page."""
    seen = 0

    def counted(client):
        nonlocal seen
        for items in opportunity_pages(client, workspace_id):
            seen += len(items)
            for _, deal_workspace, _, snapshot in items:
                if snapshot is not None and snapshot["account_uuid"]:
                    yield (deal_workspace, snapshot["account_uuid"]), snapshot["current_state"], snapshot["type"], 1

    client = deals_client()
    try:
        return domain.counts_by_key(counted(client)), seen
    finally:
        client.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.accounts.cli", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("resync", "reconcile"))
    parser.add_argument("--workspace", type=int, default=None, help="one workspace only")
    parser.add_argument("--local", action="store_true", help="reconcile against the accounts projection")
    args = parser.parse_args(argv)
    if args.command == "resync":
        return resync(args.workspace)
    return reconcile(local=args.local, workspace_id=args.workspace)


if __name__ == "__main__":
    sys.exit(main())
