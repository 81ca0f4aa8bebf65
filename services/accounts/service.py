"""Accounts service: customer companies of a workspace, their contacts and fields, and deal counts
kept from `deals.opportunity_changed` (see README.md). Every query is scoped by the verified
caller's workspace; another workspace's account answers like a missing one (code 5)."""
import uuid as uuidlib

from sqlalchemy import select, update

from contracts.directory import DirectoryNames
from contracts.events import OPPORTUNITY_CHANGED_SCHEMA
from infra.consumers import EventConsumer, event_handler
from infra.db import commit_or_raise, now_utc
from infra.entrypoints import rpc
from infra.events import utcnow
from infra.service import ServiceBase
from infra.validation import load
from services.accounts import domain, projection, queries, schemas, usecases
from services.accounts.exceptions import (AccountAlreadyExists, AccountNotFound, ContactAlreadyAssociated,
                                          ContactNotFound, FieldAlreadyAssociated, FieldNotFound,
                                          InvalidAccountInput)
from services.accounts.models import Account, Contact, Field

DIRECTORY_NAMES = DirectoryNames()


class AccountsService(ServiceBase):
    name = "accounts"

    # --- reads --------------------------------------------------------------------------------------
    @rpc
    def list_accounts(self, payload):
        me = self.identity()
        data = load(schemas.ListSchema(), payload, InvalidAccountInput)
        if data.get("action") == "lite":
            return {"data": queries.lite(self.db, me.workspace_id, data["filters"])}
        accounts, next_page = queries.page(self.db, me.workspace_id, data["filters"])
        contacts = queries.first_contacts(self.db, [account.id for account in accounts])
        owners = self._owners(me.workspace_id, {account.owner_id for account in accounts})
        return {"data": [queries.list_item(account, owners.get(account.owner_id, {}), contacts.get(account.id))
                         for account in accounts], "next_page": next_page}

    @rpc
    def get_account(self, account_uuid):
        me = self.identity()
        if not account_uuid:
            raise InvalidAccountInput("uuid: Missing data for required field.", "uuid")
        return schemas.account_detail(self._account(me.workspace_id, _uuid(account_uuid)))

    @rpc
    def validate_tax_id(self, payload):
        me = self.identity()
        data = load(schemas.ValidateTaxIdSchema(), payload, InvalidAccountInput)
        tax_id = domain.check_tax_id(data["tax_id"].strip())
        query = select(Account).where(Account.workspace_id == me.workspace_id, Account.deleted_at.is_(None),
                                      Account.tax_key == domain.tax_key(tax_id))
        if data["country"] is not None:
            query = query.where(Account.country == data["country"])
        existing = self.db.scalars(query.order_by(Account.id).limit(1)).first()
        if existing is None:
            return {"valid": True, "exists": False}
        return {"valid": True, "exists": True, "uuid": existing.uuid, "name": existing.name,
                "country": existing.country}

    # --- writes -------------------------------------------------------------------------------------
    @rpc
    def create_account(self, payload):
        me = self.identity()
        data = load(schemas.AccountSchema(), payload, InvalidAccountInput)
        data.pop("action", None)
        domain.check_tax_id(data["tax_id"])
        account = Account(workspace_id=me.workspace_id, owner_id=me.user_id, tax_key=domain.tax_key(data["tax_id"]),
                          draft=False, **data)
        self.db.add(account)
        commit_or_raise(self.db, AccountAlreadyExists())
        return {"uuid": account.uuid, "data": schemas.account_written(account)}

    @rpc
    def update_account(self, payload):
        me = self.identity()
        data = load(schemas.UpdateAccountSchema(), payload, InvalidAccountInput)
        account = self._account(me.workspace_id, str(data.pop("uuid")), lock=True)
        data.pop("action", None)
        domain.check_tax_id(data["tax_id"])
        for key, value in data.items():
            setattr(account, key, value)
        account.tax_key = domain.tax_key(data["tax_id"])
        commit_or_raise(self.db, AccountAlreadyExists("Another account with this country and tax_id already exists"))
        return {"uuid": account.uuid, "data": schemas.account_written(account, with_draft=False)}

    @rpc
    def delete_account(self, payload):
        account = self._account_from(payload, lock=True)
        account.deleted_at = now_utc()
        self.db.commit()
        return {"uuid": account.uuid}

    @rpc
    def inactivate_account(self, payload):
        me = self.identity()
        account = self._account_from(payload, lock=True)  # the lock orders us with the deals consumer
        domain.check_can_inactivate(account, me.user_id)
        account.inactivation_date = now_utc()
        self.db.commit()
        return {"uuid": account.uuid}

    @rpc
    def activate_account(self, payload):
        me = self.identity()
        account = self._account_from(payload, lock=True)
        domain.check_can_activate(account, me.user_id)
        account.inactivation_date = None
        self.db.commit()
        return {"uuid": account.uuid}

    # --- contacts and fields ------------------------------------------------------------------------
    @rpc
    def add_contact(self, payload):
        data = load(schemas.AddContactSchema(), payload, InvalidAccountInput)
        account = self._account(self.identity().workspace_id, str(data["uuid"]), lock=True)
        contact = Contact(account_id=account.id, workspace_id=account.workspace_id,
                          contact_uuid=str(data["contact_uuid"] or uuidlib.uuid4()), first_name=data["first_name"],
                          last_name=data["last_name"], start_date=_naive(data["start_date"]) or now_utc())
        self.db.add(contact)
        commit_or_raise(self.db, ContactAlreadyAssociated())
        return {"uuid": account.uuid, "data": schemas.contact_view(contact)}

    @rpc
    def remove_contact(self, payload):
        data = load(schemas.RemoveContactSchema(), payload, InvalidAccountInput)
        account = self._account(self.identity().workspace_id, str(data["uuid"]), lock=True)
        contact = self.db.scalar(select(Contact).where(Contact.account_id == account.id,
                                                       Contact.contact_uuid == str(data["contact_uuid"])))
        if contact is None:
            raise ContactNotFound()
        self.db.delete(contact)
        self.db.commit()
        return {"uuid": account.uuid}

    @rpc
    def add_field(self, payload):
        data = load(schemas.AddFieldSchema(), payload, InvalidAccountInput)
        account = self._account(self.identity().workspace_id, str(data["uuid"]), lock=True)
        field = Field(account_id=account.id, workspace_id=account.workspace_id,
                      field_uuid=str(data["field_uuid"] or uuidlib.uuid4()),
                      farm_uuid=str(data["farm_uuid"]) if data["farm_uuid"] else None, hectares=data["hectares"])
        self.db.add(field)
        commit_or_raise(self.db, FieldAlreadyAssociated(), flush_only=True)
        self._move_hectares(account, 1, field.hectares)
        self.db.commit()
        return {"uuid": account.uuid, "data": schemas.field_view(field)}

    @rpc
    def remove_field(self, payload):
        data = load(schemas.RemoveFieldSchema(), payload, InvalidAccountInput)
        account = self._account(self.identity().workspace_id, str(data["uuid"]), lock=True)
        field = self.db.scalar(select(Field).where(Field.account_id == account.id,
                                                   Field.field_uuid == str(data["field_uuid"])))
        if field is None:
            raise FieldNotFound()
        self.db.delete(field)
        self._move_hectares(account, -1, -field.hectares)
        self.db.commit()
        return {"uuid": account.uuid}

    # --- for other services (workspace given by the calling service) --------------------------------
    @rpc
    def accounts_in_workspace(self, workspace_id, uuids=None, names=None):
        return usecases.accounts_in_workspace(self.context(), workspace_id, uuids, names)

    # --- events -------------------------------------------------------------------------------------
    @event_handler("deals", "opportunity_changed")
    def handle_opportunity_changed(self, payload):
        OPPORTUNITY_CHANGED.handle(self.db, payload)

    # --- helpers ------------------------------------------------------------------------------------
    def _account_from(self, payload, lock=False):
        data = load(schemas.AccountRefSchema(), payload, InvalidAccountInput)
        return self._account(self.identity().workspace_id, str(data["uuid"]), lock=lock)

    def _account(self, workspace_id, account_uuid, lock=False):
        query = select(Account).where(Account.workspace_id == workspace_id, Account.uuid == account_uuid,
                                      Account.deleted_at.is_(None))
        account = self.db.scalar(query.with_for_update() if lock else query)
        if account is None:
            raise AccountNotFound()
        return account

    def _move_hectares(self, account, count_delta, hectares_delta):
        self.db.execute(update(Account).where(Account.id == account.id).values(
            field_count=Account.field_count + count_delta, total_hectares=Account.total_hectares + hectares_delta))

    def _owners(self, workspace_id, user_ids):
        """Owner names: an RPC only for users this process has not seen (contracts.directory)."""
        return DIRECTORY_NAMES.users(self._directory, workspace_id, user_ids)

    def _directory(self, method, *args, **kwargs):
        return self.context().call("directory", method, *args, **kwargs)


def _uuid(value):
    try:
        return str(uuidlib.UUID(str(value)))
    except ValueError:
        raise InvalidAccountInput("uuid: Not a valid UUID.", "uuid")


def _naive(moment):
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(utcnow().tzinfo).replace(tzinfo=None)


OPPORTUNITY_CHANGED = EventConsumer(OPPORTUNITY_CHANGED_SCHEMA, projection.apply_opportunity_changed,
                                    "opportunity_changed")


def apply_opportunity_event(db, payload):
    return OPPORTUNITY_CHANGED.handle(db, payload)
