"""Engine speed: simulated contacts per second, as a ratio to a plain SimPy model.

Run by hand (not part of the tests):  python benchmarks/engine.py [--repeat 3]

Measures, in one run on this machine:
* the ccsim engine on the bundled default scenario (one replication at a time, one process);
* the ccsim engine on an M/M/n+M of about 200,000 contacts (2 calls/s, AHT 180 s, patience
  120 s, 380 agents);
* the textbook SimPy model of that same queue (benchmarks/plain_simpy.py).
The ratio of the last two is the figure to watch (target: at least 3). Reference figures
measured on the development machine: plain SimPy ~50,000 contacts/s, Ciw ~12,000/s, a bare
heapq event loop ~400,000/s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from plain_simpy import AGENTS, AHT, PATIENCE, RATE, plain_simpy

from ccsim.sim.loader import load_scenario
from ccsim.sim.model import simulate_day
from ccsim.sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
HOURS = 28


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
    t_plain, (calls, plain_ab) = timed(lambda r: plain_simpy(r, HOURS), repeat)

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
