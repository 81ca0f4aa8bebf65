"""Who may do what, and finding the record a request names.

Permission names (the directory gives them; the workspace owner holds all): "319" prospects and
clients, "crm-menu" locations, "crm-partners" partner data, "all-prospects" every salesman's
prospects. Without all-prospects a caller sees and changes only the prospects whose salesman
(`created_by`) they are: another salesman's prospect answers 404, like another workspace's.
"""
from dataclasses import dataclass

from contracts.directory import DirectoryNames
from contracts.permissions import ALL_PROSPECTS, LOCATIONS, PARTNERS, PROSPECTS  # noqa: F401 (used by the use cases)
from infra.validation import INT64_MAX
from services.prospects.exceptions import ClientNotFound, MalformedPayload, MissingPermission, ProspectNotFound
from services.prospects.store import prospects as prospects_store
from services.prospects.store import salesmen

DIRECTORY_TIMEOUT_SECONDS = 5
DIRECTORY_NAMES = DirectoryNames()  # names of users not met yet (contracts/directory.py)


def require(ctx, permission=None):
    """The verified caller (401 without one), who must hold `permission` when one is named (else 403).
    With none named, any authenticated user of the workspace may (the document's token_admin)."""
    me = ctx.me
    if permission is not None and permission not in me.permissions:
        raise MissingPermission("This action needs the {} permission".format(permission))
    return me


def own_only(me):
    """The salesman a caller is restricted to, or None with all-prospects."""
    return None if ALL_PROSPECTS in me.permissions else me.user_id


def body(payload):
    """A JSON object body, else 422."""
    if not isinstance(payload, dict):
        raise MalformedPayload("The request body must be a JSON object", "body")
    return payload


@dataclass(frozen=True)
class Ref:
    """A record as a path names it: a prospect by its id, a client by its company id."""
    kind: str
    id: int


def by_prospect(prospect_id):
    return Ref("prospect", prospect_id)


def by_client(company_id):
    return Ref("client", company_id)


def is_id(value):
    """A path id within what the database holds (anything else is simply not found)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT64_MAX


def find(ctx, ref, for_update=False):
    """The prospect `ref` names, if the caller may see it; 404 otherwise."""
    me = ctx.me
    valid = is_id(ref.id)
    if ref.kind == "client":
        found = valid and prospects_store.get_by_company(ctx.db, me.workspace_id, ref.id, own_only(me), for_update)
        if not found:
            raise ClientNotFound("Client {} not found".format(ref.id), "id")
        return found
    found = valid and prospects_store.get(ctx.db, me.workspace_id, ref.id, own_only(me), for_update)
    if not found:
        raise ProspectNotFound("Prospect {} not found".format(ref.id), "id")
    return found


def directory(ctx, method, *args, **kwargs):
    return ctx.call("directory", method, *args, timeout=DIRECTORY_TIMEOUT_SECONDS, **kwargs)


def full_name(person):
    first, last = (person.get("first_name"), person.get("last_name")) if isinstance(person, dict) else \
        (person.first_name, person.last_name)
    return "{} {}".format(first or "", last or "").strip()


def users_by_id(ctx, user_ids):
    """{id: user view} of those ids that are active users of the caller's workspace (a deactivated
    user is no one to hand a prospect to)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {user["id"]: user for user in directory(ctx, "users_in_workspace", ctx.me.workspace_id, user_ids=ids)
            if user.get("active", True)}


def users_by_email(ctx, email_keys):
    """{lower-cased email: user id} of the workspace's users having one of the emails."""
    if not email_keys:
        return {}
    users = directory(ctx, "users_in_workspace", ctx.me.workspace_id, emails=sorted(email_keys))
    return {user["email"].lower(): user["id"] for user in users if user.get("email")}


def remember_caller(ctx):
    salesmen.remember(ctx.db, ctx.me.workspace_id, {ctx.me.user_id: full_name(ctx.me)})


def names_of(ctx, user_ids):
    """{user id: "First Last"}: from what this service has met, else from the directory."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    names = salesmen.names(ctx.db, ctx.me.workspace_id, ids)
    missing = sorted(ids - set(names))
    if missing:
        found = DIRECTORY_NAMES.users(lambda method, *args, **kwargs: directory(ctx, method, *args, **kwargs),
                                      ctx.me.workspace_id, missing)
        names.update({user_id: full_name(user) for user_id, user in found.items()})
    return names
