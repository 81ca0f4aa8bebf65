"""The accounts use cases, one per RPC entrypoint: validate the input (schemas), apply the rules
(domain), read and write through the store, commit. Every query of a caller's request is scoped by
`ctx.me.workspace_id` (another workspace's account answers like a missing one, code 5); the methods
for other services take the workspace from the calling service."""
import uuid as uuidlib

from contracts.directory import DirectoryNames
from infra.cursors import decode_cursor, encode_cursor
from infra.db import commit_or_raise, now_utc
from infra.service import Context
from infra.validation import load
from services.accounts import domain, schemas
from services.accounts.exceptions import (AccountAlreadyExists, AccountNotFound, ContactAlreadyAssociated,
                                          ContactNotFound, FieldAlreadyAssociated, FieldNotFound,
                                          InvalidAccountInput)
from services.accounts.store import accounts as account_rows
from services.accounts.store import lists

DIRECTORY_NAMES = DirectoryNames()
ACCOUNT_QUERY = schemas.AccountQuerySchema()  # built once: a schema costs more to build than to load
ACCOUNTS_IN_WORKSPACE = schemas.AccountsInWorkspaceSchema()


# --- reads ----------------------------------------------------------------------------------------------
def list_accounts(ctx: Context, payload):
    workspace_id = ctx.me.workspace_id
    data = load(schemas.ListSchema(), payload, InvalidAccountInput)
    filters = data["filters"]
    if data.get("action") == "lite":
        return {"data": lists.lite(ctx.db, workspace_id, filters)}
    after = decode_cursor(filters.get("page"), InvalidAccountInput)
    if after is not None and not domain.is_list_key(after):
        raise InvalidAccountInput("Invalid page cursor", "page")
    size = filters["page_size"]
    accounts = lists.page(ctx.db, workspace_id, filters, after, size + 1)
    next_page = None
    if len(accounts) > size:
        accounts = accounts[:size]
        next_page = encode_cursor([accounts[-1].name, accounts[-1].id])
    contacts = lists.first_contacts(ctx.db, [account.id for account in accounts])
    owners = _owners(ctx, workspace_id, {account.owner_id for account in accounts})
    return {"data": [schemas.list_item(account, owners.get(account.owner_id, {}), contacts.get(account.id))
                     for account in accounts], "next_page": next_page}


def get_account(ctx: Context, account_uuid):
    workspace_id = ctx.me.workspace_id  # the caller is verified before anything else
    data = load(ACCOUNT_QUERY, {"uuid": account_uuid} if account_uuid else {}, InvalidAccountInput)
    account = account_rows.read_live_account(ctx.db, workspace_id, str(data["uuid"]))
    if account is None:
        raise AccountNotFound()
    return schemas.account_detail(account)


def validate_tax_id(ctx: Context, payload):
    workspace_id = ctx.me.workspace_id
    data = load(schemas.ValidateTaxIdSchema(), payload, InvalidAccountInput)
    tax_id = domain.check_tax_id(data["tax_id"].strip())
    existing = account_rows.oldest_with_tax_key(ctx.db, workspace_id, domain.tax_key(tax_id), data["country"])
    if existing is None:
        return {"valid": True, "exists": False}
    return {"valid": True, "exists": True, "uuid": existing.uuid, "name": existing.name, "country": existing.country}


# --- writes ---------------------------------------------------------------------------------------------
def create_account(ctx: Context, payload):
    me = ctx.me
    data = load(schemas.AccountSchema(), payload, InvalidAccountInput)
    data.pop("action", None)
    domain.check_tax_id(data["tax_id"])
    account = account_rows.new_account(ctx.db, workspace_id=me.workspace_id, owner_id=me.user_id,
                                       tax_key=domain.tax_key(data["tax_id"]), draft=False, **data)
    commit_or_raise(ctx.db, AccountAlreadyExists())
    return {"uuid": account.uuid, "data": schemas.account_written(account)}


def update_account(ctx: Context, payload):
    workspace_id = ctx.me.workspace_id
    data = load(schemas.UpdateAccountSchema(), payload, InvalidAccountInput)
    account = _account(ctx.db, workspace_id, str(data.pop("uuid")), lock=True)
    data.pop("action", None)
    domain.check_tax_id(data["tax_id"])
    for key, value in data.items():
        setattr(account, key, value)
    account.tax_key = domain.tax_key(data["tax_id"])
    commit_or_raise(ctx.db, AccountAlreadyExists("Another account with this country and tax_id already exists"))
    return {"uuid": account.uuid, "data": schemas.account_written(account, with_draft=False)}


def delete_account(ctx: Context, payload):
    _, account = _named_account(ctx, schemas.AccountRefSchema(), payload)
    account.deleted_at = now_utc()
    ctx.db.commit()
    return {"uuid": account.uuid}


def inactivate_account(ctx: Context, payload):
    _, account = _named_account(ctx, schemas.AccountRefSchema(), payload)  # the lock orders us with the consumer
    domain.check_can_inactivate(account, ctx.me.user_id)
    account.inactivation_date = now_utc()
    ctx.db.commit()
    return {"uuid": account.uuid}


def activate_account(ctx: Context, payload):
    _, account = _named_account(ctx, schemas.AccountRefSchema(), payload)
    domain.check_can_activate(account, ctx.me.user_id)
    account.inactivation_date = None
    ctx.db.commit()
    return {"uuid": account.uuid}


# --- contacts and fields --------------------------------------------------------------------------------
def add_contact(ctx: Context, payload):
    data, account = _named_account(ctx, schemas.AddContactSchema(), payload)
    contact = account_rows.new_contact(ctx.db, account, contact_uuid=str(data["contact_uuid"] or uuidlib.uuid4()),
                                       first_name=data["first_name"], last_name=data["last_name"],
                                       start_date=domain.naive_utc(data["start_date"]) or now_utc())
    commit_or_raise(ctx.db, ContactAlreadyAssociated())
    return {"uuid": account.uuid, "data": schemas.contact_view(contact)}


def remove_contact(ctx: Context, payload):
    data, account = _named_account(ctx, schemas.RemoveContactSchema(), payload)
    contact = account_rows.contact_of(ctx.db, account, str(data["contact_uuid"]))
    if contact is None:
        raise ContactNotFound()
    account_rows.remove(ctx.db, contact)
    ctx.db.commit()
    return {"uuid": account.uuid}


def add_field(ctx: Context, payload):
    data, account = _named_account(ctx, schemas.AddFieldSchema(), payload)
    field = account_rows.new_field(ctx.db, account, field_uuid=str(data["field_uuid"] or uuidlib.uuid4()),
                                   farm_uuid=str(data["farm_uuid"]) if data["farm_uuid"] else None,
                                   hectares=data["hectares"])
    commit_or_raise(ctx.db, FieldAlreadyAssociated(), flush_only=True)
    account_rows.move_hectares(ctx.db, account, 1, field.hectares)
    ctx.db.commit()
    return {"uuid": account.uuid, "data": schemas.field_view(field)}


def remove_field(ctx: Context, payload):
    data, account = _named_account(ctx, schemas.RemoveFieldSchema(), payload)
    field = account_rows.field_of(ctx.db, account, str(data["field_uuid"]))
    if field is None:
        raise FieldNotFound()
    account_rows.remove(ctx.db, field)
    account_rows.move_hectares(ctx.db, account, -1, -field.hectares)
    ctx.db.commit()
    return {"uuid": account.uuid}


# --- for other services (workspace given by the calling service) ------------------------------------
def accounts_in_workspace(ctx: Context, workspace_id, uuids=None, names=None):
    """The workspace's live accounts whose uuid is one of `uuids` or whose name is exactly one of
    `names`, by name then id ({uuid, name, country, tax_id, active} each). A value that is not a uuid
    matches nothing; at most schemas.LOOKUP_MAX of each."""
    data = load(ACCOUNTS_IN_WORKSPACE, {"workspace_id": workspace_id, "uuids": uuids, "names": names},
                InvalidAccountInput)
    uuids = [u for u in (domain.canonical_uuid(value) for value in data["uuids"] or ()) if u is not None]
    rows = account_rows.live_accounts_matching(ctx.db, data["workspace_id"], uuids, data["names"] or ())
    return [schemas.account_reference(row) for row in rows]


# --- helpers --------------------------------------------------------------------------------------------
def _named_account(ctx, schema, payload):
    """(the payload loaded with `schema`, the caller's live account its `uuid` names, locked)."""
    data = load(schema, payload, InvalidAccountInput)
    return data, _account(ctx.db, ctx.me.workspace_id, str(data["uuid"]), lock=True)


def _account(db, workspace_id, account_uuid, lock=False):
    """The caller's workspace's live account, or AccountNotFound (also for another workspace's)."""
    account = account_rows.live_account(db, workspace_id, account_uuid, lock=lock)
    if account is None:
        raise AccountNotFound()
    return account


def _owners(ctx, workspace_id, user_ids):
    """Owner names: an RPC only for users this process has not seen (contracts.directory)."""
    return DIRECTORY_NAMES.users(lambda method, *args, **kwargs: ctx.call("directory", method, *args, **kwargs),
                                 workspace_id, user_ids)
