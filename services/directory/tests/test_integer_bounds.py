"""Integers of 2^63 and more (and negative ids) in the directory's paths and bodies are a 4xx in the
sales envelope, never a database overflow (500)."""
import pytest

HUGE = [2 ** 63, 2 ** 64, -1]


def assert_sales_4xx(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert body["res"] == "error" and isinstance(body["code"], int) and body["info"]


@pytest.fixture(scope="module")
def ws(api):
    return api.signup()


@pytest.mark.parametrize("number", HUGE)
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/directory/users/{}", None),
    ("PUT", "/api/directory/users/{}/permissions", {"permissions": []}),
    ("POST", "/api/directory/users/{}/deactivate", None),
    ("GET", "/api/directory/groups/{}", None),
    ("POST", "/api/directory/groups/{}/members", {"users": [1]}),
    ("POST", "/api/directory/groups/{}/members/remove", {"users": [1]}),
])
def test_a_huge_or_negative_id_in_the_path_is_a_4xx(api, ws, method, path, body, number):
    assert_sales_4xx(api.request(method, path.format(number), ws.token, json=body))


@pytest.mark.parametrize("number", HUGE)
def test_huge_or_negative_ids_in_member_lists_are_400_naming_the_field(api, ws, number):
    group = ws.add_group()
    for path, body, field in [
        ("/api/directory/groups", {"name": "g-{}".format(number), "members": [number]}, "members"),
        ("/api/directory/groups/{}/members".format(group["id"]), {"users": [number]}, "users"),
        ("/api/directory/groups/{}/members/remove".format(group["id"]), {"users": [number]}, "users"),
    ]:
        response = api.post(path, body, token=ws.token)
        assert_sales_4xx(response)
        assert response.status_code == 400 and response.json()["code"] == 3
        assert response.json()["info"].startswith(field), response.json()
