"""The one log configuration (infra.logs), as a process started with config.yaml's LOGGING gets it:
JSON lines by default, readable ones with LOG_FORMAT=console (what `make run` sets); our loggers
and the standard library's alike, with the correlation ids bound for the worker."""

import json
import os
import subprocess
import sys

import pytest

from infra.processes import ROOT

SCRIPT = """
import logging.config, yaml
from nameko.cli.main import setup_yaml_parser
from infra import correlation, logs
setup_yaml_parser()
with open("config.yaml") as handle:
    logging.config.dictConfig(yaml.safe_load(handle)["LOGGING"])
correlation.bind_event({"event_id": "e-1", "request_id": "r-1", "causation_id": "c-0"})
logs.get_logger("crm.test").info("ours", duration_ms=1.5)
logging.getLogger("nameko.test").warning("theirs %s", "formatted")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("nameko.test").exception("failed")
logging.getLogger("nameko.web.server").info("an access line nobody needs")
"""


def run(log_format):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONWARNINGS="ignore")
    if log_format:
        env["LOG_FORMAT"] = log_format
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return [line for line in done.stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("log_format", [None, "json"])
def test_every_line_is_a_json_object_with_the_correlation_ids(log_format):
    lines = run(log_format)
    records = [json.loads(line) for line in lines if not line.startswith(" ")]
    ours, theirs, failed = records
    assert list(ours)[:4] == ["timestamp", "level", "logger", "message"]
    assert ours["timestamp"].endswith("Z")
    assert (ours["level"], ours["logger"], ours["message"], ours["duration_ms"]) == ("info", "crm.test", "ours", 1.5)
    assert (theirs["level"], theirs["logger"], theirs["message"]) == ("warning", "nameko.test", "theirs formatted")
    for record in records:
        assert (record["request_id"], record["event_id"], record["causation_id"]) == ("r-1", "e-1", "c-0")
    assert failed["level"] == "error" and "ZeroDivisionError" in failed["exception"]
    assert len(lines) == 3  # one line each, the traceback inside its record; eventlet's access lines are off


def test_console_lines_are_readable():
    lines = run("console")
    assert not [line for line in lines if line.startswith("{")]
    assert "[info" in lines[0] and "ours" in lines[0] and "[crm.test]" in lines[0]
    assert "duration_ms=1.5" in lines[0] and "request_id=r-1" in lines[0] and "event_id=e-1" in lines[0]
    assert "theirs formatted" in lines[1] and "[nameko.test]" in lines[1]
    assert "Traceback" in "\n".join(lines[2:])
