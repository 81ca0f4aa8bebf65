"""One record of every kind in a signed-up workspace, made through the public API: for the fuzzer's
dictionaries of real ids (tests/support/fuzz.py) and the security matrix's cross-workspace case
(tests/test_security_matrix.py). Every call waits out a 429 (the accounts and customer-goals routes
are rate limited per caller)."""
import uuid

from services.accounts.tests.conftest import new_tax_id
from services.goals.customer_goals.tests.support import CsGoals
from services.goals.tests.support import INPUT


def send(api, method, path, body=None, token=None, expected=200, **kwargs):
    """The answer's JSON body; asserts the status, waiting out the rate limit."""
    response = api.patient_request(method, path, token, json=body, **kwargs)
    assert response.status_code == expected, (method, path, response.status_code, response.text)
    return response.json()


def api_key(api, ws, name="fuzz"):
    """(uuid, key) of a new API key acting as the owner of `ws`."""
    data = send(api, "POST", "/api/directory/api-keys", {"name": name}, ws.token)["data"]
    return data["uuid"], data["key"]


class Records:
    """`ids[kind]`: the id of a record of that kind in `ws` (user: a seller's id, deal: an integer...)."""

    def __init__(self, api, ws):
        self.api, self.ws = api, ws
        self.ids = {}

    def build(self):
        api, ws, ids = self.api, self.ws, self.ids
        seller = ws.add_user()
        ids["user"] = seller["id"]
        ids["group"] = ws.add_group(members=[seller["id"]])["id"]
        ids["campaign"] = ws.add_campaign()["uuid"]
        ids["api_key"], _ = api_key(api, ws, "matrix")
        ids["account"] = send(api, "POST", "/api/sales/accounts/account", {
            "action": "create", "country": 1, "tax_id": new_tax_id(), "name": "Account " + uuid.uuid4().hex[:6]},
            ws.token)["uuid"]
        ids["contact"] = send(api, "POST", "/api/sales/accounts/account", {
            "action": "add_contact", "uuid": ids["account"], "first_name": "Cora", "last_name": "Contact"},
            ws.token)["data"]["uuid"]
        ids["field"] = send(api, "POST", "/api/sales/accounts/account", {
            "action": "add_field", "uuid": ids["account"], "hectares": "12.5"}, ws.token)["data"]["uuid"]
        ids["deal"] = send(api, "POST", "/api/deals.json", {"deal": {
            "name": "Deal " + uuid.uuid4().hex[:6], "value": "100", "value_type": "Total", "value_count": "1",
            "target_date": "2025-06-30"}}, ws.token, expected=201)["deal"]["id"]
        ids["sales_goal"] = send(api, "POST", "/api/sales/goals/goal", {
            "action": "create", "description": "Goal", "campaign_uuid": ids["campaign"], "goal_type": "sale",
            "goal_subtype": "volume", "input_uuid": INPUT, "amount": 1000, "id_unit": 1}, ws.token)["data"]["uuid"]
        cs = CsGoals(api, ws.token)
        ids["customer_goal"] = cs.create()["Gsid"]
        ids["template"] = cs.template()["Gsid"]
        ids["metric"] = cs.metric()["gsid"]
        self.build_prospects()
        return self

    def build_prospects(self):
        """A prospect with a contact, a note and a location, and a client (a type 2 prospect's company) with its own."""
        api, ws, ids = self.api, self.ws, self.ids
        tag = uuid.uuid4().int % 10 ** 9
        rows = [{"name": "Lead {}".format(tag + n), "company": "Company {}".format(tag + n),
                 "email": "lead-{}@example.test".format(tag + n), "phone": 5500000000 + tag + n, "type": n + 1}
                for n in range(2)]
        inserts = send(api, "POST", "/prospects", rows, ws.token)["inserts"]
        ids["prospect"], client_prospect = inserts[0]["id"], inserts[1]["id"]
        ids["client"] = send(api, "GET", "/prospects/{}".format(client_prospect), token=ws.token)["prospect"]["company_id"]
        prospect, client = "/prospects/{}".format(ids["prospect"]), "/clients/{}".format(ids["client"])
        ids["prospect_contact"] = send(api, "POST", prospect + "/contacts", {
            "name": "Jane", "email": "jane-{}@example.test".format(tag), "phone_code": "52", "phone": "5550102030"},
            ws.token)["id"]
        ids["prospect_note"] = send(api, "POST", prospect + "/notes", {"note": "call"}, ws.token)["id"]
        location = {"name": "Office", "link": "https://maps.example/o", "type": "office"}
        ids["prospect_location"] = send(api, "POST", prospect + "/locations", location, ws.token)["id"]
        ids["client_location"] = send(api, "POST", client + "/locations", location, ws.token)["id"]
