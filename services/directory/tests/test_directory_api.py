"""Users, groups, campaigns and API keys through the gateway, including workspace isolation."""
import pytest


def test_owner_adds_a_user_who_can_log_in_and_is_listed(api):
    ws = api.signup()
    user = ws.add_user(first_name="Carlos", last_name="Gomez")
    assert isinstance(user["id"], int) and user["is_owner"] is False
    listed = api.get("/api/directory/users", token=ws.token).json()["data"]
    assert [u["id"] for u in listed] == [ws.owner["id"], user["id"]]
    assert api.get("/api/directory/users/{}".format(user["id"]), token=user["token"]).json()["data"]["first_name"] == "Carlos"


def test_only_the_owner_adds_users(api):
    ws = api.signup()
    member = ws.add_user()
    response = api.post("/api/directory/users", {"email": "x@example.test", "password": "long-password-1",
                                                 "first_name": "X", "last_name": "Y"}, token=member["token"])
    assert response.status_code == 403
    assert response.json() == {"res": "error", "code": 21, "info": "Only the workspace owner can do this"}


@pytest.mark.parametrize("body, field", [
    ({"password": "long-password-1", "first_name": "A", "last_name": "B"}, "email"),
    ({"email": "not-an-email", "password": "long-password-1", "first_name": "A", "last_name": "B"}, "email"),
    ({"email": "a@example.test", "password": "short", "first_name": "A", "last_name": "B"}, "password"),
    ({"email": "a@example.test", "password": "long-password-1", "first_name": "", "last_name": "B"}, "first_name"),
    ({"email": "a@example.test", "password": "long-password-1", "first_name": 5, "last_name": "B"}, "first_name"),
])
def test_invalid_new_user_is_400_naming_the_field(api, body, field):
    ws = api.signup()
    response = api.post("/api/directory/users", body, token=ws.token)
    assert response.status_code == 400
    assert response.json()["code"] == 3 and response.json()["info"].startswith(field)


def test_groups_with_members_and_membership_changes(api):
    ws = api.signup()
    a, b = ws.add_user(), ws.add_user()
    group = ws.add_group("Zona Sur", members=[a["id"]])
    assert group["members"] == [a["id"]]
    added = api.post("/api/directory/groups/{}/members".format(group["id"]), {"users": [b["id"]]}, token=ws.token)
    assert added.json()["data"]["members"] == sorted([a["id"], b["id"]])
    removed = api.post("/api/directory/groups/{}/members/remove".format(group["id"]), {"users": [a["id"]]}, token=ws.token)
    assert removed.json()["data"]["members"] == [b["id"]]
    listed = api.get("/api/directory/groups", token=ws.token).json()["data"]
    assert [(g["name"], g["members"]) for g in listed] == [("Zona Sur", [b["id"]])]


def test_duplicate_group_name_is_409(api):
    ws = api.signup()
    ws.add_group("Norte")
    response = api.post("/api/directory/groups", {"name": "Norte", "members": []}, token=ws.token)
    assert response.status_code == 409 and response.json()["code"] == 6


def test_group_members_must_be_users_of_the_workspace(api):
    ws, other = api.signup(), api.signup()
    stranger = other.add_user()
    response = api.post("/api/directory/groups", {"name": "G", "members": [stranger["id"]]}, token=ws.token)
    assert response.status_code == 404 and response.json()["code"] == 20


def test_campaigns_are_created_and_listed_with_uuid(api):
    ws = api.signup()
    created = ws.add_campaign("Campaña 2025", "2025-03-01", "2026-02-28")
    assert len(created["uuid"]) == 36
    assert api.get("/api/sales/campaigns", token=ws.token).json()["data"] == [created]
    assert api.get("/api/sales/campaigns/" + created["uuid"], token=ws.token).json()["data"] == created


@pytest.mark.parametrize("body, field", [
    ({"name": "C", "start_date": "2025-12-31", "end_date": "2025-01-01"}, "end_date"),
    ({"name": "C", "start_date": "31/12/2025", "end_date": "2026-01-01"}, "start_date"),
    ({"start_date": "2025-01-01", "end_date": "2025-02-01"}, "name"),
])
def test_invalid_campaign_is_400(api, body, field):
    ws = api.signup()
    response = api.post("/api/sales/campaigns", body, token=ws.token)
    assert response.status_code == 400 and response.json()["info"].startswith(field)


def test_api_keys_work_in_both_headers_until_revoked(api):
    ws = api.signup()
    created = api.post("/api/directory/api-keys", {"name": "ERP sync"}, token=ws.token).json()["data"]
    key = created["key"]
    for header in ("X-apikey", "accesskey"):
        response = api.get("/api/directory/users", headers={header: key})
        assert response.status_code == 200, header
        assert response.json()["data"][0]["id"] == ws.owner["id"]
    listed = api.get("/api/directory/api-keys", token=ws.token).json()["data"]
    assert [k["uuid"] for k in listed] == [created["uuid"]] and "key" not in listed[0]
    assert key not in str(listed)  # stored hashed, never shown again
    revoked = api.delete("/api/directory/api-keys/" + created["uuid"], token=ws.token)
    assert revoked.status_code == 200 and revoked.json()["data"]["revoked_at"]
    assert api.get("/api/directory/users", headers={"X-apikey": key}).status_code == 401


def test_only_the_owner_manages_api_keys(api):
    ws = api.signup()
    member = ws.add_user()
    assert api.post("/api/directory/api-keys", {"name": "k"}, token=member["token"]).status_code == 403
    assert api.get("/api/directory/api-keys", token=member["token"]).status_code == 403


class TestWorkspaceIsolation:
    """Another workspace's records answer exactly like missing ones."""

    def test_users_of_another_workspace_are_invisible(self, api):
        ws, other = api.signup(), api.signup()
        stranger = other.add_user()
        assert ws.owner["id"] not in [u["id"] for u in api.get("/api/directory/users", token=other.token).json()["data"]]
        response = api.get("/api/directory/users/{}".format(stranger["id"]), token=ws.token)
        missing = api.get("/api/directory/users/999999999", token=ws.token)
        assert response.status_code == missing.status_code == 404
        assert response.json() == missing.json()

    def test_groups_of_another_workspace_cannot_be_read_or_changed(self, api):
        ws, other = api.signup(), api.signup()
        group = other.add_group("Theirs")
        mine = ws.add_user()
        assert api.get("/api/directory/groups/{}".format(group["id"]), token=ws.token).status_code == 404
        change = api.post("/api/directory/groups/{}/members".format(group["id"]), {"users": [mine["id"]]}, token=ws.token)
        assert change.status_code == 404
        remove = api.post("/api/directory/groups/{}/members/remove".format(group["id"]), {"users": [1]}, token=ws.token)
        assert remove.status_code == 404
        assert api.get("/api/directory/groups", token=ws.token).json()["data"] == []
        assert api.get("/api/directory/groups/{}".format(group["id"]), token=other.token).json()["data"]["members"] == []

    def test_campaigns_of_another_workspace_are_invisible(self, api):
        ws, other = api.signup(), api.signup()
        campaign = other.add_campaign()
        assert api.get("/api/sales/campaigns/" + campaign["uuid"], token=ws.token).status_code == 404
        assert api.get("/api/sales/campaigns", token=ws.token).json()["data"] == []

    def test_api_keys_of_another_workspace_cannot_be_listed_or_revoked(self, api):
        ws, other = api.signup(), api.signup()
        theirs = api.post("/api/directory/api-keys", {"name": "theirs"}, token=other.token).json()["data"]
        assert api.get("/api/directory/api-keys", token=ws.token).json()["data"] == []
        assert api.delete("/api/directory/api-keys/" + theirs["uuid"], token=ws.token).status_code == 404
        assert api.get("/api/directory/users", headers={"X-apikey": theirs["key"]}).status_code == 200  # still live
        # and a key only ever acts in its own workspace
        seen = api.get("/api/directory/users", headers={"X-apikey": theirs["key"]}).json()["data"]
        assert [u["id"] for u in seen] == [other.owner["id"]]

    def test_a_body_workspace_id_is_refused_not_trusted(self, api):
        ws, other = api.signup(), api.signup()
        created = api.post("/api/sales/campaigns", {"name": "Mine", "start_date": "2025-01-01", "end_date": "2025-02-01",
                                                    "workspace_id": other.workspace["id"]}, token=ws.token)
        # unknown fields are refused rather than silently trusted
        assert created.status_code == 400 and created.json()["info"].startswith("workspace_id")
        assert api.get("/api/sales/campaigns", token=other.token).json()["data"] == []
