"""Optimiser: wall time, simulated contacts, and cost beside the planners' methods.

Run by hand (not part of the tests):  python benchmarks/optimise.py [--workers 2]

For scenarios/default.yaml and scenarios/multiskill.yaml, prints the wall time and contacts
simulated by ``optimise_staffing``, and the plan's agent cost per day beside:
* the two-step method planners use today: Erlang C per interval, then the same shift IP;
* Erlang A per interval without shifts (no shift lumpiness and no simulation: the analytic
  figure planners quote as the least staffing can cost);
* separate specialists (multi-skill scenarios), optimised the same way.
Target: a day of 24 intervals and 3 types optimised in under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ccsim.optimise.plan import optimise_staffing
from ccsim.sim.loader import load_scenario

HERE = Path(__file__).resolve().parent

ROOT = HERE.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    workers = parser.parse_args().workers
    for name in ("default.yaml", "multiskill.yaml"):
        scenario = load_scenario(ROOT / "scenarios" / name)
        began = time.monotonic()
        plan = optimise_staffing(scenario, workers=workers, compare=False)
        seconds = time.monotonic() - began
        compared = optimise_staffing(scenario, workers=workers, compare=True).comparisons
        agents = plan.cost["agents"]
        print(f"{name}: {seconds:.1f} s, {plan.simulations} simulations, "
              f"{plan.contacts:,} contacts simulated, meets the target: {plan.meets_target} "
              f"({plan.search_replications} search days, {plan.verified.replications} "
              "verification days)")
        print(f"  plan agent cost          {agents:>10,.2f} per day")
        for method, row in compared.items():
            if "skipped" in row:
                print(f"  {method:<24} skipped: {row['skipped']}")
                continue
            cost = float(row["agent_cost"])
            print(f"  {method:<24} {cost:>10,.2f}  ({cost / agents - 1:+.1%} vs plan, "
                  f"{'meets' if row['meets_target'] else 'misses'} the target, "
                  f"worst margin {row['worst_margin']:+.3f})")


if __name__ == "__main__":
    main()
