"""`crm`: the console script (pyproject.toml). Every failure ends as one line on stderr,
`crm: <what went wrong>`, and an exit code per kind of failure (cli/errors.py)."""
import sys

import click

from cli import api_keys, auth, demo_data, imports, maintenance
from cli.errors import PROBLEM, USAGE, CliError
from cli.session import DEFAULT_URL, Session


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--url", envvar="CRM_URL", default=DEFAULT_URL, show_default=True, metavar="URL",
              help="the system's gateway (or CRM_URL)")
@click.pass_context
def crm(ctx, url):
    """The CRM platform from the command line: sign up, log in, manage API keys, load demo data,
    import prospects, and the maintenance commands (reconcile, resync, dead letters).

    Exit codes: 0 done, 1 a problem found (drift, an import declined), 2 usage, 3 refused by the
    API, 4 system unreachable or unavailable, 5 server error."""
    ctx.obj = Session(url)


for command in (auth.signup, auth.login, auth.logout, auth.whoami, api_keys.api_key, demo_data.demo_data,
                imports.import_group, maintenance.reconcile, maintenance.resync, maintenance.dead_letters):
    crm.add_command(command)


def fail(message, code):
    click.echo("crm: " + " ".join(str(message).split()), err=True)
    return code


def run(argv=None):
    """The exit code of `crm argv...`."""
    try:
        result = crm.main(args=argv, prog_name="crm", standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "crm"
        return fail("{} (see `{} --help`)".format(exc.format_message(), where), USAGE)
    except click.ClickException as exc:  # e.g. a file argument that cannot be opened
        return fail(exc.format_message(), exc.exit_code)
    except click.exceptions.Abort:  # Ctrl-C or end of input at a prompt
        return fail("aborted", PROBLEM)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except CliError as exc:
        return fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    return result if isinstance(result, int) else 0


def main():
    sys.exit(run())
