"""One function per RPC of the prospects service, each taking a Context (infra.service): the board,
table, calendar and KPIs (listing), one record and its PATCH endpoints (records), imports (imports),
contacts, notes, locations and onboarding. Access rules and finding records: access."""
from services.prospects.usecases.access import by_client, by_prospect  # noqa: F401
from services.prospects.usecases.contacts import add_contact, delete_contact, update_contact  # noqa: F401
from services.prospects.usecases.imports import create_prospects, process_prospects  # noqa: F401
from services.prospects.usecases.listing import (grouped_prospects, list_follow_ups, list_prospects,  # noqa: F401
                                                 prospect_activities, prospect_kpis)
from services.prospects.usecases.locations import add_location, delete_location, update_location  # noqa: F401
from services.prospects.usecases.notes import add_note, update_note  # noqa: F401
from services.prospects.usecases.onboarding import get_onboarding, update_onboarding  # noqa: F401
from services.prospects.usecases.records import (get_client, get_prospect, update_data,  # noqa: F401
                                                 update_partner_data, update_prospect)
