"""crm api-key create|list|revoke (the workspace owner's): a key acts as the owner who created it;
use it as CRM_API_KEY, or in the `X-apikey` / `accesskey` header of any API call."""
import click


@click.group("api-key")
def api_key():
    """The workspace's API keys (owner only)."""


@api_key.command()
@click.argument("name")
@click.pass_obj
def create(session, name):
    """Create an API key called NAME; the key is shown once."""
    key = session.client().post("/api/directory/api-keys", {"name": name}).body["data"]
    output = session.output
    if not output.rich:
        output.line(key["key"])  # alone on stdout: `export CRM_API_KEY=$(crm api-key create ci)`
        output.note("API key {} ({}) created; it is not shown again.".format(key["name"], key["uuid"]))
        return
    output.table(["uuid", "name", "key"], [[key["uuid"], key["name"], key["key"]]])
    output.line("Store the key now: it is not shown again.", style="bold")


@api_key.command("list")
@click.option("--all", "show_all", is_flag=True, help="also the revoked keys")
@click.pass_obj
def list_keys(session, show_all):
    """The workspace's API keys (never the keys themselves: their first characters)."""
    keys = session.client().get("/api/directory/api-keys").body["data"]
    shown = [key for key in keys if show_all or not key["revoked_at"]]
    session.output.table(["uuid", "name", "prefix", "created", "revoked"],
                         [[key["uuid"], key["name"], key["prefix"], key["created_at"], key["revoked_at"] or ""]
                          for key in shown])


@api_key.command()
@click.argument("key_uuid", metavar="UUID", type=click.UUID)
@click.pass_obj
def revoke(session, key_uuid):
    """Revoke the API key UUID: the system refuses it from now on."""
    key = session.client().delete("/api/directory/api-keys/{}".format(key_uuid)).body["data"]
    session.output.line("API key {} ({}) revoked at {}.".format(key["name"], key["uuid"], key["revoked_at"]))
