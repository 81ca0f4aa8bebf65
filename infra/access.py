"""What every process knows of users' recent access changes, so a change of permissions and a
deactivation take effect within seconds instead of at token expiry.

A token carries the permissions its user held when it was issued, and the time it was issued
(`Caller.issued_at`). The directory publishes `directory.user_changed` whenever a user's access
changes (permissions replaced, deactivated), with the time of the change. Each process keeps, in an
`AccessLedger`, the users whose access changed within the life of the longest token that may still
carry the old access (user token plus internal token), and applies it to every caller it verifies:

- a deactivated user is Unauthenticated, whatever their token says (no token of theirs is newer than
  the deactivation: login and their API keys are refused from then on);
- an active user whose access changed after their token was issued gets their current permissions
  instead of the token's. `changed_at` is taken before the change commits, so a token issued up to
  `COMMIT_MARGIN_SECONDS` after it also counts as older (it then only gets the same permissions).

The hot path is one dict lookup. The ledger is fed by an `AccessWatch` per container (Identity and
TokenSecret declare it): an exclusive, auto-deleted queue of its own bound to `directory.events` /
`user_changed`, and, on start and after every reconnect (when events may have been missed), a load
of the recent changes by RPC (`directory.access_changes(since)`). Entries apply by version, so the
order in which events and the load arrive does not matter. Until the first load, a process applies
what it has received (it starts its queue before loading, so nothing is missed after that).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import eventlet
from marshmallow import ValidationError
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import SharedExtension

from contracts.events import USER_CHANGED, USER_CHANGED_SCHEMA
from infra import settings
from infra.amqp import AmqpLink
from infra.errors import Unauthenticated
from infra.events import isoformat
from infra.rpc import RpcClient

if TYPE_CHECKING:  # infra.auth imports this module
    from infra.auth import Caller

log = logging.getLogger(__name__)

COMMIT_MARGIN_SECONDS = 2.0
DIRECTORY_EVENTS = "directory.events"
LOAD_TIMEOUT_SECONDS = 5.0
RETRY_MAX_SECONDS = 5.0


@dataclass(frozen=True)
class Access:
    version: int
    changed_at: float  # epoch seconds
    active: bool
    permissions: tuple[str, ...]


def window_seconds() -> float:
    """How long a change matters: past it, every token issued before the change has expired."""
    config = settings.get()
    return float(config.jwt_ttl_seconds + config.internal_token_ttl_seconds)


def epoch_of(moment: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 UTC time ("...Z"), or None."""
    if not moment:
        return None
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp()


class AccessLedger:
    """user uuid -> Access, for users whose access changed within `window` seconds."""

    def __init__(self, window: float | None = None) -> None:
        self.window = window
        self.entries: dict[str, Access] = {}
        self.lock = threading.Lock()

    def current(self, caller: Caller) -> Caller:
        """`caller` as the user's current access allows it (see the module docstring)."""
        entry = self.entries.get(caller.user_uuid)
        if entry is None:
            return caller
        if not entry.active:
            raise Unauthenticated("This user has been deactivated")
        if caller.issued_at >= entry.changed_at + COMMIT_MARGIN_SECONDS or caller.permissions == entry.permissions:
            return caller
        return replace(caller, permissions=entry.permissions)

    def record(self, version: int, snapshot: Mapping[str, Any], now: float | None = None) -> bool:
        """Keeps the user's access from a `user_changed` snapshot if it is newer than what is held and
        changed within the window; True if kept."""
        changed_at = epoch_of(snapshot.get("access_changed_at"))
        now = time.time() if now is None else now
        if changed_at is None or changed_at < now - self._window():
            return False
        access = Access(version, changed_at, bool(snapshot["active"]), tuple(snapshot["permissions"]))
        with self.lock:
            held = self.entries.get(snapshot["uuid"])
            if held is not None and held.version >= version:
                return False
            self.entries[snapshot["uuid"]] = access
        return True

    def record_all(self, changes: Iterable[Mapping[str, Any]], now: float | None = None) -> int:
        """What `directory.access_changes` answers: [{"version", "snapshot"}]."""
        return sum(self.record(change["version"], change["snapshot"], now) for change in changes)

    def prune(self, now: float | None = None) -> None:
        """Forgets changes older than the window (every token issued before them has expired)."""
        cutoff = (time.time() if now is None else now) - self._window()
        with self.lock:
            self.entries = {key: entry for key, entry in self.entries.items() if entry.changed_at >= cutoff}

    def _window(self) -> float:
        return window_seconds() if self.window is None else self.window


LEDGER = AccessLedger()  # this process's: every watch feeds it, every verification reads it


def current_access(caller: Caller) -> Caller:
    """The verified `caller` as this process knows the user's access now; Unauthenticated if deactivated."""
    return LEDGER.current(caller)


class AccessWatch(SharedExtension):
    """Feeds this process's LEDGER from `directory.user_changed` and `directory.access_changes`."""

    prune_every = 60.0

    def __init__(self) -> None:
        self.link: AmqpLink | None = None
        self.rpc: RpcClient | None = None
        self.lost = threading.Event()
        self.loaded = threading.Event()  # set once the recent changes have been loaded
        self._running = False
        self._thread: Any = None  # eventlet's GreenThread

    def setup(self) -> None:
        amqp_uri = self.container.config[AMQP_URI_CONFIG_KEY]
        name = "access-watch-{}".format(self.container.service_name)
        self.link = AmqpLink(amqp_uri, name, on_connect=self._subscribe, on_lost=self._on_lost)
        self.rpc = RpcClient(amqp_uri, name=name)

    def start(self) -> None:
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._run, identifier="access_watch")

    def stop(self) -> None:
        self._running = False
        self.lost.set()
        if self.link is not None:
            self.link.stop()
        if self.rpc is not None:
            self.rpc.stop()
        if self._thread is not None:
            self._thread.kill()
            self._thread = None

    def kill(self) -> None:
        self.stop()

    # --- the loop -----------------------------------------------------------------------------------
    def _run(self) -> None:
        delay = 0.2
        while self._running:
            try:
                assert self.link is not None  # setup() runs before start()
                self.link.start()  # binds the queue first: nothing published after this is missed
                self._load()
                delay = 0.2
                while self._running and not self.lost.wait(self.prune_every):
                    LEDGER.prune()
                self.lost.clear()
            except Exception as exc:  # the broker or the directory is away: try again shortly
                if self._running:
                    log.warning("access watch: %s: %s; retrying in %.1fs", type(exc).__name__, exc, delay)
                    eventlet.sleep(delay)
                    delay = min(delay * 2, RETRY_MAX_SECONDS)

    def _load(self) -> None:
        since = isoformat(datetime.fromtimestamp(time.time() - window_seconds(), timezone.utc))
        assert self.rpc is not None  # setup() runs before start()
        changes = self.rpc.call("directory", "access_changes", kwargs={"since": since}, timeout=LOAD_TIMEOUT_SECONDS)
        LEDGER.record_all(changes)
        LEDGER.prune()
        self.loaded.set()

    def _subscribe(self, channel: Any) -> None:
        queue = "access-watch.{}.{}".format(self.container.service_name, uuid.uuid4().hex)
        channel.exchange_declare(DIRECTORY_EVENTS, "topic", durable=True, auto_delete=False)
        channel.queue_declare(queue, durable=False, exclusive=True, auto_delete=True)
        channel.queue_bind(queue, DIRECTORY_EVENTS, routing_key=USER_CHANGED)
        channel.basic_consume(queue, callback=self._on_event, no_ack=True)

    def _on_lost(self, exc: BaseException) -> None:
        self.lost.set()  # the queue went with the connection: reconnect, then load what was missed

    @staticmethod
    def _on_event(message: Any) -> None:
        try:
            body = message.body
            event = USER_CHANGED_SCHEMA.load(json.loads(body.decode("utf-8") if isinstance(body, bytes) else body))
        except (ValueError, ValidationError) as exc:
            log.warning("access watch: ignoring a malformed user_changed event: %s", exc)
            return
        LEDGER.record(event["version"], event["snapshot"])
