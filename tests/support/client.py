"""A small HTTP client for the gateway, and helpers that create workspaces and users through it."""
import time
import uuid

import requests


class Api:
    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()

    def request(self, method, path, token=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = "Bearer " + token
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.base_url + path, headers=headers, **kwargs)

    def patient_request(self, method, path, token=None, headers=None, **kwargs):
        """`request`, waiting out a 429 (Retry-After) of the routes rate limited per caller: for tests of
        other rules, which send faster than 10 requests a second."""
        for _ in range(30):
            response = self.request(method, path, token, headers, **kwargs)
            if response.status_code != 429:
                return response
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return response

    def get(self, path, token=None, **kwargs):
        return self.request("GET", path, token, **kwargs)

    def post(self, path, json=None, token=None, **kwargs):
        return self.request("POST", path, token, json=json, **kwargs)

    def put(self, path, json=None, token=None, **kwargs):
        return self.request("PUT", path, token, json=json, **kwargs)

    def delete(self, path, token=None, **kwargs):
        return self.request("DELETE", path, token, **kwargs)

    # --- fixtures through the public API -----------------------------------------------------------
    def signup(self, workspace=None, password="correct-horse-battery"):
        email = "owner-{}@example.test".format(uuid.uuid4().hex[:12])
        response = self.post("/api/auth/signup", {"workspace": workspace or "ws-" + uuid.uuid4().hex[:8],
                                                  "email": email, "password": password,
                                                  "first_name": "Olivia", "last_name": "Owner"})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        return Workspace(self, data["token"], data["user"], data["workspace"], email, password)


class Workspace:
    """A signed-up workspace: its owner's token and helpers acting as the owner."""

    def __init__(self, api, token, owner, workspace, email, password):
        self.api, self.token, self.owner, self.workspace = api, token, owner, workspace
        self.email, self.password = email, password

    def add_user(self, first_name="Sam", last_name="Seller", password="another-long-password"):
        email = "user-{}@example.test".format(uuid.uuid4().hex[:12])
        response = self.api.post("/api/directory/users", {"email": email, "password": password,
                                                         "first_name": first_name, "last_name": last_name},
                                 token=self.token)
        assert response.status_code == 200, response.text
        user = response.json()["data"]
        login = self.api.post("/api/auth/login", {"email": email, "password": password})
        assert login.status_code == 200, login.text
        user["token"] = login.json()["data"]["token"]
        return user

    def add_group(self, name=None, members=()):
        response = self.api.post("/api/directory/groups", {"name": name or "group-" + uuid.uuid4().hex[:6],
                                                          "members": list(members)}, token=self.token)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def add_campaign(self, name=None, start_date="2025-01-01", end_date="2025-12-31"):
        response = self.api.post("/api/sales/campaigns", {"name": name or "campaign-" + uuid.uuid4().hex[:6],
                                                         "start_date": start_date, "end_date": end_date},
                                 token=self.token)
        assert response.status_code == 200, response.text
        return response.json()["data"]
