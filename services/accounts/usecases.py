"""The accounts use cases, one per RPC entrypoint: validate the input (schemas), apply the rules
(domain), read and write through the store, commit. Every query of a caller's request is scoped by
`ctx.me.workspace_id`; the methods for other services take the workspace from the calling service."""
from infra.service import Context
from infra.validation import load
from services.accounts import domain, schemas
from services.accounts.exceptions import InvalidAccountInput
from services.accounts.store import accounts as account_rows


# --- for other services (workspace given by the calling service) ------------------------------------
def accounts_in_workspace(ctx: Context, workspace_id, uuids=None, names=None):
    """The workspace's live accounts whose uuid is one of `uuids` or whose name is exactly one of
    `names`, by name then id ({uuid, name, country, tax_id, active} each). A value that is not a uuid
    matches nothing; at most schemas.LOOKUP_MAX of each."""
    data = load(schemas.AccountsInWorkspaceSchema(), {"workspace_id": workspace_id, "uuids": uuids, "names": names},
                InvalidAccountInput)
    uuids = [u for u in (domain.canonical_uuid(value) for value in data["uuids"] or ()) if u is not None]
    rows = account_rows.live_accounts_matching(ctx.db, data["workspace_id"], uuids, data["names"] or ())
    return [schemas.account_reference(row) for row in rows]
