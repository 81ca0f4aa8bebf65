"""crm api-key create|list|revoke: a key shown once that then works as CRM_API_KEY, listed by its
prefix, refused once revoked; owner only."""
import uuid

from cli.errors import REFUSED
from cli.tests.conftest import PASSWORD, one_line_error, rows_of


def logged_in(crm, api):
    ws = api.signup(password=PASSWORD)
    crm.ok("login", "--email", ws.email, CRM_PASSWORD=PASSWORD)
    return ws


def listed(crm, *args):
    header, *rows = rows_of(crm.ok("api-key", "list", *args))
    return [dict(zip(header, row)) for row in rows]


def test_a_created_key_acts_as_the_owner_until_it_is_revoked(crm, api):
    ws = logged_in(crm, api)
    code, key, err = crm("api-key", "create", "ci pipeline")
    assert code == 0 and "not shown again" in err
    key = key.strip()  # alone on stdout when it is not a terminal
    header, row = rows_of(crm.ok("whoami", CRM_API_KEY=key))
    assert dict(zip(header, row))["user id"] == str(ws.owner["id"])
    keys = listed(crm)
    assert [(item["name"], key.startswith("crm_" + item["prefix"])) for item in keys] == [("ci pipeline", True)]

    out = crm.ok("api-key", "revoke", keys[0]["uuid"])
    assert "revoked" in out
    assert listed(crm) == [] and listed(crm, "--all")[0]["revoked"] != ""
    code, _, err = crm("whoami", CRM_API_KEY=key)
    assert code == REFUSED and one_line_error(err).endswith("(HTTP 401 on GET /api/directory/me); check CRM_API_KEY")


def test_revoking_an_unknown_key_is_refused(crm, api):
    logged_in(crm, api)
    code, _, err = crm("api-key", "revoke", str(uuid.uuid4()))
    assert code == REFUSED and "HTTP 404" in one_line_error(err)


def test_a_user_who_is_not_the_owner_is_refused(crm, api):
    ws = api.signup()
    user = ws.add_user(password=PASSWORD)
    crm.ok("login", "--email", user["email"], CRM_PASSWORD=PASSWORD)
    code, _, err = crm("api-key", "create", "mine")
    assert code == REFUSED and "HTTP 403" in one_line_error(err)
