"""crm demo-data: a new workspace populated through the API, every kind of record counted back
through the API, and the first owner kept as the current login."""
from cli.demo_content import SIZES
from cli.tests.conftest import rows_of
from tests.support.events import wait_for


def counted(api, token):
    """How many of each kind the workspace holds, as its owner reads them through the API."""
    def data(response):
        assert response.status_code == 200, response.text
        return response.json()["data"]
    deals = api.get("/api/deals.json", token=token)
    goals = data(api.post("/api/sales/goals", {"action": "get_all_goals", "page_size": 100}, token=token))
    return {"users": len(data(api.get("/api/directory/users", token=token))),
            "groups": len(data(api.get("/api/directory/groups", token=token))),
            "campaigns": len(data(api.get("/api/sales/campaigns", token=token))),
            "accounts": len(data(api.post("/api/sales/accounts/", {"action": "lite"}, token=token))),
            "deals": int(deals.headers["X-Total-Count"]), "goals": len(goals),
            "prospects": sum(api.get("/prospects/list", params={"source": source}, token=token).json()["recordsTotal"]
                             for source in ("company", "partner"))}  # prospects and clients; partners


def test_demo_data_populates_a_new_workspace_and_logs_in_as_its_owner(crm, api):
    code, out, err = crm("demo-data", "--size", "small", "--password", "demo-password-1")
    assert code == 0, (out, err)
    summary = {row[0]: row[1] for row in rows_of(out)}
    size = SIZES["small"]
    expected = {"users": size.users + 1, "groups": size.groups, "campaigns": size.campaigns,
                "accounts": size.accounts, "deals": size.deals, "goals": size.goals, "prospects": size.prospects}
    assert {kind: int(summary[kind]) for kind in expected} == expected
    stored = crm.stored()
    assert stored["email"] == summary["owner (login)"] and stored["workspace_id"] == int(summary["workspace id"])
    assert counted(api, stored["token"]) == expected

    # the demo users log in with the password given, and the goals show progress from the won deals
    login = api.post("/api/auth/login", {"email": stored["email"], "password": "demo-password-1"})
    assert login.status_code == 200, login.text
    goals = api.post("/api/sales/goals", {"action": "get_all_goals", "page_size": 100}, token=stored["token"])
    volume = [goal for goal in goals.json()["data"] if goal["goal_subtype"] == "volume"][0]
    wait_for(lambda: api.post("/api/sales/goals/progress", {"goal_uuid": volume["uuid"]}, token=stored["token"])
             .json()["data"]["progress_detail"]["current"], lambda current: current > 0)


def test_demo_data_creates_each_workspace_apart(crm, api):
    out = crm.ok("demo-data", "--size", "small", "--workspaces", "2", "--no-login")
    header, *rows = rows_of(out)
    summary = {row[0]: row[1:] for row in rows}
    assert len(set(summary["workspace id"])) == 2 and len(set(summary["owner (login)"])) == 2
    assert summary["deals"] == [str(SIZES["small"].deals)] * 2
    code, _, err = crm("whoami")  # --no-login: nothing kept
    assert code == 3 and "not logged in" in err
