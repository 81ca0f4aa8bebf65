"""A record's locations (the crm-menu permission). A location is found through its record, so
another salesman's or another workspace's is a 404; /clients/locations/{id} finds only clients'."""
from infra.db import now_utc
from infra.validation import load
from services.prospects.exceptions import InvalidProspect, LocationNotFound
from services.prospects.models import Location
from services.prospects.schemas import views
from services.prospects.schemas.inputs import LOCATION_INPUT, LOCATION_PATCH
from services.prospects.store import related
from services.prospects.usecases.access import LOCATIONS, body, find, is_id, own_only, require


def add_location(ctx, ref, payload):
    me = require(ctx, LOCATIONS)
    data = load(LOCATION_INPUT, body(payload), InvalidProspect)
    prospect = find(ctx, ref)
    now = now_utc()
    location = related.add(ctx.db, Location(workspace_id=me.workspace_id, prospect_id=prospect.id, created_at=now,
                                            updated_at=now, **data))
    ctx.db.commit()
    return views.location_view(location)


def _location(ctx, location_id, clients_only):
    me = ctx.me
    location = None
    if is_id(location_id):
        location, _ = related.location(ctx.db, me.workspace_id, location_id, own_only(me), clients_only,
                                       for_update=True)
    if location is None:
        raise LocationNotFound("Location {} not found".format(location_id), "id")
    return location


def update_location(ctx, location_id, payload, clients_only=False):
    require(ctx, LOCATIONS)
    data = load(LOCATION_PATCH, body(payload), InvalidProspect)
    location = _location(ctx, location_id, clients_only)
    for name, value in data.items():
        setattr(location, name, value)
    location.updated_at = now_utc()
    ctx.db.commit()
    return views.location_view(location)


def delete_location(ctx, location_id, clients_only=False):
    require(ctx, LOCATIONS)
    location = _location(ctx, location_id, clients_only)
    view = views.location_view(location)
    related.delete(ctx.db, location)
    ctx.db.commit()
    return view
