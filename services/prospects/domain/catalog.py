"""The fixed catalogs of the prospects API: follow-up statuses (each its own Kanban category),
record types, the enums the document names, the onboarding checklist."""
from __future__ import annotations

from typing import Iterable

FOLLOW_UPS: dict[int, str] = {1: "new_lead", 2: "contacted", 3: "negotiation", 4: "commercial_offer",
                              5: "active_client", 6: "lost"}
NEW_LEAD, COMMERCIAL_OFFER, ACTIVE_CLIENT = 1, 4, 5

PROSPECT, CLIENT, PARTNER = 1, 2, 3
TYPES = (PROSPECT, CLIENT, PARTNER)
SOURCES: dict[str, int] = {"company": 1, "partner": 2}  # the `source` parameter: which board
COMPANY_SOURCE, PARTNER_SOURCE = 1, 2

ACCOUNT_TYPES = ("individual", "startup", "sme", "enterprise", "corporate")
NOTE_ACTIONS = ("call", "whatsapp", "email", "meeting", "sms", "other")
LOCATION_TYPES = ("office", "warehouse", "branch", "headquarters", "distribution_center")
NOTE_ORIGINS = ("prospect", "company")
ROLES = ("kae", "kae_ltl", "csr", "csr_ltl", "fullfilment", "wms", "ecartpay", "parapaquetes")

ONBOARDING_STEPS: dict[str, str] = {
    "welcome_call": "Welcome call",
    "account_setup": "Account set up",
    "tax_documents": "Tax documents received",
    "integration": "Store or system integrated",
    "first_recharge": "First balance recharge",
    "first_shipment": "First shipment",
    "training": "Platform training",
}
ONBOARDING_STATUSES: dict[int, str] = {0: "not_started", 1: "in_progress", 2: "completed"}
ONBOARDING_LABELS: dict[str, str] = {"not_started": "Not started", "in_progress": "In progress",
                                     "completed": "Completed"}

# monthly shipments are answered as the range they fall in: (lower bound, label)
SHIPMENT_RANGES: tuple[tuple[int, str], ...] = ((0, "0-100"), (100, "100-500"), (500, "500-1000"),
                                                (1000, "1000-5000"), (5000, "5000+"))


def follow_name(follow_up_id: int | None) -> str | None:
    return FOLLOW_UPS.get(follow_up_id) if follow_up_id is not None else None


def source_of(record_type: int) -> int:
    return PARTNER_SOURCE if record_type == PARTNER else COMPANY_SOURCE


def types_of_source(source: int) -> tuple[int, ...]:
    return (PARTNER,) if source == PARTNER_SOURCE else (PROSPECT, CLIENT)


def shipments_desc(monthly_shipments: int | None) -> str | None:
    """The range label of a monthly shipments estimate (150 -> "100-500")."""
    if monthly_shipments is None:
        return None
    label = SHIPMENT_RANGES[0][1]
    for lower, name in SHIPMENT_RANGES:
        if monthly_shipments >= lower:
            label = name
    return label


def shipments_from_label(label: str) -> int | None:
    """The lower bound of a range label ("100-500" -> 100), as an import may carry it; None if unknown."""
    for lower, name in SHIPMENT_RANGES:
        if name == label.strip():
            return lower
    return None


def onboarding_status(done_steps: Iterable[str]) -> int:
    done = set(done_steps) & set(ONBOARDING_STEPS)
    if not done:
        return 0
    return 2 if len(done) == len(ONBOARDING_STEPS) else 1


def onboarding_code(name: str) -> int | None:
    for code, status in ONBOARDING_STATUSES.items():
        if status == name:
            return code
    return None
