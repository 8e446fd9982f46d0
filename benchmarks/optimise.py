"""Optimiser: wall time, simulated contacts, and cost beside the planners' methods.

Run by hand (not part of the tests):  python benchmarks/optimise.py [--workers 2] [--week]

For scenarios/default.yaml and scenarios/multiskill.yaml (and scenarios/week.yaml with
``--week``: minutes), runs ``optimise_staffing(scenario, workers=W, compare=True)`` as
``ccsim optimise`` does (comparisons included in the wall time) and prints its wall time,
simulations, contacts simulated, whether the plan meets the target, and the plan's agent cost
beside:
* the two-step method planners use today: Erlang C per interval, then the same shift IP;
* Erlang A per interval without shifts (no shift lumpiness and no simulation: the analytic
  figure planners quote as the least staffing can cost);
* separate specialists (multi-skill scenarios), optimised the same way.
Issue 14's targets for default.yaml with 2 workers: under 60 s, agent cost at most 9,492 per
day, the plan meets the target (run.py prints them with a verdict).
"""

from __future__ import annotations

import argparse

from optimiser_run import SCENARIOS, WEEK, optimise_run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--week", action="store_true", help="scenarios/week.yaml too (minutes)")
    args = parser.parse_args()
    for name in SCENARIOS + ((WEEK,) if args.week else ()):
        run = optimise_run(name, args.workers)
        print(f"{name}: {run.seconds:.1f} s with {run.workers} workers (comparisons included), "
              f"{run.simulations} simulations, {run.contacts:,} contacts simulated, meets the "
              f"target: {run.meets_target} ({run.search_replications} search days, "
              f"{run.verification_replications} verification days)")
        for note in run.why_not + run.notes:
            print(f"  note: {note}")
        margin = "" if run.worst_margin is None else f", worst margin {run.worst_margin:+.3f}"
        print(f"  plan agent cost          {run.agent_cost:>10,.2f}  "
              f"({'meets' if run.meets_target else 'misses'} the target{margin})")
        for method, row in run.comparisons.items():
            if row.agent_cost is None:
                print(f"  {method:<24} skipped: {row.skipped}")
                continue
            margin = "" if row.worst_margin is None else f", worst margin {row.worst_margin:+.3f}"
            print(f"  {method:<24} {row.agent_cost:>10,.2f}  "
                  f"({row.agent_cost / run.agent_cost - 1:+.1%} vs plan, "
                  f"{'meets' if row.meets_target else 'misses'} the target{margin})")


if __name__ == "__main__":
    main()
