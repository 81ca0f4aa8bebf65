"""Each process's metrics port (infra.processes): numbered from METRICS_PORT_BASE per component
slot and instance, or free ones with base 0; given to the process in METRICS_PORT and kept when
the launcher starts it again."""

import os
import sys

import pytest

from infra import settings
from infra.processes import ENTRYPOINTS, METRICS_SLOTS, System, metrics_port
from infra.settings import SettingsError


def test_ports_are_numbered_by_component_slot_and_instance():
    assert set(METRICS_SLOTS) == set(ENTRYPOINTS)
    assert len(set(METRICS_SLOTS.values())) == len(METRICS_SLOTS)
    assert [metrics_port("gateway", index, 9100) for index in range(2)] == [9100, 9101]
    assert [metrics_port(name, 0, 9100) for name in ("directory", "accounts", "prospects", "deals", "goals")] == [
        9110,
        9120,
        9130,
        9140,
        9150,
    ]
    assert metrics_port("deals", 9, 9100) == 9149
    with pytest.raises(ValueError, match="METRICS_PORT_BASE=0"):
        metrics_port("deals", 10, 9100)  # would be goals' first


def test_base_zero_takes_free_ports():
    ports = {metrics_port("deals", index, 0) for index in range(12)}
    assert len(ports) == 12 and all(port > 1024 for port in ports)


class PortReporter(System):
    """Each process writes the METRICS_PORT it was given to <log dir>/<component>-<pid>.port."""

    def command(self, name):
        code = (
            "import os; open(os.path.join({!r}, '{}-%d.port' % os.getpid()), 'w').write(os.environ['METRICS_PORT'])"
        ).format(self.log_dir, name)
        return [sys.executable, "-c", code]


def given_port(system, process):
    process.wait(10)
    with open(os.path.join(system.log_dir, "{}-{}.port".format("deals", process.pid))) as handle:
        return int(handle.read())


def test_each_process_gets_its_port_and_keeps_it_when_started_again(tmp_path):
    system = PortReporter(
        env=dict(os.environ, METRICS_PORT_BASE="9300", DEALS_PROCESSES="2"), log_dir=str(tmp_path), components=["deals"]
    )
    system.start_component("deals")
    assert system.metrics_ports == {"deals": [9340, 9341]}
    assert [given_port(system, process) for process in system.instances["deals"]] == [9340, 9341]
    assert given_port(system, system.respawn("deals", 1)) == 9341
    assert system.metrics_urls() == {"deals": ["http://127.0.0.1:9340/metrics", "http://127.0.0.1:9341/metrics"]}


@pytest.mark.parametrize(
    "variable, value", [("LOG_FORMAT", "xml"), ("METRICS_PORT", "ninety"), ("METRICS_PORT_BASE", "nine")]
)
def test_a_bad_log_format_or_port_is_refused(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        settings.reload()


def test_logs_are_json_unless_asked_otherwise(monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert settings.reload().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "Console")
    assert settings.reload().log_format == "console"
