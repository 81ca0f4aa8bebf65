"""Dead letters: the events a consumer gave up on, listed and put back on their queue once the
cause is fixed (`make replay-dead-letters`).

infra.consumers dead-letters a poison message (or one that kept failing) by rejecting it: the
broker moves it through the `crm.dead-letter` exchange to `<queue>.dead-letter`, adding `x-death`
(which queue, why, when, how often). Here:

    python -m infra.deadletters list [--queue Q ...] [--limit N]
    python -m infra.deadletters replay --queue Q (--all | --event-id ID ...)

`list` shows each dead-letter queue of the vhost (found through the RabbitMQ management API, or
named with --queue) with its count and, for each message, its event type, event id, aggregate id
and why it died. `replay` republishes the chosen messages of one queue (Q or Q.dead-letter) to the
queue they died in, with publisher confirms, and only then removes each from the dead-letter
queue; a message not chosen, or not confirmed, stays where it is.

Reading a message takes it from the queue unacknowledged; closing the channel puts back what was
not removed. The management API's address is RABBIT_MANAGEMENT_URL (default: port 15672 of the
AMQP host), with the AMQP URI's user and password.
"""

import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")  # through nameko; not used here

import argparse  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Callable, List, Optional  # noqa: E402

from amqp import Message  # noqa: E402
from kombu import Connection  # noqa: E402

from infra import settings  # noqa: E402
from infra.consumers import dead_letter_queue_name  # noqa: E402

SUFFIX = dead_letter_queue_name("")
DEATH_HEADERS = (
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
)


@dataclass
class DeadLetter:
    queue: str  # where it died, and where a replay puts it back
    event_type: Optional[str]
    event_id: Optional[str]
    aggregate_id: Optional[str]
    reason: str
    died_at: Any
    deaths: int
    message: Any  # the AMQP message, unacknowledged

    def describe(self) -> str:
        return "{} event {} aggregate {}: {} at {} ({} time{})".format(
            self.event_type or "?",
            self.event_id or "?",
            self.aggregate_id or "?",
            self.reason,
            self.died_at,
            self.deaths,
            "" if self.deaths == 1 else "s",
        )


def read(message: Any, dead_letter_queue: str) -> DeadLetter:
    headers = message.properties.get("application_headers") or {}
    deaths = headers.get("x-death") or [{}]
    try:
        body = json.loads(message.body)
    except ValueError:
        body = None
    event = body if isinstance(body, dict) else {}
    return DeadLetter(
        queue=deaths[0].get("queue") or dead_letter_queue[: -len(SUFFIX)],
        event_type=event.get("event_type"),
        event_id=event.get("event_id"),
        aggregate_id=event.get("aggregate_id"),
        reason=headers.get("x-first-death-reason") or deaths[0].get("reason") or "unknown",
        died_at=deaths[0].get("time"),
        deaths=sum(death.get("count", 1) for death in deaths if death),
        message=message,
    )


def as_dead_letter_queue(name: str) -> str:
    return name if name.endswith(SUFFIX) else dead_letter_queue_name(name)


class DeadLetters:
    """The dead-letter queues of one vhost (AMQP_URI's)."""

    def __init__(self, amqp_uri: str | None = None, management_url: str | None = None) -> None:
        config = settings.get()
        self.amqp_uri = amqp_uri or config.amqp_uri
        self.management_url = management_url if management_url is not None else config.rabbit_management_url

    def queues(self) -> list[str]:
        """The names of the vhost's dead-letter queues, from the management API."""
        params = Connection(self.amqp_uri)
        base = self.management_url or "http://{}:15672".format(params.hostname or "localhost")
        url = "{}/api/queues/{}?columns=name".format(
            base.rstrip("/"), urllib.parse.quote(params.virtual_host or "/", safe="")
        )
        request = urllib.request.Request(url)
        credentials = "{}:{}".format(params.userid or "guest", params.password or "guest").encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(credentials).decode())
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                names = [queue["name"] for queue in json.load(response)]
        except (OSError, ValueError) as exc:
            raise SystemExit(
                "cannot find the dead-letter queues: the RabbitMQ management API at {} did not answer "
                "({}); name them with --queue".format(base, exc)
            ) from None
        return sorted(name for name in names if name.endswith(SUFFIX))

    def count(self, queue: str) -> int:
        """How many messages wait in dead-letter queue `queue` (0 if it does not exist)."""
        with Connection(self.amqp_uri, connect_timeout=10) as connection:
            channel = connection.channel()
            try:
                waiting: int = channel.queue_declare(as_dead_letter_queue(queue), passive=True).message_count
                return waiting
            except connection.channel_errors:  # 404: no such queue
                return 0

    def peek(self, queue: str, limit: int = 100) -> list[DeadLetter]:
        """Up to `limit` dead letters of `queue`, left where they are."""
        queue = as_dead_letter_queue(queue)
        with Connection(self.amqp_uri, connect_timeout=10) as connection:
            return [read(message, queue) for message in self._take(connection, connection.channel(), queue, limit)]

    def replay(
        self, queue: str, chosen: Callable[[DeadLetter], bool], say: Callable[[str], object] = print
    ) -> tuple[list[DeadLetter], list[DeadLetter]]:
        """Puts the chosen dead letters of `queue` back on the queue they died in; returns
        (replayed, kept). A replay that is not confirmed (or finds no queue to go to) stops there."""
        queue = as_dead_letter_queue(queue)
        replayed: List[DeadLetter] = []
        kept: List[DeadLetter] = []
        with Connection(self.amqp_uri, connect_timeout=10, transport_options={"confirm_publish": True}) as connection:
            channel = connection.channel()
            returned = []
            channel.events["basic_return"].add(lambda exc, exchange, routing_key, message: returned.append(exc))
            for message in self._take(connection, channel, queue):
                letter = read(message, queue)
                if not chosen(letter) or returned:
                    kept.append(letter)
                    continue
                channel.basic_publish(replayable(message), exchange="", routing_key=letter.queue, mandatory=True)
                if returned:  # the queue it died in does not exist (any more)
                    say("!! {} not replayed: no queue {} ({})".format(letter.event_id, letter.queue, returned[0]))
                    kept.append(letter)
                    continue
                channel.basic_ack(message.delivery_tag)  # confirmed by the broker: now it may go
                replayed.append(letter)
        return replayed, kept

    @staticmethod
    def _take(connection: Any, channel: Any, queue: str, limit: int | None = None) -> list[Any]:
        """The messages in `queue` now (unacknowledged; back in the queue when the channel closes)."""
        try:
            waiting = channel.queue_declare(queue, passive=True).message_count
        except connection.channel_errors:
            raise SystemExit("no queue {}".format(queue)) from None
        taken = []
        for _ in range(waiting if limit is None else min(waiting, limit)):
            message = channel.basic_get(queue, no_ack=False)
            if message is None:
                break
            taken.append(message)
        return taken


def replayable(message: Any) -> Message:
    """The dead letter as it was first published: same body and properties, persistent, without
    the broker's death records."""
    properties = dict(message.properties)
    headers = {
        key: value
        for key, value in (properties.pop("application_headers", None) or {}).items()
        if key not in DEATH_HEADERS
    }
    properties["delivery_mode"] = 2
    return Message(message.body, application_headers=headers, **properties)


def list_command(
    dead_letters: DeadLetters, queues: Sequence[str], limit: int, say: Callable[[str], object] = print
) -> None:
    names = [as_dead_letter_queue(name) for name in queues] or dead_letters.queues()
    if not names:
        say("no dead-letter queues")
    for name in names:
        count = dead_letters.count(name)
        say(
            "{}: {} message{} (replay with --queue {})".format(
                name, count, "" if count == 1 else "s", name[: -len(SUFFIX)]
            )
        )
        for letter in dead_letters.peek(name, limit) if count else []:
            say("  " + letter.describe())
        if count > limit:
            say("  ... and {} more".format(count - limit))


def replay_command(
    dead_letters: DeadLetters,
    queue: str,
    replay_all: bool,
    event_ids: Iterable[str] | None,
    say: Callable[[str], object] = print,
) -> int:
    wanted = set(event_ids or ())
    replayed, kept = dead_letters.replay(queue, lambda letter: replay_all or letter.event_id in wanted, say)
    for letter in replayed:
        say("replayed to {}: {}".format(letter.queue, letter.describe()))
    missing = wanted - {letter.event_id for letter in replayed}
    for event_id in sorted(missing):
        say("!! not replayed: no dead letter with event id {} in {}".format(event_id, as_dead_letter_queue(queue)))
    say("{} replayed, {} left in {}".format(len(replayed), len(kept), as_dead_letter_queue(queue)))
    return 1 if missing or (replay_all and kept) else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deadletters", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    listing = commands.add_parser("list", help="what sits in each dead-letter queue")
    listing.add_argument("--queue", action="append", default=[], help="only this queue (repeatable)")
    listing.add_argument("--limit", type=int, default=100, help="messages shown per queue (default 100)")
    replay = commands.add_parser("replay", help="put dead letters back on their queue")
    replay.add_argument("--queue", required=True, help="the queue (or its .dead-letter queue)")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every message of the queue")
    which.add_argument("--event-id", action="append", help="the message with this event id (repeatable)")
    args = parser.parse_args(argv)
    dead_letters = DeadLetters()
    if args.command == "replay":
        return replay_command(dead_letters, args.queue, args.all, args.event_id)
    list_command(dead_letters, getattr(args, "queue", []), getattr(args, "limit", 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
