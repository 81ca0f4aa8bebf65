"""crm import prospects FILE.csv against the running system: the preview writes nothing; under a
terminal the confirmation decides (no: nothing written; yes: the rows imported and the rejected ones
listed by their line in the file); --yes, --dry-run and chunks of --batch-size without one."""
import uuid

import pexpect

from cli.errors import PROBLEM, USAGE
from cli.tests.conftest import CRM, PASSWORD, one_line_error, rows_of

HEADER = "Name,Company,Email,Phone,Code,Follow_up_id,Notes\n"


def logged_in(crm, api):
    ws = api.signup(password=PASSWORD)
    crm.ok("login", "--email", ws.email, CRM_PASSWORD=PASSWORD)
    return ws


def prospects_csv(tmp_path, tag):
    """Lines 2-4 valid, line 5 an invalid email, line 6 the email of line 2 again (any case)."""
    text = HEADER + "".join([
        "Ana Ruiz,Granos Ruiz,ana-{t}@example.net,11 5555 0001,54,1,first call\n",
        "Bruno Paz,Paz Hnos,bruno-{t}@example.net,,,2,\n",
        "Carla Gil,,carla-{t}@example.net,1155550003,54,,\n",
        "Dario Sosa,Sosa SA,not-an-email,,,,\n",
        "Ana again,Granos Ruiz,ANA-{t}@example.net,,,,\n"]).format(t=tag)
    path = tmp_path / "prospects-{}.csv".format(tag)
    path.write_text(text)
    return str(path)


def imported(api, ws):
    listing = api.get("/prospects/list", token=ws.token, params={"length": 100})
    assert listing.status_code == 200, listing.text
    return sorted(record["email"] for record in listing.json()["data"])


def spawn(crm, path):
    return pexpect.spawn(CRM, ["import", "prospects", path], env=crm.env(), encoding="utf-8", timeout=90,
                         dimensions=(60, 200))


def test_under_a_terminal_answering_no_writes_nothing(crm, api, tmp_path):
    ws = logged_in(crm, api)
    child = spawn(crm, prospects_csv(tmp_path, uuid.uuid4().hex[:8]))
    child.expect(r"Import 3 prospects \(2 rows rejected\)\? \[y/N\]: ")
    preview = child.before
    assert "Preview of" in preview and "Rows that will not be imported" in preview, preview
    assert "INVALID_EMAIL" in preview and "DUPLICATE_EMAIL" in preview, preview
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == PROBLEM and "Nothing imported." in child.before, child.before
    assert imported(api, ws) == []


def test_under_a_terminal_answering_yes_imports_and_lists_the_rejected_rows(crm, api, tmp_path):
    ws, tag = logged_in(crm, api), uuid.uuid4().hex[:8]
    child = spawn(crm, prospects_csv(tmp_path, tag))
    child.expect(r"\[y/N\]: ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    assert child.exitstatus == 0, output
    assert "Imported 3 prospects from" in output and "2 rows rejected." in output, output
    rejected = output[output.index("Rejected rows"):]
    lines = [line for line in rejected.splitlines() if "INVALID_EMAIL" in line or "DUPLICATE_EMAIL" in line]
    assert [line.split()[1] for line in lines] == ["5", "6"], rejected  # "│ 5 │ ..." : the file's lines
    assert "not-an-email" in lines[0] and "ANA-{}@example.net".format(tag) in lines[1], rejected
    assert imported(api, ws) == ["{}-{}@example.net".format(name, tag) for name in ("ana", "bruno", "carla")]


def test_without_a_terminal_yes_is_needed_and_imports_in_chunks(crm, api, tmp_path):
    ws, tag = logged_in(crm, api), uuid.uuid4().hex[:8]
    path = prospects_csv(tmp_path, tag)
    code, out, err = crm("import", "prospects", path)
    assert code == USAGE and "add --yes" in one_line_error(err)
    code, out, err = crm("import", "prospects", path, "--dry-run")
    assert code == 0 and imported(api, ws) == [], (out, err)
    assert "ignored columns: Notes" in err

    code, out, err = crm("import", "prospects", path, "--yes", "--batch-size", "2")  # chunks of lines 2-3, 4-5, 6
    assert code == 0, (out, err)
    rejected = [row for row in rows_of(out[out.index("# Rejected rows"):])][1:]
    assert [(row[0], row[2]) for row in rejected] == [("5", "INVALID_EMAIL"), ("6", "DUPLICATE_EMAIL")], out
    assert len(imported(api, ws)) == 3

    code, out, err = crm("import", "prospects", path, "--yes")  # again: every row is known now
    assert code == PROBLEM and "Nothing to import" in out, (out, err)
    assert len(imported(api, ws)) == 3


def test_a_file_that_is_not_a_csv_of_prospects_is_a_usage_error(crm, api, tmp_path):
    logged_in(crm, api)
    path = tmp_path / "other.csv"
    path.write_text("colour,size\nred,2\n")
    code, _, err = crm("import", "prospects", str(path), "--yes")
    assert code == USAGE and "names none of the columns" in one_line_error(err)
