"""The crm command's pure parts, without a system: reading a CSV of prospects, the error line of
each API family's envelope, the credentials file."""
import io
import json
import os
import stat

import pytest

from cli.client import envelope_message
from cli.credentials import Credentials
from cli.csvrows import CsvProblem, read_rows


def rows(text):
    return read_rows(io.StringIO(text))


def test_csv_columns_in_any_case_and_usual_spellings_semicolons_and_a_byte_order_mark():
    read = rows("\ufeffName;Company Name;E-mail;Phone_Code;Follow-Up;Notes;Mobile\nAna;Granos;ana@x.test;54;2;vip;1\n")
    assert read.rows == [{"name": "Ana", "company": "Granos", "email": "ana@x.test", "code": "54", "follow_up_id": "2"}]
    assert read.ignored_columns == ["Notes", "Mobile"]  # not fields: named, not guessed


def test_each_row_keeps_the_file_line_it_starts_on_across_quoted_newlines_and_blank_lines():
    read = rows('name,email\n"Ana\nRuiz",ana@x.test\n\n,\nBo,bo@x.test\n')
    assert read.rows == [{"name": "Ana\nRuiz", "email": "ana@x.test"}, {"name": "Bo", "email": "bo@x.test"}]
    assert read.lines == [2, 6] and read.blank_lines == 2


def test_empty_cells_are_left_out_and_values_are_trimmed_text():
    assert rows("name,phone,type\n  Ana ,, 2\n").rows == [{"name": "Ana", "type": "2"}]


@pytest.mark.parametrize("text, problem", [
    ("", "empty"), ("colour,size\nred,2\n", "names none of the columns"),
    ("email,EMAIL\na@x.test,b@x.test\n", "names email more than once")])
def test_a_file_that_is_not_a_csv_of_prospects_is_refused(text, problem):
    with pytest.raises(CsvProblem, match=problem):
        rows(text)


@pytest.mark.parametrize("body, line", [
    ({"res": "error", "code": 11, "info": "Invalid email or password"}, "Invalid email or password (code 11)"),
    ({"result": False, "errorCode": "E4", "errorDesc": "Unknown metric", "data": None},
     "Unknown metric (errorCode E4)"),
    ({"errors": {"name": ["can't be blank"], "value": ["must be a number", "too big"]}},
     "name: can't be blank; value: must be a number, too big"),
    ({"statusCode": 409, "error": "Conflict", "message": "Every row is a duplicate"}, "Every row is a duplicate"),
    ([1, 2], None), ({"unexpected": True}, None)])
def test_the_error_line_of_each_api_family(body, line):
    assert envelope_message(body) == line


def test_credentials_are_kept_per_url_in_a_file_only_the_owner_reads(tmp_path):
    credentials = Credentials(str(tmp_path / "crm"))
    credentials.put("http://a.test/", {"token": "t-a"})
    credentials.put("http://b.test", {"token": "t-b"})
    assert credentials.get("http://a.test")["token"] == "t-a" and credentials.get("http://b.test/")["token"] == "t-b"
    assert stat.S_IMODE(os.stat(credentials.path).st_mode) == 0o600
    assert credentials.remove("http://a.test") and credentials.get("http://a.test") is None
    assert not credentials.remove("http://a.test")
    assert os.listdir(credentials.directory) == ["credentials.json"]  # no temporary file left behind
    with open(credentials.path) as handle:
        assert list(json.load(handle)) == ["http://b.test"]


def test_a_damaged_credentials_file_reads_as_logged_in_nowhere(tmp_path):
    credentials = Credentials(str(tmp_path))
    with open(credentials.path, "w") as handle:
        handle.write("{not json")
    assert credentials.get("http://a.test") is None
    credentials.put("http://a.test", {"token": "t"})
    assert credentials.get("http://a.test")["token"] == "t"
