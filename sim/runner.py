"""Replications: independent simulated days handed to a ``concurrent.futures.Executor``.

Replication ``r`` draws only from ``SeedSequence(seed, spawn_key=(r, ...))``, so the numbers are
identical whether the days run in this process, in a local process pool or on a Dask cluster
(any Executor), and in whatever order they finish.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sim.kpis import Summary, Tallies, summarise
from sim.model import simulate_day
from sim.scenario import Scenario
from sim.tally import DayTally, tally

MAX_CONTACTS = 50_000_000
"""Expected contacts over all replications above which a run must be forced."""


@dataclass(frozen=True)
class RunResult:
    """A finished run: what was simulated, every replication's sums, and the KPIs."""

    scenario: Scenario
    seed: int
    replications: int
    tallies: Tallies
    summary: Summary


@contextmanager
def worker_pool(workers: int, executor: Executor | None = None) -> Iterator[Executor | None]:
    """The executor to use: the one given, a local process pool for ``workers`` > 1 (shut down
    on exit), or None (this process). Pools use ``spawn``, safe whatever threads are running."""
    if executor is not None or workers <= 1:
        yield executor
        return
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown()


def run_replication(scenario: Scenario, seed: int, replication: int) -> DayTally:
    """Simulate one day and reduce it to its sums (the unit of work sent to workers)."""
    return tally(simulate_day(scenario, seed, replication), scenario)


def _task(args: tuple[Scenario, int, int]) -> DayTally:
    return run_replication(*args)


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    on_replication: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate ``replications`` days of ``scenario`` (defaults: the scenario's own values).

    ``workers`` > 1 runs the days in a local process pool; ``executor`` runs them on any
    Executor (a Dask client's ``get_executor()``, say) instead. ``on_replication(done)`` is
    called as days finish, for progress displays.
    """
    reps = scenario.replications if replications is None else replications
    run_seed = scenario.seed if seed is None else seed
    if reps < 1:
        raise ValueError(f'"replications" must be >= 1, got {reps}.')
    tasks = [(scenario, run_seed, r) for r in range(reps)]
    days: list[DayTally] = []
    with worker_pool(workers, executor) as pool:
        for day in (pool.map(_task, tasks) if pool is not None else map(_task, tasks)):
            days.append(day)
            if on_replication:
                on_replication(len(days))
    tallies = Tallies.stack(days)
    return RunResult(scenario, run_seed, reps, tallies, summarise(tallies, scenario))


def expected_contacts(scenario: Scenario, replications: int | None = None) -> float:
    """Forecast contacts over all replications (redials not included)."""
    reps = scenario.replications if replications is None else replications
    return scenario.expected_arrivals() * reps
