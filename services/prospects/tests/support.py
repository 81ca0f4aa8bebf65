"""Test helpers of the prospects API: a sales team made through the directory API (the owner holds
every permission; users hold the permissions they are created with), prospects created through the
import endpoint, and the Boom envelope."""
import uuid

from contracts.permissions import LOCATIONS, PARTNERS, PROSPECTS

SALESMAN = (PROSPECTS, LOCATIONS)  # sees only their own prospects
PASSWORD = "another-long-password"


class Member:
    """A user of the workspace and their token."""

    def __init__(self, user, token):
        self.user, self.token, self.id = user, token, user["id"]
        self.name = "{} {}".format(user["first_name"], user["last_name"])


def owner(ws):
    return Member(ws.owner, ws.token)


def member(ws, permissions=SALESMAN, first_name="Sam", last_name=None):
    """A new user of `ws` holding `permissions` (POST /api/directory/users), logged in."""
    api = ws.api
    email = "user-{}@example.test".format(uuid.uuid4().hex[:12])
    response = api.post("/api/directory/users", {"email": email, "password": PASSWORD, "first_name": first_name,
                                                 "last_name": last_name or "Seller-" + uuid.uuid4().hex[:4],
                                                 "permissions": list(permissions)}, token=ws.token)
    assert response.status_code == 200, response.text
    login = api.post("/api/auth/login", {"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return Member(response.json()["data"], login.json()["data"]["token"])


def row(**fields):
    """An import row with a unique email and phone; a field given as None is left out."""
    tag = uuid.uuid4().int % 10 ** 9
    data = {"name": "Contact {}".format(tag), "company": "Company {}".format(tag),
            "email": "lead-{}@example.test".format(tag), "phone": 5500000000 + tag, "code": 52, "locale": 1}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def create(api, who, *rows, expect=200, headers=None):
    """Imports `rows` (default: one new row) through POST /prospects as `who`; answers the body."""
    response = api.post("/prospects", list(rows) or [row()], token=who.token, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


def create_one(api, who, **fields):
    body = create(api, who, row(**fields))
    assert not body["errors"], body
    return body["inserts"][0]["id"]


def boom(response, status):
    """The Boom envelope of an error answer: asserts it and answers its body."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status and isinstance(body["error"], str) and body["message"], body
    assert set(body) >= {"statusCode", "error", "message"}
    return body
