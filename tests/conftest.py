"""End-to-end tests' own hook: the reports they publish (tests/support/reports.py) end the run's output."""
from tests.support.reports import REPORTS


def pytest_terminal_summary(terminalreporter):
    for title, text in REPORTS:
        terminalreporter.section(title)
        terminalreporter.write_line(text.rstrip("\n"))
