"""crm signup, login, whoami, logout against the running system: the token kept per URL in a file
only its owner reads, and every failure one line with its exit code."""
import os
import stat
import uuid

from cli.credentials import Credentials
from cli.errors import REFUSED, UNREACHABLE, USAGE
from cli.tests.conftest import PASSWORD, one_line_error, rows_of


def new_email():
    return "cli-{}@example.test".format(uuid.uuid4().hex[:10])


def signup(crm, email):
    return crm.ok("signup", "--workspace", "CLI Seeds", "--email", email, "--first-name", "Carla",
                  "--last-name", "Cli", CRM_PASSWORD=PASSWORD)


def test_signup_creates_the_workspace_and_keeps_the_owner_logged_in(crm, api):
    email = new_email()
    out = signup(crm, email)
    assert "Workspace CLI Seeds" in out and "logged in as {}".format(email) in out
    stored = crm.stored()
    assert stored["email"] == email
    me = api.get("/api/directory/me", token=stored["token"]).json()["data"]  # the kept token works
    assert me["is_owner"] is True and me["workspace_id"] == stored["workspace_id"]
    path = os.path.join(crm.config_dir, "credentials.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(crm.config_dir).st_mode) == 0o700
    header, row = rows_of(crm.ok("whoami"))
    assert dict(zip(header, row))["email"] == email and dict(zip(header, row))["owner"] == "yes"


def test_login_prompts_for_the_password_and_logout_forgets_the_token(crm, api):
    ws = api.signup(password=PASSWORD)
    out = crm.ok("login", "--email", ws.email, input=PASSWORD + "\n")  # the prompt reads stdin
    assert "as {}".format(ws.email) in out
    assert crm.stored()["workspace_id"] == ws.workspace["id"]
    assert crm.ok("logout").startswith("Logged out")
    code, out, err = crm("whoami")
    assert code == REFUSED and "not logged in" in one_line_error(err)


def test_a_wrong_password_is_the_apis_message_on_one_line_with_exit_code_3(crm, api):
    ws = api.signup(password=PASSWORD)
    code, out, err = crm("login", "--email", ws.email, CRM_PASSWORD="not-the-password")
    assert code == REFUSED and out == ""
    assert one_line_error(err) == "crm: Invalid email or password (code 11) (HTTP 401 on POST /api/auth/login)"


def test_an_invalid_signup_names_the_field(crm):
    code, _, err = crm("signup", "--workspace", "W", "--email", "not-an-email", "--first-name", "A",
                       "--last-name", "B", CRM_PASSWORD=PASSWORD)
    assert code == REFUSED and "email" in one_line_error(err)


def test_no_system_at_the_url_is_exit_code_4(crm, tmp_path):
    code, _, err = crm("--url", "http://127.0.0.1:9", "login", "--email", "a@b.test", CRM_PASSWORD=PASSWORD)
    assert code == UNREACHABLE and "cannot connect to http://127.0.0.1:9" in one_line_error(err)


def test_usage_errors_are_one_line_with_exit_code_2(crm):
    code, _, err = crm("api-key", "revoke", "not-a-uuid")
    assert code == USAGE and "not a valid UUID" in one_line_error(err)
    code, _, err = crm("no-such-command")
    assert code == USAGE and "No such command" in one_line_error(err)


def test_a_kept_token_the_system_refuses_says_to_log_in_again(crm):
    Credentials(crm.config_dir).put(crm.base_url, {"email": "gone@example.test", "token": "not-a-token"})
    code, _, err = crm("whoami")
    assert code == REFUSED
    line = one_line_error(err)
    assert "HTTP 401 on GET /api/directory/me" in line and line.endswith("log in again: `crm login`"), line
