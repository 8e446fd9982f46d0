"""The textbook SimPy model of an M/M/n+M queue, the reference ccsim's speed is measured by.

One process per call, a ``Resource`` of agents, ``yield request | timeout(patience)`` for
abandonment, numbers drawn per call: how most people write this model in SimPy. Run as a
script it simulates ``--replications`` days of ``--hours`` hours and prints the contacts, so
that it can be timed as a whole process beside ``ccsim run`` (benchmarks/startup.py).
"""

from __future__ import annotations

import argparse

import numpy as np
import simpy

RATE, AHT, PATIENCE, AGENTS = 2.0, 180.0, 120.0, 380
"""Calls per second, mean handle time (s), mean patience (s), agents."""


def plain_simpy(seed: int, hours: float) -> tuple[int, float]:
    """Simulate ``hours`` of the queue; return (contacts, abandonment rate)."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    horizon = hours * 3600.0
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=7.0)
    parser.add_argument("--replications", type=int, default=4)
    args = parser.parse_args()
    total = sum(plain_simpy(r, args.hours)[0] for r in range(args.replications))
    print(f"{total} contacts")


if __name__ == "__main__":
    main()
