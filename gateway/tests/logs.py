"""Reading the logs of the system the tests started (var/test-logs/<run id>/<component>.log): one
JSON object per line (infra/logs.py); lines that are not JSON (a warning Python printed before the
logging was configured) are skipped."""
import json
import time


def read_logs(system, names, until, timeout=5):
    """{name: log text} of each component in `names`, once each `until[name]` is in its log (or after
    `timeout` seconds): a text marker, or a predicate over the log's records."""
    deadline = time.monotonic() + timeout
    while True:
        logs = {}
        for name in names:
            with open("{}/{}.log".format(system.log_dir, name)) as handle:
                logs[name] = handle.read()
        found = all(wanted(records(logs[name])) if callable(wanted) else wanted in logs[name]
                    for name, wanted in until.items())
        if found or time.monotonic() > deadline:
            return logs
        time.sleep(0.1)


def records(text):
    """The log lines of `text` as dicts."""
    parsed = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                parsed.append(json.loads(line))
            except ValueError:
                pass
    return parsed


def records_with(text, **fields):
    """The records of `text` holding each of `fields` with that value."""
    return [record for record in records(text) if all(record.get(key) == value for key, value in fields.items())]


def has_record(**fields):
    """A `read_logs` condition: some record holds each of `fields` with that value."""
    return lambda found: any(all(record.get(key) == value for key, value in fields.items()) for record in found)


def lines_with(text, marker):
    return [line for line in text.splitlines() if marker in line]
