"""Simulating a candidate staffing and judging it against the service-level target.

Every candidate is simulated on the same simulated days (replication ``r`` of one seed is the
same day for every staffing), so two staffings meet the very same callers (common random
numbers) and their difference is the effect of the staffing, not of the luck of the draw.
Evaluations are cached by staffing.

The target, by ``optimise.level`` and ``optimise.meet``:
* ``level: interval``: every interval × contact type (with callers offered) must meet it;
  ``level: day``: every contact type over the whole day;
* ``meet: mean``: the service level (ratio of sums over replications) is at least the type's
  target; ``meet: {probability: p}``: at least a share p of the simulated days meet it.

**Precision, not luck** (sequential replications). The search takes a cell as met when its
point estimate reaches the target. A cell *decides* when its 95% interval contains the target
(the point could fall on either side on other days) and is wider than ``optimise.precision``:
its verdict is then a coin toss that would buy or save an agent by luck. Whenever a judged
staffing has such a cell, the evaluator simulates more days, for every staffing from then on
(so comparisons stay on common days), until the deciding cells are that precise or the cap
``max_replications`` is reached. Cells far from their target, however noisy, add no days.
The number of days needed grows as (half-width / precision)²: the standard error of a ratio
estimate falls as 1/√days.

**Screening** (``trial``): a candidate that may well miss (an agent taken off) is simulated
on a few of the current days first and dropped as soon as its paired estimate (the plan's
level on all the days plus the difference on the few) falls below the target.

**Verification** (``verify``) judges a staffing on fresh days by the verdict of DESIGN.md
(``ccsim.sim.verdict``): it adds days until every cell with contacts is within the precision,
and says so when the cap or the time limit stopped it first.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace

import numpy as np

from ccsim.sim.kpis import Tallies
from ccsim.sim.runner import RunResult, extend, simulate
from ccsim.sim.scenario import MeetProbability, Scenario
from ccsim.sim.stats import Estimate, per_replication_ratio, share_estimate
from ccsim.sim.verdict import TOLERANCE, Cell, Judgement, judge

GROWTH_CAP = 10
"""Without an explicit cap, the days of a decision may grow to this many times the
replications asked for."""
VERIFY_GROWTH_CAP = 25
"""Without an explicit cap, the days of a verification may grow to this many times the
replications asked for: it must make every cell with callers precise, the rarest ones too
(an emergency queue of a few calls a half hour needs 300-odd days for ±2 points), and it runs
once."""
SCREEN_GROWTH = 3
"""A ``trial`` is screened on half the days asked for, then on this many times as many, ...
(each stage at most half the current days), before it is simulated on all of them."""
MIN_GROWTH = 0.25
"""Growing, add at least this share of the days already simulated (at least 2 days)."""


class TargetError(ValueError):
    """The target cannot be met by adding agents (say 100% with callers who hang up); the
    message names the cells still missing."""


Staffing = tuple[tuple[int, ...], ...]
"""Agents on the phones, [group][interval]."""


def with_staffing(scenario: Scenario, staffing: Staffing | np.ndarray) -> Scenario:
    """The scenario with each group's per-interval staffing replaced (``staffing`` is
    [group][slot]; with several days each group gets one list per day)."""
    h = scenario.horizon

    def per_day(row: Sequence[int]) -> list[int] | list[list[int]]:
        values = [int(v) for v in row]
        if h.days == 1:
            return values
        return [values[d * h.intervals:(d + 1) * h.intervals] for d in range(h.days)]

    groups = [g.with_changes(staffing=per_day(row))
              for g, row in zip(scenario.agent_groups, staffing, strict=True)]
    return scenario.with_changes(agent_groups=groups)


def as_staffing(matrix: Staffing | np.ndarray | list[list[int]]) -> Staffing:
    """A staffing matrix as a hashable tuple of tuples of whole agents."""
    return tuple(tuple(int(v) for v in row) for row in matrix)


@dataclass(frozen=True)
class Evaluation:
    """A simulated staffing judged against the target.

    Arrays are [slot, type] for ``level: interval`` and [day, type] for ``level: day``:
    ``score`` is the achieved value (service level, or share of days meeting it), ``lower`` and
    ``upper`` its 95% confidence bounds (equal to ``score`` with one replication), ``required``
    the target and ``weight`` the mean volume offered (0: a cell without callers, never
    judged). ``starts`` are the cells' clock times (None for the whole day).
    """

    staffing: Staffing
    result: RunResult
    score: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    required: np.ndarray
    weight: np.ndarray
    types: tuple[str, ...]
    """The name of each column (a contact type, or a type's other target, see ``Criterion``)."""
    starts: tuple[str | None, ...]
    type_of: tuple[int, ...] = ()
    """The contact type index of each column (the columns are the types when empty)."""
    kinds: tuple[str, ...] = ()
    """What each column judges (``Criterion.kind``)."""
    spans: tuple[tuple[int, int], ...] = ()
    """The slots each row judges, ``(first, stop)``: one slot per row under ``level:
    interval``, a day's under ``level: day`` (the whole horizon when it is one day)."""

    def slots_of(self, row: int) -> range:
        """The slots (day × intervals + interval) row ``row`` judges."""
        return range(*self.spans[row])

    def column_skills(self, skills: np.ndarray) -> np.ndarray:
        """[group, column]: which groups serve each column's contact type, from
        ``skills[group, type]``."""
        return skills[:, list(self.type_of)] if self.type_of else skills

    @property
    def replications(self) -> int:
        """Simulated days behind the figures."""
        return self.result.replications

    @property
    def met(self) -> np.ndarray:
        """Which cells meet the target by their point estimate (cells without callers always
        do): the search's criterion, on common random numbers."""
        return (self.weight <= 0) | (self.score >= self.required - TOLERANCE)

    @property
    def feasible(self) -> bool:
        """Every cell meets the target by its point estimate."""
        return bool(self.met.all())

    @property
    def missed(self) -> np.ndarray:
        """Cells ``missed`` by the verdict of DESIGN.md: even the 95% upper bound is below the
        target."""
        return (self.weight > 0) & (self.upper < self.required - TOLERANCE)

    @property
    def within_ci(self) -> bool:
        """No cell is ``missed`` (every cell is ``met`` or ``within noise``)."""
        return not bool(self.missed.any())

    @property
    def half_width(self) -> np.ndarray:
        """95% CI half-width per cell, ``(upper - lower) / 2`` (0 without callers)."""
        return np.where(self.weight > 0, (self.upper - self.lower) / 2, 0.0)

    def deciding(self, precision: float) -> np.ndarray:
        """Cells whose 95% interval contains the target and is wider than ``precision``:
        their verdict could go either way on other days (module docstring)."""
        straddles = (self.lower < self.required - TOLERANCE) & \
                    (self.upper >= self.required - TOLERANCE)
        return (self.weight > 0) & straddles & (self.half_width > precision + TOLERANCE)

    def cells(self) -> list[Cell]:
        """The judged figures, as the verdict module reads them."""
        out = []
        for row, start in enumerate(self.starts):
            for k, name in enumerate(self.types):
                mean = self.score[row, k] if self.weight[row, k] > 0 else math.nan
                out.append(Cell(row if start is not None else None, start, name,
                                Estimate(float(mean), float(self.lower[row, k]),
                                         float(self.upper[row, k])),
                                float(self.required[row, k])))
        return out

    def judgement(self, precision: float) -> Judgement:
        """The verdict of DESIGN.md over every cell: counts, worst margin, meets target."""
        return judge(self.cells(), precision)

    def describe_missing(self, scenario: Scenario, most: int = 5) -> str:
        """The worst cells below their target, as a planner reads them."""
        gaps = self.shortfall
        cells = sorted(zip(*np.nonzero(~self.met), strict=True), key=lambda c: -gaps[c])
        parts = []
        for row, k in cells[:most]:
            when = self.starts[row] or "the day"
            parts.append(f"{self.types[k]} at {when}: "
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


@dataclass(frozen=True)
class Verification:
    """A staffing judged on fresh days by the verdict of DESIGN.md."""

    evaluation: Evaluation
    judgement: Judgement
    stopped_by: str | None
    """Why days stopped being added before every cell was precise: ``"cap"`` (the
    replication cap) or ``"time"`` (the time limit); None when every cell is precise."""

    @property
    def meets_target(self) -> bool:
        """No cell missed and every cell within the precision."""
        return self.judgement.meets_target


@dataclass(frozen=True)
class Criterion:
    """One column of an evaluation: a share that must reach ``target`` for contact type
    ``k``, ``num`` / ``den`` of the tallies (fields of ``ccsim.sim.tally``), or ``den - num``
    / ``den`` when ``complement`` (the share waiting at most ``max_wait_s``)."""

    name: str
    kind: str
    """``service_level``, ``max_wait`` or ``callback_on_time``."""
    k: int
    num: str
    den: str
    target: float
    complement: bool = False

    def shares(self, tallies: Tallies, where: slice | int) -> tuple[np.ndarray, np.ndarray]:
        """Per-replication numerator and denominator over ``where``."""
        num = tallies.type_sum(self.num, where, [self.k])
        den = tallies.type_sum(self.den, where, [self.k])
        return (den - num if self.complement else num), den


def criteria(scenario: Scenario) -> list[Criterion]:
    """What a plan must meet, per contact type: the service level; with ``max_wait_s``, at
    most ``max_wait_share`` waiting longer (judged as at least 1 − that share waiting at
    most ``max_wait_s``); with ``callback.target``, the share of call-backs on time."""
    out = []
    for k, t in enumerate(scenario.contact_types):
        sl = scenario.service_level_of(t)
        out.append(Criterion(t.name, "service_level", k, "in_time", "sl_denominator",
                             sl.target))
    for k, t in enumerate(scenario.contact_types):
        sl = scenario.service_level_of(t)
        if sl.max_wait_s is not None and sl.max_wait_share is not None:
            out.append(Criterion(f"{t.name} (waits ≤ {sl.max_wait_s:g} s)", "max_wait", k,
                                 "waited_over_max", "max_wait_denominator",
                                 1.0 - sl.max_wait_share, complement=True))
        callback = t.callback
        if callback is not None and callback.target is not None:
            out.append(Criterion(f"{t.name} (call-backs on time)", "callback_on_time", k,
                                 "callbacks_on_time", "callbacks_accepted", callback.target))
    return out


def days_for(half_widths: np.ndarray, precision: float, days: int) -> int:
    """Days after which cells of these 95% half-widths (measured on ``days`` days) should be
    ``precision`` wide: half-widths fall as 1/√days. At least ``MIN_GROWTH`` more."""
    factor = float(np.max(half_widths) / precision) ** 2
    return max(math.ceil(days * factor), days + max(2, math.ceil(days * MIN_GROWTH)))


class Evaluator:
    """Simulates staffings of one scenario on common random numbers, with a cache, adding
    days where a deciding cell is too noisy (module docstring).

    ``replications`` is the number of days every evaluation uses now (it only grows, up to
    ``max_replications``, ``GROWTH_CAP`` times the days asked for by default); days stop being
    added after ``deadline`` (``time.monotonic()``). ``on_days(n)`` is told of every ``n``
    days simulated, for progress displays.
    """

    def __init__(self, scenario: Scenario, replications: int, seed: int,
                 executor: Executor | None = None, *, max_replications: int | None = None,
                 deadline: float = math.inf, on_days: Callable[[int], None] | None = None,
                 ) -> None:
        assert scenario.optimise is not None
        self.scenario = scenario
        self.replications = replications
        self.max_replications = max(replications, max_replications
                                    if max_replications is not None
                                    else GROWTH_CAP * replications)
        self.verify_cap = max(self.max_replications, max_replications
                              if max_replications is not None
                              else VERIFY_GROWTH_CAP * replications)
        """The most days a verification may grow to."""
        self.seed = seed
        self.asked = replications
        """The days asked for (a ``trial`` is first screened on half of them)."""
        self.executor = executor
        self.deadline = deadline
        self.on_days = on_days
        self.growing = True
        """Whether deciding cells add days now (a coarse first search may turn it off)."""
        self.precision = scenario.optimise.precision
        self.level = scenario.optimise.level
        meet = scenario.optimise.meet
        self.probability = meet.probability if isinstance(meet, MeetProbability) else None
        self.criteria = criteria(scenario)
        self.contacts = 0
        self.simulations = 0
        self.days = 0
        self.busy_s = 0.0
        """Seconds spent simulating (for ``affords``)."""
        self._runs: dict[Staffing, RunResult] = {}
        self._cache: dict[Staffing, Evaluation] = {}

    def __call__(self, staffing: Staffing | np.ndarray) -> Evaluation:
        key = as_staffing(staffing)
        ev = self._evaluate(key)
        while True:
            deciding = ev.deciding(self.precision)
            if (not self.growing or not deciding.any()
                    or self.replications >= self.max_replications):
                return ev
            wanted = min(self.max_replications, days_for(
                ev.half_width[deciding], self.precision, self.replications))
            more = self._affordable(self.replications, wanted, self.deadline)
            if more <= self.replications:
                return ev
            self.replications = more
            ev = self._evaluate(key)

    def trial(self, staffing: Staffing | np.ndarray, base: Evaluation | None = None
              ) -> Evaluation:
        """A candidate that may well miss (an agent taken off ``base``, say), screened
        before it costs all the current days: it is simulated on half the days asked for,
        then on ``SCREEN_GROWTH`` times as many, and so on while a stage is at most half the
        current days, and dropped at the first stage where some cell is shown short.

        Shown short: with ``base`` judged on all the current days, the candidate's service
        level in a cell is estimated as ``base``'s on all the days plus the paired difference
        on the screening days (common random numbers make the difference far less noisy than
        either level), and the cell is short when that estimate is below the target: on all
        the days the candidate would more likely miss than not, and finding out costs the
        most for the candidates that miss narrowly (a futility stop; it may keep an agent that
        all the days would have let go, and never lets a plan miss: what is kept is judged on
        all the days). Without ``base``, a cell is short when it is ``missed`` on the
        screening days (its 95% upper bound below the target). The screening evaluation
        returned for a dropped candidate is scored by those estimates and says it misses
        (``feasible`` is False). One that passes every stage is the full evaluation
        ``self(staffing)``, its screening days extended, not simulated again."""
        key = as_staffing(staffing)
        paired = base is not None and base.replications == self.replications
        days = max(2, self.asked // 2)
        while days <= self.replications // 2:  # a stage is at most half the days
            ev = self._evaluate(key, days)
            if ev.replications >= self.replications:
                return self(key)
            if paired and base is not None:
                estimate = self._paired(ev, base)
                if (estimate < ev.required - TOLERANCE).any():
                    return replace(ev, score=estimate)
            elif ev.missed.any():
                return ev
            days = ev.replications * SCREEN_GROWTH
        return self(key)

    def _paired(self, ev: Evaluation, base: Evaluation) -> np.ndarray:
        """Per cell of ``ev`` (a candidate on a prefix of ``base``'s days), ``base``'s score
        on all its days plus the difference of the two on ``ev``'s days (``trial``); ``ev``'s
        own score where there is nothing to pair (no callers, or ``meet: probability``)."""
        days = ev.replications
        estimates = ev.score.copy()
        if self.probability is not None:
            return estimates
        for row, span in enumerate(ev.spans):
            where: slice | int = slice(*span) if self.level != "interval" else span[0]
            for c, criterion in enumerate(self.criteria):
                if ev.weight[row, c] <= 0 or base.weight[row, c] <= 0:
                    continue
                num, den = criterion.shares(ev.result.tallies, where)
                num_b, den_b = (x[:days] for x in criterion.shares(base.result.tallies, where))
                if den.sum() <= 0 or den_b.sum() <= 0:
                    continue
                estimates[row, c] = (float(base.score[row, c]) + num.sum() / den.sum()
                                     - num_b.sum() / den_b.sum())
        return estimates

    def _evaluate(self, key: Staffing, days: int | None = None) -> Evaluation:
        """The staffing judged on ``days`` days (default: the current days), or on more when
        it already has them; its simulation is extended if shorter."""
        days = self.replications if days is None else days
        cached = self._cache.get(key)
        if cached is not None and cached.replications >= days:
            return cached
        result = self._runs.get(key)
        result = self.run(key, self.seed, days) if result is None else self._more(result, days)
        self._runs[key] = result
        self._cache[key] = self.judge(key, result)
        return self._cache[key]

    def affords(self, evaluations: int = 1) -> bool:
        """Whether ``evaluations`` simulations of the current days would end before the
        deadline, at the pace measured so far (True before anything was measured)."""
        return time.monotonic() + evaluations * self.replications * self._pace() <= self.deadline

    def _pace(self) -> float:
        """Seconds per simulated day so far (0 before anything was measured)."""
        return self.busy_s / self.days if self.days else 0.0

    def _affordable(self, days: int, wanted: int, deadline: float) -> int:
        """``wanted`` days, or as many more than ``days`` as fit before ``deadline`` at the
        pace so far (``days`` itself when not even the smallest step fits)."""
        pace = self._pace()
        if pace <= 0 or math.isinf(deadline):
            return wanted
        fit = days + int((deadline - time.monotonic()) / pace)
        step = days + max(2, math.ceil(days * MIN_GROWTH))
        return min(wanted, fit) if fit >= step else days

    def run(self, staffing: Staffing, seed: int, days: int | None = None) -> RunResult:
        """Simulate a staffing with ``seed`` on ``days`` days (default: the current number of
        days; not cached)."""
        began = time.monotonic()
        result = simulate(with_staffing(self.scenario, staffing),
                          replications=self.replications if days is None else days,
                          seed=seed, executor=self.executor)
        self.busy_s += time.monotonic() - began
        self.simulations += 1
        self._count(result, 0)
        return result

    def _more(self, result: RunResult, replications: int) -> RunResult:
        """``result`` extended to ``replications`` days."""
        began = time.monotonic()
        longer = extend(result, replications, self.executor)
        self.busy_s += time.monotonic() - began
        self._count(longer, result.replications)
        return longer

    def _count(self, result: RunResult, had: int) -> None:
        n_k = len(self.scenario.contact_types)
        arrivals = result.tallies.type_sum("arrivals", slice(None), list(range(n_k)))
        self.contacts += int(arrivals[had:].sum())
        self.days += result.replications - had
        if self.on_days:
            self.on_days(result.replications - had)

    def verify(self, staffing: Staffing | np.ndarray, seed: int) -> Verification:
        """Judge a staffing on the days of ``seed`` by the verdict of DESIGN.md, adding days
        until every cell with callers is within the precision, the cap or the deadline."""
        key = as_staffing(staffing)
        result = self.run(key, seed)
        while True:
            ev = self.judge(key, result)
            wide = (ev.weight > 0) & (ev.half_width > self.precision + TOLERANCE)
            if not wide.any():
                return Verification(ev, ev.judgement(self.precision), None)
            if result.replications >= self.verify_cap:
                return Verification(ev, ev.judgement(self.precision), "cap")
            wanted = min(self.verify_cap, days_for(
                ev.half_width[wide], self.precision, result.replications))
            more = self._affordable(result.replications, wanted, self.deadline)
            if more <= result.replications:
                return Verification(ev, ev.judgement(self.precision), "time")
            result = self._more(result, more)

    def judge(self, staffing: Staffing, result: RunResult) -> Evaluation:
        """Score a simulated staffing against the target (see the module docstring): one
        column per ``Criterion``."""
        horizon = self.scenario.horizon
        n = horizon.intervals
        spans = (tuple((i, i + 1) for i in range(horizon.slots)) if self.level == "interval"
                 else tuple((d * n, (d + 1) * n) for d in range(horizon.days)))
        intervals: list[int | None] = (list(range(horizon.slots)) if self.level == "interval"
                                       else [None] * horizon.days)
        score = np.zeros((len(spans), len(self.criteria)))
        lower, upper, weight = np.zeros_like(score), np.zeros_like(score), np.zeros_like(score)
        for row, span in enumerate(spans):
            where: slice | int = slice(*span) if self.level != "interval" else span[0]
            for c, criterion in enumerate(self.criteria):
                num, den = criterion.shares(result.tallies, where)
                weight[row, c] = den.mean()
                if self.probability is None:
                    estimate = share_estimate(num, den)
                    score[row, c] = estimate.mean
                    lower[row, c], upper[row, c] = estimate.lo, estimate.hi
                else:  # a day with nobody in the cell meets it trivially
                    daily = per_replication_ratio(num, den)
                    met = np.nan_to_num(daily, nan=1.0) >= criterion.target - TOLERANCE
                    score[row, c] = met.mean()
                    lower[row, c], upper[row, c] = wilson(int(met.sum()), met.size)
        targets = np.array([c.target for c in self.criteria])
        required = np.broadcast_to(
            targets if self.probability is None else np.full(targets.size, self.probability),
            score.shape,
        ).copy()
        lower = np.where(np.isnan(lower), score, lower)  # one replication: no interval
        upper = np.where(np.isnan(upper), score, upper)
        starts = tuple((None if horizon.days == 1 else horizon.day_label(d)) if i is None
                       else horizon.clock(i % n) if horizon.days == 1
                       else f"{horizon.day_label(i // n)} {horizon.clock(i % n)}"
                       for d, i in enumerate(intervals))
        return Evaluation(staffing, result, score, lower, upper, required, weight,
                          tuple(c.name for c in self.criteria), starts,
                          tuple(c.k for c in self.criteria), tuple(c.kind for c in self.criteria),
                          spans)


def wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson 95% interval of a binomial proportion, within [0, 1]."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)
