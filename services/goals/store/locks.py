"""The per-(workspace, campaign) advisory locks between events and recomputations (PostgreSQL).

Events take the lock of each campaign their deal is in or leaves shared; creating a goal, changing
its assignments or target, and recomputing it take it exclusively. So a goal being created or
re-assigned never misses an event committed meanwhile: the event either commits before the
recomputation reads the projection, or reads the goals after the recomputation committed.
Transaction-scoped: released at commit or rollback. SQLite has one connection per process, so its
transactions are serialized already and takes none.
"""
import hashlib

from sqlalchemy import text

_LOCK_SHARED = text("SELECT pg_advisory_xact_lock_shared(:key)")
_LOCK_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:key)")


def campaign_key(workspace_id, campaign_uuid):
    """The advisory lock key of a campaign: 64 bits of a hash of it."""
    digest = hashlib.sha1("goals:{}:{}".format(workspace_id, campaign_uuid).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_campaigns(session, workspace_id, campaign_uuids, shared):
    """Takes the campaigns' locks in key order (so two transactions never wait on each other in a cycle)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    statement = _LOCK_SHARED if shared else _LOCK_EXCLUSIVE
    for key in sorted(campaign_key(workspace_id, c) for c in campaign_uuids if c):
        session.execute(statement, {"key": key})
