"""What a result was measured on: the machine, the versions of what runs, the commit."""
import os
import platform
import subprocess

import psycopg2

from infra.processes import ROOT
from tests.support import resources


def command(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def git_commit():
    return command("git", "-C", ROOT, "rev-parse", "HEAD")


def machine_info():
    """CPUs, Python, the packages that carry requests, PostgreSQL, RabbitMQ, Redis, the commit and any
    uncommitted change (what was measured beyond the commit)."""
    import importlib.metadata as metadata
    versions = {}
    for package in ("nameko", "eventlet", "kombu", "SQLAlchemy", "psycopg2-binary", "Werkzeug", "redis"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None

    cpu_model = None
    try:
        with open("/proc/cpuinfo") as handle:
            cpu_model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), None)
    except OSError:
        pass
    postgres = None
    try:
        connection = psycopg2.connect(resources.PG_ADMIN_URL)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        connection.close()
    except psycopg2.Error:
        pass
    rabbitmq = None
    try:
        rabbitmq = resources.management("GET", "/overview").get("rabbitmq_version")
    except Exception:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": cpu_model, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "postgresql": postgres, "rabbitmq": rabbitmq,
            "redis": command("redis-server", "--version"), "git_commit": git_commit(),
            "git_uncommitted": (command("git", "-C", ROOT, "status", "--porcelain") or "").splitlines()}
