"""Routes of the accounts API (/api/sales/accounts), every one rate limited per caller.

`POST /api/sales/accounts/account` carries an `action`: the document's create, update, delete,
inactivate, activate, validate_tax_id, plus add_contact, remove_contact, add_field and
remove_field (services/accounts/README.md).
"""
from gateway.errors import UnknownAction
from gateway.families import sales_ok
from gateway.routes import Route

# action -> (accounts RPC method, success message or None)
ACTIONS = {
    "create": ("create_account", "Account created successfully"),
    "update": ("update_account", "Account updated successfully"),
    "delete": ("delete_account", "Account deleted successfully"),
    "inactivate": ("inactivate_account", "Account inactivated successfully"),
    "activate": ("activate_account", "Account activated successfully"),
    "validate_tax_id": ("validate_tax_id", None),
    "add_contact": ("add_contact", "Contact added successfully"),
    "remove_contact": ("remove_contact", "Contact removed successfully"),
    "add_field": ("add_field", "Field added successfully"),
    "remove_field": ("remove_field", "Field removed successfully"),
}


def list_accounts(ctx):
    result = ctx.call("accounts", "list_accounts", ctx.json(required=False))
    if "next_page" in result:
        return sales_ok(result["data"], next_page=result["next_page"])
    return sales_ok(result["data"])


def get_account(ctx):
    return sales_ok(ctx.call("accounts", "get_account", ctx.args.get("uuid")))


def account_action(ctx):
    body = ctx.json()
    action = body.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise UnknownAction("Invalid action; use one of: {}".format(", ".join(ACTIONS)), "action")
    method, message = ACTIONS[action]
    result = ctx.call("accounts", method, body)
    if action == "validate_tax_id":
        return sales_ok(result)
    extra = {"uuid": result["uuid"]}
    return sales_ok(result.get("data"), message=message, **extra)


SERVICE = "accounts"  # the service these routes call

ROUTES = [
    Route("/api/sales/accounts/", ("POST",), list_accounts, rate_limited=True),
    Route("/api/sales/accounts/account", ("GET",), get_account, rate_limited=True),
    Route("/api/sales/accounts/account", ("POST",), account_action, rate_limited=True),
]
