"""Where one component's CPU goes under one kind of request: py-spy samples of the component's
process, taken only while it holds the GIL (its Python and C work, not its waiting), while the
bench.cpu_budget scenario runs, summarized as each function's share of the samples (inclusive).

    .venv/bin/python -m bench.profile deals update_deal [--seconds 14] [--top 40] [--match services/]

Components: directory, accounts, deals, goals, gateway (the first gateway process). Scenarios:
get_account, get_deal, create_deal, update_deal. The raw samples (py-spy's collapsed stacks) are
kept in var/profile-<component>-<scenario>.txt for a flame graph tool.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import threading
import time

from bench import loadgen
from bench.cpu_budget import prepare, scenarios
from bench.support import bench_environment, machine_lock
from infra.processes import ROOT

PY_SPY = os.path.join(os.path.dirname(sys.executable), "py-spy")


def record(pid, seconds, path):
    subprocess.run([PY_SPY, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200",
                    "--format", "raw", "--output", path, "--nonblocking", "--gil"], check=True,
                   capture_output=True)


def inclusive_shares(path):
    """(samples, {function (file): share of the samples whose stack contains it})."""
    counts, total = collections.Counter(), 0
    with open(path) as handle:
        for line in handle:
            stack, _, number = line.rstrip().rpartition(" ")
            if not stack:
                continue
            total += int(number)
            for frame in {re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")}:
                counts[frame] += int(number)
    return total, {frame: count / total for frame, count in counts.most_common()} if total else {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("component", choices=("directory", "accounts", "deals", "goals", "gateway"))
    parser.add_argument("scenario", choices=("get_account", "get_deal", "create_deal", "update_deal"))
    parser.add_argument("--seconds", type=float, default=14)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose name or file contains this")
    args = parser.parse_args()
    lock = machine_lock()  # noqa: F841  (one benchmark per machine; held until the process exits)
    path = os.path.join(ROOT, "var", "profile-{}-{}.txt".format(args.component, args.scenario))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with bench_environment(extra_env={"RATE_LIMIT_PER_SECOND": "1000000"}) as env:
        make_request = scenarios(*prepare(env.api))[args.scenario]
        load = threading.Thread(target=loadgen.saturate, args=(env.system.base_url, make_request),
                                kwargs={"connections": args.connections, "seconds": args.seconds + 6, "warmup": 0})
        load.start()
        time.sleep(3)
        record(env.system.pids()[args.component][0], args.seconds, path)
        load.join()
    total, shares = inclusive_shares(path)
    print("{} samples of {} under {} (inclusive share of the samples):".format(total, args.component, args.scenario))
    shown = 0
    for frame, share in shares.items():
        if args.match in frame and shown < args.top:
            print("{:6.1f}%  {}".format(100 * share, frame[:150]))
            shown += 1
    print("raw samples:", path)


if __name__ == "__main__":
    main()
