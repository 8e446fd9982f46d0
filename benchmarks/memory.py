"""Peak memory: the peak resident set of a child process running a simulation or an optimisation.

Run by hand (not part of the tests; Linux, it reads /proc):  python benchmarks/memory.py

Each measurement is a fresh Python process (this script with ``child ...``), so the figures do
not depend on what ran before. The child reports its own peak resident set (``VmHWM`` of
/proc/self/status: the high-water mark of its own memory since it started; ``ru_maxrss`` would
also carry the high-water mark of the parent it was forked from, 150 MB after the engine
benchmark) and the same once ccsim is imported (the floor). While it runs, the parent adds up
the resident sets of the child and every process below it (its pool's workers) every
``SAMPLE_S``: the peak of that sum is the memory the whole run held at once.

Printed: ``simulate`` of the default scenario with N and 4N replications and of the week with
n and 4n, one worker: flat memory (ratio 4N/N near 1.0) shows that a run keeps per-day sums,
not contacts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = {"default.yaml": 50, "week.yaml": 3}
"""N per scenario; each is measured with N and 4N replications."""
SAMPLE_S = 0.25
"""Seconds between two samples of the process tree's resident sets (a sample reads /proc,
~6 ms: sampling costs about 2% of a core)."""


@dataclass(frozen=True)
class Peak:
    """A child process's peak resident set (MiB; ``imported_mb`` once ccsim was imported),
    the sampled peak of the sum over it and its workers (MiB), and the wall time (s) and CPU
    time (s, its own and its workers') of its work; ``result`` is what the work returned (the
    optimiser's figures), if anything."""

    rss_mb: float
    imported_mb: float
    seconds: float
    cpu_s: float
    tree_mb: float = 0.0
    result: dict | None = None

    @property
    def cores(self) -> float:
        """Cores kept busy on average: CPU s / wall s (below the workers: a shared machine,
        or work that does not run in parallel)."""
        return self.cpu_s / self.seconds


def _status_mb(pid: int | str, key: str) -> float:
    """A memory line of /proc/PID/status (``VmHWM``, ``VmRSS``) in MiB; 0 if it has gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _tree_rss_mb(root: int) -> float:
    """Resident set of process ``root`` and all its descendants, MiB (now)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= below
        grew = bool(below)
    return sum(_status_mb(pid, "VmRSS") for pid in tree)


def in_child(*args: str) -> Peak:
    """Run ``memory.py child ARGS`` in a fresh process, sampling its process tree; its
    figures."""
    with subprocess.Popen([sys.executable, str(HERE / "memory.py"), "child", *args],
                          stdout=subprocess.PIPE, text=True, cwd=HERE) as child:
        tree = 0.0
        while child.poll() is None:
            tree = max(tree, _tree_rss_mb(child.pid))
            time.sleep(SAMPLE_S)
        out = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise RuntimeError(f"memory.py child {' '.join(args)} failed ({child.returncode})")
    return replace(Peak(**json.loads(out.strip().splitlines()[-1])), tree_mb=tree)


def simulate_peak(name: str, replications: int) -> Peak:
    """Peak RSS of ``simulate`` of scenarios/``name``, ``replications`` days, one worker."""
    return in_child("simulate", name, str(replications))


def optimise_peak(name: str, workers: int) -> Peak:
    """Peak RSS of ``optimise_staffing(..., compare=True)`` of scenarios/``name``; ``result``
    holds its ``OptimiseRun`` as a dict."""
    return in_child("optimise", name, str(workers))


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(kind: str, name: str, count: int) -> None:
    """The child's side: do the work, print the figures as one JSON line."""
    from ccsim.sim.loader import load_scenario
    from ccsim.sim.runner import simulate

    scenario = load_scenario(ROOT / "scenarios" / name)
    imported = _status_mb("self", "VmHWM")
    began, cpu = time.perf_counter(), _cpu_s()
    result = None
    if kind == "simulate":
        simulate(scenario, replications=count, workers=1)
    else:
        from optimiser_run import optimise_run

        result = asdict(optimise_run(name, count))
    peak = Peak(_status_mb("self", "VmHWM"), imported, time.perf_counter() - began,
                _cpu_s() - cpu, result=result)
    print(json.dumps(asdict(peak)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args().args
    if args and args[0] == "child":
        child(args[1], args[2], int(args[3]))
        return
    for name, n in RUNS.items():
        small, large = simulate_peak(name, n), simulate_peak(name, 4 * n)
        print(f"{name}: {n} replications {small.rss_mb:6.0f} MB, {4 * n} replications "
              f"{large.rss_mb:6.0f} MB: ratio {large.rss_mb / small.rss_mb:.2f} "
              f"(ccsim imported: {small.imported_mb:.0f} MB)")


if __name__ == "__main__":
    main()
