"""crm demo-data: new workspaces populated through the public API (users, groups, campaigns,
accounts with their fields, deals, sales goals, prospects), with a progress bar per kind of record;
then the owners' logins, and the first one kept as the current login."""
import secrets
from datetime import date

import click

from cli import demo_content
from cli.errors import Refused

PROSPECT_CHUNK = 5000


@click.command("demo-data")
@click.option("--size", type=click.Choice(sorted(demo_content.SIZES)), default="medium", show_default=True,
              help="small: a handful of each; medium: 20 accounts, 80 deals, 150 prospects; large: 200, 1,000, 2,000")
@click.option("--workspaces", type=click.IntRange(1, 20), default=1, show_default=True,
              help="how many workspaces")
@click.option("--password", envvar="CRM_DEMO_PASSWORD",
              help="every demo user's password (default: a new random one, printed at the end)")
@click.option("--seed", type=int, help="the same seed plans the same names and figures")
@click.option("--no-login", is_flag=True, help="keep the current login instead of the first demo owner's")
@click.pass_obj
def demo_data(session, size, workspaces, password, seed, no_login):
    """Create demo workspaces full of data, so the system has something to show."""
    if password is not None and len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    password = password or secrets.token_urlsafe(9)
    seed = seed if seed is not None else secrets.randbits(32)
    output = session.output
    created = []
    for number in range(workspaces):
        plan = demo_content.plan(demo_content.SIZES[size], seed + number, date.today())
        output.note("Workspace {} of {}: {}".format(number + 1, workspaces, plan.workspace))
        with output.progress() as bars:
            created.append(Populate(session, plan, password, bars).run())
    kinds = ("users", "groups", "campaigns", "accounts", "deals", "goals", "prospects")
    rows = [["workspace"] + [item["workspace"]["name"] for item in created],
            ["workspace id"] + [item["workspace"]["id"] for item in created],
            ["owner (login)"] + [item["email"] for item in created]]
    rows += [[kind] + [item["counts"][kind] for item in created] for kind in kinds]
    output.table([""] + ["#{}".format(number + 1) for number in range(len(created))], rows, title="Demo data")
    output.line("Every demo user's password: {}".format(password))
    first = created[0]
    if not no_login:
        session.remember_login(first["email"], first["token"], first["expires_at"], first["workspace"]["id"])
        output.line("Logged in to {} as {} (`crm whoami`).".format(session.url, first["email"]))


class Populate:
    """One workspace of the plan, created through the API in dependency order."""

    def __init__(self, session, plan, password, bars):
        self.session, self.plan, self.password, self.bars = session, plan, password, bars
        self.client = None
        self.user_ids, self.group_ids, self.campaign_uuids, self.account_uuids = [], [], [], []
        self.counts = dict.fromkeys(plan.counts(), 0)

    def run(self):
        plan = self.plan
        bars = {kind: self.bars.add(kind, total) for kind, total in plan.counts().items()}
        owner = self.session.client(authenticated=False).post("/api/auth/signup", dict(
            plan.owner, workspace=plan.workspace, password=self.password)).body["data"]
        self.client = self.session.client_with(token=owner["token"])
        self.user_ids.append(owner["user"]["id"])
        self.step(bars["users"], "users")
        for user in plan.users:
            self.user_ids.append(self.post("/api/directory/users", dict(user, password=self.password))["id"])
            self.step(bars["users"], "users")
        for group in plan.groups:
            members = [self.user_ids[member] for member in group["members"]]
            self.group_ids.append(self.post("/api/directory/groups", dict(group, members=members))["id"])
            self.step(bars["groups"], "groups")
        for campaign in plan.campaigns:
            self.campaign_uuids.append(self.post("/api/sales/campaigns", campaign)["uuid"])
            self.step(bars["campaigns"], "campaigns")
        self.create_accounts(bars["accounts"])
        self.create_deals(bars["deals"])
        self.create_goals(bars["goals"])
        self.import_prospects(bars["prospects"])
        return {"workspace": owner["workspace"], "email": plan.owner["email"], "token": owner["token"],
                "expires_at": owner["expires_at"], "counts": self.counts}

    def post(self, path, body, **kwargs):
        return self.client.post(path, body, **kwargs).body["data"]

    def step(self, bar, kind, count=1):
        self.counts[kind] += count
        bar.advance(count)

    def create_accounts(self, bar):
        for account in self.plan.accounts:
            fields = {name: value for name, value in account.items() if name != "hectares"}
            uuid = self.client.post("/api/sales/accounts/account", dict(fields, action="create")).body["uuid"]
            self.account_uuids.append(uuid)
            self.client.post("/api/sales/accounts/account", {"action": "add_field", "uuid": uuid,
                                                             "hectares": account["hectares"]})
            self.step(bar, "accounts")

    def create_deals(self, bar):
        for deal in self.plan.deals:
            body = {name: value for name, value in deal.items() if name not in ("user", "account", "campaign")}
            body.update(user_id=self.user_ids[deal["user"]], account_uuid=self.account_uuids[deal["account"]],
                        campaign_uuid=self.campaign_uuids[deal["campaign"]])
            self.client.post("/api/deals.json", {"deal": body})
            self.step(bar, "deals")

    def create_goals(self, bar):
        for goal in self.plan.goals:
            body = {name: value for name, value in goal.items() if name not in ("campaign", "users", "groups")}
            body.update(action="create", campaign_uuid=self.campaign_uuids[goal["campaign"]],
                        users=[self.user_ids[user] for user in goal["users"]],
                        groups=[self.group_ids[group] for group in goal["groups"]])
            self.post("/api/sales/goals/goal", body)
            self.step(bar, "goals")

    def import_prospects(self, bar):
        rows = self.plan.prospects
        for start in range(0, len(rows), PROSPECT_CHUNK):
            chunk = rows[start:start + PROSPECT_CHUNK]
            try:
                answer = self.client.post("/prospects", chunk, headers={"Idempotency-Key": "crm-demo-{}-{}".format(
                    secrets.token_hex(8), start)}, retry=True).body
            except Refused as exc:
                if exc.status == 404 and start == 0:  # a system without the prospects service
                    self.session.output.note("prospects: this system does not serve /prospects; none created")
                    return
                raise
            self.step(bar, "prospects", len(answer["inserts"]))
