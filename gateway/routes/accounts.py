"""Routes of the accounts API (/api/sales/accounts), every one rate limited per caller.

`POST /api/sales/accounts/account` carries an `action`: the document's create, update, delete,
inactivate, activate, validate_tax_id, plus add_contact, remove_contact, add_field and
remove_field (services/accounts/README.md).
"""
from gateway.families import sales_ok
from gateway.routes import Action, Route, action_of

ACTIONS = {
    "create": Action("create_account", "Account created successfully"),
    "update": Action("update_account", "Account updated successfully"),
    "delete": Action("delete_account", "Account deleted successfully"),
    "inactivate": Action("inactivate_account", "Account inactivated successfully"),
    "activate": Action("activate_account", "Account activated successfully"),
    "validate_tax_id": Action("validate_tax_id"),
    "add_contact": Action("add_contact", "Contact added successfully"),
    "remove_contact": Action("remove_contact", "Contact removed successfully"),
    "add_field": Action("add_field", "Field added successfully"),
    "remove_field": Action("remove_field", "Field removed successfully"),
}


def list_accounts(ctx):
    result = ctx.call("accounts", "list_accounts", ctx.json(required=False))
    if "next_page" in result:
        return sales_ok(result["data"], next_page=result["next_page"])
    return sales_ok(result["data"])


def get_account(ctx):
    return sales_ok(ctx.call("accounts", "get_account", ctx.args.get("uuid")))


def account_action(ctx):
    name, action, body = action_of(ctx, ACTIONS)
    result = ctx.call("accounts", action.method, body)
    if name == "validate_tax_id":
        return sales_ok(result)
    return sales_ok(result.get("data"), message=action.message, uuid=result["uuid"])


SERVICE = "accounts"  # the service these routes call

ROUTES = [
    Route("/api/sales/accounts/", ("POST",), list_accounts, rate_limited=True),
    Route("/api/sales/accounts/account", ("GET",), get_account, rate_limited=True),
    Route("/api/sales/accounts/account", ("POST",), account_action, rate_limited=True),
]
