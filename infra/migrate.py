"""Alembic for every service: `python -m infra.migrate all|<service> [revision]` upgrades to head;
`python -m infra.migrate revision <service> "message"` autogenerates a new revision.

Each service keeps its revisions in services/<name>/migrations/versions and a two-line env.py that
calls `run_migrations(<its metadata>)`. The database URL comes from infra.settings.
"""
import os
import sys

from alembic import command, context
from alembic.config import Config
from sqlalchemy import pool

from infra import settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
    from sqlalchemy import create_engine
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


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
    target = argv[1] if len(argv) > 1 else "all"
    services = settings.SERVICES if target == "all" else (target,)
    for service in services:
        if not os.path.isdir(os.path.join(ROOT, "services", service, "migrations", "versions")):
            continue
        url = settings.get().database_url(service)
        if url.startswith("sqlite"):
            os.makedirs(settings.get().var_dir, exist_ok=True)
        upgrade(service, argv[2] if len(argv) > 2 else "head")
        print("migrated {:<10} {}".format(service, url.split("@")[-1]))


if __name__ == "__main__":
    main(sys.argv)
