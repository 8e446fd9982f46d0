"""Engine speed: simulated contacts per second, as ratios to other models of the same queue.

Run by hand (not part of the tests):  python benchmarks/engine.py [--repeat 3]

Measures, in one run on this machine (best of ``--repeat`` rounds; each round runs every model
once, so a machine whose speed drifts slows them alike):
* the ccsim engine in this process (``simulate_day``) on an M/M/n+M of about 200,000 contacts
  (2 calls/s for 28 hours, AHT 180 s, exponential patience of mean 120 s, 380 agents);
* the textbook SimPy model of that same queue (benchmarks/plain_simpy.py);
* Ciw's model of it with reneging (benchmarks/ciw_model.py; 5 hours, Ciw is slow), when Ciw
  is installed;
* a bare heapq event loop of it written by hand (benchmarks/bare_heapq.py), the floor;
* the ccsim engine on the bundled default scenario, ``DEFAULT_DAYS`` days one at a time.
Each model's abandonment share (over all rounds) is printed beside Erlang A's exact figure, to
show that they simulate the same queue. The ratios are the figures to compare (targets in run.py).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bare_heapq import bare_heapq
from ciw_model import NOT_INSTALLED, ciw_available, ciw_mmn
from plain_simpy import AGENTS, AHT, PATIENCE, RATE, plain_simpy

from ccsim.sim.loader import load_scenario
from ccsim.sim.model import simulate_day
from ccsim.sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
HOURS = 28
"""Hours of arrivals of the M/M/n+M runs (about 201,600 contacts)."""
CIW_HOURS, CIW_WARMUP_HOURS = 5, 1
"""Ciw's shorter run (about 36,000 contacts, ~7 s) and the part left out of its share."""
DEFAULT_DAYS = 20
"""Days of the default scenario simulated one after another in one timing."""


@dataclass(frozen=True)
class Speed:
    """One model's best timing, ``contacts`` simulated in ``seconds`` (wall, this process), and
    its abandonment share over all rounds (weighted by contacts; None where not measured)."""

    contacts: int
    seconds: float
    abandon: float | None

    @property
    def rate(self) -> float:
        """Contacts per second."""
        return self.contacts / self.seconds


Run = Callable[[int], tuple[int, float | None]]
"""One run of a model with a seed: (contacts, abandonment share)."""


def mmn_scenario() -> Scenario:
    """The benchmark queue of plain_simpy.py as a ccsim scenario, ``HOURS`` hours long."""
    return Scenario.model_validate({
        "name": "bench-mmn", "horizon": {"interval_minutes": 60, "intervals": HOURS},
        "contact_types": [{
            "name": "calls", "arrivals": {"per_interval": [RATE * 3600] * HOURS},
            "handle_time": {"distribution": "exponential", "mean": AHT},
            "patience": {"distribution": "exponential", "mean": PATIENCE},
        }],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": AGENTS}],
    })


def erlang_a_abandonment() -> float:
    """The queue's exact stationary abandonment share (Erlang A)."""
    from ccsim.optimise.erlang import erlang_a

    return erlang_a(AGENTS, RATE, 1 / AHT, 1 / PATIENCE).abandon_rate


def engine_runs(with_ciw: bool = True) -> dict[str, Run]:
    """The models to time, by name: ``ccsim``, ``simpy``, ``ciw`` (when installed and
    ``with_ciw``), ``heapq`` and ``default`` (the default scenario, no abandonment share)."""
    mmn = mmn_scenario()
    default = load_scenario(ROOT / "scenarios" / "default.yaml")

    def ccsim(seed: int) -> tuple[int, float | None]:
        records = simulate_day(mmn, seed, 0)
        return records.size, float(records.abandoned.mean())

    def default_days(seed: int) -> tuple[int, float | None]:
        return sum(simulate_day(default, seed, r).size for r in range(DEFAULT_DAYS)), None

    runs: dict[str, Run] = {"ccsim": ccsim, "simpy": lambda s: plain_simpy(s, HOURS)}
    if with_ciw and ciw_available():
        runs["ciw"] = lambda s: ciw_mmn(s, CIW_HOURS, CIW_WARMUP_HOURS)
    runs["heapq"] = lambda s: bare_heapq(s, HOURS)
    runs["default"] = default_days
    return runs


def engine_speeds(repeat: int, with_ciw: bool = True) -> dict[str, Speed]:
    """Best of ``repeat`` rounds per model (``engine_runs``); round r uses seed r + 1. One
    default day first loads what the engine loads lazily, outside the timings."""
    runs = engine_runs(with_ciw)
    simulate_day(load_scenario(ROOT / "scenarios" / "default.yaml"), 0, 0)
    best: dict[str, tuple[int, float]] = {}
    abandoned: dict[str, float] = dict.fromkeys(runs, 0.0)
    counted: dict[str, int] = dict.fromkeys(runs, 0)
    for r in range(repeat):
        for name, run in runs.items():
            began = time.perf_counter()
            contacts, share = run(r + 1)
            seconds = time.perf_counter() - began
            if name not in best or seconds < best[name][1]:
                best[name] = (contacts, seconds)
            if share is not None:
                abandoned[name] += share * contacts
                counted[name] += contacts
    return {name: Speed(contacts, seconds,
                        abandoned[name] / counted[name] if counted[name] else None)
            for name, (contacts, seconds) in best.items()}


LABELS = {"ccsim": "M/M/n+M  ccsim", "simpy": "M/M/n+M  SimPy", "ciw": "M/M/n+M  Ciw",
          "heapq": "M/M/n+M  heapq", "default": "default scenario"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N rounds")
    speeds = engine_speeds(parser.parse_args().repeat)
    for name, speed in speeds.items():
        share = "" if speed.abandon is None else f", abandon {speed.abandon:.4f}"
        print(f"{LABELS[name]:<17}: {speed.rate:>10,.0f} contacts/s "
              f"({speed.contacts:,} contacts in {speed.seconds:.3f} s{share})")
    if "ciw" not in speeds:
        print(NOT_INSTALLED)
    print(f"Erlang A abandonment (exact, stationary): {erlang_a_abandonment():.4f}")
    print(f"ratio ccsim / plain SimPy: {speeds['ccsim'].rate / speeds['simpy'].rate:.2f} "
          "(target >= 5)")


if __name__ == "__main__":
    main()
