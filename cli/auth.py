"""crm signup, login, logout, whoami: a workspace and its owner, a token kept for the next commands."""
import click

from cli.errors import Refused

PASSWORD_HELP = "prompted for when not given (or read from CRM_PASSWORD)"


@click.command()
@click.option("--workspace", required=True, help="the new workspace's name")
@click.option("--email", required=True, help="the owner's email (the login)")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--password", envvar="CRM_PASSWORD", prompt=True, hide_input=True, confirmation_prompt=True,
              help="at least 8 characters; " + PASSWORD_HELP)
@click.pass_obj
def signup(session, workspace, email, first_name, last_name, password):
    """Create a workspace and its owner, and log in as the owner."""
    answer = session.client(authenticated=False).post("/api/auth/signup", {
        "workspace": workspace, "email": email, "password": password, "first_name": first_name,
        "last_name": last_name}).body["data"]
    session.remember_login(email, answer["token"], answer["expires_at"], answer["workspace"]["id"])
    session.output.line("Workspace {} (id {}) created; logged in as {} until {}.".format(
        answer["workspace"]["name"], answer["workspace"]["id"], email, answer["expires_at"]))


@click.command()
@click.option("--email", prompt=True, help="prompted for when not given")
@click.option("--password", envvar="CRM_PASSWORD", prompt=True, hide_input=True, help=PASSWORD_HELP)
@click.pass_obj
def login(session, email, password):
    """Log in; the token is kept (mode 0600) for the next commands against this URL."""
    answer = session.client(authenticated=False).post("/api/auth/login",
                                                      {"email": email, "password": password}).body["data"]
    me = session.client_with(token=answer["token"]).get("/api/directory/me").body["data"]
    session.remember_login(email, answer["token"], answer["expires_at"], me["workspace_id"])
    session.output.line("Logged in to {} as {} until {}.".format(session.url, email, answer["expires_at"]))


@click.command()
@click.pass_obj
def logout(session):
    """Forget the token kept for this URL."""
    if not session.credentials.remove(session.url):
        raise Refused("not logged in to {}".format(session.url))
    session.output.line("Logged out of {}.".format(session.url))


@click.command()
@click.pass_obj
def whoami(session):
    """Who the commands act as, with the permissions the system grants now."""
    me = session.client().get("/api/directory/me").body["data"]
    stored = session.credentials.get(session.url) or {}
    email = stored.get("email") if not session.from_environment() else "(CRM_API_KEY / CRM_TOKEN)"
    session.output.table(["url", "user", "email", "user id", "workspace id", "owner", "permissions"],
                         [[session.url, "{} {}".format(me["first_name"], me["last_name"]), email, me["id"],
                           me["workspace_id"], "yes" if me["is_owner"] else "no", ", ".join(me["permissions"])]])
