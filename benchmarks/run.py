"""The benchmark: engine speed, scale-out, peak memory and the optimiser, as one table.

Run by hand (not part of the tests):

    python benchmarks/run.py [--quick] [--skip-optimise] [--week] [--workers 2] [--repeat 3]

``--quick``: the engine (one round) and memory only, about a minute. Without it, the scale-out
(~2 minutes) and the optimiser on default.yaml and multiskill.yaml (minutes; week.yaml too
with ``--week``) follow. Progress goes to stderr, the table to stdout at the end.

The machine is shared: the ratios (measured in the same run, models interleaved) are the
figures to compare; absolute times are context. Targets are issue 14's; every figure with a
target carries a verdict (met / missed).
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling scripts, from anywhere

from ciw_model import NOT_INSTALLED, ciw_version  # noqa: E402
from engine import (  # noqa: E402
    CIW_HOURS,
    CIW_WARMUP_HOURS,
    DEFAULT_DAYS,
    HOURS,
    Speed,
    engine_speeds,
    erlang_a_abandonment,
)
from memory import RUNS, Peak, optimise_peak, simulate_peak  # noqa: E402
from optimiser_run import SCENARIOS, WEEK, OptimiseRun  # noqa: E402
from plain_simpy import AGENTS, AHT, PATIENCE, RATE  # noqa: E402
from scale import REPLICATIONS, scale_out  # noqa: E402

SIMPY_RATIO_TARGET = 5.0
"""ccsim / plain SimPy contacts per second on the M/M/n+M (issue 14)."""
HEAPQ_RATIO_TARGET = 300_000 / 480_000
"""ccsim / bare heapq: issue 14's >= 300,000 contacts/s where a bare heapq loop does ~480,000."""
ABANDON_FACTOR = 2.0
"""Each model's abandonment share within this factor of Erlang A's: the same queue (a model
without reneging, or with patience as a rate, is off by far more; noise is well within it)."""
FLAT_RATIO = 1.25
"""Peak RSS of 4N replications over N at most this: memory does not grow with replications."""
DETAIL_WIDTH = 60
"""Characters of the detail column; longer details wrap onto lines of their own."""
OPTIMISE_TARGETS = {"default.yaml": (60.0, 9_492.0)}
"""Issue 14's wall time (s, with 2 workers) and agent cost per day, per scenario."""


@dataclass(frozen=True)
class Row:
    """One line of the table; a heading when only ``what`` is set."""

    what: str
    figure: str = ""
    detail: str = ""
    target: str = ""
    verdict: str = ""


def verdict(ok: bool) -> str:
    """The verdict word of a figure against its target."""
    return "met" if ok else "missed"


def say(text: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(text, file=sys.stderr, flush=True)


def share(x: float | None) -> str:
    """An abandonment share as the table says it (nothing where not measured)."""
    return "" if x is None else f"abandon {x:.2%}"


def engine_rows(speeds: dict[str, Speed], ciw: bool) -> Iterator[Row]:
    """Contacts per second of every model, their abandonment shares, and the ratios."""
    yield Row(f"Engine: M/M/n+M, {RATE:g} calls/s, AHT {AHT:g} s, patience {PATIENCE:g} s "
              f"(exponential), {AGENTS} agents")
    ccsim, simpy, heapq = speeds["ccsim"], speeds["simpy"], speeds["heapq"]
    exact = erlang_a_abandonment()

    def model(label: str, speed: Speed, run: str) -> Row:
        return Row(label, f"{speed.rate:,.0f}/s",
                   f"{speed.contacts:,} contacts in {speed.seconds:.2f} s, {run}; "
                   f"{share(speed.abandon)}")

    yield model("ccsim engine (simulate_day, in-process)", ccsim, f"{HOURS} h")
    yield model("plain SimPy (plain_simpy.py)", simpy, f"{HOURS} h")
    if "ciw" in speeds:
        yield model(f"Ciw {ciw_version()} (reneging: exponential patience)", speeds["ciw"],
                    f"{CIW_HOURS} h, share after a {CIW_WARMUP_HOURS} h warm-up")
    elif ciw:
        yield Row(NOT_INSTALLED, "-")
    yield model("bare heapq event loop (bare_heapq.py)", heapq, f"{HOURS} h")
    yield Row("Erlang A abandonment (exact, stationary)", f"{exact:.2%}")
    shares = {name: s.abandon for name, s in speeds.items() if s.abandon is not None}
    worst = max(max(x / exact, exact / x) if x > 0 else math.inf for x in shares.values())
    yield Row("abandonment shares agree (same queue)", f"x{worst:.2f}",
              "farthest from Erlang A; " + ", ".join(f"{k} {x:.2%}" for k, x in shares.items()),
              f"within x{ABANDON_FACTOR:g}", "agree" if worst <= ABANDON_FACTOR else "DISAGREE")
    ratio = ccsim.rate / simpy.rate
    yield Row("ratio ccsim / plain SimPy", f"{ratio:.2f}", "",
              f">= {SIMPY_RATIO_TARGET:g}", verdict(ratio >= SIMPY_RATIO_TARGET))
    if "ciw" in speeds:
        yield Row("ratio ccsim / Ciw", f"{ccsim.rate / speeds['ciw'].rate:.1f}")
    ratio = ccsim.rate / heapq.rate
    yield Row("ratio ccsim / bare heapq", f"{ratio:.3f}", "issue 14: 300,000/s vs ~480,000/s",
              f">= {HEAPQ_RATIO_TARGET:.3f}", verdict(ratio >= HEAPQ_RATIO_TARGET))
    default = speeds["default"]
    yield Row("Engine: bundled default scenario, one replication at a time")
    yield Row("ccsim engine (simulate_day)", f"{default.rate:,.0f}/s",
              f"{default.contacts:,} contacts, {DEFAULT_DAYS} days in {default.seconds:.2f} s")
    yield Row("ratio default day / plain SimPy M/M/n+M", f"{default.rate / simpy.rate:.2f}")
    ratio = default.rate / heapq.rate
    yield Row("ratio default day / bare heapq M/M/n+M", f"{ratio:.3f}", "",
              f">= {HEAPQ_RATIO_TARGET:.3f}", verdict(ratio >= HEAPQ_RATIO_TARGET))


def scale_rows(workers: int, names: list[str]) -> Iterator[Row]:
    """Wall times of one run on 1 worker, a local pool and Dask; identical tallies."""
    for name in names:
        say(f"scale-out: {name}, {REPLICATIONS[name]} replications, three times")
        s = scale_out(name, workers)
        yield Row(f"Scale-out: simulate {name}, {s.replications} replications")
        yield Row("1 worker (this process)", f"{s.one_s:.1f} s", f"{s.one_cores:.2f} cores busy")
        yield Row(f"local process pool, {workers} workers", f"{s.pool_s:.1f} s",
                  f"speed-up {s.one_s / s.pool_s:.2f}, {s.pool_cores:.2f} cores busy, "
                  "pool start-up included")
        if s.dask_s is None or s.dask_start_s is None:
            yield Row(str(s.dask_missing), "-")
        else:
            yield Row(f"Dask LocalCluster, {workers} worker processes", f"{s.dask_s:.1f} s",
                      f"speed-up {s.one_s / s.dask_s:.2f}, cluster start {s.dask_start_s:.1f} s "
                      "apart")
        identical = [s.pool_identical] + ([] if s.dask_identical is None else [s.dask_identical])
        yield Row("identical tallies (np.array_equal)",
                  " / ".join("yes" if x else "NO" for x in identical),
                  "pool / Dask vs 1 worker" if len(identical) == 2 else "pool vs 1 worker",
                  "identical", verdict(all(identical)))


def memory_rows() -> Iterator[Row]:
    """Peak RSS of a child simulating N and 4N replications, one worker."""
    for name, n in RUNS.items():
        say(f"memory: {name}, {n} and {4 * n} replications in child processes")
        small, large = simulate_peak(name, n), simulate_peak(name, 4 * n)
        yield Row(f"Peak memory: simulate {name} in a child process, 1 worker")
        for reps, peak in ((n, small), (4 * n, large)):
            yield Row(f"{reps} replications", f"{peak.rss_mb:.0f} MB",
                      f"{peak.imported_mb:.0f} MB once ccsim was imported; {peak.seconds:.1f} s")
        ratio = large.rss_mb / small.rss_mb
        per_rep = (large.rss_mb - small.rss_mb) * 1024 / (3 * n)
        yield Row(f"ratio {4 * n} / {n} replications", f"{ratio:.2f}",
                  f"flat means ~1.0; {per_rep:+.0f} KB per replication",
                  f"<= {FLAT_RATIO:g}", "flat" if ratio <= FLAT_RATIO else "GROWS")


def optimise_rows(name: str, workers: int) -> Iterator[Row]:
    """Wall time, cost, verdict and comparisons of ``optimise_staffing``, and its peak RSS."""
    say(f"optimiser: {name} with {workers} workers, comparisons included (minutes)")
    peak: Peak = optimise_peak(name, workers)
    assert peak.result is not None
    run = OptimiseRun.from_json(peak.result)
    unit = "week" if name == WEEK else "day"
    seconds_target, cost_target = OPTIMISE_TARGETS.get(name, (None, None))
    timed_as_target = seconds_target is not None and workers == 2
    yield Row(f"Optimiser: optimise_staffing({name}, workers={workers}, compare=True), "
              "in a child process")
    yield Row("wall time, comparisons included", f"{run.seconds:.0f} s",
              f"{run.simulations} simulations, {run.contacts:,} contacts, "
              f"{peak.cores:.2f} cores busy",
              "" if seconds_target is None else f"< {seconds_target:g} s with 2 workers",
              verdict(run.seconds < seconds_target) if timed_as_target else "")
    yield Row(f"plan agent cost per {unit}", f"{run.agent_cost:,.0f}",
              f"{run.search_replications} search {unit}s, {run.verification_replications} "
              f"verification {unit}s",
              "" if cost_target is None else f"<= {cost_target:,.0f}",
              "" if cost_target is None else verdict(run.agent_cost <= cost_target))
    margin = "" if run.worst_margin is None else f"worst margin {run.worst_margin:+.3f}"
    yield Row("plan meets the target (verdict of DESIGN.md)", "yes" if run.meets_target else "no",
              "; ".join([margin, *run.why_not, *run.notes]).strip("; "), "meets",
              verdict(run.meets_target))
    for method, row in run.comparisons.items():
        if row.agent_cost is None:
            yield Row(f"  {method}", "skipped", str(row.skipped))
            continue
        margin = "" if row.worst_margin is None else f", worst margin {row.worst_margin:+.3f}"
        yield Row(f"  {method}", f"{row.agent_cost:,.0f}",
                  f"{row.agent_cost / run.agent_cost - 1:+.1%} vs plan; "
                  f"{'meets' if row.meets_target else 'misses'} the target{margin}")
    yield Row("peak RSS of the optimiser's process", f"{peak.rss_mb:.0f} MB",
              f"with its {workers} workers: {peak.tree_mb:.0f} MB at most at once (sampled)")


def table(rows: list[Row]) -> str:
    """The rows as plain text columns; headings on lines of their own, long details wrapped."""
    cells = [r for r in rows if r.figure or r.detail or r.target or r.verdict]
    head = Row("what", "figure", "detail", "target", "verdict")
    fields = ("what", "figure", "detail", "target", "verdict")
    widths = [max(len(getattr(r, f)) for r in [head, *cells]) for f in fields]
    widths[2] = min(widths[2], DETAIL_WIDTH)

    def lines(r: Row) -> list[str]:
        detail = textwrap.wrap(r.detail, DETAIL_WIDTH) or [""]
        first = [r.what.ljust(widths[0]), r.figure.rjust(widths[1]), detail[0].ljust(widths[2]),
                 r.target.ljust(widths[3]), r.verdict]
        more = [" " * (widths[0] + widths[1] + 4) + d for d in detail[1:]]
        return ["  ".join(first).rstrip(), *more]

    out = lines(head)
    out.append("-" * (sum(widths) + 2 * len(widths)))
    for r in rows:
        if r in cells:
            out += lines(r)
        else:
            out += ["", r.what] if len(out) > 2 else [r.what]
    return "\n".join(out)


def load() -> str:
    """The time and the machine's load averages (1, 5, 15 min)."""
    averages = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{datetime.datetime.now():%Y-%m-%d %H:%M} (load average {averages})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="engine (one round) and memory only: about a minute")
    parser.add_argument("--skip-optimise", action="store_true", help="leave out the optimiser")
    parser.add_argument("--week", action="store_true",
                        help="optimise scenarios/week.yaml too (minutes)")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes of the pool, the Dask cluster and the optimiser")
    parser.add_argument("--repeat", type=int, default=None,
                        help="engine: best of N rounds (default 3, 1 with --quick)")
    args = parser.parse_args()
    began = load()
    repeat = args.repeat or (1 if args.quick else 3)
    say(f"engine: {repeat} round(s) of every model")
    speeds = engine_speeds(repeat)
    rows = list(engine_rows(speeds, ciw=True))
    if not args.quick:
        rows += scale_rows(args.workers, list(REPLICATIONS))
    rows += memory_rows()
    if not (args.quick or args.skip_optimise):
        for name in SCENARIOS + ((WEEK,) if args.week else ()):
            rows += optimise_rows(name, args.workers)
    print(f"ccsim benchmark: Python {platform.python_version()}, {os.cpu_count()} cores; "
          f"started {began}, ended {load()}")
    print("Compare the ratios (measured in this run, models interleaved); on a shared machine "
          "absolute times are context.")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
