"""Reports a test wants seen whether or not it passes, and whatever pytest's capture: written under
var/test-artifacts/ and printed in the run's terminal summary (tests/conftest.py)."""
import os

from infra.processes import ROOT

ARTIFACTS = os.path.join(ROOT, "var", "test-artifacts")
REPORTS = []  # (title, text) in the order the tests made them


def publish(name, title, text):
    """Writes `text` to var/test-artifacts/<name> and has it printed at the end of the run."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    with open(path, "w") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
    REPORTS.append(("{} ({})".format(title, os.path.relpath(path, ROOT)), text))
    return path
