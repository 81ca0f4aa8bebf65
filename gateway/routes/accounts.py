"""Routes of the accounts API (/api/sales/accounts), every one rate limited per caller.

`POST /api/sales/accounts/account` carries an `action`: the document's create, update, delete,
inactivate, activate, validate_tax_id, plus add_contact, remove_contact, add_field and
remove_field (services/accounts/README.md); each is its own RPC.
"""
from gateway.families import sales_ok
from gateway.routes import Action, Route, action_of
from services.accounts import schemas

ACTIONS = {
    "create": Action("create_account", "Account created successfully", body=schemas.AccountSchema),
    "update": Action("update_account", "Account updated successfully", body=schemas.UpdateAccountSchema),
    "delete": Action("delete_account", "Account deleted successfully", body=schemas.AccountRefSchema),
    "inactivate": Action("inactivate_account", "Account inactivated successfully", body=schemas.AccountRefSchema),
    "activate": Action("activate_account", "Account activated successfully", body=schemas.AccountRefSchema),
    "validate_tax_id": Action("validate_tax_id", body=schemas.ValidateTaxIdSchema),
    "add_contact": Action("add_contact", "Contact added successfully", body=schemas.AddContactSchema),
    "remove_contact": Action("remove_contact", "Contact removed successfully", body=schemas.RemoveContactSchema),
    "add_field": Action("add_field", "Field added successfully", body=schemas.AddFieldSchema),
    "remove_field": Action("remove_field", "Field removed successfully", body=schemas.RemoveFieldSchema),
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
    Route("/api/sales/accounts/", ("POST",), list_accounts, rate_limited=True,
          summary="List the workspace's accounts by name with filters and keyset pages (next_page), or every "
                  "matching account as {uuid, name} (action lite)", body=schemas.ListSchema),
    Route("/api/sales/accounts/account", ("GET",), get_account, rate_limited=True,
          summary="An account's detail", query=schemas.AccountQuerySchema),
    Route("/api/sales/accounts/account", ("POST",), account_action, rate_limited=True,
          creates=(("uuid", "$response.body#/uuid"),),
          summary="Create, update, delete, inactivate or activate an account, validate a tax id, add or remove a "
                  "contact or a field (by action; each action's body is its own schema)",
          body=schemas.AccountSchema, actions=ACTIONS),
]
