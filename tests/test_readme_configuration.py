"""The README's configuration table lists every setting the code reads: a setting added to
infra/settings.py, config.yaml or the launcher without a line in the README fails here."""
import os
import re

from infra.processes import ROOT

SOURCES = ("infra/settings.py", "config.yaml", "infra/processes.py", "infra/supervisor.py")
READ = re.compile(r"""(?:(?:_text|_flag|env\.get|environ\.get)\(|_number\((?:int|float),)\s*"([A-Z][A-Z0-9_]+)"|\$\{([A-Z][A-Z0-9_]+):""")


def read_settings():
    names = set()
    for source in SOURCES:
        with open(os.path.join(ROOT, source)) as handle:
            names |= {a or b for a, b in READ.findall(handle.read())}
    return names


def configuration_section():
    with open(os.path.join(ROOT, "README.md")) as handle:
        text = handle.read()
    return text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_lists_every_setting_the_code_reads():
    names = read_settings()
    assert {"JWT_SECRET", "AMQP_URI", "MAX_WORKERS", "GATEWAY_PROCESSES", "EVENT_RETRY_ATTEMPTS"} <= names
    section = configuration_section()
    missing = sorted(name for name in names if "`{}`".format(name) not in section)
    assert not missing, "settings read by the code but not in the README's configuration table: {}".format(missing)
    for pattern in ("`<SERVICE>_DATABASE_URL`", "`<SERVICE>_PROCESSES`"):
        assert pattern in section
