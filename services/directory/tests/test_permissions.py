"""User permissions through the gateway: granted at creation, replaced by the owner, shown in the
user's view and carried by the user's token (the owner holds every name)."""
import uuid

import jwt
import pytest

from contracts.permissions import PERMISSIONS


def token_permissions(token):
    return jwt.decode(token, options={"verify_signature": False})["permissions"]


def new_user(api, ws, **fields):
    body = dict({"email": "user-{}@example.test".format(uuid.uuid4().hex[:12]), "password": "another-long-password",
                 "first_name": "Pia", "last_name": "Perm"}, **fields)
    response = api.post("/api/directory/users", body, token=ws.token)
    assert response.status_code == 200, response.text
    user = response.json()["data"]
    login = api.post("/api/auth/login", {"email": body["email"], "password": body["password"]})
    user["token"] = login.json()["data"]["token"]
    return user


def test_a_user_created_without_permissions_holds_none(api):
    ws = api.signup()
    user = new_user(api, ws)
    assert user["permissions"] == []
    assert api.get("/api/directory/users/{}".format(user["id"]), token=ws.token).json()["data"]["permissions"] == []
    assert token_permissions(user["token"]) == []


def test_permissions_given_at_creation_are_shown_and_carried_by_the_token(api):
    ws = api.signup()
    user = new_user(api, ws, permissions=["crm-menu", "319", "319"])
    assert user["permissions"] == ["319", "crm-menu"]  # canonical order, no duplicates
    shown = api.get("/api/directory/users/{}".format(user["id"]), token=user["token"]).json()["data"]
    assert shown["permissions"] == ["319", "crm-menu"]
    assert token_permissions(user["token"]) == ["319", "crm-menu"]


def test_the_owner_holds_every_permission(api):
    ws = api.signup()
    assert ws.owner["permissions"] == list(PERMISSIONS)
    assert token_permissions(ws.token) == list(PERMISSIONS)
    login = api.post("/api/auth/login", {"email": ws.email, "password": ws.password}).json()["data"]
    assert token_permissions(login["token"]) == list(PERMISSIONS)
    listed = api.get("/api/directory/users", token=ws.token).json()["data"]
    assert listed[0]["permissions"] == list(PERMISSIONS)


def test_the_owner_replaces_a_users_permissions(api):
    ws = api.signup()
    user = new_user(api, ws, permissions=["319"])
    response = api.put("/api/directory/users/{}/permissions".format(user["id"]),
                       {"permissions": ["all-prospects", "crm-partners"]}, token=ws.token)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["permissions"] == ["crm-partners", "all-prospects"]
    shown = api.get("/api/directory/users/{}".format(user["id"]), token=ws.token).json()["data"]
    assert shown["permissions"] == ["crm-partners", "all-prospects"]
    emptied = api.put("/api/directory/users/{}/permissions".format(user["id"]), {"permissions": []}, token=ws.token)
    assert emptied.json()["data"]["permissions"] == []
    relogin = api.post("/api/auth/login", {"email": user["email"], "password": "another-long-password"}).json()["data"]
    assert token_permissions(relogin["token"]) == []


def test_only_the_owner_changes_permissions(api):
    ws = api.signup()
    member = new_user(api, ws, permissions=list(PERMISSIONS))
    response = api.put("/api/directory/users/{}/permissions".format(member["id"]), {"permissions": []},
                       token=member["token"])
    assert response.status_code == 403 and response.json()["code"] == 21
    assert api.get("/api/directory/users/{}".format(member["id"]), token=ws.token).json()["data"]["permissions"] == \
        list(PERMISSIONS)


@pytest.mark.parametrize("body", [
    {"permissions": ["319", "admin"]},
    {"permissions": ["CRM-MENU"]},
    {"permissions": [319]},
    {"permissions": "319"},
    {"permissions": None},
    {},
])
def test_unknown_or_malformed_permissions_are_code_3(api, body):
    ws = api.signup()
    user = new_user(api, ws)
    response = api.put("/api/directory/users/{}/permissions".format(user["id"]), body, token=ws.token)
    assert response.status_code == 400
    assert response.json()["code"] == 3 and response.json()["info"].startswith("permissions")


def test_unknown_permissions_refuse_the_new_user(api):
    ws = api.signup()
    response = api.post("/api/directory/users", {"email": "p-{}@example.test".format(uuid.uuid4().hex[:8]),
                                                 "password": "another-long-password", "first_name": "A",
                                                 "last_name": "B", "permissions": ["superuser"]}, token=ws.token)
    assert response.status_code == 400 and response.json()["code"] == 3
    assert response.json()["info"].startswith("permissions")
    assert len(api.get("/api/directory/users", token=ws.token).json()["data"]) == 1


def test_the_owners_own_permissions_cannot_be_changed(api):
    ws = api.signup()
    response = api.put("/api/directory/users/{}/permissions".format(ws.owner["id"]), {"permissions": []},
                       token=ws.token)
    assert response.status_code == 400 and response.json()["code"] == 3
    assert token_permissions(api.post("/api/auth/login", {"email": ws.email, "password": ws.password})
                             .json()["data"]["token"]) == list(PERMISSIONS)


def test_another_workspaces_user_answers_like_a_missing_one(api):
    ws, other = api.signup(), api.signup()
    stranger = new_user(api, other)
    theirs = api.put("/api/directory/users/{}/permissions".format(stranger["id"]), {"permissions": ["319"]},
                     token=ws.token)
    missing = api.put("/api/directory/users/999999999/permissions", {"permissions": ["319"]}, token=ws.token)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    shown = api.get("/api/directory/users/{}".format(stranger["id"]), token=other.token).json()["data"]
    assert shown["permissions"] == []
