"""A token signed with the platform's secret whose claims have the wrong types or sizes is a 401
through the gateway, like any malformed input: never a 500, and never accepted after a loose
conversion (a string user id, a float workspace id, a permission list given as one string)."""
import os

import jwt
import pytest

from tests.support.tokens import _claims

WRONG_CLAIMS = {
    "user_id": ["7", 7.0, True, None, [7], {"id": 7}, 0, -3, 2 ** 70],
    "workspace_id": ["1", 1.5, False, None, [1], 2 ** 63],
    "user_uuid": [None, 7, ["a"], {"u": 1}, "", "u" * 65],
    "workspace_uuid": [None, 3, ["w"], ""],
    "is_owner": ["yes", 1, None, [True]],
    "first_name": [["Ada"], {"n": 1}, 5, None, "A" * 201],
    "last_name": [["Lovelace"], 5, None],
    "auth_method": [["token"], 1, "root", None],
    "permissions": ["319", [["319"]], [319], [{"p": 1}], {"319": True}, None, ["p"] * 101, ["x" * 65]],
}
CASES = [(claim, value) for claim, values in WRONG_CLAIMS.items() for value in values]


@pytest.fixture(scope="module")
def ws(api):
    return api.signup()


def signed(claims):
    return jwt.encode(claims, os.environ["JWT_SECRET"], algorithm="HS256")


def test_the_builder_makes_a_token_the_gateway_accepts(api, ws):
    assert api.get("/api/directory/users", token=signed(_claims(ws))).status_code == 200


@pytest.mark.parametrize("claim, value", CASES, ids=["{}={!r}".format(c, v)[:60] for c, v in CASES])
def test_a_claim_of_the_wrong_type_is_401(api, ws, claim, value):
    token = signed(_claims(ws, **{claim: value}))
    sales = api.get("/api/directory/users", token=token)
    assert sales.status_code == 401, sales.text
    assert sales.json() == {"res": "error", "code": 11, "info": "Token does not carry a valid identity"}
    deals = api.get("/api/deals.json", token=token)
    assert deals.status_code == 401 and "errors" in deals.json(), deals.text


@pytest.mark.parametrize("claim", ["user_id", "user_uuid", "workspace_id", "workspace_uuid"])
def test_a_missing_identity_claim_is_401(api, ws, claim):
    claims = _claims(ws)
    del claims[claim]
    assert api.get("/api/directory/users", token=signed(claims)).status_code == 401


def test_optional_claims_may_be_left_out(api, ws):
    claims = _claims(ws)
    for optional in ("is_owner", "first_name", "last_name", "auth_method", "permissions"):
        del claims[optional]
    assert api.get("/api/directory/users", token=signed(claims)).status_code == 200
