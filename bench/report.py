"""The report of a `make bench` run: the table (one row per scenario), the issue's targets against
the run's numbers, and the result files bench/results/full.{json,md} or quick.{json,md}, replaced
by every run (git keeps the earlier ones). `python -m bench.run --rewrite <json>` rebuilds the
table and the .md of a result with this module's code.
"""
import json
import os

from bench.support import RESULTS_DIR
from infra.processes import ROOT

DISTURBED_PERCENT = 5  # other processes' share of the machine during a phase above which a run is disturbed
REFERENCES = ("constant_http", "stock_hop")


def measured_phases(report):
    """Every load phase of the report (scenarios, deep pages, extra modules' rows, freshness)."""
    results = list(report.get("scenarios", {}).values())
    results += [entry["result"] for entry in report.get("depth", {}).values()]
    results += [result for rows in report.get("modules", {}).values() for result in rows.values()]
    for result in results:
        yield from (result[phase] for phase in ("saturate", "constant_rate") if phase in result)
    for fresh in [report.get("freshness")] + list(report.get("freshness_sweep", {}).values()):
        if fresh:
            yield fresh


def busiest_other_share(report):
    """The largest share of the machine (%) other processes used during a phase, or before the start."""
    shares = [(phase.get("metrics") or {}).get("cpu", {}).get("other_processes_percent_of_machine") or 0
              for phase in measured_phases(report)]
    shares.append(report.get("before_start", {}).get("machine_busy_percent") or 0)
    shares += [result.get("other_processes_percent_of_machine") or 0
               for result in (report.get("cpu_budget") or {}).get("after", {}).values()]
    return max(shares)


def disturbance_note(report):
    """A warning line when other work on the machine disturbed the run, else None."""
    share = busiest_other_share(report)
    if share <= DISTURBED_PERCENT:
        return None
    return ("**DISTURBED RUN**: other processes used up to {:.0f}% of the machine during a phase (or before the "
            "start); its numbers are lower than this code's and not comparable with an undisturbed run.".format(share))


def ratio_of(a, b):
    if a is None or b in (None, 0):
        return None
    return round(a / b, 2)


def _fmt(value, digits=1):
    return "–" if value is None else ("{:.%df}" % digits).format(value)


def table(report):
    scenarios = report["scenarios"]
    hop = scenarios["stock_hop"]
    hop_rps, hop_p99 = hop["saturate"]["ok_rps"], hop["constant_rate"].get("p99_ms")
    lines = [
        "| scenario | req/s @{c} conns | × stock hop | p99 @{c} conns (ms) | constant rate (req/s) | p50 / p95 / p99 (ms) | "
        "p99 × stock hop | non-2xx / 429 / errors | other processes' CPU |".format(c=report["settings"]["connections"]),
        "|---|---:|---:|---:|---:|---|---:|---|---:|"]

    def row(name, result):
        sat, steady = result["saturate"], result["constant_rate"]
        statuses = {}
        for phase in (sat, steady):
            for status, n in phase.get("statuses", {}).items():
                statuses[status] = statuses.get(status, 0) + n
        non2xx = sum(n for status, n in statuses.items() if not status.startswith("2"))
        errors = sat.get("errors", 0) + steady.get("errors", 0)
        foreign = max(phase.get("metrics", {}).get("cpu", {}).get("other_processes_percent_of_machine") or 0
                      for phase in (sat, steady))
        lines.append("| {} | {} | {} | {} | {} | {} / {} / {} | {} | {} / {} / {} | {:.0f}% |".format(
            name, _fmt(sat["ok_rps"]), _fmt(ratio_of(sat["ok_rps"], hop_rps), 2), _fmt(sat.get("p99_ms")),
            _fmt(steady.get("target_rps")), _fmt(steady.get("p50_ms")), _fmt(steady.get("p95_ms")),
            _fmt(steady.get("p99_ms")), _fmt(ratio_of(steady.get("p99_ms"), hop_p99), 2), non2xx,
            statuses.get("429", 0), errors, foreign))

    for name, result in scenarios.items():
        row(name if name not in REFERENCES else "*{}* (reference)".format(name), result)
    for name, entry in report.get("depth", {}).items():
        row(name, entry["result"])
    for rows in report.get("modules", {}).values():
        for name, result in rows.items():
            row(name, result)
    fresh = report.get("freshness")
    quiet = report.get("before_start", {})
    if report.get("modules_only"):
        data_set = "only the scenario modules ({}) with their own data".format(", ".join(report.get("modules", {})))
    else:
        data_set = "data set: {:,} accounts, {:,} deals, {:,} goals in the big workspace (+{} small ones)".format(
            report["sizes"]["big"]["accounts"], report["sizes"]["big"]["deals"], report["sizes"]["big"]["goals"],
            report["sizes"]["small_count"])
    out = ["Mode: {}; {} CPUs ({}); {}; {:.1f} min in all.".format(
               report["mode"], report["machine"]["nproc"], report["machine"]["cpu_model"], data_set,
               report.get("total_seconds", 0) / 60),
           "Processes per component: {}. Machine busy before the start: {}% (other processes' CPU column: their "
           "share of the machine during the scenario's phases, the larger of the two; anything above a few percent "
           "means the numbers are disturbed).".format(
               ", ".join("{} {}".format(k, v) for k, v in report.get("processes", {}).items()) or "?",
               quiet.get("machine_busy_percent")), ""] + lines
    if fresh:
        f, http = fresh.get("freshness", {}), fresh["http"]
        out += ["", "Event freshness (deal update answered → goal_progress_changed received) at {:.0f} deal updates/s: "
                "p50 {} / p95 {} / p99 {} ms, max {} ms (n={}; {} updates without an event); the updates' HTTP p50 {} / "
                "p99 {} ms; still queued in the load generator at the end (the system could not keep up): {}; other "
                "non-2xx {}, errors {}.".format(
                    fresh["rate_total"], _fmt(f.get("p50_ms")), _fmt(f.get("p95_ms")), _fmt(f.get("p99_ms")),
                    _fmt(f.get("max_ms")), f.get("n", 0), fresh["probe_updates_without_event"], _fmt(http.get("p50_ms")),
                    _fmt(http.get("p99_ms")), http.get("unfinished", 0),
                    sum(n for s, n in http.get("statuses", {}).items() if not s.startswith("2") and s != "0"),
                    http.get("errors", 0))]
    sweep = report.get("freshness_sweep")
    if sweep:
        out += ["", "Event freshness at lower rates: " + "; ".join(
            "{:.0f}/s: p50 {} / p99 {} ms (HTTP p99 {} ms, {} still queued at the end)".format(
                entry["rate_total"], _fmt(entry.get("freshness", {}).get("p50_ms")),
                _fmt(entry.get("freshness", {}).get("p99_ms")), _fmt(entry["http"].get("p99_ms")),
                entry["http"].get("unfinished", 0)) for entry in sweep.values()) + "."]
    iso = report.get("isolation")
    if iso:
        out += ["", "Other workspaces' size: a small workspace's reads at {}/s before → after loading the big "
                "workspace, p50 ms: {}.".format(report["settings"].get("isolation_rate", "fixed"), "; ".join(
                    "{} {} → {} (×{})".format(name, _fmt(v["before_p50_ms"]), _fmt(v["after_p50_ms"]),
                                             _fmt(v["p50_ratio"], 2)) for name, v in iso.items()))]
    depth = report.get("depth")
    if depth:
        out += ["", "Depth: last page vs first page (saturated throughput ratio; constant-rate p50 ratio): {}.".format(
            "; ".join("{} ×{} / ×{}".format(name, _fmt(v["throughput_ratio_to_first_page"], 2),
                                            _fmt(v["p50_ratio_to_first_page"], 2)) for name, v in depth.items()))]
    return "\n".join(out)


FLAT = 1.25  # "costs the same": within 25% (phases of a few seconds on a 2-core machine are that noisy)


def targets(report):
    """The issue's targets against this run's numbers: [(target, measured, verdict)]."""
    scenarios, rows = report["scenarios"], []
    hop = scenarios["stock_hop"]["saturate"]["ok_rps"]

    def verdict(ok):
        return "met" if ok else "MISSED"

    for name in ("get_account", "goal_progress"):
        result = scenarios.get(name)
        if not result:
            continue
        ratio = ratio_of(result["saturate"]["ok_rps"], hop)
        rows.append(("{}: ≥ 2× stock hop throughput at {} connections".format(name, report["settings"]["connections"]),
                     "×{}".format(_fmt(ratio, 2)), verdict(ratio is not None and ratio >= 2)))
        steady_p99, closed_p99 = result["constant_rate"].get("p99_ms"), result["saturate"].get("p99_ms")
        rows.append(("{}: p99 < 25 ms".format(name),
                     "{} ms at {}/s (open loop); {} ms at {} connections (closed loop)".format(
                         _fmt(steady_p99), _fmt(result["constant_rate"].get("target_rps")), _fmt(closed_p99),
                         report["settings"]["connections"]),
                     "{} / {}".format(verdict(steady_p99 is not None and steady_p99 < 25),
                                      verdict(closed_p99 is not None and closed_p99 < 25))))
    for name in ("create_deal", "update_deal_state"):
        result = scenarios.get(name)
        if result:
            ratio = ratio_of(result["saturate"]["ok_rps"], hop)
            rows.append(("{}: ≥ 1× stock hop throughput".format(name), "×{}".format(_fmt(ratio, 2)),
                         verdict(ratio is not None and ratio >= 1)))
    fresh = report.get("freshness")
    if fresh:
        p99 = fresh.get("freshness", {}).get("p99_ms")
        ok = p99 is not None and p99 < 100 and not fresh["probe_updates_without_event"]
        capacity = scenarios.get("update_deal_state", {}).get("saturate", {}).get("ok_rps")
        rows.append(("event freshness p99 < 100 ms at {:.0f} deal updates/s".format(fresh["rate_total"]),
                     "{} ms (the updates' HTTP p99 {} ms, {} still queued at the end; deal updates saturate at "
                     "{}/s)".format(_fmt(p99), _fmt(fresh["http"].get("p99_ms")), fresh["http"].get("unfinished", 0),
                                    _fmt(capacity)),
                     verdict(ok)))
    iso = report.get("isolation", {})
    if iso:
        worst = max(iso.items(), key=lambda item: item[1]["p50_ratio"] or 0)
        rows.append(("no endpoint's cost grows with other workspaces (small workspace p50 after/before ≤ {})".format(FLAT),
                     "worst {} ×{}".format(worst[0], _fmt(worst[1]["p50_ratio"], 2)),
                     verdict((worst[1]["p50_ratio"] or 0) <= FLAT)))
    for name, entry in report.get("depth", {}).items():
        ratio = entry["throughput_ratio_to_first_page"]
        rows.append(("{} costs the same as the first page (saturated throughput ratio ≥ {:.2f})".format(name, 1 / FLAT),
                     "×{} (constant-rate p50 ×{})".format(_fmt(ratio, 2), _fmt(entry["p50_ratio_to_first_page"], 2)),
                     verdict(ratio is not None and ratio >= 1 / FLAT)))
    for entry in report.get("reconcile_after_writes", []):
        rows.append(("{} figures equal a recount after the writes (reconcile --local, big workspace)".format(
            entry["service"]), " | ".join(entry["output"]) or "no output", verdict(entry["exit_status"] == 0)))
    return rows


def targets_table(report):
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += ["| {} | {} | {} |".format(*row) for row in targets(report)]
    return "\n".join(lines)


def _cpu_columns(result):
    """A cpu_budget result's CPU ms per request summed by kind of process (the load generator left out)."""
    columns = dict.fromkeys(("gateway", "services", "PostgreSQL", "RabbitMQ", "Redis + kernel"), 0.0)
    for process, ms in result["cpu_ms_per_request"].items():
        if process.startswith("bench") or "others" in process:
            continue
        if process.startswith("gateway") or process.endswith("Gateway"):  # ours, or the stock hop's
            columns["gateway"] += ms
        elif process in ("PostgreSQL", "RabbitMQ"):
            columns[process] += ms
        elif process in ("Redis", "kernel"):
            columns["Redis + kernel"] += ms
        else:  # a service's process (`deals0`) or a reference service's (`ref:...`)
            columns["services"] += ms
    return columns


def cpu_budget_table(budget):
    """Issue 15's table: CPU ms per request in every process, before (results/cpu_budget-before.json)
    and after (this run), each the median of its runs, the after split by kind of process; each also
    as a multiple of its own run's stock hop, which holds across machines (the ms do not)."""
    before, after = budget.get("before") or {}, budget["after"]

    def total(results, name):
        return (results.get(name) or {}).get("system_cpu_ms_per_request")

    lines = ["CPU milliseconds per request in every process (bench.cpu_budget on a system of its own, after the "
             "scenarios; before: {}, {}):".format(budget.get("before_file", "–"), budget.get("before_what", "–")), "",
             "| request | before | after | after / before | × stock hop before → after | gateway | services "
             "| PostgreSQL | RabbitMQ | Redis + kernel | CPU-bound req/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, result in after.items():
        was, now = total(before, name), result["system_cpu_ms_per_request"]
        columns = _cpu_columns(result)
        lines.append("| {} | {} | **{}** ({}) | {} | {} → {} | {} | {} |".format(
            name, _fmt(was, 2), _fmt(now, 2), "/".join(_fmt(run, 2) for run in result.get(
                "system_cpu_ms_per_request_runs", [now])), _fmt(ratio_of(now, was), 2),
            _fmt(ratio_of(was, total(before, "stock_hop")), 2), _fmt(ratio_of(now, total(after, "stock_hop")), 2),
            " | ".join(_fmt(ms, 2) for ms in columns.values()), _fmt(result.get("cpu_bound_rps"), 0)))
    return "\n".join(lines)


def render(report):
    note = disturbance_note(report)
    rendered = ((note + "\n\n") if note else "") + table(report) + "\n\nAgainst the issue's targets:\n\n" + \
        targets_table(report)
    if report.get("cpu_budget"):
        rendered += "\n\n" + cpu_budget_table(report["cpu_budget"])
    return rendered


def write_report(report, json_path=None):
    """Writes the report to `json_path` (default: bench/results/<mode>.json) and its table to the .md
    next to it; returns both paths."""
    os.makedirs(RESULTS_DIR, exist_ok=True)
    json_path = json_path or os.path.join(RESULTS_DIR, "{}.json".format(report["mode"]))
    md_path = json_path[:-len(".json")] + ".md"
    machine = report.get("machine", {})
    commit = (machine.get("git_commit") or "?")[:7] + (" with uncommitted changes" if machine.get("git_uncommitted")
                                                      else "")
    with open(json_path, "w") as handle:
        json.dump(report, handle, indent=1, default=str)
    with open(md_path, "w") as handle:
        handle.write("# Benchmark ({}), {} of {}\n\n{}\n\nWhat each column means: bench/README.md; raw numbers, "
                     "queue depths, pool waits and CPU per phase: {}\n".format(
                         report["mode"], report.get("started_at", "?")[:10], commit, report["table"],
                         os.path.basename(json_path)))
    return [os.path.relpath(json_path, ROOT), os.path.relpath(md_path, ROOT)]
