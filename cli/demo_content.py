"""What `crm demo-data` creates in a workspace, planned up front and without I/O: agricultural
customers of a seller of inputs (Argentina, pesos and dollars), their deals over two seasons, goals
the deals move, and a pipeline of prospects. References between records are indexes into the plan
(`"account": 3`), resolved to ids and uuids as the records are created. A seed makes it repeatable."""
import random
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Dict, List

FIRST_NAMES = ("Lucía", "Martín", "Sofía", "Mateo", "Valentina", "Joaquín", "Camila", "Tomás", "Julieta",
               "Santiago", "Florencia", "Facundo", "Agustina", "Nicolás", "Carolina", "Ignacio", "Paula", "Diego",
               "Micaela", "Federico")
LAST_NAMES = ("González", "Rodríguez", "Fernández", "López", "Martínez", "Pérez", "Gómez", "Díaz", "Sánchez",
              "Romero", "Sosa", "Álvarez", "Torres", "Ruiz", "Ramírez", "Benítez", "Acosta", "Medina", "Herrera",
              "Suárez")
PLACES = ("Pergamino", "Venado Tuerto", "Junín", "Rafaela", "Marcos Juárez", "Tandil", "Azul", "Bolívar",
          "Río Cuarto", "Villa María", "Casilda", "Rojas", "Chacabuco", "Olavarría", "San Pedro", "Zárate")
TRADES = ("Agropecuaria", "Estancia", "Establecimiento", "Cooperativa", "Semillas", "Granos", "Hacienda",
          "Campos")
TEAMS = ("North team", "South team", "Key accounts", "Inside sales", "Distributors", "Export desk")
# The products deals sell: a stable uuid each (what sales goals name as input_uuid), their unit and price
PRODUCTS = (("Soybean seed DM 46i20", 1, Decimal("0.9")), ("Fertilizer NPK 15-15-15", 2, Decimal("620")),
            ("Herbicide glyphosate 66%", 5, Decimal("4.8")), ("Corn seed hybrid DK 72-10", 11, Decimal("210")))
PRODUCT_NAMESPACE = uuid.UUID("6f1d7c52-7f1e-4d8e-9a3f-2b0c1d4e5f60")
STATES = ("open_0", "open_25", "open_50", "open_75", "won", "won", "won", "lost")
SHIPMENTS = ("0-100", "100-500", "500-1000", "1000-5000", "5000+")


@dataclass(frozen=True)
class Size:
    users: int
    groups: int
    campaigns: int
    accounts: int
    deals: int
    goals: int
    prospects: int


SIZES = {
    "small": Size(users=2, groups=1, campaigns=1, accounts=3, deals=8, goals=2, prospects=10),
    "medium": Size(users=6, groups=2, campaigns=2, accounts=20, deals=80, goals=6, prospects=150),
    "large": Size(users=20, groups=5, campaigns=3, accounts=200, deals=1000, goals=20, prospects=2000),
}


@dataclass
class Plan:
    workspace: str
    owner: Dict
    users: List[Dict] = field(default_factory=list)
    groups: List[Dict] = field(default_factory=list)  # "members": user indexes (0 is the owner)
    campaigns: List[Dict] = field(default_factory=list)
    accounts: List[Dict] = field(default_factory=list)  # each with its "hectares"
    deals: List[Dict] = field(default_factory=list)  # "user", "account", "campaign": indexes
    goals: List[Dict] = field(default_factory=list)  # "campaign", "users", "groups": indexes
    prospects: List[Dict] = field(default_factory=list)  # import rows, as the API takes them

    def counts(self):
        return {"users": len(self.users) + 1, "groups": len(self.groups), "campaigns": len(self.campaigns),
                "accounts": len(self.accounts), "deals": len(self.deals), "goals": len(self.goals),
                "prospects": len(self.prospects)}


def product_uuid(name):
    return str(uuid.uuid5(PRODUCT_NAMESPACE, name))


def plan(size: Size, seed: int, today: date) -> Plan:
    rng = random.Random(seed)
    tag = "{:06x}".format(rng.getrandbits(24))  # keeps emails, tax ids and names unique per run
    owner = person(rng, tag, 0)
    result = Plan(workspace="{} {} ({})".format(rng.choice(TRADES), rng.choice(PLACES), tag), owner=owner)
    result.users = [dict(person(rng, tag, number), permissions=permissions(number))
                    for number in range(1, size.users + 1)]
    people = size.users + 1
    result.groups = [{"name": TEAMS[number % len(TEAMS)] + ("" if number < len(TEAMS) else " " + str(number)),
                      "members": [member for member in range(1, people) if member % size.groups == number]}
                     for number in range(size.groups)]
    result.campaigns = [season(today.year - number) for number in range(size.campaigns)]
    result.accounts = [account(rng, tag, number) for number in range(size.accounts)]
    result.deals = [deal(rng, number, people, size, result.campaigns) for number in range(size.deals)]
    result.goals = [goal(rng, number, result, people) for number in range(size.goals)]
    result.prospects = [prospect(rng, tag, number, result.campaigns) for number in range(size.prospects)]
    return result


def person(rng, tag, number):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {"first_name": first, "last_name": last,
            "email": "demo-{}-{}@example.com".format(tag, "owner" if number == 0 else "user{}".format(number))}


def permissions(number):
    """Every user works prospects and locations; one in three sees every salesman's prospects."""
    return ["319", "crm-menu"] + (["all-prospects"] if number % 3 == 1 else [])


def season(year):
    """An agricultural season, July to June."""
    return {"name": "Season {}/{}".format(year, str(year + 1)[-2:]), "start_date": "{}-07-01".format(year),
            "end_date": "{}-06-30".format(year + 1)}


def account(rng, tag, number):
    digits = "{:08d}".format((int(tag, 16) * 1000 + number) % 10 ** 8)
    name = "{} {} {}".format(rng.choice(TRADES), rng.choice(LAST_NAMES), rng.choice(("S.A.", "S.R.L.", "S.A.S.")))
    return {"country": 1, "tax_id": "30-{}-{}".format(digits, number % 10), "name": "{} #{}".format(name, number + 1),
            "address": "Ruta {} km {}".format(rng.randint(1, 40), rng.randint(1, 300)),
            "location": rng.choice(PLACES), "hectares": str(rng.randint(50, 5000))}


def deal(rng, number, people, size, campaigns):
    product, unit_id, price = PRODUCTS[number % len(PRODUCTS)]
    quantity = rng.randint(1, 40) * (1000 if unit_id == 1 else 10 if unit_id == 5 else 5)
    campaign = (number // len(PRODUCTS)) % size.campaigns  # every product in every campaign
    start = date.fromisoformat(campaigns[campaign]["start_date"])
    return {"name": "{} #{}".format(product, number + 1), "value": str((price * quantity).quantize(Decimal("1"))),
            "value_type": "Total", "value_count": "1", "currency": "USD", "type": "sale",
            "input_uuid": product_uuid(product), "quantity": str(quantity), "unit_id": unit_id,
            # the first deal of each product in each campaign is won: every goal shows some progress
            "current_state": "won" if number < len(PRODUCTS) * size.campaigns else rng.choice(STATES),
            "target_date": start.replace(month=rng.randint(7, 12), day=rng.randint(1, 28)).isoformat(),
            "user": number % people, "account": number % size.accounts, "campaign": campaign}


def goal(rng, number, result, people):
    """Even goals: a product's volume in the campaign; odd goals: a product's billing in USD. The
    target is about 1.5 times what the planned won deals bring, so progress shows part-way."""
    campaign = number % len(result.campaigns)
    product, unit_id, _ = PRODUCTS[(number // 2) % len(PRODUCTS)]
    won = [item for item in result.deals if item["campaign"] == campaign and item["current_state"] == "won"
           and item["input_uuid"] == product_uuid(product)]
    assignment = {"users": [], "groups": []}
    if number % 3 == 1 and result.groups:
        assignment["groups"] = [number % len(result.groups)]
    elif number % 3 == 2 and people > 1:
        assignment["users"] = [1 + number % (people - 1)]
    if number % 2 == 0:
        reached = sum(Decimal(item["quantity"]) for item in won)
        body = {"description": "{} volume, {}".format(product, result.campaigns[campaign]["name"]),
                "goal_type": "sale", "goal_subtype": "volume", "input_uuid": product_uuid(product),
                "id_unit": unit_id}
    else:
        reached = sum(Decimal(item["value"]) for item in won)
        body = {"description": "{} billing, {}".format(product, result.campaigns[campaign]["name"]),
                "goal_type": "sale", "goal_subtype": "billing", "input_uuid": product_uuid(product),
                "id_unit": 840}
    body["amount"] = max(int(reached * Decimal("1.5")), 1)
    return dict(body, campaign=campaign, **assignment)


def prospect(rng, tag, number, campaigns):
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {"name": "{} {}".format(first, last),
           "company": "{} {} {}".format(rng.choice(TRADES), rng.choice(PLACES), number + 1),
           "email": "prospect-{}-{}@example.net".format(tag, number + 1),
           "phone": "11{:04d}{:04d}".format(int(tag, 16) % 10000, number), "code": "54",
           "type": "3" if number % 10 == 9 else "1", "follow_up_id": str(rng.choice((1, 1, 2, 2, 3, 4, 5, 6))),
           "monthly_shipments": rng.choice(SHIPMENTS), "campaign": campaigns[number % len(campaigns)]["name"]}
