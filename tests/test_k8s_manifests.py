"""deploy/k8s, checked without a cluster: rendered as kustomize renders it (tests/support/kustomize.py,
compared with `kubectl kustomize`), every object valid against the Kubernetes JSON schemas
(kubernetes-validate, which ships them: no network), and held together with the code: a Deployment
per component running its entrypoint with probes, requests and limits, the migration before the
services, PodDisruptionBudgets and the Service selecting what exists, settings the code reads, and
credentials only from the Secret."""
import copy
import os
import re
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError

from gateway.routes import route_modules
from infra import settings
from infra.processes import ENTRYPOINTS, ROOT
from infra.settings import SERVICES
from tests.support.kustomize import build, containers, load_documents, pod_spec

K8S = os.path.join(ROOT, "deploy", "k8s")
BASE = os.path.join(K8S, "base")
PRODUCTION = os.path.join(K8S, "overlays", "production")
SECRET_EXAMPLE = os.path.join(BASE, "secret.example.yaml")
KUBERNETES_VERSIONS = ("1.29", "1.37")  # the oldest we claim and the newest the schemas know
IMAGE = "crm-platform"
SECRET, CONFIGMAP = "crm-secrets", "crm-settings"
CREDENTIALS = re.compile(r"^(JWT_SECRET|AMQP_URI|EVENTS_AMQP_URI|RATE_LIMIT_REDIS_URL|[A-Z]+_DATABASE_URL)$")
PROBE_HARD_LIMIT_MARGIN = 2  # infra.probe.HARD_LIMIT_MARGIN_SECONDS


@pytest.fixture(scope="module")
def base():
    return build(BASE)


@pytest.fixture(scope="module")
def production():
    return build(PRODUCTION)


def by_kind(objects, kind):
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == kind}


def deployment_of(objects, component):
    return by_kind(objects, "Deployment")["crm-{}".format(component)]


def main_container(deployment):
    (container,) = pod_spec(deployment)["containers"]
    return container


def env_names(container):
    return {variable["name"] for variable in container.get("env", [])}


def known_variables():
    """Every environment variable the code reads: infra/settings.py's, config.yaml's, the database URLs."""
    with open(os.path.join(ROOT, "infra", "settings.py")) as handle:
        source = handle.read()
    names = set(re.findall(r'_(?:text|number|flag)\((?:\w+, )?"([A-Z][A-Z0-9_]+)"', source))
    with open(os.path.join(ROOT, "config.yaml")) as handle:
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):", handle.read()))
    return names | {"{}_DATABASE_URL".format(service.upper()) for service in SERVICES}


def cpu_millicores(quantity):
    text = str(quantity)
    return float(text[:-1]) if text.endswith("m") else float(text) * 1000


def memory_bytes(quantity):
    units = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30}
    for suffix, factor in units.items():
        if str(quantity).endswith(suffix):
            return float(str(quantity)[:-2]) * factor
    return float(quantity)


# --- rendering and schemas ------------------------------------------------------------------------
@pytest.mark.parametrize("folder", [BASE, PRODUCTION], ids=["base", "production"])
def test_the_renderer_builds_what_kubectl_kustomize_builds(folder):
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (its built-in kustomize) is needed to check tests/support/kustomize.py"
    rendered = subprocess.run([kubectl, "kustomize", folder], capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr
    theirs = {(item["kind"], item["metadata"]["name"]): item for item in yaml.safe_load_all(rendered.stdout) if item}
    ours = {(item["kind"], item["metadata"]["name"]): item for item in build(folder)}
    assert ours == theirs


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid_against_the_kubernetes_schemas(base, production, version):
    objects = base + production + load_documents(SECRET_EXAMPLE)
    for item in objects:
        try:
            kubernetes_validate.validate(item, version, strict=True)
        except SchemaNotFoundError as exc:
            pytest.fail(exc.message)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail("{} {}: {} at {}".format(item["kind"], item["metadata"]["name"], exc.message,
                                                 ".".join(str(part) for part in exc.path)))


def test_the_schema_check_rejects_what_a_cluster_would(base):
    """The validation above is live: a misspelt field and a wrong type are both refused."""
    broken = copy.deepcopy(deployment_of(base, "deals"))
    main_container(broken)["livenessProbes"] = main_container(broken).pop("livenessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
    broken = copy.deepcopy(deployment_of(base, "deals"))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


# --- components -----------------------------------------------------------------------------------
def test_every_component_has_a_deployment_running_its_entrypoint_from_the_one_image(base):
    deployments = by_kind(base, "Deployment")
    assert set(deployments) == {"crm-{}".format(name) for name in ENTRYPOINTS}
    for name, entrypoint in ENTRYPOINTS.items():
        deployment = deployments["crm-{}".format(name)]
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items() and selector["app.kubernetes.io/name"] == name
        assert main_container(deployment)["command"] == ["nameko", "run", "--config", "config.yaml", entrypoint]
        assert deployment["spec"]["replicas"] >= 2, "one replica would be down during every rollout or drain"
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    for item in base:
        for container in containers(item):
            assert container["image"] == IMAGE, (item["metadata"]["name"], container["name"])


def test_every_service_is_probed_through_its_heartbeat_and_a_ping(base):
    for name in SERVICES:
        container = main_container(deployment_of(base, name))
        live = ["python", "-m", "infra.probe", "live", name]
        assert container["startupProbe"]["exec"]["command"] == live
        assert container["livenessProbe"]["exec"]["command"] == live
        ready = container["readinessProbe"]["exec"]["command"]
        assert ready[:5] == ["python", "-m", "infra.probe", "ready", name]
        timeout = float(ready[ready.index("--timeout") + 1])
        # kubelet must not give up on the probe before the probe's own hard limit ends it
        assert container["readinessProbe"]["timeoutSeconds"] >= timeout + PROBE_HARD_LIMIT_MARGIN
        for probe in ("startupProbe", "livenessProbe"):
            assert container[probe]["timeoutSeconds"] >= 3 + PROBE_HARD_LIMIT_MARGIN  # live's default hard limit
        assert "ports" not in container, "services speak only AMQP (a metrics port is for later)"


def test_the_gateway_is_probed_on_a_route_that_calls_no_service(base):
    container = main_container(deployment_of(base, "gateway"))
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    address = next(variable["value"] for variable in container["env"] if variable["name"] == "GATEWAY_ADDRESS")
    assert ports == {"http": int(address.rsplit(":", 1)[1])}
    own_routes = {route.path for module in route_modules() if module.SERVICE is None
                  for route in module.ROUTES if route.public and "GET" in route.methods}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert check["port"] in ports
        assert check["path"] in own_routes, "{} must not depend on other services ({})".format(probe, check["path"])
        assert check["path"] != "/health"  # 503 while any one service is down: deploy/k8s/README.md, "Probes"


def test_every_container_has_requests_within_its_limits(base):
    for item in base:
        for container in containers(item):
            where = "{}/{}".format(item["metadata"]["name"], container["name"])
            requests, limits = container["resources"]["requests"], container["resources"]["limits"]
            assert set(requests) == set(limits) == {"cpu", "memory"}, where
            assert cpu_millicores(requests["cpu"]) <= cpu_millicores(limits["cpu"]), where
            assert memory_bytes(requests["memory"]) <= memory_bytes(limits["memory"]), where
            # one nameko process is one eventlet hub: it cannot use more than one core
            assert cpu_millicores(limits["cpu"]) <= 1000, where


# --- order, disruptions, routing ------------------------------------------------------------------
def test_the_migration_job_upgrades_every_database_and_each_service_waits_for_its_own(base):
    (job,) = by_kind(base, "Job").values()
    (migrate,) = pod_spec(job)["containers"]
    assert migrate["command"] == ["python", "-m", "infra.migrate", "all"]
    assert env_names(migrate) >= {"{}_DATABASE_URL".format(name.upper()) for name in SERVICES}
    assert pod_spec(job)["restartPolicy"] in ("Never", "OnFailure") and job["spec"]["backoffLimit"] >= 1
    for name in SERVICES:
        spec = pod_spec(deployment_of(base, name))
        (wait,) = spec["initContainers"]
        assert wait["command"][:5] == ["python", "-m", "infra.migrate", "check", name]
        assert float(wait["command"][wait["command"].index("--wait") + 1]) > 0
        assert "{}_DATABASE_URL".format(name.upper()) in env_names(wait)
    assert "initContainers" not in pod_spec(deployment_of(base, "gateway"))  # it has no database


def test_each_deployment_has_one_disruption_budget_and_each_budget_a_deployment(base):
    deployments = by_kind(base, "Deployment")
    covered = []
    for budget in by_kind(base, "PodDisruptionBudget").values():
        selector = budget["spec"]["selector"]["matchLabels"]
        matched = [name for name, item in deployments.items()
                   if selector.items() <= item["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matched) == 1, (budget["metadata"]["name"], matched)
        # maxUnavailable: a Deployment scaled to one can still be drained (minAvailable 1 would block it)
        assert budget["spec"] == {"maxUnavailable": 1, "selector": budget["spec"]["selector"]}
        covered.extend(matched)
    assert sorted(covered) == sorted(deployments)


def test_the_service_selects_the_gateway_pods_and_their_http_port(base):
    (service,) = by_kind(base, "Service").values()
    selector = service["spec"]["selector"]
    matched = [name for name, item in by_kind(base, "Deployment").items()
               if selector.items() <= item["spec"]["template"]["metadata"]["labels"].items()]
    assert matched == ["crm-gateway"]
    port_names = {port["name"] for port in main_container(deployment_of(base, "gateway"))["ports"]}
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= port_names


# --- settings and credentials ---------------------------------------------------------------------
def test_every_variable_set_is_one_the_code_reads(base):
    known = known_variables()
    assert {"JWT_SECRET", "AMQP_URI", "CRM_ENV", "GATEWAY_ADDRESS", "MAX_WORKERS", "DEALS_DATABASE_URL"} <= known
    (configmap,) = by_kind(base, "ConfigMap").values()
    assert set(configmap["data"]) <= known, set(configmap["data"]) - known
    for item in base:
        for container in containers(item):
            assert env_names(container) <= known, (container["name"], env_names(container) - known)
    (secret,) = load_documents(SECRET_EXAMPLE)
    assert set(secret["stringData"]) <= known


def test_credentials_come_only_from_the_secret(base):
    (configmap,) = by_kind(base, "ConfigMap").values()
    assert not [name for name in configmap["data"] if CREDENTIALS.match(name)]
    (secret,) = load_documents(SECRET_EXAMPLE)
    assert secret["metadata"]["name"] == SECRET
    for item in base:
        for container in containers(item):
            for source in container.get("envFrom", []):
                assert source == {"configMapRef": {"name": CONFIGMAP}}, container["name"]
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if CREDENTIALS.match(variable["name"]):
                    assert "value" not in variable and reference, (container["name"], variable["name"])
                if reference:
                    assert reference["name"] == SECRET and reference["key"] in secret["stringData"]
                    assert reference["key"] == variable["name"]


def test_each_process_gets_only_its_own_database(base):
    for name in SERVICES:
        container = main_container(deployment_of(base, name))
        databases = {variable for variable in env_names(container) if variable.endswith("_DATABASE_URL")}
        assert databases == {"{}_DATABASE_URL".format(name.upper())}
        assert {"JWT_SECRET", "AMQP_URI"} <= env_names(container)
    gateway = main_container(deployment_of(base, "gateway"))
    assert not [variable for variable in env_names(gateway) if variable.endswith("_DATABASE_URL")]
    assert {"JWT_SECRET", "AMQP_URI", "RATE_LIMIT_REDIS_URL"} <= env_names(gateway)


def test_the_settings_accept_the_configuration_and_refuse_the_example_secret(base, monkeypatch):
    (configmap,) = by_kind(base, "ConfigMap").values()
    (secret,) = load_documents(SECRET_EXAMPLE)
    for name, value in dict(configmap["data"], **secret["stringData"]).items():
        monkeypatch.setenv(name, value)
    loaded = settings.reload()
    assert loaded.environment == "production"
    assert loaded.database_url("deals") == secret["stringData"]["DEALS_DATABASE_URL"]
    assert loaded.rpc_timeout_seconds == float(configmap["data"]["RPC_TIMEOUT_SECONDS"])
    with pytest.raises(settings.SettingsError):
        loaded.signing_secret()  # a forgotten placeholder never signs a token


def test_kubernetes_and_docker_compose_configure_alike(base):
    with open(os.path.join(ROOT, "docker-compose.yml")) as handle:
        compose = yaml.safe_load(handle)["services"]["gateway"]["environment"]
    (configmap,) = by_kind(base, "ConfigMap").values()
    (secret,) = load_documents(SECRET_EXAMPLE)
    for name, value in compose.items():
        if CREDENTIALS.match(name):
            assert name in secret["stringData"], name
        elif name != "GATEWAY_ADDRESS":
            assert configmap["data"].get(name) == str(value), name


# --- the overlay ----------------------------------------------------------------------------------
def test_the_production_overlay_sets_namespace_image_and_replicas(production):
    (namespace,) = by_kind(production, "Namespace").values()
    overlay = load_documents(os.path.join(PRODUCTION, "kustomization.yaml"))[0]
    images = set()
    for item in production:
        if item["kind"] != "Namespace":
            assert item["metadata"]["namespace"] == namespace["metadata"]["name"]
        images.update(container["image"] for container in containers(item))
    (image,) = overlay["images"]
    assert images == {"{}:{}".format(image["newName"], image["newTag"])} and image["newTag"] != "latest"
    deployments = by_kind(production, "Deployment")
    for replicas in overlay["replicas"]:
        assert deployments[replicas["name"]]["spec"]["replicas"] == replicas["count"]
