"""The `crm` console script as a user runs it: the installed `.venv/bin/crm` in a subprocess,
against the running test system (CRM_URL), with its own credentials directory per test."""
import json
import os
import subprocess
import sys

import pytest

from cli.credentials import FILE_NAME

CRM = os.path.join(os.path.dirname(sys.executable), "crm")  # installed by scripts/bootstrap.sh
PASSWORD = "correct-horse-battery"


class Crm:
    def __init__(self, base_url, config_dir):
        self.base_url, self.config_dir = base_url, config_dir

    def env(self, **extra):
        env = dict(os.environ, CRM_URL=self.base_url, CRM_CONFIG_DIR=self.config_dir, NO_COLOR="1")
        for name in ("CRM_API_KEY", "CRM_TOKEN", "CRM_PASSWORD", "CRM_DEBUG"):
            env.pop(name, None)
        env.update({name: str(value) for name, value in extra.items()})
        return env

    def __call__(self, *args, input=None, timeout=180, **env):
        """(exit code, stdout, stderr) of `crm args...` without a terminal."""
        done = subprocess.run([CRM, *args], env=self.env(**env), input=input, capture_output=True, text=True,
                              timeout=timeout, cwd="/")  # anywhere: the console script finds its code itself
        return done.returncode, done.stdout, done.stderr

    def ok(self, *args, **kwargs):
        code, out, err = self(*args, **kwargs)
        assert code == 0, (code, out, err)
        return out

    def stored(self):
        with open(os.path.join(self.config_dir, FILE_NAME)) as handle:
            return json.load(handle)[self.base_url]


@pytest.fixture
def crm(system, tmp_path):
    return Crm(system.base_url, str(tmp_path / "crm-config"))


def rows_of(output):
    """The rows of a plain (not a terminal) table: tab-separated cells, the header line first."""
    return [line.split("\t") for line in output.splitlines() if "\t" in line]


def one_line_error(err):
    """The error: one line, the last on stderr (notes about the run may come before it)."""
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("crm: ") and sum(line.startswith("crm: ") for line in lines) == 1, err
    return lines[-1]
