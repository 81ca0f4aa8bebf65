"""Reading a CSV of prospects into the import API's rows (services/prospects/README.md, "Imports").

The first line names the columns: the document's fields (`name`, `company`, `email`, `phone`,
`code`, `locale`, `type`, `monthly_shipments`, `follow_up_id`, `campaign`), in any order and case;
a few usual spellings are accepted for them (`Company Name`, `E-mail`, `phone_code`, `follow-up`). Other
columns are ignored (and named, so a typo does not pass unseen). Empty cells are left out of the
row; values go as text (the API reads numbers from numeric text). The file may start with a UTF-8
byte-order mark (spreadsheet exports) and use `,`, `;` or tab between cells.
"""
import csv
from dataclasses import dataclass, field
from typing import Dict, List

FIELDS = ("name", "company", "email", "phone", "code", "locale", "type", "monthly_shipments", "follow_up_id",
          "campaign")
ALIASES = {"company_name": "company", "e_mail": "email", "phone_code": "code", "follow_up": "follow_up_id",
           "locale_id": "locale"}
DELIMITERS = ",;\t"


class CsvProblem(ValueError):
    """The file cannot be read as a CSV of prospects."""


@dataclass
class CsvRows:
    rows: List[Dict[str, str]] = field(default_factory=list)
    lines: List[int] = field(default_factory=list)  # the file line each row starts on (the header is line 1)
    ignored_columns: List[str] = field(default_factory=list)
    blank_lines: int = 0


def column_name(header):
    name = header.replace("\ufeff", "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(name, name)


def delimiter_of(first_line):
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_rows(handle) -> CsvRows:
    """The rows of an open text file (newline=""), each with the document's field names."""
    text = handle.read()
    if not text.strip():
        raise CsvProblem("the file is empty")
    first_line = text.splitlines()[0]
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter_of(first_line))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise CsvProblem("line 1: {}".format(exc))
    names = [column_name(cell) for cell in header]
    known = [name if name in FIELDS else None for name in names]
    if not any(known):
        raise CsvProblem("line 1 names none of the columns {}".format(", ".join(FIELDS)))
    duplicated = sorted({name for name in known if name and known.count(name) > 1})
    if duplicated:
        raise CsvProblem("line 1 names {} more than once".format(", ".join(duplicated)))
    ignored = [cell.strip() for cell, name in zip(header, known) if name is None and cell.strip()]
    result = CsvRows(ignored_columns=ignored)
    line = reader.line_num + 1
    try:
        for cells in reader:
            row = {name: cell.strip() for name, cell in zip(known, cells) if name and cell.strip()}
            if row:
                result.rows.append(row)
                result.lines.append(line)
            else:
                result.blank_lines += 1
            line = reader.line_num + 1
    except csv.Error as exc:
        raise CsvProblem("line {}: {}".format(line, exc))
    return result
