"""A client of the customer goals API through the gateway: one caller (a Bearer token or an
`accesskey`), every request with its own X-Request-Id, a 429 waited out (Retry-After) so tests of
other rules are not disturbed by the per-caller rate limit, and the envelope checked on every answer."""
import time
import uuid

ENVELOPE_KEYS = {"result", "errorCode", "errorDesc", "localizedErrorDesc", "requestId", "data", "message",
                 "localizedMessage"}
CREATE, UPDATE, FETCH, DELETE = ("/v1/csgoal/external/create", "/v1/csgoal/external/update",
                                 "/v1/csgoal/external/fetch", "/v1/csgoal/external/delete")
TEMPLATE, TEMPLATE_DELETE, TEMPLATE_FETCH = ("/v1/csgoal/external/template", "/v1/csgoal/external/template/delete",
                                             "/v1/csgoal/external/template/fetch")
METRIC, METRICS = "/csgoal/external/metric/", "/csgoal/external/metrics"
PICKLIST, PICKLIST_CREATE = "/v1/csgoal/external/admin/picklist", "/v1/csgoal/external/admin/picklist/create"


class CsGoals:
    def __init__(self, api, token=None, access_key=None, spaced=True):
        self.api, self.token, self.access_key, self.spaced = api, token, access_key, spaced

    def send(self, method, path, body=None, headers=None, **kwargs):
        """The response, with its envelope checked: requestId is the X-Request-Id sent."""
        request_id = uuid.uuid4().hex
        headers = dict({"X-Request-Id": request_id}, **(headers or {}))
        if self.access_key:
            headers["accesskey"] = self.access_key
        if body is not None:
            kwargs["json"] = body
        for _ in range(30):
            response = self.api.request(method, path, self.token, headers=headers, **kwargs)
            if response.status_code != 429 or not self.spaced:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        envelope = response.json()
        assert ENVELOPE_KEYS <= set(envelope), envelope
        assert envelope["requestId"] == request_id, envelope
        assert envelope["result"] is (response.status_code == 200), (response.status_code, envelope)
        return response

    def ok(self, method, path, body=None, **kwargs):
        response = self.send(method, path, body, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["errorCode"] is None and body["message"] is None, body
        return body["data"]

    def error(self, method, path, body=None, **kwargs):
        """(HTTP status, errorCode, the envelope) of a refused request."""
        response = self.send(method, path, body, **kwargs)
        envelope = response.json()
        assert envelope["data"] is None and envelope["message"], envelope
        return response.status_code, envelope["errorCode"], envelope

    # --- shortcuts ------------------------------------------------------------------------------------
    def create(self, record=None, lookups=None, **fields):
        """A new goal: a GLOBAL goal with status New unless `fields` say otherwise (None leaves a field out)."""
        record = dict({"Name": "Goal " + uuid.uuid4().hex[:6], "StatusName": "New", "EntityType": "GLOBAL"},
                      **(record or {}), **fields)
        body = {"requests": [{"record": {name: value for name, value in record.items() if value is not None}}]}
        if lookups:
            body["lookups"] = lookups
        return self.ok("POST", CREATE, body)["goal"]

    def update(self, gsid, **fields):
        return self.ok("PUT", UPDATE, {"requests": [{"record": dict(fields, Gsid=gsid)}]})["record"]

    def fetch(self, path=FETCH, **body):
        return self.ok("POST", path, body)["recordList"]

    def fetch_one(self, gsid, select=None):
        records = self.fetch(select=select or [], where={"conditions": [
            {"fieldName": "Gsid", "value": [gsid], "alias": "A", "operator": "EQ"}], "expression": "A"})
        assert len(records) <= 1
        return records[0] if records else None

    def statuses(self):
        return {item["name"]: item["gsid"] for item in
                self.ok("GET", PICKLIST, params={"picklistCategory": "GOAL_STATUS"})["picklists"]}

    def goal_types(self):
        return {item["name"]: item["gsid"] for item in self.ok("GET", PICKLIST)["picklists"]}

    def metric(self, name=None, unit="DECIMAL", **request):
        record = {"name": name or "Metric " + uuid.uuid4().hex[:6], "unitOfMeasure": unit}
        return self.ok("POST", METRIC, {"requests": [dict({"record": record}, **request)]})["successList"][0]

    def template(self, lookups=None, **record):
        body = {"requests": [{"record": dict({"Name": "Template " + uuid.uuid4().hex[:6]}, **record)}]}
        if lookups:
            body["lookups"] = lookups
        return self.ok("POST", TEMPLATE, body)["successList"][0]


def company_lookup(source="CompanyName", target="CompanyId", **options):
    return {target: dict({"fields": {source: "Name"}, "lookupField": "Gsid", "objectName": "company",
                          "multiMatchOption": "FIRSTMATCH", "onNoMatch": "ERROR"}, **options)}


def opportunity_lookup(source="OpportunityName", target="OpportunityId", **options):
    return {target: dict({"fields": {source: "Name"}, "lookupField": "Gsid", "objectName": "opportunity",
                          "multiMatchOption": "FIRSTMATCH", "onNoMatch": "ERROR"}, **options)}


def add_account(api, ws, name):
    """A company (an account of the accounts service) of `ws`: its uuid."""
    tax_id = "{}-{}-{}".format(*(lambda d: (d[:2], d[2:10], d[10]))("{:011d}".format(uuid.uuid4().int % 10 ** 11)))
    for _ in range(30):  # the accounts routes share the caller's rate limit
        response = api.post("/api/sales/accounts/account", {"action": "create", "country": 1, "tax_id": tax_id,
                                                             "name": name}, token=ws.token)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "1")))
    assert response.status_code == 200, response.text
    return response.json()["uuid"]


def add_deal(api, ws, name):
    """An opportunity (a deal of the deals service) of `ws`: its id."""
    response = api.post("/api/deals.json", {"deal": {"name": name, "value": "100", "value_type": "Total",
                                                     "value_count": "1", "target_date": "2025-06-30"}},
                        token=ws.token)
    assert response.status_code == 201, response.text
    return response.json()["deal"]["id"]
