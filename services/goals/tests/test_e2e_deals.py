"""End to end through the gateway: deals changed with the deals HTTP API move goal progress, and
the reconcile command finds no drift afterwards."""
from services.goals.tests.support import run_cli, wait_for


def assert_no_drift(ws):
    code, output = run_cli("reconcile", "--workspace", str(ws.workspace["id"]))
    assert code == 0 and "0 with drift" in output, output


def test_won_deals_move_progress_and_lost_or_deleted_deals_move_it_back(goals, deals):
    goal = goals.create(amount=1000)
    first = deals.create(quantity="300")
    second = deals.create(quantity="200")
    deals.create(quantity="999", current_state="open_50")  # open: only the forecast
    detail = goals.wait_current(goal["uuid"], 500)
    assert {o["id"] for o in detail["operations"]} == {first["id"], second["id"]}
    assert detail["progress"] == 50.0
    deals.update(first["id"], current_state="lost")
    goals.wait_current(goal["uuid"], 200)
    deals.delete(second["id"])
    detail = goals.wait_current(goal["uuid"], 0)
    assert detail["operations"] == [] and detail["forecast"] == 499.5
    deals.update(first["id"], current_state="won")
    goals.wait_current(goal["uuid"], 300)
    assert_no_drift(goals.ws)


def test_unit_conversion_and_unconvertible_units(goals, deals):
    goal = goals.create(amount=10000, id_unit=1)
    tonnes = deals.create(quantity="2.5", unit_id=2)
    litres = deals.create(quantity="40", unit_id=5)
    detail = wait_for(lambda: goals.detail(goal["uuid"]), lambda d: d["current"] == 2500
                      and len(d["other_units_opportunities"]) == 1)
    assert [(o["id"], o["quantity"]) for o in detail["operations"]] == [(tonnes["id"], 2500)]
    assert [(o["id"], o["quantity"], o["unit_id"]) for o in detail["other_units_opportunities"]] == \
        [(litres["id"], 40, 5)]
    assert goals.listed()["data"][0]["progress"] == 25
    assert_no_drift(goals.ws)


def test_billing_counts_only_the_goals_currency(goals, deals):
    goal = goals.create(goal_subtype="billing", id_unit=978, amount=10000)
    eur = deals.create(value="1500", value_count="2", currency="EUR")
    usd = deals.create(value="700", value_count="1", currency="USD")
    detail = wait_for(lambda: goals.detail(goal["uuid"]), lambda d: d["current"] == 3000
                      and len(d["other_units_opportunities"]) == 1)
    assert [o["id"] for o in detail["operations"]] == [eur["id"]]
    assert [(o["id"], o["quantity"], o["unit_id"]) for o in detail["other_units_opportunities"]] == \
        [(usd["id"], 700, 840)]
    assert_no_drift(goals.ws)


def test_unassigned_goal_counts_the_workspace_and_group_goal_its_members(goals, deals, ws):
    seller, buyer, outsider = ws.add_user(), ws.add_user(), ws.add_user()
    team = ws.add_group(members=[seller["id"], buyer["id"]])
    everyone = goals.create(amount=100)
    team_goal = goals.create(amount=100, groups=[team["id"]])
    deals.create(user_id=seller["id"], quantity="10")
    deals.create(token=buyer["token"], user_id=buyer["id"], quantity="20")
    deals.create(user_id=outsider["id"], quantity="40")
    goals.wait_current(everyone["uuid"], 70)
    goals.wait_current(team_goal["uuid"], 30)
    assert goals.detail(team_goal["uuid"], user_id=buyer["id"])["current"] == 20
    assert goals.detail(team_goal["uuid"], group_id=team["id"])["current"] == 30
    late = goals.create(amount=60, groups=[team["id"]])  # created after its opportunities
    assert goals.detail(late["uuid"])["progress"] == 50.0
    assert_no_drift(goals.ws)
