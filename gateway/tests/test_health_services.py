"""What GET /health checks: the names of the services the routes call, each once."""
from gateway.routes import route_modules, routed_services
from infra.settings import SERVICES


def test_health_checks_each_routed_service_once_by_name():
    names = routed_services()
    assert all(isinstance(name, str) and name in SERVICES for name in names), names
    assert len(names) == len(set(names))
    assert set(names) == {module.SERVICE for module in route_modules() if module.SERVICE}


def test_health_answers_every_service_ok(system, api):
    response = api.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "services": {name: "ok" for name in routed_services()}}
