"""Engine speed: simulated contacts per second, as a ratio to a plain SimPy model.

Run by hand (not part of the tests):  python benchmarks/engine.py [--repeat 3]

Measures, in one run on this machine:
* the ccsim engine on the bundled default scenario (one replication at a time, one process);
* the ccsim engine on an M/M/n+M of about 200,000 contacts (2 calls/s, AHT 180 s, patience
  120 s, 380 agents);
* the textbook SimPy model of that same queue: one process per call, a ``Resource`` of 380
  agents, ``yield request | timeout(patience)`` for abandonment, numbers drawn per call.
The ratio of the last two is the figure to watch (target: at least 3). Reference figures
measured on the development machine: plain SimPy ~50,000 contacts/s, Ciw ~12,000/s, a bare
heapq event loop ~400,000/s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import simpy

from ccsim.sim.loader import load_scenario
from ccsim.sim.model import simulate_day
from ccsim.sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
RATE, AHT, PATIENCE, AGENTS, HOURS = 2.0, 180.0, 120.0, 380, 28


def mmn_scenario() -> Scenario:
    return Scenario.model_validate({
        "name": "bench-mmn", "horizon": {"interval_minutes": 60, "intervals": HOURS},
        "contact_types": [{
            "name": "calls", "arrivals": {"per_interval": [RATE * 3600] * HOURS},
            "handle_time": {"distribution": "exponential", "mean": AHT},
            "patience": {"distribution": "exponential", "mean": PATIENCE},
        }],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": AGENTS}],
    })


def plain_simpy(seed: int) -> tuple[int, float]:
    """The one-process-per-call SimPy model; returns (contacts, abandonment rate)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    horizon = HOURS * 3600.0
    stats = {"calls": 0, "abandoned": 0}

    def call() -> simpy.events.ProcessGenerator:
        patience = rng.exponential(PATIENCE)
        with agents.request() as req:
            outcome = yield req | env.timeout(patience)
            if req not in outcome:
                stats["abandoned"] += 1
                return
            yield env.timeout(rng.exponential(AHT))

    def source() -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(rng.exponential(1 / RATE))
            if env.now >= horizon:
                return
            stats["calls"] += 1
            env.process(call())

    env.process(source())
    env.run()
    return stats["calls"], stats["abandoned"] / stats["calls"]


def timed(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for r in range(repeat):
        start = time.perf_counter()
        out = fn(r)
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs")
    repeat = parser.parse_args().repeat

    default = load_scenario(ROOT / "scenarios" / "default.yaml")
    t_default, rec_default = timed(lambda r: simulate_day(default, 7, r), repeat)
    mmn = mmn_scenario()
    t_engine, rec = timed(lambda r: simulate_day(mmn, 1, r), repeat)
    t_plain, (calls, plain_ab) = timed(plain_simpy, repeat)

    engine_rate = rec.size / t_engine
    plain_rate = calls / t_plain
    print(f"default scenario : {rec_default.size / t_default:>10,.0f} contacts/s "
          f"({rec_default.size:,} contacts in {t_default:.3f} s)")
    print(f"M/M/n+M  ccsim   : {engine_rate:>10,.0f} contacts/s "
          f"({rec.size:,} contacts in {t_engine:.3f} s, abandon {rec.abandoned.mean():.4f})")
    print(f"M/M/n+M  SimPy   : {plain_rate:>10,.0f} contacts/s "
          f"({calls:,} contacts in {t_plain:.3f} s, abandon {plain_ab:.4f})")
    print(f"ratio ccsim / plain SimPy: {engine_rate / plain_rate:.2f} (target >= 3)")


if __name__ == "__main__":
    main()
