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

from ccsim.sim.callers import compile_types, draw_day
from ccsim.sim.carry import Carry, Place
from ccsim.sim.model import engine_of, simulate_day
from ccsim.sim.records import Records
from ccsim.sim.scenario import DAY_S, Scenario

EDGE_DAYS = 2**40
"""Simulated-day numbers of the days before and after the horizon start here (``2 × r`` and
``2 × r + 1`` above it, for replication r), clear of every day of the horizon itself."""


def simulate_horizon(scenario: Scenario, seed: int, replication: int) -> Records:
    """Simulate replication ``replication`` of ``scenario`` with ``seed``, every day of its
    horizon: the records of all its contacts.

    When work carries over the night (``Scenario.carries_over``), the horizon is taken as one
    period of a repeating one (a week like the one before and the one after): its last day
    is simulated first, uncounted, so that the first day inherits the e-mails and repeats a
    real Monday does; and its first day again after the last, uncounted, so that the last
    day's e-mails are answered and judged, in calendar time, rather than left undecided.
    Only the contacts that arrive within the horizon are in the records.
    """
    h = scenario.horizon
    if not scenario.carries_over:
        if h.days == 1:
            return simulate_day(scenario, seed, replication)
        places = [Place(d, d, h.days - 1) for d in range(h.days)]
    else:
        final = h.days
        places = ([Place(-1, h.days - 1, final)] + [Place(d, d, final) for d in range(h.days)]
                  + [Place(h.days, 0, final)])
    engine = engine_of(scenario)
    pending: dict[int, list[Carry]] = {}
    parts = []
    for place in places:
        models = compile_types(scenario, place.as_day)
        simulated_day = (replication * h.days + place.day if 0 <= place.day < h.days
                         else EDGE_DAYS + 2 * replication + (place.day >= h.days))
        callers = draw_day(scenario, models, seed, simulated_day)
        callers = replace(callers, interval=callers.interval + place.day * h.intervals)
        carry = Carry.join(pending.pop(place.day, []))
        model = engine(scenario, callers, models, seed, simulated_day, day=place, carry=carry)
        records = model.run()
        for ahead, handed in model.handover().items():
            pending.setdefault(place.day + ahead, []).append(handed)
        kept = (records.interval >= 0) & (records.interval < h.slots)  # arrived in the horizon
        kept[model.carried_out] = False  # counted on the day that answers them
        parts.append(records.take(kept).shifted(place.day * DAY_S))
    return Records.concat(parts)
