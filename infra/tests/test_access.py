"""AccessLedger: what a process applies to every caller it verifies (no broker, no database)."""

from datetime import datetime, timezone

import pytest

from infra.access import COMMIT_MARGIN_SECONDS, AccessLedger
from infra.auth import Caller
from infra.errors import Unauthenticated
from infra.events import isoformat

NOW = 1_800_000_000.0
WINDOW = 3600.0


def caller(issued_at, permissions=("319",), user_uuid="u-1"):
    return Caller(
        user_id=1, user_uuid=user_uuid, workspace_id=1, workspace_uuid="w", permissions=permissions, issued_at=issued_at
    )


def snapshot(changed_at, active=True, permissions=(), user_uuid="u-1"):
    moment = None if changed_at is None else isoformat(datetime.fromtimestamp(changed_at, timezone.utc))
    return {"uuid": user_uuid, "active": active, "permissions": list(permissions), "access_changed_at": moment}


@pytest.fixture
def ledger():
    return AccessLedger(window=WINDOW)


def test_a_user_without_recent_changes_keeps_the_tokens_access(ledger):
    token = caller(NOW - 100)
    assert ledger.current(token) is token
    assert not ledger.record(1, snapshot(None))  # a creation: nothing changed
    assert ledger.current(token) is token


def test_permissions_changed_after_the_token_was_issued_replace_the_tokens(ledger):
    assert ledger.record(2, snapshot(NOW - 10, permissions=["crm-menu"]), now=NOW)
    assert ledger.current(caller(NOW - 60)).permissions == ("crm-menu",)
    assert ledger.current(caller(NOW - 60)).user_id == 1
    # a token issued after the change already carries the current ones and keeps them
    later = caller(NOW - 10 + COMMIT_MARGIN_SECONDS + 0.001, permissions=("crm-menu", "319"))
    assert ledger.current(later) is later
    # within the commit margin it counts as older: the current ones apply
    assert ledger.current(caller(NOW - 10 + COMMIT_MARGIN_SECONDS / 2)).permissions == ("crm-menu",)


def test_a_deactivated_user_is_refused_whenever_their_token_was_issued(ledger):
    ledger.record(3, snapshot(NOW - 10, active=False, permissions=["319"]), now=NOW)
    for issued_at in (NOW - 1000, NOW - 10, NOW + 100):
        with pytest.raises(Unauthenticated):
            ledger.current(caller(issued_at))
    other = caller(NOW - 1000, user_uuid="u-2")
    assert ledger.current(other) is other


def test_changes_apply_by_version_whatever_order_they_arrive_in(ledger):
    assert ledger.record(3, snapshot(NOW - 5, active=False), now=NOW)
    assert not ledger.record(2, snapshot(NOW - 8, permissions=["319"]), now=NOW)  # older: late
    assert not ledger.record(3, snapshot(NOW - 5, active=False), now=NOW)  # duplicate
    with pytest.raises(Unauthenticated):
        ledger.current(caller(NOW - 100))
    changes = [
        {"version": 2, "snapshot": snapshot(NOW - 8)},
        {"version": 4, "snapshot": snapshot(NOW - 1, permissions=["crm-partners"])},
    ]
    assert ledger.record_all(changes, now=NOW) == 1
    assert ledger.current(caller(NOW - 100)).permissions == ("crm-partners",)


def test_changes_older_than_the_window_are_not_kept_and_are_forgotten(ledger):
    assert not ledger.record(2, snapshot(NOW - WINDOW - 1, active=False), now=NOW)
    assert ledger.record(2, snapshot(NOW - 10, active=False, user_uuid="u-2"), now=NOW)
    ledger.prune(now=NOW + WINDOW - 11)
    assert "u-2" in ledger.entries
    ledger.prune(now=NOW + WINDOW + 1)  # every token issued before the change has expired by now
    assert ledger.entries == {}
