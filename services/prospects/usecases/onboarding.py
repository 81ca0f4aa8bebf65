"""Clients' onboarding checklist (domain.catalog.ONBOARDING_STEPS): steps marked done with a date."""
from infra.db import now_utc
from infra.validation import load
from services.prospects.domain.catalog import onboarding_status
from services.prospects.exceptions import InvalidProspect, InvalidQuery
from services.prospects.schemas import views
from services.prospects.schemas.inputs import ONBOARDING_PATCH
from services.prospects.schemas.queries import ONBOARDING_QUERY
from services.prospects.store import clients
from services.prospects.usecases.access import PROSPECTS, body, find, require


def get_onboarding(ctx, ref, args=None):
    require(ctx, PROSPECTS)
    query = load(ONBOARDING_QUERY, args if isinstance(args, dict) else {}, InvalidQuery)
    prospect = find(ctx, ref)
    return views.onboarding_view(prospect, clients.steps_of(ctx.db, prospect.company_id), query["translate"])


def update_onboarding(ctx, ref, payload):
    """Each step in `steps` is marked done (at `date`, default now) or, with `done: false`, undone."""
    require(ctx, PROSPECTS)
    data = load(ONBOARDING_PATCH, body(payload), InvalidProspect)
    prospect = find(ctx, ref, for_update=True)
    now = now_utc()
    for step in data["steps"]:
        if step["done"]:
            clients.mark(ctx.db, prospect.company_id, step["key"], step["date"] or now)
        else:
            clients.unmark(ctx.db, prospect.company_id, step["key"])
    steps = clients.steps_of(ctx.db, prospect.company_id)
    prospect.onboarding_status = onboarding_status(steps)
    prospect.updated_at = now
    ctx.db.commit()
    return views.onboarding_view(prospect, steps, False)
