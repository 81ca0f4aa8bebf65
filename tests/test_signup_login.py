"""Sign-up and login through the gateway."""


def test_signup_creates_workspace_and_owner_and_answers_a_working_token(api):
    ws = api.signup(workspace="Acme Seeds")
    assert ws.workspace["name"] == "Acme Seeds"
    assert isinstance(ws.owner["id"], int) and ws.owner["is_owner"] is True
    users = api.get("/api/directory/users", token=ws.token)
    assert users.status_code == 200
    assert [user["id"] for user in users.json()["data"]] == [ws.owner["id"]]


def test_login_answers_token_and_expiry(api):
    ws = api.signup()
    response = api.post("/api/auth/login", {"email": ws.email, "password": ws.password})
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"token", "expires_at"}
    assert api.get("/api/directory/users", token=data["token"]).status_code == 200


def test_login_with_wrong_password_is_401(api):
    ws = api.signup()
    response = api.post("/api/auth/login", {"email": ws.email, "password": "not-the-password"})
    assert response.status_code == 401
    assert response.json() == {"res": "error", "code": 11, "info": "Invalid email or password"}


def test_login_with_unknown_email_is_401(api):
    response = api.post("/api/auth/login", {"email": "nobody@example.test", "password": "whatever-it-is"})
    assert response.status_code == 401


def test_signup_with_taken_email_is_409(api):
    ws = api.signup()
    response = api.post("/api/auth/signup", {"workspace": "Other", "email": ws.email.upper(), "password": "long-enough-pw",
                                             "first_name": "A", "last_name": "B"})
    assert response.status_code == 409
    assert response.json()["code"] == 6
