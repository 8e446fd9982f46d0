"""The callers of one simulated day, drawn before the engine runs.

Everything about a caller that does not depend on the staffing (when they call, what happens in
the IVR, how patient they are, how long their call takes, whether they would redial) is drawn
up front in bulk, per contact type, each from its own random stream. The engine then only
decides who waits and who is answered, so two staffings compared on the same seed face the very
same callers: common random numbers by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from ccsim.sim import arrivals, ivr
from ccsim.sim.distributions import Distribution, sample_by_interval
from ccsim.sim.journey_draws import JOURNEY_COLUMNS, JourneyModel
from ccsim.sim.scenario import ContactType, Scenario
from ccsim.sim.streams import generator
from ccsim.sim.timebase import on_tick, on_ticks


@dataclass(frozen=True)
class CallerModel:
    """The compiled random model of one contact type (samplers per interval, probabilities)."""

    index: int
    expected: np.ndarray
    uncertainty_cv: float
    handle: list[Distribution]
    patience: list[Distribution] | None
    ivr_time: list[Distribution] | None
    completion: float
    opt_out: float
    failed_patience_factor: float
    failed_handle_factor: float
    redial_probability: float
    redial_delay: list[Distribution] | None
    journey: JourneyModel | None = None

    @classmethod
    def compile(cls, index: int, spec: ContactType, intervals: int, day: int = 0) -> CallerModel:
        """Build the samplers of contact type ``spec`` (position ``index``) once per run, with
        the expected arrivals of day ``day``."""
        ss, redial = spec.self_service, spec.redial
        return cls(
            index=index,
            expected=np.asarray(spec.arrivals.expected(intervals, day), dtype=float),
            uncertainty_cv=spec.arrivals.uncertainty_cv,
            handle=spec.handle_time.samplers(intervals, day),
            patience=(spec.patience.samplers(intervals, day) if spec.patience is not None
                      else None),
            ivr_time=ss.time_in_ivr.samplers(intervals, day) if ss is not None else None,
            completion=ss.completion if ss is not None else 0.0,
            opt_out=ss.opt_out if ss is not None else 0.0,
            failed_patience_factor=ss.failed_patience_factor if ss is not None else 1.0,
            failed_handle_factor=ss.failed_handle_time_factor if ss is not None else 1.0,
            redial_probability=redial.probability if redial is not None else 0.0,
            redial_delay=redial.delay.samplers(intervals, day) if redial is not None else None,
            journey=JourneyModel.compile(spec, intervals, day) if spec.has_journey else None,
        )

    def draw(
        self, arrival: np.ndarray, interval: np.ndarray, rngs: dict[str, np.random.Generator],
        through_ivr: bool = True,
    ) -> Callers:
        """The attributes of callers of this type arriving at ``arrival`` (seconds);
        ``through_ivr=False`` for a transferred contact, which goes straight to the queue."""
        n = arrival.size
        if self.ivr_time is None or not through_ivr:
            outcome = np.full(n, ivr.NO_IVR, dtype=np.int8)
            ivr_time = np.zeros(n)
        else:
            outcome = ivr.outcomes(rngs["ivr"], n, self.completion, self.opt_out)
            ivr_time = sample_by_interval(self.ivr_time, rngs["ivr"], interval)
        failed = outcome == ivr.FAILED
        if self.patience is None:
            patience = np.full(n, np.inf)
        else:
            patience = sample_by_interval(self.patience, rngs["patience"], interval)
            patience[failed] *= self.failed_patience_factor
        handle = sample_by_interval(self.handle, rngs["handle"], interval)
        handle[failed] *= self.failed_handle_factor
        redial_after = np.full(n, np.nan)
        if self.redial_delay is not None and self.redial_probability > 0:
            rng = rngs["redial"]
            will = rng.random(n) < self.redial_probability
            redial_after[will] = sample_by_interval(self.redial_delay, rng, interval[will])
        return Callers(
            arrival=on_ticks(arrival),
            ctype=np.full(n, self.index, dtype=np.int16),
            interval=interval.astype(np.int32),
            ivr=outcome,
            ivr_time=on_ticks(ivr_time),
            patience=on_ticks(patience),
            handle=on_ticks(handle),
            redial_after=on_ticks(redial_after),
        )

    def draw_one(self, interval: int, rng: np.random.Generator,
                 through_ivr: bool = True) -> Caller:
        """One caller of this type arriving in ``interval``, every attribute from ``rng``:
        exactly the numbers ``draw`` gives one caller with every stream ``rng``, drawn in the
        same order (a test checks), without the arrays (callers drawn during the day come one
        at a time, and array machinery costs more than the draws)."""
        if self.ivr_time is None or not through_ivr:
            outcome, ivr_time = ivr.NO_IVR, 0.0
        else:
            u = float(rng.random(1)[0])
            outcome = (ivr.SELF_SERVED if u < self.completion else
                       ivr.OPTED_OUT if u < self.completion + self.opt_out else ivr.FAILED)
            ivr_time = _one(self.ivr_time, rng, interval)
        failed = outcome == ivr.FAILED
        patience = math.inf
        if self.patience is not None:
            patience = _one(self.patience, rng, interval)
            if failed:
                patience *= self.failed_patience_factor
        handle = _one(self.handle, rng, interval)
        if failed:
            handle *= self.failed_handle_factor
        redial_after = math.nan
        if self.redial_delay is not None and self.redial_probability > 0:
            if float(rng.random(1)[0]) < self.redial_probability:
                redial_after = on_tick(_one(self.redial_delay, rng, interval))
        return Caller(self.index, interval, int(outcome), on_tick(ivr_time),
                      on_tick(patience) if math.isfinite(patience) else patience,
                      on_tick(handle), redial_after)


class Caller(NamedTuple):
    """One caller drawn during the day (a redial, a transfer, a repeat): the fields of
    ``Callers`` for one contact, as Python numbers."""

    ctype: int
    interval: int
    ivr: int
    ivr_time: float
    patience: float
    handle: float
    redial_after: float


def _one(samplers: list[Distribution], rng: np.random.Generator, interval: int) -> float:
    """One draw from the sampler of ``interval``, as ``sample_by_interval`` draws it for a
    single contact."""
    return float(samplers[interval if len(samplers) > 1 else 0].sample(rng, 1)[0])


@dataclass(frozen=True)
class Callers:
    """Pre-drawn callers, one entry per contact (times in seconds from the start of the day,
    every one a whole number of ``sim.timebase`` ticks).

    ``patience`` is ``inf`` for infinitely patient callers; ``redial_after`` is the delay after
    abandoning at which the caller would call again, NaN when they would not.
    """

    arrival: np.ndarray
    ctype: np.ndarray
    interval: np.ndarray
    ivr: np.ndarray
    ivr_time: np.ndarray
    patience: np.ndarray
    handle: np.ndarray
    redial_after: np.ndarray
    journey: np.ndarray | None = None
    """The journey draws, ``[contact, JOURNEY_COLUMNS]`` (NaN where the type lacks the
    feature), or None when no type has journeys."""

    @property
    def size(self) -> int:
        return int(self.arrival.size)

    @staticmethod
    def concat(parts: list[Callers]) -> Callers:
        """All parts in one table, sorted by arrival time (stable, so ties keep type order)."""
        fields = [f for f in Callers.__dataclass_fields__ if f != "journey"]
        joined = {f: np.concatenate([getattr(p, f) for p in parts]) for f in fields}
        order = np.argsort(joined["arrival"], kind="stable")
        journey = None
        if any(p.journey is not None for p in parts):
            journey = np.concatenate([
                p.journey if p.journey is not None
                else np.full((p.size, len(JOURNEY_COLUMNS)), np.nan) for p in parts])[order]
        return Callers(**{f: v[order] for f, v in joined.items()}, journey=journey)


    @staticmethod
    def append(first: Callers, then: Callers) -> Callers:
        """``first`` followed by ``then``, in that order (not sorted: the contacts a day
        inherits come after its own, so its own keep their positions)."""
        fields = [f for f in Callers.__dataclass_fields__ if f != "journey"]
        joined = {f: np.concatenate([getattr(first, f), getattr(then, f)]) for f in fields}
        journey = None
        if first.journey is not None or then.journey is not None:
            journey = np.concatenate([
                p.journey if p.journey is not None
                else np.full((p.size, len(JOURNEY_COLUMNS)), np.nan) for p in (first, then)])
        return Callers(**joined, journey=journey)

    def take(self, rows: np.ndarray) -> Callers:
        """The callers at positions ``rows``."""
        fields = [f for f in Callers.__dataclass_fields__ if f != "journey"]
        return Callers(**{f: getattr(self, f)[rows] for f in fields},
                       journey=None if self.journey is None else self.journey[rows])


def compile_types(scenario: Scenario, day: int = 0) -> list[CallerModel]:
    """The caller models of every contact type on day ``day`` of the horizon, in scenario
    order (days differ only in their expected arrivals)."""
    n = scenario.horizon.intervals
    return [CallerModel.compile(k, t, n, day) for k, t in enumerate(scenario.contact_types)]


def draw_day(scenario: Scenario, models: list[CallerModel], seed: int, replication: int) -> Callers:
    """The forecast callers of one simulated day (redials are added by the engine)."""
    day = arrivals.gamma_factor(generator(seed, replication, "day"), scenario.day_uncertainty_cv)
    parts = []
    for model in models:
        rngs = {s: generator(seed, replication, s, model.index)
                for s in ("arrivals", "ivr", "patience", "handle", "redial")}
        factor = day * arrivals.gamma_factor(rngs["arrivals"], model.uncertainty_cv)
        times, interval = arrivals.arrival_times(
            rngs["arrivals"], model.expected * factor, scenario.horizon.interval_s
        )
        callers = model.draw(times, interval, rngs)
        if model.journey is not None:
            draws = model.journey.draw_forecast(seed, replication, model.index, interval)
            callers = replace(callers, journey=draws)
        parts.append(callers)
    return Callers.concat(parts)
