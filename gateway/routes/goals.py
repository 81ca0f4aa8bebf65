"""Routes of the sales goals API (seeds/000_8886c2696b04dfc0.txt): every endpoint is a POST whose
body says what to do; errors use the sales family envelope with the document's codes. Where the body
carries an `action`, each action is its own RPC (an unknown one is code 2)."""
from gateway.families import sales_ok
from gateway.routes import Action, Route, action_of
from services.goals import schemas

LIST_ACTIONS = {
    "get_all_goals": Action("list_goals", body=schemas.ListGoalsSchema),
}
GOAL_ACTIONS = {
    "create": Action("create_goal", "goal created successfully", body=schemas.CreateGoalSchema),
    "update": Action("update_goal", "goal updated successfully", body=schemas.UpdateGoalSchema),
    "delete": Action("delete_goal", "goal deleted successfully", body=schemas.DeleteGoalSchema),
}
UNASSIGN_ACTIONS = {
    "unassign_users": Action("unassign_users", "goal unassigned successfully", body=schemas.UnassignUsersSchema),
    "unassign_groups": Action("unassign_groups", "goal unassigned successfully", body=schemas.UnassignGroupsSchema),
}
ASSIGNED = "goal assigned successfully"


def list_goals(ctx):
    _, action, body = action_of(ctx, LIST_ACTIONS)
    result = ctx.call("goals", action.method, body)
    return sales_ok(result["data"], next_page=result["next_page"])


def goal(ctx):
    _, action, body = action_of(ctx, GOAL_ACTIONS)
    return sales_ok(ctx.call("goals", action.method, body), message=action.message)


def assign(ctx):
    ctx.call("goals", "assign_goal", ctx.json())
    return sales_ok(message=ASSIGNED)


def unassign(ctx):
    _, action, body = action_of(ctx, UNASSIGN_ACTIONS)
    ctx.call("goals", action.method, body)
    return sales_ok(message=action.message)


def goal_progress(ctx):
    return sales_ok(ctx.call("goals", "goal_progress", ctx.json()))


SERVICE = "goals"  # the service these routes call

ROUTES = [
    Route("/api/sales/goals", ("POST",), list_goals, summary="List goals (action get_all_goals): filters and "
          "keyset pages, newest first", body=schemas.ListGoalsSchema, actions=LIST_ACTIONS),
    Route("/api/sales/goals/goal", ("POST",), goal, summary="Create, update or delete a goal (action create, "
          "update, delete; only the owner updates and deletes)", body=schemas.CreateGoalSchema, actions=GOAL_ACTIONS),
    Route("/api/sales/goals/assign", ("POST",), assign, summary="Assign users and/or groups to a goal (owner only)",
          body=schemas.AssignSchema),
    Route("/api/sales/goals/unassign", ("POST",), unassign, summary="Unassign users or groups from a goal "
          "(action unassign_users, unassign_groups; owner only)", body=schemas.UnassignUsersSchema,
          actions=UNASSIGN_ACTIONS),
    Route("/api/sales/goals/progress", ("POST",), goal_progress, summary="A goal's progress detail, consolidated "
          "or narrowed to one user or group", body=schemas.ProgressSchema),
]
