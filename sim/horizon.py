"""A replication of the whole horizon: its days simulated one after the other.

Each day runs on its own clock in its own day model (``sim.model``), opening empty. What
carries over the closed night is handed from one day to the next (``sim.carry``): e-mails still
waiting, and repeats of unresolved customers due on a later day. Day ``d`` of replication ``r``
draws its callers from the streams of simulated day ``r × days + d``, so a one-day horizon is
exactly today's replication ``r`` and a week of identical days is seven independent days but
for what carries over. The records come back on the horizon's clock (day ``d`` opens at
``d × 86,400`` s) with each contact counted in its slot of arrival.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ccsim.sim.callers import compile_types, draw_day
from ccsim.sim.carry import Carry
from ccsim.sim.model import engine_of, simulate_day
from ccsim.sim.records import Records
from ccsim.sim.scenario import DAY_S, Scenario


def simulate_horizon(scenario: Scenario, seed: int, replication: int) -> Records:
    """Simulate replication ``replication`` of ``scenario`` with ``seed``, every day of its
    horizon: the records of all its contacts."""
    h = scenario.horizon
    if h.days == 1:
        return simulate_day(scenario, seed, replication)
    engine = engine_of(scenario)
    pending: dict[int, list[Carry]] = {}
    parts = []
    for day in range(h.days):
        models = compile_types(scenario, day)
        simulated_day = replication * h.days + day
        callers = draw_day(scenario, models, seed, simulated_day)
        callers = replace(callers, interval=callers.interval + day * h.intervals)
        carry = Carry.join(pending.pop(day, []))
        model = engine(scenario, callers, models, seed, simulated_day, day=day, carry=carry)
        records = model.run()
        for ahead, handed in model.handover().items():
            pending.setdefault(day + ahead, []).append(handed)
        kept = np.ones(records.size, dtype=bool)
        kept[model.carried_out] = False  # counted on the day that answers them
        parts.append(records.take(kept).shifted(day * DAY_S))
    return Records.concat(parts)
