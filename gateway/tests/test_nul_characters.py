"""U+0000 anywhere in a request's text is a 400 in the family's envelope. PostgreSQL text cannot hold
it: a sign-up with "\\u0000" in a name, a deals search for "%00" and a campaign path with %00 were
500s (found by Schemathesis, tests/test_fuzz.py)."""
import pytest

from gateway.tests.envelopes import assert_error_response


@pytest.fixture(scope="module")
def owner(api):
    return api.signup()


def test_nul_in_a_json_string_is_400(api):
    body = {"workspace": "Nul\u0000Corp", "email": "nul@example.test", "password": "a-long-password",
            "first_name": "A", "last_name": "B"}
    message = assert_error_response("/api/auth/signup", api.post("/api/auth/signup", body), 400)
    assert "NUL" in message


@pytest.mark.parametrize("path, body", [
    ("/api/sales/campaigns", {"name": "x", "start_date": "2025-01-01", "end_date": "2025-02-01", "k\u0000": 1}),
    ("/api/deals.json", {"deal": {"name": "deal", "tags": ["a\u0000"]}}),
    ("/v1/csgoal/external/fetch", {"select": ["Name\u0000"]}),
    ("/prospects", [{"name": "a\u0000b", "email": "nul@example.test", "phone": "1234567"}]),  # read by its route
])
def test_nul_in_a_key_or_a_nested_string_is_400_in_each_family(api, owner, path, body):
    assert "NUL" in assert_error_response(path, api.post(path, body, token=owner.token), 400)


@pytest.mark.parametrize("path", ["/api/deals/search.json?name=%00", "/api/deals.json?filter%5Bname%5D=a%00b",
                                  "/prospects/list?search=%00",
                                  "/api/sales/campaigns/%00", "/api/sales/accounts/account?uuid=%00"])
def test_nul_in_the_path_or_the_query_is_400(api, owner, path):
    response = api.get(path, token=owner.token)
    assert "NUL" in assert_error_response(path.split("?")[0], response, 400)


def test_an_escaped_backslash_before_u0000_is_text_not_nul(api, owner):
    body = {"name": "C:\\u0000", "start_date": "2025-01-01", "end_date": "2025-02-01"}
    response = api.post("/api/sales/campaigns", body, token=owner.token)
    assert response.status_code == 200 and response.json()["data"]["name"] == "C:\\u0000"
