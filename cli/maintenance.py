"""crm reconcile, crm resync, crm dead-letters: the maintenance commands. They run the services' own
maintenance functions (services/goals/cli.py, services/accounts/cli.py, infra/deadletters.py; `make
reconcile`, `make resync` and `make replay-dead-letters` call these commands), so they use the
services' settings from the environment (AMQP_URI, GOALS_DATABASE_URL, ACCOUNTS_DATABASE_URL,
RABBIT_MANAGEMENT_URL), not --url, and are run where the services' databases and broker are
reachable. Safe while the system runs."""
import importlib
import os
import socket
import sys
import warnings

import click

from cli.errors import PROBLEM, SERVER_ERROR, UNREACHABLE, CliError, Unreachable, Usage

PROJECTIONS = ("goals", "accounts")  # the services that keep projections of the deals
WORKSPACE = click.IntRange(1, 2 ** 63 - 1)


def green():
    """The services' maintenance functions call other services over RPC (infra.rpc.standalone) and
    use psycopg2: both need eventlet's green sockets, as in `nameko run`."""
    warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()


def unreachable(exc):
    """Whether `exc` says a broker, a database or a service could not be reached (exit 4), rather
    than a bug."""
    from nameko.exceptions import UnknownService
    from sqlalchemy.exc import OperationalError as DatabaseUnavailable

    from infra.errors import ServiceTimeout, ServiceUnavailable

    return isinstance(exc, (OSError, socket.timeout, DatabaseUnavailable, ServiceUnavailable, ServiceTimeout,
                            UnknownService))


def connections(service):
    """Where the service's maintenance functions connect (passwords hidden), for an error message."""
    from sqlalchemy.engine import make_url

    from infra import settings

    config = settings.get()
    return "broker {}, database {}".format(make_url(config.amqp_uri).render_as_string(hide_password=True),
                                           make_url(config.database_url(service)).render_as_string(hide_password=True))


def first_line(exc):
    text = str(exc).strip().splitlines()
    return "{}: {}".format(type(exc).__name__, text[0] if text else "")


def run_each(action, services, **kwargs):
    """`action` (reconcile or resync) of each service in turn, even after one fails; the worst exit code."""
    green()
    worst = 0
    for name in services:
        module = importlib.import_module("services.{}.cli".format(name))
        try:
            code = getattr(module, action)(out=sys.stdout, **kwargs)
        except Exception as exc:
            if os.environ.get("CRM_DEBUG"):
                raise
            code = UNREACHABLE if unreachable(exc) else SERVER_ERROR
            where = " ({})".format(connections(name)) if code == UNREACHABLE else ""
            click.echo("crm: {} {} failed: {}{}".format(name, action, first_line(exc), where), err=True)
        sys.stdout.flush()
        worst = max(worst, code)
    return worst


@click.command()
@click.option("--workspace", type=WORKSPACE, help="one workspace only")
@click.option("--local", is_flag=True, help="against each service's own projection instead of the deals service")
@click.option("--service", "services", multiple=True, type=click.Choice(PROJECTIONS),
              help="only this service (repeatable; default: goals and accounts)")
def reconcile(workspace, local, services):
    """Compare the goals' figures and the accounts' deal counters with a recount from the deals
    service's opportunities; print each difference (DRIFT ...). Exit code 1 if any."""
    return run_each("reconcile", services or PROJECTIONS, local=local, workspace_id=workspace)


@click.command()
@click.option("--workspace", type=WORKSPACE, help="one workspace only")
@click.option("--service", "services", multiple=True, type=click.Choice(PROJECTIONS),
              help="only this service (repeatable; default: goals and accounts)")
def resync(workspace, services):
    """Rebuild the goals' and accounts' projections of the deals from the deals service, then
    recompute every goal and recount every account's counters."""
    return run_each("resync", services or PROJECTIONS, workspace_id=workspace)


# --- dead letters --------------------------------------------------------------------------------------
@click.group("dead-letters")
def dead_letters():
    """Events a consumer gave up on: list them, put them back once the cause is fixed."""


def broker_errors(call):
    """infra.deadletters' own failures (SystemExit with a message) and the broker's, as one line."""
    try:
        return call()
    except SystemExit as exc:
        text = str(exc.code)
        raise (Usage(text) if text.startswith("no queue") else Unreachable(text))
    except CliError:
        raise
    except Exception as exc:
        if os.environ.get("CRM_DEBUG"):
            raise
        if unreachable(exc) or type(exc).__module__.startswith(("kombu", "amqp")):
            raise Unreachable("the broker at AMQP_URI: {}".format(first_line(exc)))
        raise


@dead_letters.command("list")
@click.option("--queue", "queues", multiple=True, help="only this queue (repeatable; default: every one)")
@click.option("--limit", type=click.IntRange(0, 100000), default=100, show_default=True,
              help="messages shown per queue")
@click.pass_obj
def list_dead_letters(session, queues, limit):
    """Each dead-letter queue with its count and, for each message, its event and why it died."""
    from infra.deadletters import SUFFIX, DeadLetters, as_dead_letter_queue

    letters = DeadLetters()
    names = [as_dead_letter_queue(name) for name in queues] or broker_errors(letters.queues)
    output = session.output
    if not names:
        output.line("no dead-letter queues")
        return 0
    counts = {name: broker_errors(lambda: letters.count(name)) for name in names}
    output.table(["dead-letter queue", "messages", "replay with"],
                 [[name, counts[name], "--queue " + name[:-len(SUFFIX)]] for name in names], title="Dead letters")
    for name in names:
        if not counts[name] or not limit:
            continue
        shown = broker_errors(lambda: letters.peek(name, limit))
        more = " (the first {} of {})".format(len(shown), counts[name]) if counts[name] > len(shown) else ""
        output.table(["event type", "event id", "aggregate id", "reason", "died at", "deaths"],
                     [[letter.event_type or "?", letter.event_id or "?", letter.aggregate_id or "?", letter.reason,
                       letter.died_at, letter.deaths] for letter in shown], title=name + more)
    return 0


@dead_letters.command("replay")
@click.option("--queue", required=True, help="the queue (or its .dead-letter queue)")
@click.option("--all", "replay_all", is_flag=True, help="every message of the queue")
@click.option("--event-id", "event_ids", multiple=True, help="the message with this event id (repeatable)")
def replay_dead_letters(queue, replay_all, event_ids):
    """Put dead letters back on the queue they died in (publisher-confirmed, then removed from the
    dead-letter queue). Exit code 1 if a chosen one was not replayed."""
    from infra.deadletters import DeadLetters, replay_command

    if replay_all == bool(event_ids):
        raise Usage("name the messages: --all or --event-id ID (not both)")
    code = broker_errors(lambda: replay_command(DeadLetters(), queue, replay_all, list(event_ids), say=click.echo))
    return PROBLEM if code else 0


