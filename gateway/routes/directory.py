"""Routes of the directory: sign-up and login, users, groups, campaigns, API keys, catalog."""
from infra import reference
from gateway.families import sales_ok
from gateway.routes import Route
from services.directory import schemas


def signup(ctx):
    return sales_ok(ctx.call("directory", "signup", ctx.json()))


def login(ctx):
    # the client address: failed logins are throttled per address too (services/directory/throttle.py)
    return sales_ok(ctx.call("directory", "login", ctx.json(), client_address=ctx.request.remote_addr))


def list_users(ctx):
    return sales_ok(ctx.call("directory", "list_users"))


def create_user(ctx):
    return sales_ok(ctx.call("directory", "create_user", ctx.json()), message="user created successfully")


def get_user(ctx, user_id):
    return sales_ok(ctx.call("directory", "get_user", user_id))


def set_user_permissions(ctx, user_id):
    return sales_ok(ctx.call("directory", "set_user_permissions", user_id, ctx.json()),
                    message="permissions updated successfully")


def deactivate_user(ctx, user_id):
    return sales_ok(ctx.call("directory", "deactivate_user", user_id), message="user deactivated")


def get_me(ctx):
    return sales_ok(ctx.call("directory", "get_me"))


def list_groups(ctx):
    return sales_ok(ctx.call("directory", "list_groups"))


def create_group(ctx):
    return sales_ok(ctx.call("directory", "create_group", ctx.json()), message="group created successfully")


def get_group(ctx, group_id):
    return sales_ok(ctx.call("directory", "get_group", group_id))


def add_group_members(ctx, group_id):
    return sales_ok(ctx.call("directory", "add_group_members", group_id, ctx.json()))


def remove_group_members(ctx, group_id):
    return sales_ok(ctx.call("directory", "remove_group_members", group_id, ctx.json()))


def list_campaigns(ctx):
    return sales_ok(ctx.call("directory", "list_campaigns"))


def create_campaign(ctx):
    return sales_ok(ctx.call("directory", "create_campaign", ctx.json()), message="campaign created successfully")


def get_campaign(ctx, campaign_uuid):
    return sales_ok(ctx.call("directory", "get_campaign", campaign_uuid))


def list_api_keys(ctx):
    return sales_ok(ctx.call("directory", "list_api_keys"))


def create_api_key(ctx):
    return sales_ok(ctx.call("directory", "create_api_key", ctx.json()),
                    message="API key created; store it now, it is not shown again")


def revoke_api_key(ctx, key_uuid):
    return sales_ok(ctx.call("directory", "revoke_api_key", key_uuid), message="API key revoked")


def units(ctx):
    return sales_ok(list(reference.UNITS))


def currencies(ctx):
    return sales_ok(list(reference.CURRENCIES))


def countries(ctx):
    return sales_ok(list(reference.COUNTRIES))


SERVICE = "directory"  # the service these routes call
ID = "int(max=9223372036854775807)"  # path ids within BIGINT: a larger one matches no route (404)

ROUTES = [
    Route("/api/auth/signup", ("POST",), signup, public=True, body=schemas.SignupSchema,
          summary="Create a workspace and its owner; answers the owner's token"),
    Route("/api/auth/login", ("POST",), login, public=True, body=schemas.LoginSchema,
          errors=(401,), summary="Log in with email and password; answers a token (401 if they do not match; "
                                 "failed logins are throttled: 429)"),
    Route("/api/directory/me", ("GET",), get_me,
          summary="Who the request acts as, with the permissions it is authorized with now"),
    Route("/api/directory/users", ("GET",), list_users, summary="List the workspace's users"),
    Route("/api/directory/users", ("POST",), create_user, body=schemas.NewUserSchema,
          creates=(("user_id", "$response.body#/data/id"),),
          summary="Add a user to the workspace, with their permissions (owner only)"),
    Route("/api/directory/users/<" + ID + ":user_id>", ("GET",), get_user, summary="Get a user"),
    Route("/api/directory/users/<" + ID + ":user_id>/permissions", ("PUT",), set_user_permissions,
          body=schemas.PermissionsSchema, summary="Replace a user's permissions (owner only)"),
    Route("/api/directory/users/<" + ID + ":user_id>/deactivate", ("POST",), deactivate_user,
          summary="Deactivate a user: login, tokens and API keys refused (owner only, not the owner)"),
    Route("/api/directory/groups", ("GET",), list_groups, summary="List the workspace's groups with their members"),
    Route("/api/directory/groups", ("POST",), create_group, body=schemas.NewGroupSchema,
          creates=(("group_id", "$response.body#/data/id"),),
          summary="Create a group with members (owner only)"),
    Route("/api/directory/groups/<" + ID + ":group_id>", ("GET",), get_group, summary="Get a group with its members"),
    Route("/api/directory/groups/<" + ID + ":group_id>/members", ("POST",), add_group_members,
          body=schemas.MembersSchema, summary="Add users to a group (owner only)"),
    Route("/api/directory/groups/<" + ID + ":group_id>/members/remove", ("POST",), remove_group_members,
          body=schemas.MembersSchema, summary="Remove users from a group (owner only)"),
    Route("/api/sales/campaigns", ("GET",), list_campaigns, summary="List the workspace's campaigns"),
    Route("/api/sales/campaigns", ("POST",), create_campaign, body=schemas.NewCampaignSchema,
          creates=(("campaign_uuid", "$response.body#/data/uuid"),),
          summary="Create a campaign (a period sales goals are set for)"),
    Route("/api/sales/campaigns/<campaign_uuid>", ("GET",), get_campaign, summary="Get a campaign by uuid"),
    Route("/api/directory/api-keys", ("GET",), list_api_keys, summary="List the workspace's API keys (owner only)"),
    Route("/api/directory/api-keys", ("POST",), create_api_key, body=schemas.NewApiKeySchema,
          creates=(("key_uuid", "$response.body#/data/uuid"),),
          summary="Create an API key acting as the owner; the key is shown once (owner only)"),
    Route("/api/directory/api-keys/<key_uuid>", ("DELETE",), revoke_api_key, summary="Revoke an API key (owner only)"),
    Route("/api/catalog/units", ("GET",), units, summary="Units with dimension and factor (id 1 is kg)"),
    Route("/api/catalog/currencies", ("GET",), currencies, summary="ISO 4217 currencies (id: the numeric code)"),
    Route("/api/catalog/countries", ("GET",), countries, summary="Countries"),
]
