"""Simulating a candidate staffing and judging it against the service-level target.

Every candidate is simulated with the same seed and replications, so two staffings meet the
very same callers (common random numbers) and their difference is the effect of the staffing,
not of the luck of the draw. Evaluations are cached by staffing.

The target, by ``optimise.level`` and ``optimise.meet``:
* ``level: interval``: every interval × contact type (with callers offered) must meet it;
  ``level: day``: every contact type over the whole day;
* ``meet: mean``: the service level (ratio of sums over replications) is at least the type's
  target; ``meet: {probability: p}``: at least a share p of the simulated days meet it.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ccsim.sim.kpis import per_replication
from ccsim.sim.runner import RunResult, simulate
from ccsim.sim.scenario import MeetProbability, Scenario
from ccsim.sim.stats import share_estimate


class TargetError(ValueError):
    """The target cannot be met by adding agents (say 100% with callers who hang up); the
    message names the cells still missing."""


Staffing = tuple[tuple[int, ...], ...]
"""Agents on the phones, [group][interval]."""


def with_staffing(scenario: Scenario, staffing: Staffing | np.ndarray) -> Scenario:
    """The scenario with each group's per-interval staffing replaced."""
    groups = [g.with_changes(staffing=[int(v) for v in row])
              for g, row in zip(scenario.agent_groups, staffing, strict=True)]
    return scenario.with_changes(agent_groups=groups)


def as_staffing(matrix: Staffing | np.ndarray | list[list[int]]) -> Staffing:
    """A staffing matrix as a hashable tuple of tuples of whole agents."""
    return tuple(tuple(int(v) for v in row) for row in matrix)


@dataclass(frozen=True)
class Evaluation:
    """A simulated staffing judged against the target.

    Arrays are [interval, type] for ``level: interval`` and [1, type] for ``level: day``:
    ``score`` is the achieved value (service level, or share of days meeting it), ``upper`` its
    95% upper confidence bound, ``required`` the target and ``weight`` the mean volume offered.
    """

    staffing: Staffing
    result: RunResult
    score: np.ndarray
    upper: np.ndarray
    required: np.ndarray
    weight: np.ndarray

    @property
    def met(self) -> np.ndarray:
        """Which cells meet the target (cells without callers always do)."""
        return (self.weight <= 0) | (self.score >= self.required - 1e-12)

    @property
    def feasible(self) -> bool:
        return bool(self.met.all())

    @property
    def met_within_ci(self) -> np.ndarray:
        """Which cells are not significantly below their target (the target is under the
        cell's upper 95% bound): the honest verdict on days the plan was not tuned on."""
        return (self.weight <= 0) | (self.upper >= self.required - 1e-12)

    @property
    def within_ci(self) -> bool:
        """No cell is significantly below its target."""
        return bool(self.met_within_ci.all())

    def describe_missing(self, scenario: Scenario, most: int = 5) -> str:
        """The worst missing cells, as a planner reads them."""
        gaps = self.shortfall
        cells = sorted(zip(*np.nonzero(~self.met), strict=True), key=lambda c: -gaps[c])
        parts = []
        for row, k in cells[:most]:
            when = scenario.horizon.clock(int(row)) if self.score.shape[0] > 1 else "the day"
            parts.append(f"{scenario.contact_types[k].name} at {when}: "
                         f"{self.score[row, k]:.3f} < {self.required[row, k]:.3f}")
        more = f" (and {len(cells) - most} more)" if len(cells) > most else ""
        return "; ".join(parts) + more

    @property
    def shortfall(self) -> np.ndarray:
        """How far each cell is below its target, weighted by its volume (0 where met)."""
        gap = np.where(self.met, 0.0, self.required - np.nan_to_num(self.score))
        return gap * self.weight

    @property
    def slack(self) -> np.ndarray:
        """How far each cell is above its target (inf where nobody is offered)."""
        return np.where(self.weight > 0, np.nan_to_num(self.score) - self.required, np.inf)


class Evaluator:
    """Simulates staffings of one scenario on common random numbers, with a cache."""

    def __init__(self, scenario: Scenario, replications: int, seed: int,
                 executor: Executor | None = None) -> None:
        assert scenario.optimise is not None
        self.scenario = scenario
        self.replications = replications
        self.seed = seed
        self.executor = executor
        self.level = scenario.optimise.level
        meet = scenario.optimise.meet
        self.probability = meet.probability if isinstance(meet, MeetProbability) else None
        self.targets = np.array([scenario.service_level_of(t).target
                                 for t in scenario.contact_types])
        self.contacts = 0
        self.simulations = 0
        self._cache: dict[Staffing, Evaluation] = {}

    def __call__(self, staffing: Staffing | np.ndarray) -> Evaluation:
        key = as_staffing(staffing)
        if key not in self._cache:
            self._cache[key] = self.judge(key, self.run(key, self.seed))
        return self._cache[key]

    def run(self, staffing: Staffing, seed: int) -> RunResult:
        """Simulate a staffing with ``seed`` (not cached)."""
        result = simulate(with_staffing(self.scenario, staffing), replications=self.replications,
                          seed=seed, executor=self.executor)
        self.simulations += 1
        self.contacts += int(result.tallies.type_sum("arrivals", slice(None), list(
            range(len(self.scenario.contact_types)))).sum())
        return result

    def judge(self, staffing: Staffing, result: RunResult) -> Evaluation:
        """Score a simulated staffing against the target (see the module docstring)."""
        n_k = len(self.scenario.contact_types)
        intervals = range(self.scenario.horizon.intervals) if self.level == "interval" else [None]
        score = np.zeros((len(intervals), n_k))
        upper = np.zeros_like(score)
        weight = np.zeros_like(score)
        for row, i in enumerate(intervals):
            where = slice(None) if i is None else i
            for k in range(n_k):
                weight[row, k] = result.tallies.type_sum("sl_denominator", where, [k]).mean()
                if self.probability is None:
                    estimate = share_estimate(
                        result.tallies.type_sum("in_time", where, [k]),
                        result.tallies.type_sum("sl_denominator", where, [k]))
                    score[row, k], upper[row, k] = estimate.mean, estimate.hi
                else:  # a day with nobody offered in the cell meets it trivially
                    daily = per_replication(result.tallies, "service_level", where, [k])
                    met = np.nan_to_num(daily, nan=1.0) >= self.targets[k]
                    score[row, k] = met.mean()
                    upper[row, k] = wilson_upper(int(met.sum()), met.size)
        required = np.broadcast_to(
            self.targets if self.probability is None else np.full(n_k, self.probability),
            score.shape,
        ).copy()
        upper = np.where(np.isnan(upper), score, upper)  # one replication: no interval
        return Evaluation(staffing, result, score, upper, required, weight)


def wilson_upper(successes: int, trials: int, z: float = 1.959964) -> float:
    """Upper end of the Wilson 95% interval of a binomial proportion."""
    if trials == 0:
        return 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return min(1.0, (centre + spread) / (1 + z * z / trials))
