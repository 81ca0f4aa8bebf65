"""Alembic for every service: `python -m infra.migrate all|<service> [revision]` upgrades to head;
`python -m infra.migrate check all|<service> [--wait SECONDS]` exits 0 when every database named is at
head, else 1 (with --wait it polls until they are or the time is up: what a Kubernetes initContainer
runs so a service never starts on a schema older than its code, deploy/k8s/README.md);
`python -m infra.migrate revision <service> "message"` autogenerates a new revision.

Each service keeps its revisions in services/<name>/migrations/versions and a two-line env.py that
calls `run_migrations(<its metadata>)`. The database URL comes from infra.settings.
"""
import argparse
import os
import sys
import time

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool

from infra import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK_POLL_SECONDS = 2.0


def alembic_config(service):
    migrations = os.path.join(ROOT, "services", service, "migrations")
    cfg = Config()
    cfg.set_main_option("script_location", migrations)
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.set_main_option("sqlalchemy.url", settings.get().database_url(service).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service, revision="head"):
    command.upgrade(alembic_config(service), revision)


def run_migrations(metadata):
    """Body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = _engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _engine(url):
    """One connection at a time; PostgreSQL gives up connecting after DB_CONNECT_TIMEOUT (libpq's own
    default waits as long as the network does)."""
    connect_args = {"connect_timeout": settings.get().db_connect_timeout} if url.startswith("postgresql") else {}
    return create_engine(url, poolclass=pool.NullPool, connect_args=connect_args)


def migrated_services(target="all"):
    """The services `target` names ("all" or one) that have migrations."""
    services = settings.SERVICES if target == "all" else (target,)
    if target != "all" and target not in settings.SERVICES:
        raise SystemExit("unknown service {!r}: one of all, {}".format(target, ", ".join(settings.SERVICES)))
    return [service for service in services
            if os.path.isdir(os.path.join(ROOT, "services", service, "migrations", "versions"))]


def state(service):
    """(at_head, what to say) of the service's database against this code's migrations."""
    script = ScriptDirectory.from_config(alembic_config(service))
    heads = set(script.get_heads())
    url = settings.get().database_url(service)
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///"):]):  # connecting would create it
        return False, "{}: not migrated (no database file yet)".format(service)
    try:
        engine = _engine(url)
        try:
            with engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        finally:
            engine.dispose()
    except Exception as exc:  # unreachable, refused, no such database: not at head (yet)
        return False, "{}: database unreachable ({})".format(service, str(exc).strip().splitlines()[0])
    if current == heads:
        return True, "{}: at head {}".format(service, ", ".join(sorted(heads)))
    if not current:
        return False, "{}: not migrated (head {})".format(service, ", ".join(sorted(heads)))
    unknown = sorted(revision for revision in current if not _known(script, revision))
    if unknown:
        return False, "{}: at {}, unknown to this code (migrated by a newer release?)".format(service, ", ".join(unknown))
    return False, "{}: at {}, head {}".format(service, ", ".join(sorted(current)), ", ".join(sorted(heads)))


def _known(script, revision):
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises for a revision its scripts do not have
        return False


def check(target="all", wait_seconds=0.0, out=sys.stdout):
    """True when every database of `target` is at head; with `wait_seconds`, polls until they are or the
    time is up. Prints each service's state, and again whenever it changes."""
    deadline = time.monotonic() + wait_seconds
    said = {}
    if not migrated_services(target):
        print("{}: no migrations".format(target), file=out, flush=True)
    while True:
        results = {service: state(service) for service in migrated_services(target)}
        for service, (_, line) in results.items():
            if said.get(service) != line:
                print(line, file=out, flush=True)
                said[service] = line
        if all(at_head for at_head, _ in results.values()):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(CHECK_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def make_revision(service, message):
    """Autogenerates a revision from the models against a scratch SQLite database at head."""
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["{}_DATABASE_URL".format(service.upper())] = "sqlite:///{}/scratch.db".format(scratch)
        cfg = alembic_config(service)
        command.upgrade(cfg, "head")
        versions = os.path.join(ROOT, "services", service, "migrations", "versions")
        rev_id = "{:04d}".format(len([f for f in os.listdir(versions) if f.endswith(".py")]) + 1)
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)


def main(argv):
    if len(argv) > 1 and argv[1] == "revision":  # python -m infra.migrate revision <service> <message>
        make_revision(argv[2], argv[3])
        return
    if len(argv) > 1 and argv[1] == "check":
        parser = argparse.ArgumentParser(prog="python -m infra.migrate check")
        parser.add_argument("target", nargs="?", default="all", help="all (default) or one service")
        parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                            help="poll until at head or SECONDS have passed")
        options = parser.parse_args(argv[2:])
        sys.exit(0 if check(options.target, options.wait) else 1)
    target = argv[1] if len(argv) > 1 else "all"
    for service in migrated_services(target):
        url = settings.get().database_url(service)
        if url.startswith("sqlite"):
            os.makedirs(settings.get().var_dir, exist_ok=True)
        upgrade(service, argv[2] if len(argv) > 2 else "head")
        print("migrated {:<10} {}".format(service, url.split("@")[-1]))


if __name__ == "__main__":
    main(sys.argv)
