"""Every bad credential is a 401 through the gateway; services refuse calls without a verified identity."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from infra.auth import Caller, issue_token
from infra.errors import Unauthenticated
from tests.support.tokens import BAD_TOKENS


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_bad_token_is_401_in_the_family_envelope(api, kind):
    ws = api.signup()
    token = BAD_TOKENS[kind](ws)
    sales = api.get("/api/directory/users", token=token)
    assert sales.status_code == 401
    assert sales.json()["res"] == "error" and sales.json()["code"] == 11
    deals = api.get("/api/deals.json", token=token)
    assert deals.status_code == 401 and "errors" in deals.json()


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"},
    {"X-apikey": "crm_deadbeef_not-a-real-key"}, {"accesskey": "random"},
])
def test_missing_or_malformed_credentials_are_401(api, headers):
    response = api.get("/api/directory/users", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == 11


def test_a_valid_token_still_works_next_to_those_cases(api):
    ws = api.signup()
    assert api.get("/api/directory/users", token=ws.token).status_code == 200


def test_services_refuse_rpc_without_a_gateway_signed_identity(test_env, system):
    config = {"AMQP_URI": test_env.amqp_uri}
    with ServiceRpcProxy("directory", config) as directory:
        with pytest.raises(Unauthenticated):
            directory.list_users()
    forged = issue_token(Caller(user_id=1, user_uuid="u", workspace_id=1, workspace_uuid="w", is_owner=True), 60,
                         audience="crm-internal", secret="not-the-platform-secret-at-all")[0]
    with ServiceRpcProxy("directory", config, context_data={"identity": forged}) as directory:
        with pytest.raises(Unauthenticated):
            directory.list_users()
