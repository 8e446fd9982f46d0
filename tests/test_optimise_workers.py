"""The optimiser's plan does not depend on how many processes simulate its days.

Every simulated day draws from its own ``SeedSequence`` (``sim.streams``), so the searched,
trimmed and verified plan is the same with one worker or two, on the same seed, as long as
no time limit cuts a stage short (a deadline depends on the machine, not the seed).
"""

from __future__ import annotations

import numpy as np
import yaml

from ccsim.optimise.plan import optimise_staffing
from ccsim.sim.scenario import Scenario

DAY = """\
name: small-day
horizon: {start: "08:00", interval_minutes: 60, intervals: 8}
seed: 5
replications: 4
contact_types:
  - name: calls
    arrivals:
      daily: 520
      profile: [0.7, 1.1, 1.3, 1.2, 1.0, 1.0, 0.9, 0.8]
    handle_time: {distribution: exponential, mean: 240}
    patience: {distribution: exponential, mean: 240}
agent_groups:
  - {name: team, skills: [calls], staffing: 10, cost_per_hour: 20}
optimise:
  precision: 0.05
  shrinkage: 0.2
  shifts:
    - {name: early, start: "08:00", length_h: 4}
    - {name: late, start: "12:00", length_h: 4}
    - {name: full, start: "08:00", length_h: 8, breaks: [{after_h: 4, minutes: 30}]}
"""


def test_the_plan_is_the_same_with_one_or_two_workers() -> None:
    scenario = Scenario.model_validate(yaml.safe_load(DAY))
    plans = [optimise_staffing(scenario, workers=workers, time_limit_s=3600, compare=False)
             for workers in (1, 2)]
    one, two = plans
    assert one.shifts is not None and two.shifts is not None
    np.testing.assert_array_equal(one.staffing, two.staffing)
    np.testing.assert_array_equal(one.requirement, two.requirement)
    np.testing.assert_array_equal(one.shifts.agents, two.shifts.agents)
    assert one.cost == two.cost
    assert (one.search_replications, one.verified.replications) == (
        two.search_replications, two.verified.replications)
    np.testing.assert_array_equal(one.verification.tallies.by_type,
                                  two.verification.tallies.by_type)
    np.testing.assert_array_equal(one.verified.score, two.verified.score)
