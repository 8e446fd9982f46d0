"""The verdict of a service level against its target: one rule for every layer.

Per cell (interval × contact type, or day × type), from the point estimate, the upper end of its
95% confidence interval and the target, all shares in [0, 1] (0.8 = 80%):

* ``met``: the point estimate reaches the target;
* ``within noise``: below the target, but the 95% upper bound reaches it;
* ``missed``: the upper bound is below the target too (or there is no interval, as with one
  replication, and the point is below);
* no verdict (``None``): the cell has no point estimate (NaN: nobody was offered in it).

A run or plan *meets the target* when no cell is ``missed`` and every judged cell's 95% CI
half-width is at most the precision (``DEFAULT_PRECISION``, 0.02 = 2 points, for shares). The
half-width of an asymmetric interval (a share's, built on the logit scale) is ``(hi - lo) / 2``;
a cell without an interval (NaN bounds) is not precise. The worst margin is the smallest
``mean - target`` over judged cells (negative: below the target).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ccsim.sim.kpis import Summary
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import Estimate

MET = "met"
WITHIN_NOISE = "within noise"
MISSED = "missed"
VERDICTS = (MET, WITHIN_NOISE, MISSED)
"""The verdict names, best first."""

DEFAULT_PRECISION = 0.02
"""Largest 95% CI half-width of a share for a run or plan to meet the target, as a fraction
(0.02 = 2 percentage points), when the scenario sets no ``optimise.precision``."""

TOLERANCE = 1e-12
"""A point or bound this close below the target still reaches it (rounding of summed floats),
as the optimiser's ``Evaluation`` has it."""


def verdict(mean: float, upper: float, target: float) -> str | None:
    """The verdict of one cell: ``met``, ``within noise``, ``missed``, or ``None`` when the
    point estimate ``mean`` is NaN (no contacts). ``mean``, ``upper`` (the 95% upper bound,
    NaN when there is no interval) and ``target`` are fractions in [0, 1]."""
    if math.isnan(mean):
        return None
    if mean >= target - TOLERANCE:
        return MET
    if not math.isnan(upper) and upper >= target - TOLERANCE:
        return WITHIN_NOISE
    return MISSED


def half_width(e: Estimate) -> float:
    """The 95% CI half-width ``(hi - lo) / 2``, in the estimate's unit (a fraction for shares);
    NaN when there is no interval. For an asymmetric (logit-scale) interval it is half its
    length, not the distance from the point to either bound."""
    return (e.hi - e.lo) / 2


@dataclass(frozen=True)
class Cell:
    """One judged figure: where it is (``interval`` and ``start`` are None for the whole day),
    its estimate and its target (fractions)."""

    interval: int | None
    start: str | None
    contact_type: str
    estimate: Estimate
    target: float

    @property
    def verdict(self) -> str | None:
        """``met`` / ``within noise`` / ``missed``, None without contacts."""
        return verdict(self.estimate.mean, self.estimate.hi, self.target)

    @property
    def margin(self) -> float:
        """Point estimate minus target, a fraction (negative: below); NaN without contacts."""
        return self.estimate.mean - self.target

    def precise(self, precision: float) -> bool:
        """Whether the 95% CI half-width is at most ``precision`` (False without an
        interval)."""
        return half_width(self.estimate) <= precision + TOLERANCE


@dataclass(frozen=True)
class Judgement:
    """The verdict over many cells: counts per verdict, the worst margin, and whether the whole
    *meets the target* (no cell ``missed``, every judged cell at most ``precision`` wide)."""

    counts: dict[str, int]
    """Cells per verdict, every name of ``VERDICTS`` present (cells without contacts are not
    counted)."""
    precision: float
    """The largest half-width allowed, a fraction."""
    too_wide: int
    """Judged cells whose half-width is above ``precision`` (or have no interval)."""
    worst: Cell | None
    """The cell with the smallest margin (None when no cell has contacts)."""

    @property
    def worst_margin(self) -> float | None:
        """The smallest ``mean - target`` over judged cells, a fraction; None without any."""
        return None if self.worst is None else self.worst.margin

    @property
    def judged(self) -> int:
        """Cells with a verdict."""
        return sum(self.counts.values())

    @property
    def meets_target(self) -> bool:
        """No cell missed and every judged cell precise enough (False with no judged cell:
        nothing shows the target is met)."""
        return self.judged > 0 and self.counts[MISSED] == 0 and self.too_wide == 0

    def why_not(self) -> list[str]:
        """Why the target is not met, as a planner reads it (empty when it is met)."""
        reasons = []
        if self.counts[MISSED]:
            reasons.append(f"{self.counts[MISSED]} cells missed")
        if self.too_wide:
            reasons.append(f"{self.too_wide} cells with a 95% CI wider than "
                           f"±{self.precision * 100:g} points: more replications narrow them")
        if not self.judged:
            reasons.append("no cell had contacts")
        return reasons


def judge(cells: Iterable[Cell], precision: float = DEFAULT_PRECISION) -> Judgement:
    """Judge ``cells`` together; cells without contacts are left out."""
    counts = dict.fromkeys(VERDICTS, 0)
    too_wide = 0
    worst: Cell | None = None
    for cell in cells:
        v = cell.verdict
        if v is None:
            continue
        counts[v] += 1
        too_wide += not cell.precise(precision)
        if worst is None or cell.margin < worst.margin:
            worst = cell
    return Judgement(counts, precision, too_wide, worst)


def precision_of(scenario: Scenario) -> float:
    """The precision that judges ``scenario``'s runs and plans: ``optimise.precision``, or
    ``DEFAULT_PRECISION`` without an ``optimise:`` block."""
    return scenario.optimise.precision if scenario.optimise is not None else DEFAULT_PRECISION


def common_target(scenario: Scenario) -> float | None:
    """The SL target shared by every contact type, or None when types differ (the overall
    service level then has no single target)."""
    targets = {scenario.service_level_of(t).target for t in scenario.contact_types}
    return targets.pop() if len(targets) == 1 else None


def interval_cells(summary: Summary, scenario: Scenario) -> list[Cell]:
    """A run's service level per interval × contact type (per slot, day × interval, with
    several days), each with its type's target."""
    targets = {t.name: scenario.service_level_of(t).target for t in scenario.contact_types}
    h = scenario.horizon
    if h.days == 1:
        return [Cell(r.interval, r.start, r.contact_type, r.kpis["service_level"],
                     targets[r.contact_type])
                for r in summary.intervals if r.contact_type in targets]
    # several days: a cell is a slot (day × intervals + interval), named "Mon 10:00"
    return [Cell(r.day * h.intervals + r.interval, f"{h.day_label(r.day)} {r.start}",
                 r.contact_type, r.kpis["service_level"], targets[r.contact_type])
            for r in summary.intervals if r.contact_type in targets]


def day_cells(summary: Summary, scenario: Scenario) -> list[Cell]:
    """A run's service level per contact type over the whole day, each with its target."""
    return [Cell(None, None, t.name, summary.by_contact_type[t.name]["service_level"],
                 scenario.service_level_of(t).target)
            for t in scenario.contact_types]


AT_MOST = frozenset({"over_max_wait"})
"""KPIs whose target is a ceiling (a share that must stay at most the target)."""


def verdict_at_most(mean: float, lower: float, limit: float) -> str | None:
    """The verdict of a share that must stay at most ``limit`` (``over_max_wait`` against
    ``max_wait_share``): ``met`` if the point estimate is at most the limit; ``within noise``
    if above it but the 95% lower bound is not; ``missed`` otherwise; None without contacts."""
    if math.isnan(mean):
        return None
    if mean <= limit + TOLERANCE:
        return MET
    if not math.isnan(lower) and lower <= limit + TOLERANCE:
        return WITHIN_NOISE
    return MISSED


def kpi_verdict(key: str, e: Estimate, target: float) -> str | None:
    """The verdict of KPI ``key`` against its target: a ceiling for the keys of ``AT_MOST``,
    a floor (as the service level's) for the others."""
    if key in AT_MOST:
        return verdict_at_most(e.mean, e.lo, target)
    return verdict(e.mean, e.hi, target)


def journey_targets(scenario: Scenario, contact_type: str | None) -> dict[str, float]:
    """The targets of the journey KPIs of one contact type (None: all types together, when
    the types that have the feature agree): ``over_max_wait`` at most ``max_wait_share``
    where a ``max_wait_s`` is set, ``callback_on_time`` at least ``callback.target``."""
    types = [t for t in scenario.contact_types if contact_type in (None, t.name)]
    found: dict[str, set[float]] = {"over_max_wait": set(), "callback_on_time": set()}
    for t in types:
        sl = scenario.service_level_of(t)
        if sl.max_wait_s is not None:
            found["over_max_wait"].add(sl.max_wait_share)
        if t.callback is not None and t.callback.target is not None:
            found["callback_on_time"].add(t.callback.target)
        elif t.callback is not None:
            found["callback_on_time"].add(math.nan)  # a type without a target: no common one
    return {key: values.pop() for key, values in found.items()
            if len(values) == 1 and not math.isnan(next(iter(values)))}
