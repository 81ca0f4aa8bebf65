"""Every event the platform publishes: where (the emitting service's topic exchange), under which
routing key, with which payload schema, and an example. The AsyncAPI document (GET /asyncapi.json)
is generated from this list; a test checks each example against its schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

from contracts import customer_goals, events

EXAMPLE_TIME = "2026-03-15T10:30:00.000Z"


@dataclass(frozen=True)
class EventContract:
    service: str  # the emitter: events go to the topic exchange `<service>.events`
    event_type: str  # the routing key
    schema: type[Schema]
    summary: str
    example: dict[str, Any]

    @property
    def exchange(self) -> str:
        return "{}.events".format(self.service)


REQUEST_ID = "4f3c2b1a9e8d7c6b5a4f3e2d1c0b9a88"
OPPORTUNITY_EVENT_ID = "6f1c5a8e-2d3b-4c47-9a51-0f2e8d7b3c19"
GOAL_EVENT_ID = "a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d"  # recorded while handling the opportunity event


def _envelope(
    event_type: str,
    aggregate_type: str,
    aggregate_id: str,
    change: str,
    snapshot: dict[str, Any] | None,
    event_id: str = OPPORTUNITY_EVENT_ID,
    causation_id: str | None = None,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": EXAMPLE_TIME,
        "workspace_id": 7,
        "aggregate_type": aggregate_type,
        "aggregate_id": aggregate_id,
        "version": 3,
        "change": change,
        "snapshot": snapshot,
        "request_id": REQUEST_ID,
        "causation_id": causation_id,
    }


DEAL_UUID = "0b8e4f7a-3c1d-4e59-8f2a-6d4c3b2a1908"
GOAL_UUID = "5d2a9c41-7e3f-4b08-a6d5-1c9e8f7a6b53"
GOAL_SNAPSHOT = {
    "uuid": GOAL_UUID,
    "workspace_id": 7,
    "campaign_uuid": "9a7b6c5d-4e3f-4a1b-8c2d-3e4f5a6b7c8d",
    "goal_type": "sale",
    "goal_subtype": "volume",
    "id_unit": 1,
    "unit": "kg",
    "amount": "1000",
    "current": "700",
    "previous_current": "300",
    "forecast": "850",
    "progress": "70",
    "achieved_at": None,
}

USER_UUID = "3c9d2e1f-8a7b-4c6d-9e0f-1a2b3c4d5e6f"
CUSTOMER_GOAL_GSID = "1CG0LXVS2HO4Y5ZF1FQY0E46C0NQWLLW"

PROSPECT_UUID = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
PROSPECT_SNAPSHOT = {
    "id": 42,
    "uuid": PROSPECT_UUID,
    "workspace_id": 7,
    "type": 1,
    "name": "John Doe",
    "company_name": "Acme Corp",
    "email": "john@acme.com",
    "phone_code": "52",
    "phone": "5551234567",
    "locale_id": 1,
    "follow_up_id": 1,
    "follow_name": "new_lead",
    "company_id": None,
    "created_by": 3,
    "campaign": None,
    "channel": "website",
    "account_value": "5000",
    "monthly_shipments": 150,
    "created_at": EXAMPLE_TIME,
    "updated_at": EXAMPLE_TIME,
}

CATALOG: list[EventContract] = [
    EventContract(
        "deals",
        events.OPPORTUNITY_CHANGED,
        events.OpportunityChanged,
        "A deal was created, changed or deleted (snapshot null after a delete).",
        _envelope(
            events.OPPORTUNITY_CHANGED,
            "opportunity",
            DEAL_UUID,
            "updated",
            {
                "id": 42,
                "uuid": DEAL_UUID,
                "workspace_id": 7,
                "user_id": 3,
                "company_id": None,
                "name": "Soy for Acme",
                "description": None,
                "value": "10000.0",
                "value_type": "Total",
                "value_count": "1.0",
                "currency": "USD",
                "currency_id": 840,
                "target_date": "2026-04-30",
                "finished_at": EXAMPLE_TIME,
                "current_state": "won",
                "type": "sale",
                "account_uuid": None,
                "campaign_uuid": GOAL_SNAPSHOT["campaign_uuid"],
                "input_uuid": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6",
                "crop_id": None,
                "variety_id": None,
                "quantity": "400.0",
                "unit_id": 1,
                "created_at": EXAMPLE_TIME,
                "updated_at": EXAMPLE_TIME,
            },
        ),
    ),
    EventContract(
        "goals",
        events.GOAL_PROGRESS_CHANGED,
        events.GoalChanged,
        "A sales goal's figure or progress moved.",
        _envelope(
            events.GOAL_PROGRESS_CHANGED,
            "goal",
            GOAL_UUID,
            "updated",
            GOAL_SNAPSHOT,
            GOAL_EVENT_ID,
            causation_id=OPPORTUNITY_EVENT_ID,
        ),
    ),
    EventContract(
        "goals",
        events.GOAL_ACHIEVED,
        events.GoalChanged,
        "A sales goal reached its target for the first time.",
        _envelope(
            events.GOAL_ACHIEVED,
            "goal",
            GOAL_UUID,
            "updated",
            dict(GOAL_SNAPSHOT, current="1000", progress="100", achieved_at=EXAMPLE_TIME),
            GOAL_EVENT_ID,
            causation_id=OPPORTUNITY_EVENT_ID,
        ),
    ),
    EventContract(
        "directory",
        events.USER_CHANGED,
        events.UserChanged,
        "A user was created, their permissions changed or they were deactivated.",
        _envelope(
            events.USER_CHANGED,
            "user",
            USER_UUID,
            "updated",
            {
                "id": 3,
                "uuid": USER_UUID,
                "workspace_id": 7,
                "first_name": "Sam",
                "last_name": "Seller",
                "is_owner": False,
                "active": False,
                "permissions": ["319"],
                "access_changed_at": EXAMPLE_TIME,
            },
        ),
    ),
    EventContract(
        "goals",
        customer_goals.CUSTOMER_GOAL_CHANGED,
        customer_goals.CustomerGoalChanged,
        "A customer goal was created, changed status or was deleted (snapshot null after a delete).",
        _envelope(
            customer_goals.CUSTOMER_GOAL_CHANGED,
            customer_goals.AGGREGATE_TYPE,
            CUSTOMER_GOAL_GSID,
            "updated",
            {
                "Gsid": CUSTOMER_GOAL_GSID,
                "Name": "Adoption 80%",
                "Description": "<p>Q3</p>",
                "EntityType": "COMPANY",
                "CompanyId": "0b8e4f7a-3c1d-4e59-8f2a-6d4c3b2a1907",
                "OpportunityId": None,
                "GoalTypeId": "1I00GO4Q83RGDEM94Y417YFL8IB9L9R5",
                "StatusId": "1I005IUOFEZ24SJ62ZSP4PI1BZX88VUL",
                "StatusName": "On Track",
                "DueDate": "2026-09-30",
                "TemplateId": None,
                "CurrencyIsoCode": "USD",
                "CreatedById": USER_UUID,
                "ModifiedById": USER_UUID,
                "CreatedDate": 1773570600000,
                "ModifiedDate": 1773570600000,
                "customFields": {"region__gc": "EMEA"},
                "associatedCTAs": [],
                "associatedSPs": [],
                "AssociatedWork": [],
            },
        ),
    ),
    *[
        EventContract(
            "prospects",
            event_type,
            events.ProspectChanged,
            summary,
            _envelope(event_type, "prospect", PROSPECT_UUID, change, dict(PROSPECT_SNAPSHOT, **extra)),
        )
        for event_type, change, summary, extra in (
            (events.PROSPECT_CREATED, "created", "A prospect was created (one per row of an import).", {}),
            (
                events.PROSPECT_CHANGED,
                "updated",
                "A prospect's follow-up status or its other fields changed.",
                {"follow_up_id": 5, "follow_name": "active_client", "type": 2, "company_id": 100},
            ),
        )
    ],
]
