"""Reading the logs of the system the tests started (var/test-logs/<run id>/<component>.log)."""
import time


def read_logs(system, names, until, timeout=5):
    """{name: log text} of each component in `names`, once each `until[name]` marker is in its log
    (or after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        logs = {}
        for name in names:
            with open("{}/{}.log".format(system.log_dir, name)) as handle:
                logs[name] = handle.read()
        if all(marker in logs[name] for name, marker in until.items()) or time.monotonic() > deadline:
            return logs
        time.sleep(0.1)


def lines_with(text, marker):
    return [line for line in text.splitlines() if marker in line]
