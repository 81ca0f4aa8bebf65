"""docker-compose.yml and the Dockerfile, checked without a Docker engine or compose client (neither
is on the CI machine): the compose file must parse and hold together the way `docker compose
config` requires, and configure the system with the same variables `make run` uses."""
import os
import re

import pytest
import yaml

from infra import settings
from infra.settings import SERVICES
from infra.processes import ENTRYPOINTS, ROOT, available_components

TOP_LEVEL_KEYS = {"services", "volumes", "networks", "configs", "secrets", "name"}
SERVICE_KEYS = {"image", "build", "command", "environment", "ports", "depends_on", "healthcheck", "volumes",
                "restart", "entrypoint", "env_file", "networks"}
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose():
    with open(os.path.join(ROOT, "docker-compose.yml")) as handle:
        return yaml.safe_load(handle)


def _code_text():
    chunks = []
    for folder in ("infra", "services", "gateway"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            chunks.extend(open(os.path.join(dirpath, f)).read() for f in files if f.endswith(".py"))
    chunks.append(open(os.path.join(ROOT, "config.yaml")).read())
    return "\n".join(chunks)


def test_top_level_and_service_keys_are_known(compose):
    assert set(k for k in compose if not k.startswith("x-")) <= TOP_LEVEL_KEYS
    for name, service in compose["services"].items():
        assert set(service) <= SERVICE_KEYS, name
        assert "image" in service or "build" in service, name


def test_dependencies_exist_with_valid_conditions(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in services, (name, dependency)
            assert spec["condition"] in DEPENDS_CONDITIONS
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], dependency


def test_volumes_ports_and_healthchecks_are_well_formed(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert os.path.exists(os.path.join(ROOT, source)), source
            else:
                assert source in declared, source
        for port in service.get("ports", []):
            assert re.fullmatch(r"\d+:\d+", port), port
        if "healthcheck" in service:
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")


def test_every_built_component_runs_from_the_one_image_with_its_entrypoint(compose):
    services = compose["services"]
    for component in available_components():
        command = services[component]["command"]
        assert command[:4] == ["nameko", "run", "--config", "config.yaml"]
        assert command[4] == ENTRYPOINTS[component]
        assert services[component]["image"] == "crm-platform:latest"
    assert services["gateway"]["ports"] == ["8000:8000"]
    assert services["migrate"]["command"] == ["python", "-m", "infra.migrate", "all"]


def test_environment_matches_what_the_code_reads(compose, monkeypatch):
    environment = compose["services"]["gateway"]["environment"]
    for service in SERVICES:
        url = environment["{}_DATABASE_URL".format(service.upper())]
        assert url.endswith("@postgres:5432/{}".format(service))
    assert environment["AMQP_URI"].startswith("amqp://") and "@rabbitmq:5672" in environment["AMQP_URI"]
    assert environment["CRM_ENV"] == "production" and "JWT_SECRET" in environment
    for service in SERVICES:  # the database URLs are read by infra.settings
        variable = "{}_DATABASE_URL".format(service.upper())
        monkeypatch.setenv(variable, environment[variable])
        assert settings.reload().database_url(service) == environment[variable]
    code = _code_text()
    for variable in environment:
        if not variable.endswith("_DATABASE_URL"):
            assert variable in code, "{} is set in docker-compose.yml but read nowhere".format(variable)


def test_postgres_creates_one_database_per_service():
    with open(os.path.join(ROOT, "deploy", "postgres", "create-databases.sql")) as handle:
        created = set(re.findall(r"CREATE DATABASE (\w+);", handle.read()))
    assert created == set(SERVICES)


def test_dockerfile_installs_pins_and_copies_every_runtime_package():
    with open(os.path.join(ROOT, "Dockerfile")) as handle:
        dockerfile = handle.read()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    for package in ("infra", "contracts", "services", "gateway", "config.yaml"):
        assert re.search(r"^COPY {}\b".format(re.escape(package)), dockerfile, re.M), package
    with open(os.path.join(ROOT, "requirements.txt")) as handle:
        pins = [line for line in handle if line.strip() and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
