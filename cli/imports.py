"""crm import prospects FILE.csv: the preview (`POST /prospects/process`, writes nothing) as a table
of inserts, proposed updates and errors; a confirmation (or --yes); the import (`POST /prospects`,
5,000 rows a call, each call with its own Idempotency-Key so a retry after a lost connection
inserts nothing twice) with a progress bar; then every rejected row, by its line in the file."""
import sys
import uuid

import click

from cli.csvrows import CsvProblem, read_rows
from cli.client import envelope_message
from cli.errors import PROBLEM, CliError, Refused, Usage

CHUNK = 5000  # the API's limit per call
SHOWN = 20  # problem rows listed by the preview (the import lists every rejected one)


@click.group("import")
def import_group():
    """Import records from a file."""


class Batch:
    """The file's rows in chunks the API takes, and the file line of any chunk's row index."""

    def __init__(self, csv_rows, size):
        self.rows, self.lines, self.size = csv_rows.rows, csv_rows.lines, size

    def chunks(self):
        for start in range(0, len(self.rows), self.size):
            yield start, self.rows[start:start + self.size]

    def line(self, start, row):
        return self.lines[start + row] if isinstance(row, int) and 0 <= start + row < len(self.lines) else "?"

    def located(self, start, entry):
        """The API's entry (an error or an update) with the file lines of the rows it names."""
        entry = dict(entry, line=self.line(start, entry.get("row")))
        if entry.get("duplicate_of_row") is not None:
            entry["duplicate_of_line"] = self.line(start, entry["duplicate_of_row"])
        return entry


def preview(client, batch, bars):
    """(rows that would be inserted, updates proposed, errors), each entry with its `line`."""
    inserts, updates, errors = 0, [], []
    bar = bars.add("checking", len(batch.rows))
    for start, rows in batch.chunks():
        answer = client.request("POST", "/prospects/process", rows, retry=True).body
        inserts += len(answer["inserts"])
        updates += [batch.located(start, update) for update in answer["updates"]]
        errors += [batch.located(start, error) for error in answer["errors"]]
        bar.advance(len(rows))
    return inserts, updates, errors


def write(client, batch, bars):
    """(inserted, rejected rows with their `line`): every chunk imported, 409 (all duplicates) included."""
    run = uuid.uuid4().hex
    inserted, rejected = [], []
    bar = bars.add("importing", len(batch.rows))
    for number, (start, rows) in enumerate(batch.chunks()):
        try:
            answer = client.request("POST", "/prospects", rows, headers={
                "Idempotency-Key": "crm-import-{}-{}".format(run, number)}, retry=True, accept=(409,)).body
            if not isinstance(answer, dict) or "errors" not in answer:  # a 409 that is not "all duplicates"
                raise Refused("POST /prospects: {}".format(envelope_message(answer) or answer))
        except CliError as exc:
            if start:  # the earlier calls were imported: say so, with where to resume
                raise type(exc)("{} (the rows before line {} were imported: {} prospects)".format(
                    exc.message, batch.line(start, 0), len(inserted)))
            raise
        inserted += answer.get("inserts") or []
        rejected += [batch.located(start, error) for error in answer["errors"]]
        bar.advance(len(rows))
    return inserted, rejected


def problem_rows(output, title, errors, limit=None):
    shown = errors if limit is None else errors[:limit]
    output.table(["line", "email", "problem", "message"],
                 [[error["line"], error.get("email") or "", error.get("code"), describe(error)] for error in shown],
                 title=title)
    if len(errors) > len(shown):
        output.line("... and {} more (all of them: --dry-run, or after the import)".format(len(errors) - len(shown)))


def describe(error):
    extra = [("existing_id", "prospect {}"), ("existing_user_id", "user {}"), ("duplicate_of_line", "line {}")]
    if error.get("code") == "INVALID_FIELD":
        extra.append(("field", "field {}"))
    details = [template.format(error[key]) for key, template in extra if error.get(key) is not None]
    return error.get("message", "") + (" ({})".format(", ".join(details)) if details else "")


def show_preview(output, path, total, inserts, updates, errors, limit):
    output.table(["rows in file", "to insert", "duplicates with updates proposed", "rejected"],
                 [[total, inserts, len(updates), len(errors)]], title="Preview of {}".format(path))
    if updates:
        output.table(["line", "prospect", "fields that differ"],
                     [[update["line"], update["id"], ", ".join("{}={}".format(name, value) for name, value in
                                                               sorted(update["changes"].items()))]
                      for update in updates[:limit]],
                     title="Already in the CRM (an import never updates: apply with PATCH /prospects/{id})")
    if errors:
        problem_rows(output, "Rows that will not be imported", errors, limit)


@import_group.command("prospects")
@click.argument("path", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--yes", "-y", is_flag=True, help="import without asking")
@click.option("--dry-run", is_flag=True, help="only the preview, with every problem row")
@click.option("--batch-size", type=click.IntRange(1, CHUNK), default=CHUNK, show_default=True,
              help="rows per API call")
@click.pass_obj
def import_prospects(session, path, yes, dry_run, batch_size):
    """Import prospects from FILE.csv (columns: name, company, email, phone, code, locale, type,
    monthly_shipments, follow_up_id, campaign). Shows what would be inserted and rejected, asks,
    imports, and lists every rejected row. Exit code 1 when nothing was imported."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            csv_rows = read_rows(handle)
    except (CsvProblem, UnicodeDecodeError) as exc:
        raise Usage("{}: {}".format(path, exc))
    output = session.output
    if not csv_rows.rows:
        raise Usage("{}: no rows under the header line".format(path))
    if csv_rows.ignored_columns:
        output.note("ignored columns: {}".format(", ".join(csv_rows.ignored_columns)))
    client, batch = session.client(), Batch(csv_rows, batch_size)
    with output.progress() as bars:
        inserts, updates, errors = preview(client, batch, bars)
    show_preview(output, path, len(csv_rows.rows), inserts, updates, errors, None if dry_run else SHOWN)
    if dry_run:
        return 0
    if not inserts:
        output.line("Nothing to import: no row would be inserted.")
        return PROBLEM
    if not yes:
        if not sys.stdin.isatty():
            raise Usage("no terminal to confirm in: add --yes to import {} rows".format(inserts))
        question = "Import {} prospect{}{}?".format(inserts, "" if inserts == 1 else "s",
                                                   " ({} rows rejected)".format(len(errors)) if errors else "")
        if not click.confirm(question, default=False):
            output.line("Nothing imported.")
            return PROBLEM
    with output.progress() as bars:
        inserted, rejected = write(client, batch, bars)
    output.line("Imported {} prospect{} from {}; {} row{} rejected.".format(
        len(inserted), "" if len(inserted) == 1 else "s", path, len(rejected), "" if len(rejected) == 1 else "s"))
    if rejected:
        problem_rows(output, "Rejected rows", rejected)
    return 0 if inserted else PROBLEM
