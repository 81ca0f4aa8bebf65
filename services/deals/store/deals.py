"""Writing a deal: reading it for a change, its columns, its nested sets (people, observers, tags,
custom fields), and the workspace's tags and custom field types those name."""
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from services.deals import domain
from services.deals.exceptions import DealNotFound, InvalidDeal
from infra.reads import Read
from services.deals.models import CustomFieldType, Deal, DealCustomField, DealObserver, DealPerson, DealTag, Tag

_deals = Deal.__table__
_LIVE_DEAL_STATEMENT = select(_deals).where(_deals.c.workspace_id == bindparam("workspace_id"),
                                           _deals.c.id == bindparam("deal_id"), _deals.c.deleted_at.is_(None))
_LIVE_DEAL = Read(_LIVE_DEAL_STATEMENT)
_LOCK_LIVE_DEAL = _LIVE_DEAL_STATEMENT.with_for_update()
_UPDATES = {}  # the columns an update sets -> its UPDATE .. RETURNING (built once per set)


def _live(workspace_id, deal_id, *columns):
    if not isinstance(deal_id, int) or not 0 < deal_id <= domain.MAX_ID:
        raise DealNotFound(field="id")
    return select(*columns).where(Deal.workspace_id == workspace_id, Deal.id == deal_id, Deal.deleted_at.is_(None))


def get_live(session, workspace_id, deal_id, for_update=False):
    query = _live(workspace_id, deal_id, Deal)
    if for_update:
        query = query.with_for_update()
    deal = session.scalar(query)
    if deal is None:
        raise DealNotFound(field="id")  # another workspace's deal answers exactly like a missing one
    return deal


def read_live(session, workspace_id, deal_id):
    """The live deal as a row (its columns as attributes) to show it, read outside a transaction
    (infra.reads); DealNotFound as get_live."""
    if not isinstance(deal_id, int) or not 0 < deal_id <= domain.MAX_ID:
        raise DealNotFound(field="id")
    row = _LIVE_DEAL.one_or_none(session, {"workspace_id": workspace_id, "deal_id": deal_id})
    if row is None:
        raise DealNotFound(field="id")
    return row


def lock_live(session, workspace_id, deal_id):
    """The live deal as a row, locked until the transaction ends (Core: no ORM object or identity map
    for a write that reads it once); DealNotFound as get_live."""
    if not isinstance(deal_id, int) or not 0 < deal_id <= domain.MAX_ID:
        raise DealNotFound(field="id")
    row = session.connection().execute(_LOCK_LIVE_DEAL, {"workspace_id": workspace_id, "deal_id": deal_id}).first()
    if row is None:
        raise DealNotFound(field="id")
    return row


def write_changes(session, row, changes, now):
    """The locked deal `row` with the columns `changes` sets, at its next version: one UPDATE ..
    RETURNING, whose row (every column) is returned."""
    values = dict(changes, updated_at=now, version=row.version + 1)
    columns = tuple(sorted(values))
    statement = _UPDATES.get(columns)
    if statement is None:
        statement = _UPDATES[columns] = (
            _deals.update().where(_deals.c.id == bindparam("deal_id"))
            .values({name: bindparam("v_" + name, type_=_deals.c[name].type) for name in columns})
            .returning(*_deals.c))
    return session.connection().execute(statement, dict({"v_" + name: value for name, value in values.items()},
                                                        deal_id=row.id)).one()


def live_references(session, workspace_id, deal_id):
    """{field: value} of the live deal's references (domain.REFERENCE_FIELDS), read without a lock
    and without loading the deal, to compare an update with before asking other services."""
    row = session.execute(_live(workspace_id, deal_id, *(getattr(Deal, name) for name in domain.REFERENCE_FIELDS)))
    values = row.one_or_none()
    if values is None:
        raise DealNotFound(field="id")
    return dict(zip(domain.REFERENCE_FIELDS, values))


def state_of(deal):
    """What domain.deal_changes needs to know of the deal as it is."""
    return {"current_state": deal.current_state, "finished_at": deal.finished_at, "quantity": deal.quantity,
            "unit_id": deal.unit_id}


def add_deal(session, workspace_id, user_id, changes, now):
    """A new deal of the workspace with the columns `changes` sets (domain.deal_changes), version 1."""
    deal = Deal(workspace_id=workspace_id, user_id=user_id, currency="EUR", type="sale", created_at=now,
                updated_at=now, version=1)
    _set(deal, changes)
    session.add(deal)
    session.flush()
    return deal


def change_deal(deal, changes, now):
    """The deal (locked by get_live) with the columns `changes` sets, at its next version."""
    _set(deal, changes)
    deal.updated_at = now
    deal.version += 1


def delete_deal(deal, now):
    """Soft delete (the deal stays for list_opportunities), at its next version."""
    deal.deleted_at = now
    deal.version += 1


def _set(deal, changes):
    for name, value in changes.items():
        setattr(deal, name, value)


def replace_nested(session, workspace_id, deal, data):
    """`person_ids_set`, `observer_user_ids`, `tags_attributes`, `custom_fields_attributes` replace
    the deal's current set when given."""
    if "person_ids_set" in data:
        session.execute(delete(DealPerson).where(DealPerson.deal_id == deal.id))
        session.add_all(DealPerson(deal_id=deal.id, person_id=pid) for pid in data["person_ids_set"])
    if "observer_user_ids" in data:
        session.execute(delete(DealObserver).where(DealObserver.deal_id == deal.id))
        session.add_all(DealObserver(deal_id=deal.id, user_id=uid) for uid in data["observer_user_ids"])
    if "tags_attributes" in data:
        session.execute(delete(DealTag).where(DealTag.deal_id == deal.id))
        names = sorted({tag["name"].strip() for tag in data["tags_attributes"] if tag["name"].strip()})
        for tag_id in _tag_ids(session, workspace_id, names):
            session.add(DealTag(deal_id=deal.id, tag_id=tag_id))
    if "custom_fields_attributes" in data:
        session.execute(delete(DealCustomField).where(DealCustomField.deal_id == deal.id))
        values = {}
        for index, item in enumerate(data["custom_fields_attributes"]):
            type_id = _custom_field_type_id(session, workspace_id, item, index)
            values[type_id] = item.get("value", item.get("name"))
        session.add_all(DealCustomField(deal_id=deal.id, custom_field_type_id=type_id, value=value)
                        for type_id, value in values.items())
    session.flush()


def _tag_ids(session, workspace_id, names):
    if not names:
        return []
    existing = dict(session.execute(select(Tag.name, Tag.id).where(Tag.workspace_id == workspace_id,
                                                                   Tag.name.in_(names))).all())
    for name in names:
        if name not in existing:
            existing[name] = _get_or_create(session, Tag, workspace_id, name)
    return [existing[name] for name in names]


def _custom_field_type_id(session, workspace_id, item, index):
    if "custom_fields_type_id" in item:
        type_id = session.scalar(select(CustomFieldType.id).where(
            CustomFieldType.workspace_id == workspace_id, CustomFieldType.id == item["custom_fields_type_id"]))
        if type_id is None:
            raise InvalidDeal("unknown custom field type", "custom_fields_attributes.{}.custom_fields_type_id".format(index))
        return type_id
    name = item["custom_fields_type_name"].strip()
    type_id = session.scalar(select(CustomFieldType.id).where(CustomFieldType.workspace_id == workspace_id,
                                                              CustomFieldType.name == name))
    if type_id is None:  # types are created by name on first use
        type_id = _get_or_create(session, CustomFieldType, workspace_id, name)
    return type_id


def _get_or_create(session, model, workspace_id, name):
    """The id of the workspace's row with that name; a concurrent writer may create it first."""
    try:
        with session.begin_nested():
            row = model(workspace_id=workspace_id, name=name)
            session.add(row)
        return row.id
    except IntegrityError:
        return session.scalar(select(model.id).where(model.workspace_id == workspace_id, model.name == name))


def custom_field_types(session, workspace_id):
    return session.execute(select(CustomFieldType.id, CustomFieldType.name)
                           .where(CustomFieldType.workspace_id == workspace_id).order_by(CustomFieldType.id)).all()
