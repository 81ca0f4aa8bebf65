"""The launcher's Supervisor, driven round by round with a clock of the test's own, on real
processes: one that exits at once (a crash loop) and one that keeps running."""

import sys

from infra.processes import System
from infra.supervisor import Supervisor, restart_delay


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class CrashingGoals(System):
    """`goals` exits with 3 as soon as it starts; `directory` runs until stopped."""

    def command(self, name):
        code = "import sys; sys.exit(3)" if name == "goals" else "import time; time.sleep(600)"
        return [sys.executable, "-c", code]


def supervised(tmp_path, clock, **options):
    system = CrashingGoals(log_dir=str(tmp_path), components=["directory", "goals"])
    for name in system.components:
        system.start_component(name)
    return system, Supervisor(system, clock=clock, **options)


def crash_and_check(system, supervisor, clock, at):
    """Lets the current goals process exit, then runs one round at time `at`; the scheduled delay."""
    system.processes["goals"].wait(10)
    clock.now = at
    supervisor.check()
    slot = supervisor.slots[("goals", 0)]
    return slot.restart_at - at


def test_restart_delays_double_up_to_the_cap():
    assert [restart_delay(n, 1, 30) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_crashing_process_is_restarted_with_growing_delays_and_the_others_are_left_alone(tmp_path):
    clock = Clock()
    system, supervisor = supervised(tmp_path, clock, first_delay=1, max_delay=5, stable_seconds=60)
    try:
        directory = system.processes["directory"].pid
        supervisor.check()  # first round: every process is known from now
        delays = []
        for _ in range(5):
            crashed = system.processes["goals"].pid
            delay = crash_and_check(system, supervisor, clock, clock.now + 0.1)
            delays.append(delay)
            clock.now += delay - 0.01
            supervisor.check()
            assert system.processes["goals"].pid == crashed  # not before its delay
            clock.now += 0.01
            supervisor.check()
            assert system.processes["goals"].pid != crashed  # restarted once it has passed
        assert delays == [1, 2, 4, 5, 5]
        assert supervisor.restarts == 5
        assert system.processes["directory"].pid == directory and system.processes["directory"].poll() is None

        # after a stable period, the next exit waits the first delay again
        assert crash_and_check(system, supervisor, clock, clock.now + 61) == 1
    finally:
        system.stop()
    assert system.instances == {}
