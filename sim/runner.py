"""Replications: independent simulated days handed to a ``concurrent.futures.Executor``.

Replication ``r`` draws only from ``SeedSequence(seed, spawn_key=(r, ...))``, so the numbers are
identical whether the days run in this process, in a local process pool or on a Dask cluster
(any Executor), and in whatever order they finish.
"""

from __future__ import annotations

import math
import multiprocessing
import signal
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from ccsim.sim.horizon import simulate_horizon
from ccsim.sim.kpis import Summary, Tallies, summarise
from ccsim.sim.loader import ScenarioError
from ccsim.sim.records import ContactLog, contact_log
from ccsim.sim.scenario import Scenario
from ccsim.sim.tally import DayTally, tally

CONNECT_TIMEOUT_S = 10
"""How long to wait for a Dask scheduler, seconds."""
TASKS = 16
"""A run in a pool is sent as at most this many tasks, blocks of consecutive days."""
MAX_CONTACTS = 50_000_000
"""Expected contacts over all replications above which a run must be forced."""


@dataclass(frozen=True)
class RunResult:
    """A finished run: what was simulated, every replication's sums, and the KPIs."""

    scenario: Scenario
    seed: int
    replications: int
    tallies: Tallies

    @cached_property
    def summary(self) -> Summary:
        """The KPIs with their confidence intervals, computed when first asked for (the
        optimiser judges most of its runs from the sums alone)."""
        return summarise(self.tallies, self.scenario)


@contextmanager
def worker_pool(workers: int, executor: Executor | None = None) -> Iterator[Executor | None]:
    """The executor to use: the one given, a local process pool for ``workers`` > 1 (shut down
    on exit), or None (this process). Pools use ``spawn``, safe whatever threads are running."""
    if executor is not None or workers <= 1:
        yield executor
        return
    pool = _start_pool(workers)
    try:
        yield pool
    except BaseException:  # interrupted, terminated or failed: stop now, not after the work
        _stop(pool)
        raise
    pool.shutdown()


def _start_pool(workers: int) -> ProcessPoolExecutor:
    """A spawn pool whose workers never see Ctrl-C (it reaches the whole process group; the
    parent stops them). They are started at once with SIGINT blocked, a mask they keep through
    exec, so even a worker still starting up cannot print a KeyboardInterrupt traceback."""
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for _ in range(workers):  # each submit starts a worker while none is idle yet
            pool.submit(int)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return pool


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers at once.

    ``ProcessPoolExecutor.terminate_workers`` exists only from Python 3.14, so the workers are
    reached through the pool's process table (the same processes that method ends).
    """
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


@contextmanager
def executor_for(workers: int = 1, scheduler: str | None = None) -> Iterator[Executor | None]:
    """Where replications run: a Dask cluster at ``scheduler`` (``tcp://host:8786``), else
    ``worker_pool(workers)``. An unreachable scheduler is bad input (``ScenarioError``)."""
    if scheduler is None:
        with worker_pool(workers) as pool:
            yield pool
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ScenarioError("--scheduler", [
            "running on a cluster needs Dask: pip install 'ccsim[cluster]'"]) from None
    probe_scheduler(scheduler)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ScenarioError("--scheduler", [
            f"cannot reach the Dask scheduler at {scheduler}: {exc}"]) from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def probe_scheduler(address: str) -> None:
    """Refuse, in bounded time, an address that is not a Dask scheduler (``ScenarioError``).

    Dask's own connect waits forever on a port that accepts and never answers, and reads an
    HTTP reply as a gigantic frame count. A scheduler sends its handshake as soon as a client
    connects (8 bytes: the count of frames that follow, a small number), so reading those
    first bytes with a deadline tells a scheduler from anything else.
    """
    url = urlsplit(address)
    if url.scheme != "tcp" or not url.hostname or url.port is None:
        raise ScenarioError("--scheduler", [
            f"{address!r} is not a Dask scheduler address; give tcp://HOST:PORT"])
    try:
        with socket.create_connection((url.hostname, url.port),
                                      timeout=CONNECT_TIMEOUT_S) as sock:
            sock.settimeout(CONNECT_TIMEOUT_S)
            head = sock.recv(8)
    except OSError as exc:  # refused, unreachable, unknown host, or silent (a timeout)
        reason = (f"no answer within {CONNECT_TIMEOUT_S} s" if isinstance(exc, TimeoutError)
                  else str(exc))
        raise ScenarioError("--scheduler", [
            f"cannot reach the Dask scheduler at {address}: {reason}"]) from None
    frames = int.from_bytes(head, "little") if len(head) == 8 else -1
    if not 0 < frames < 1000:
        raise ScenarioError("--scheduler", [
            f"{address} answers, but not as a Dask scheduler does"])


def run_replication(scenario: Scenario, seed: int, replication: int) -> DayTally:
    """Simulate one horizon (a day, or a week) and reduce it to its sums (the unit of work
    sent to workers)."""
    return tally(simulate_horizon(scenario, seed, replication), scenario)


def _task(args: tuple[Scenario, int, int, bool]) -> tuple[DayTally, ContactLog | None]:
    """One day's sums and, when asked for, its contacts (``--records``)."""
    scenario, seed, replication, with_log = args
    records = simulate_horizon(scenario, seed, replication)
    return tally(records, scenario), contact_log(records) if with_log else None


def _block(args: tuple[Scenario, int, int, int, bool]
           ) -> list[tuple[DayTally, ContactLog | None]]:
    """Consecutive replications ``first`` .. ``first + count - 1``, one task for a worker:
    a day is tens of milliseconds, so a task per day would spend a good part of a worker's
    time on sending work and results to and fro (and Dask's scheduler more)."""
    scenario, seed, first, count, with_log = args
    return [_task((scenario, seed, r, with_log)) for r in range(first, first + count)]


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    on_replication: Callable[[int], None] | None = None,
    first: int = 0,
    on_contacts: Callable[[int, ContactLog], None] | None = None,
) -> RunResult:
    """Simulate ``replications`` days of ``scenario`` (defaults: the scenario's own values).

    The days are replications ``first`` .. ``first + replications - 1`` of the seed: replication
    ``r`` is the same day whoever asks for it, so a run can be extended with more days
    (``extend``) and stays identical to one run of all of them.

    ``workers`` > 1 runs the days in a local process pool; ``executor`` runs them on any
    Executor (a Dask client's ``get_executor()``, say) instead. ``on_replication(done)`` is
    called as days finish, for progress displays. ``on_contacts(replication, log)``, when
    given, receives every day's contacts in replication order (whatever the executor), so
    they can be written out as they come instead of being held in memory.
    """
    reps = scenario.replications if replications is None else replications
    run_seed = scenario.seed if seed is None else seed
    if reps < 1:
        raise ValueError(f'"replications" must be >= 1, got {reps}.')
    with_log = on_contacts is not None
    days: list[DayTally] = []
    with worker_pool(workers, executor) as pool:
        # in a pool, a task is a block of days (at most TASKS of them per run), or one day
        # when its contacts are wanted (a block's would all be held at once)
        size = 1 if pool is None or with_log else math.ceil(reps / TASKS)
        blocks = [(scenario, run_seed, r, min(size, first + reps - r), with_log)
                  for r in range(first, first + reps, size)]
        done = pool.map(_block, blocks) if pool is not None else map(_block, blocks)
        for day, log in (item for block in done for item in block):
            if on_contacts is not None and log is not None:
                on_contacts(first + len(days), log)
            days.append(day)
            if on_replication:
                on_replication(len(days))
    tallies = Tallies.stack(days)
    return RunResult(scenario, run_seed, reps, tallies)


def extend(result: RunResult, replications: int, executor: Executor | None = None,
           on_replication: Callable[[int], None] | None = None) -> RunResult:
    """``result`` with ``replications`` days in all: the days it has, then the next ones of
    its seed (identical to simulating them all at once). Returns ``result`` itself when it has
    as many days already."""
    if replications <= result.replications:
        return result
    more = simulate(result.scenario, replications=replications - result.replications,
                    seed=result.seed, executor=executor, on_replication=on_replication,
                    first=result.replications)
    tallies = Tallies.concat(result.tallies, more.tallies)
    return RunResult(result.scenario, result.seed, replications, tallies)


def expected_contacts(scenario: Scenario, replications: int | None = None) -> float:
    """Forecast contacts over all replications (redials not included)."""
    reps = scenario.replications if replications is None else replications
    return scenario.expected_arrivals() * reps
