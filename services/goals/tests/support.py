"""Helpers of the goals tests: the goals API as the owner calls it, opportunity events, polling."""
import subprocess
import sys
import time
import uuid

from infra.processes import ROOT
from tests.support.events import wait_for
from tests.support.events import opportunity_event as shared_opportunity_event

INPUT = "0b6f3a43-3d3c-4a52-9d5c-2f8d3f0e7a11"
QUEUE = "evt-deals-opportunity_changed--goals.handle_opportunity_changed"  # the goals consumer's queue


class GoalsClient:
    """The sales goals API called with a workspace owner's (or another user's) token."""

    def __init__(self, api, ws):
        self.api, self.ws = api, ws
        self.campaign = ws.add_campaign(name="Campaña 2025")

    def post(self, path, body, token=None):
        return self.api.post("/api/sales/goals" + path, body, token=token or self.ws.token)

    def create(self, token=None, **fields):
        body = {"action": "create", "description": "Objetivo Venta Fertilizante",
                "campaign_uuid": self.campaign["uuid"], "goal_type": "sale", "goal_subtype": "volume",
                "input_uuid": INPUT, "amount": 10000, "id_unit": 1}
        body.update(fields)
        response = self.post("/goal", body, token)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def progress(self, goal_uuid, token=None, **narrow):
        response = self.post("/progress", dict({"goal_uuid": goal_uuid}, **narrow), token)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def detail(self, goal_uuid, **narrow):
        return self.progress(goal_uuid, **narrow)["progress_detail"]

    def wait_current(self, goal_uuid, expected, timeout=20.0, **narrow):
        return wait_for(lambda: self.detail(goal_uuid, **narrow), lambda d: d["current"] == expected, timeout)

    def listed(self, **filters):
        response = self.post("", dict({"action": "get_all_goals", "page_size": 100}, **filters))
        assert response.status_code == 200, response.text
        return response.json()


def opportunity_event(ws, version, deal_uuid=None, deleted=False, **fields):
    """A contract-valid opportunity_changed payload for a deal of `ws` (a won sale of INPUT by default)."""
    fields = dict({"user_id": ws.owner["id"], "current_state": "won", "input_uuid": INPUT, "quantity": "100",
                   "unit_id": 1}, **fields)
    return shared_opportunity_event(ws.workspace["id"], version, deal_uuid, "deleted" if deleted else None, **fields)


def error(response):
    """(status, the envelope's code) of an answer."""
    return response.status_code, response.json().get("code")


def run_cli(*args, timeout=120):
    """`python -m services.goals.cli ...` with the test environment; (exit code, output)."""
    done = subprocess.run([sys.executable, "-m", "services.goals.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def assert_stays(probe, expected, seconds=1.0, interval=0.2):
    """Asserts `probe()` keeps answering `expected` for `seconds` (late redeliveries change nothing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert probe() == expected
        time.sleep(interval)


class DealsClient:
    """The deals HTTP API (`{"deal": {...}}`), the producer of opportunity_changed."""

    def __init__(self, api, ws, campaign_uuid):
        self.api, self.ws, self.campaign_uuid = api, ws, campaign_uuid

    def create(self, token=None, **fields):
        deal = {"name": "Deal " + uuid.uuid4().hex[:6], "value": "100", "value_type": "Total", "value_count": "1",
                "target_date": "2025-06-30", "current_state": "won", "type": "sale",
                "campaign_uuid": self.campaign_uuid, "input_uuid": INPUT, "quantity": "100", "unit_id": 1,
                "currency": "USD"}
        deal.update(fields)
        response = self.api.post("/api/deals.json", {"deal": deal}, token=token or self.ws.token)
        assert response.status_code == 201, response.text
        return response.json()["deal"]

    def update(self, deal_id, token=None, **fields):
        response = self.api.put("/api/deals/{}.json".format(deal_id), {"deal": fields}, token=token or self.ws.token)
        assert response.status_code == 200, response.text
        return response.json()["deal"]

    def delete(self, deal_id, token=None):
        response = self.api.delete("/api/deals/{}.json".format(deal_id), token=token or self.ws.token)
        assert response.status_code == 200, response.text


