"""Scale-out: one run of many replications on 1 worker, a local process pool and Dask.

Run by hand (not part of the tests):  python benchmarks/scale.py [--workers 2] [--no-week]

Times ``ccsim.sim.runner.simulate(scenario, replications=N, workers=W)`` with W = 1 (this
process) and W = ``--workers`` (a local process pool, its start-up included, as ``ccsim run
--workers`` pays it), and on a Dask ``LocalCluster`` of ``--workers`` one-thread worker
processes through ``client.get_executor()`` (the cluster is started before the clock, its
start-up printed apart). N is chosen so that one worker takes 10-20 s. The three runs must give
identical tallies (the same days, whoever simulated them): that is checked and printed.
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ccsim.sim.kpis import Tallies
from ccsim.sim.loader import load_scenario
from ccsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parent.parent
REPLICATIONS = {"default.yaml": 400, "week.yaml": 60}
"""Replications per scenario: ~0.035 s per default day, ~0.22 s per week on one core."""


@dataclass(frozen=True)
class ScaleOut:
    """Wall times (s) of one run of ``replications`` on each executor, the cores the 1-worker
    and pool runs kept busy (CPU s / wall s: below 1 and ``workers`` the machine was shared),
    and whether the pool's and Dask's tallies are identical to one worker's."""

    scenario: str
    replications: int
    workers: int
    one_s: float
    pool_s: float
    one_cores: float
    pool_cores: float
    dask_s: float | None
    dask_start_s: float | None
    pool_identical: bool
    dask_identical: bool | None
    dask_missing: str | None = None


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def same(a: Tallies, b: Tallies) -> bool:
    """Whether two runs' tallies are identical, element for element."""
    return bool(np.array_equal(a.by_type, b.by_type) and np.array_equal(a.by_group, b.by_group))


def scale_out(name: str, workers: int, replications: int | None = None) -> ScaleOut:
    """Time ``simulate`` of scenarios/``name`` on 1 worker, a pool and a Dask cluster."""
    scenario = load_scenario(ROOT / "scenarios" / name)
    reps = REPLICATIONS.get(name, 100) if replications is None else replications
    began, cpu = time.perf_counter(), cpu_seconds()
    one = simulate(scenario, replications=reps, workers=1)
    one_s = time.perf_counter() - began
    one_cores = (cpu_seconds() - cpu) / one_s
    began, cpu = time.perf_counter(), cpu_seconds()
    pool = simulate(scenario, replications=reps, workers=workers)
    pool_s = time.perf_counter() - began
    pool_cores = (cpu_seconds() - cpu) / pool_s
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        return ScaleOut(name, reps, workers, one_s, pool_s, one_cores, pool_cores, None, None,
                        same(one.tallies, pool.tallies), None,
                        "Dask: not installed (pip install 'ccsim[cluster]')")
    began = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(workers)
        start_s = time.perf_counter() - began
        began = time.perf_counter()
        dask = simulate(scenario, replications=reps, executor=client.get_executor())
        dask_s = time.perf_counter() - began
    return ScaleOut(name, reps, workers, one_s, pool_s, one_cores, pool_cores, dask_s, start_s,
                    same(one.tallies, pool.tallies), same(one.tallies, dask.tallies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-week", action="store_true", help="the default scenario only")
    args = parser.parse_args()
    names = ["default.yaml"] if args.no_week else list(REPLICATIONS)
    for name in names:
        s = scale_out(name, args.workers)
        print(f"{name}, {s.replications} replications:")
        print(f"  1 worker           {s.one_s:7.2f} s  ({s.one_cores:.2f} cores busy)")
        print(f"  pool of {s.workers}          {s.pool_s:7.2f} s  speed-up {s.one_s / s.pool_s:.2f}"
              f"  identical tallies: {s.pool_identical}  ({s.pool_cores:.2f} cores busy)")
        if s.dask_s is None:
            print(f"  {s.dask_missing}")
            continue
        print(f"  Dask LocalCluster  {s.dask_s:7.2f} s  speed-up {s.one_s / s.dask_s:.2f}"
              f"  identical tallies: {s.dask_identical}  (cluster start {s.dask_start_s:.1f} s)")


if __name__ == "__main__":
    main()
