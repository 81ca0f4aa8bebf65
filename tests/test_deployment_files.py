"""docker-compose.yml and the Dockerfile, checked without a Docker engine or compose client (neither
is on the CI machine): the compose file must parse and hold together the way `docker compose
config` requires, and configure the system with the same variables `make run` uses."""
import json
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


# --- monitoring: Prometheus and Grafana (issue 16) -------------------------------------------------------
def _load(*path):
    with open(os.path.join(ROOT, *path)) as handle:
        return json.load(handle) if path[-1].endswith(".json") else yaml.safe_load(handle)


def _our_processes(compose):
    """The compose services that run a process of ours (nameko run)."""
    return {name for name, service in compose["services"].items() if service.get("command", [])[:2] == ["nameko", "run"]}


def test_prometheus_scrapes_every_process_on_its_metrics_port(compose):
    config = _load("deploy", "prometheus", "prometheus.yml")
    jobs = [job["job_name"] for job in config["scrape_configs"]]
    assert len(jobs) == len(set(jobs))
    [crm] = [job for job in config["scrape_configs"] if job["job_name"] == "crm"]
    [discovery] = crm["dns_sd_configs"]  # every replica of a scaled service is a target of its own
    assert set(discovery["names"]) == _our_processes(compose) and discovery["type"] == "A"
    with open(os.path.join(ROOT, "Dockerfile")) as handle:  # the image's default: every container serves there
        port = re.search(r"\bMETRICS_PORT=(\d+)\b", handle.read()).group(1)
    assert str(discovery["port"]) == port
    for name in _our_processes(compose):  # none of them serves elsewhere
        assert compose["services"][name]["environment"].get("METRICS_PORT", port) == port, name
    assert {"source_labels": ["__meta_dns_name"], "target_label": "component"} in crm["relabel_configs"]
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert prometheus["ports"] == ["9090:9090"]


def test_grafana_provisions_the_datasource_and_the_dashboard_it_mounts(compose):
    grafana = compose["services"]["grafana"]
    mounts = dict(volume.rsplit(":", 1)[0].split(":", 1) for volume in grafana["volumes"])
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    [datasource] = _load("deploy", "grafana", "provisioning", "datasources", "prometheus.yml")["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    [provider] = _load("deploy", "grafana", "provisioning", "dashboards", "crm.yml")["providers"]
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"] == provider["options"]["path"] + "/crm.json"
    dashboard = _load("deploy", "grafana", "dashboards", "crm.json")
    assert dashboard["uid"] and dashboard["title"] and isinstance(dashboard["schemaVersion"], int)
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    for panel in panels:
        box = panel["gridPos"]
        assert box["x"] >= 0 and box["w"] > 0 and box["x"] + box["w"] <= 24 and box["h"] > 0, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["type"] == "timeseries" and panel["datasource"]["uid"] == datasource["uid"], panel["title"]
        refs = [target["refId"] for target in panel["targets"]]
        assert refs and len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == datasource["uid"]
            _assert_balanced(target["expr"])


def test_the_dashboard_shows_request_rate_p99_latency_event_lag_and_outbox_backlog_per_service():
    queries = [target["expr"] for panel in _load("deploy", "grafana", "dashboards", "crm.json")["panels"]
               for target in panel.get("targets", [])]
    wanted = {
        "request rate": r"^sum by \(service\) \(rate\(crm_rpc_duration_seconds_count\[",
        "p99 latency": r"^histogram_quantile\(0\.99, sum by \(service, le\) \(rate\(crm_rpc_duration_seconds_bucket\[",
        "event lag": r"^histogram_quantile\(0\.99, sum by \(service, event_type, le\) \(rate\(crm_event_lag_seconds_bucket\[",
        "outbox backlog": r"^max by \(service\) \(crm_outbox_pending_events\)$",
        "gateway rate by route": r"^sum by \(route, method\) \(rate\(crm_http_requests_total\[",
        "gateway p99 by route": r"^histogram_quantile\(0\.99, sum by \(route, method, le\) \(rate\(crm_http_request_",
    }
    missing = [what for what, pattern in wanted.items() if not [q for q in queries if re.search(pattern, q)]]
    assert not missing, missing


def _assert_balanced(expr):
    closing = {")": "(", "]": "[", "}": "{"}
    stack, quoted = [], False
    for char in expr:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([{":
            stack.append(char)
        elif not quoted and char in closing:
            assert stack and stack.pop() == closing[char], expr
    assert not stack and not quoted, expr
