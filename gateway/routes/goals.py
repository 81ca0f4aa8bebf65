"""Routes of the sales goals API (seeds/000_8886c2696b04dfc0.txt): every endpoint is a POST whose
body says what to do; errors use the sales family envelope with the document's codes."""
from gateway.families import sales_ok
from gateway.routes import Route


def list_goals(ctx):
    result = ctx.call("goals", "list_goals", ctx.json())
    return sales_ok(result["data"], next_page=result["next_page"])


def goal(ctx):
    result = ctx.call("goals", "goal_action", ctx.json())
    return sales_ok(result.get("data"), message=result["message"])


def assign(ctx):
    return sales_ok(message=ctx.call("goals", "assign_goal", ctx.json())["message"])


def unassign(ctx):
    return sales_ok(message=ctx.call("goals", "unassign_goal", ctx.json())["message"])


def goal_progress(ctx):
    return sales_ok(ctx.call("goals", "goal_progress", ctx.json()))


SERVICE = "goals"  # the service these routes call

ROUTES = [
    Route("/api/sales/goals", ("POST",), list_goals),
    Route("/api/sales/goals/goal", ("POST",), goal),
    Route("/api/sales/goals/assign", ("POST",), assign),
    Route("/api/sales/goals/unassign", ("POST",), unassign),
    Route("/api/sales/goals/progress", ("POST",), goal_progress),
]
