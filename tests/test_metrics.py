"""Issue 16, metrics: every process of the running system serves Prometheus metrics on its own port,
and the series move when requests and events flow: the gateway's by route template, the services'
RPCs, the consumers' events and lag, the outbox backlog and the database pools. The Grafana dashboard
queries only series a real scrape has."""
import json
import os
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from infra.db import now_utc
from infra.processes import ROOT
from services.goals.tests.support import DealsClient, GoalsClient
from tests.support.events import EventPublisher, wait_for
from tests.support.scrape import Scrape

DEAL = "/api/deals/<int:deal_id>.json"
CONSUMERS = ("goals", "accounts")  # of deals.opportunity_changed


@pytest.fixture(scope="module")
def ws(api):
    return api.signup()


def test_every_process_serves_its_metrics_on_a_port_of_its_own(system):
    ports = [port for name in system.instances for port in system.metrics_ports[name]]
    assert len(ports) == len(set(ports)) == sum(len(processes) for processes in system.instances.values())
    scrape = Scrape(system)
    assert set(key[0] for key in scrape.texts) == set(system.instances)
    for (name, index), exposition in scrape.texts.items():
        assert "process_cpu_seconds_total" in exposition, (name, index)
    for name in system.instances:
        expected = {"crm_http_requests", "crm_http_request_duration_seconds"} if name == "gateway" else \
            {"crm_rpc_duration_seconds", "crm_rpc_errors", "crm_db_pool_in_use", "crm_db_pool_waits"}
        assert expected <= scrape.families(name), name


def test_requests_and_events_move_the_series(api, system, ws):
    goals, deals = GoalsClient(api, ws), None
    deals = DealsClient(api, ws, goals.campaign["uuid"])
    goal = goals.create(amount=1000)
    before = Scrape(system)

    deal = deals.create(quantity="30")
    deals.update(deal["id"], quantity="70")
    assert api.get("/api/deals/{}.json".format(deal["id"]), token=ws.token).status_code == 200
    missing = api.get("/api/deals/{}.json".format(10 ** 12), token=ws.token)
    assert missing.status_code == 404
    assert api.get("/api/no/such/route", token=ws.token).status_code == 404
    goals.wait_current(goal["uuid"], 70)
    after = wait_for(lambda: Scrape(system), lambda scrape: all(
        scrape.total(name, "crm_events_handled_total", event_type="opportunity_changed")
        - before.total(name, "crm_events_handled_total", event_type="opportunity_changed") >= 2 for name in CONSUMERS))

    def moved(component, name, **labels):
        return after.total(component, name, **labels) - before.total(component, name, **labels)

    # the gateway: by route template (not the path), method and status, with the latency histogram
    assert moved("gateway", "crm_http_requests_total", route="/api/deals.json", method="POST", status="201") == 1
    assert moved("gateway", "crm_http_requests_total", route=DEAL, method="PUT", status="200") == 1
    assert moved("gateway", "crm_http_requests_total", route=DEAL, method="GET", status="200") == 1
    assert moved("gateway", "crm_http_requests_total", route=DEAL, method="GET", status="404") == 1
    assert moved("gateway", "crm_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert moved("gateway", "crm_http_request_duration_seconds_count", route=DEAL, method="GET") == 2
    assert moved("gateway", "crm_http_request_duration_seconds_sum", route=DEAL, method="GET") > 0
    assert not after.samples("gateway", "crm_http_requests_total", route="/api/deals/{}.json".format(deal["id"]))
    # the deals service: RPCs by method, with latency and the caller's mistakes apart
    assert moved("deals", "crm_rpc_duration_seconds_count", service="deals", method="update_deal") == 1
    assert moved("deals", "crm_rpc_duration_seconds_count", service="deals", method="get_deal") == 2
    assert moved("deals", "crm_rpc_duration_seconds_bucket", service="deals", method="get_deal", le="+Inf") == 2
    assert moved("deals", "crm_rpc_errors_total", service="deals", method="get_deal", kind="expected") == 1
    assert moved("deals", "crm_rpc_errors_total", service="deals", method="get_deal", kind="unexpected") == 0
    # the consumers: each handled both events, and measured their lag
    for name in CONSUMERS:
        assert moved(name, "crm_events_handled_total", service=name, event_type="opportunity_changed") >= 2
        assert moved(name, "crm_event_lag_seconds_count", service=name, event_type="opportunity_changed") >= 2
        lag = moved(name, "crm_event_lag_seconds_sum", service=name, event_type="opportunity_changed")
        assert 0 < lag < 60, (name, lag)
    # the pools: the requests checked connections out
    assert moved("deals", "crm_db_pool_checkouts_total", service="deals") >= 3
    assert after.total("deals", "crm_db_pool_open", service="deals") >= 1  # the connections those checkouts used
    assert after.total("deals", "crm_db_pool_size", service="deals") > 0
    assert after.samples("deals", "crm_db_pool_in_use", service="deals")
    # every outbox that relayed the events reports its (drained) backlog
    for name in ("deals", "goals"):
        assert after.samples(name, "crm_outbox_pending_events", service=name), name
        assert after.samples(name, "crm_outbox_oldest_pending_age_seconds", service=name), name


def test_the_outbox_gauges_show_a_backlog_and_its_age(system, test_env):
    """A pending row the relay cannot take (locked, as a relay on another process locks the rows it
    publishes) and that has waited a minute: the gauges show it, then its removal."""
    engine = create_engine(test_env.database_urls["deals"])
    try:
        with engine.begin() as connection:
            row_id = connection.execute(text(
                "INSERT INTO outbox (event_id, event_type, payload, created_at, attempts) "
                "VALUES (:event_id, 'metrics_probe_unroutable', '{}', :created_at, 1) RETURNING id"),
                {"event_id": str(uuid.uuid4()), "created_at": now_utc() - timedelta(seconds=60)}).scalar_one()
        with engine.connect() as holder:
            holder.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": row_id})
            held = wait_for(lambda: Scrape(system, ["deals"]), lambda scrape: scrape.total(
                "deals", "crm_outbox_oldest_pending_age_seconds", service="deals") >= 60)
            assert held.total("deals", "crm_outbox_pending_events", service="deals") >= 1
            holder.execute(text("DELETE FROM outbox WHERE id = :id"), {"id": row_id})
            holder.commit()
        wait_for(lambda: Scrape(system, ["deals"]), lambda scrape: scrape.total(
            "deals", "crm_outbox_oldest_pending_age_seconds", service="deals") < 60)
    finally:
        engine.dispose()


def test_a_poison_event_counts_as_dead_lettered_by_each_consumer(system, test_env):
    before = Scrape(system, CONSUMERS)
    publisher = EventPublisher(test_env.amqp_uri)
    try:
        publisher.publish({"event_id": "not-a-uuid", "event_type": "opportunity_changed",
                           "occurred_at": "2026-01-01T00:00:00.000Z"})
    finally:
        publisher.close()
    wait_for(lambda: Scrape(system, CONSUMERS), lambda after: all(
        after.total(name, "crm_events_dead_lettered_total", service=name, event_type="opportunity_changed")
        == before.total(name, "crm_events_dead_lettered_total", service=name, event_type="opportunity_changed") + 1
        for name in CONSUMERS))


def dashboard_queries():
    with open(os.path.join(ROOT, "deploy", "grafana", "dashboards", "crm.json")) as handle:
        dashboard = json.load(handle)
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_every_series_the_dashboard_queries_is_in_a_real_scrape(system):
    names = {name for expr in dashboard_queries() for name in re.findall(r"\b((?:crm|process)_[a-z_]+)\b", expr)}
    assert {"crm_http_requests_total", "crm_event_lag_seconds_bucket", "crm_outbox_pending_events"} <= names
    exposed = set()
    for family in Scrape(system).families():
        exposed |= {family, family + "_total", family + "_bucket", family + "_count", family + "_sum"}
    assert not sorted(names - exposed), "queried but exposed by no process"
