"""Issue 14: Schemathesis runs every operation of the running system's own /openapi.json, with real
credentials and real ids (tests/support/fuzz.py), through its examples, coverage, fuzzing and stateful
phases: no answer is a 5xx, every status is documented, every body and content type is the one
documented for its status. It runs in its own process (the test process is eventlet-patched); its
summary is printed at the end of the run and kept in var/test-artifacts/fuzz/."""
import json
import os
import subprocess
import sys

from gateway.openapi import build
from infra.processes import ROOT
from tests.support import fuzz
from tests.support.reports import ARTIFACTS, publish

REPORT_DIR = os.path.join(ARTIFACTS, "fuzz")


def summary_text(summary):
    requests = summary["requests"]
    lines = ["Schemathesis {schemathesis}: {seconds} s, stopped: {stop_reason}, seed {seed}".format(**summary),
             "operations: {tested} tested of {total} (errored {errored}, skipped {skipped})".format(
                 **summary["operations"]),
             "test cases generated: {generated}, with failures: {with_failures}".format(**summary["test_cases"]),
             "phases: " + ", ".join("{} {}".format(name, phase["status"]) for name, phase in summary["phases"].items()),
             "requests sent: {}".format(requests["sent"]),
             "by status: " + ", ".join("{} {}".format(status, count) for status, count in requests["by_status"].items()),
             "of which probes with a method the path does not take: " + ", ".join(
                 "{} {}".format(status, count) for status, count in requests["undocumented_method_probes"].items()),
             "failures: {}".format(json.dumps(summary["failures"]) if summary["failures"] else "none"),
             "errors: {}".format(json.dumps(summary["errors"]) if summary["errors"] else "none"),
             "warnings (not failures): " + "; ".join("{}: {}".format(name, len(value) if isinstance(value, list)
                                                                     else value)
                                                    for name, value in summary["warnings"].items())]
    lines += ["requests by operation:"] + ["  {:>5}  {}".format(count, operation)
                                           for operation, count in requests["by_operation"].items()]
    return "\n".join(lines)


def test_schemathesis_finds_no_5xx_and_no_answer_unlike_its_document(system):
    finished = subprocess.run([sys.executable, "-m", "tests.support.fuzz", system.base_url, REPORT_DIR],
                              cwd=ROOT, capture_output=True, text=True, timeout=fuzz.MAX_SECONDS + 60)
    assert finished.returncode == 0, finished.stderr[-3000:]
    summary = json.loads(finished.stdout)
    publish("fuzz-summary.txt", "Schemathesis fuzz", summary_text(summary))
    document = build()
    operations = sum(len(methods) for methods in document["paths"].values())
    assert summary["operations"]["total"] == summary["operations"]["tested"] == operations, summary["operations"]
    assert summary["failures"] == [] and summary["errors"] == [], (
        summary["failures"], summary["errors"], "see " + os.path.join(REPORT_DIR, "schemathesis-output.txt"))
    assert summary["exit_code"] == 0 and summary["stop_reason"] == "completed", summary
    assert all(phase["status"] == "success" for name, phase in summary["phases"].items() if name != "examples")
    assert not any(status.startswith("5") for status in summary["requests"]["by_status"])
    assert set(summary["requests"]["by_operation"]) == {
        "{} {}".format(method.upper(), path) for path, methods in document["paths"].items() for method in methods}
