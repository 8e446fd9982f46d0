"""The random draws of journeys, made per contact so that common random numbers hold.

Every contact carries its own journey draws, fixed before anyone decides anything: a uniform
for "is it transferred, and where", one for "does the customer contact again" with the delay
of that repeat, one for "accepts a call back", one for "picks up when called back" and one for
"takes the deflection offer". Two staffings simulated with one seed therefore meet the same
callers with the same journey draws: a caller who accepts a call back under one staffing
accepts it under every staffing where they are still waiting when it is offered.

* Forecast callers draw them in bulk, per contact type, each decision from its own stream
  (``transfer``, ``repeat``, ``callback``, ``callback_answer``, ``deflection`` in
  ``sim.streams``), only for the features the type has; a stream a type does not use is never
  touched, so adding a feature leaves every other draw as it was.
* A contact created during the day (a transfer, a repeat, a redial) descends from exactly one
  forecast caller: each contact has at most one follow-up (transferred, or else maybe a
  repeat, after a service; a redial after abandoning), so a journey is a chain and ``(root,
  generation)`` names a contact whatever the staffing. Its draws come from the ``journey``
  stream keyed by that name: five uniforms always, then its own attributes (IVR, patience,
  handle time; a redial's come from the ``redialled`` stream as without journeys), then the
  delay of its repeat if its type has a resolution, so no feature shifts another's draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.sim.distributions import Distribution, sample_by_interval
from ccsim.sim.scenario_parts import ContactType
from ccsim.sim.streams import generator
from ccsim.sim.timebase import on_tick, on_ticks

JOURNEY_COLUMNS = ("u_transfer", "u_repeat", "repeat_delay", "u_accept", "u_answer",
                   "u_deflect")
"""Columns of a contact's journey draws (uniforms in [0, 1), the delay in seconds)."""
U_TRANSFER, U_REPEAT, REPEAT_DELAY, U_ACCEPT, U_ANSWER, U_DEFLECT = range(6)


@dataclass(frozen=True)
class CallbackRule:
    """A type's call-back offer, times on the clock's ticks (seconds)."""

    offer_after_s: float
    accept: float
    deadline_s: float
    answer: float
    ring_s: float


@dataclass(frozen=True)
class DeflectionRule:
    """A type's in-queue deflection offer (seconds, probability)."""

    after_s: float
    accept: float


@dataclass(frozen=True)
class JourneyModel:
    """The compiled journey of one contact type: transfer targets (names) with their
    cumulative probabilities, the repeat probability and delay samplers, call-back and
    deflection offers."""

    transfer_to: tuple[str, ...]
    transfer_cumulative: tuple[float, ...]
    unresolved: float
    repeat_delay: list[Distribution] | None
    callback: CallbackRule | None
    deflection: DeflectionRule | None

    @classmethod
    def compile(cls, spec: ContactType, intervals: int, day: int = 0) -> JourneyModel:
        """Build the journey of contact type ``spec`` once per run (per day of the
        horizon)."""
        transfers = [t for t in spec.transfers or [] if t.probability > 0]
        cumulative = np.cumsum([t.probability for t in transfers]).tolist()
        res, cb, dfl = spec.resolution, spec.callback, spec.deflection
        return cls(
            transfer_to=tuple(t.to for t in transfers),
            transfer_cumulative=tuple(cumulative),
            unresolved=1.0 - res.first_contact if res is not None else 0.0,
            repeat_delay=(res.repeat_delay.samplers(intervals, day) if res is not None
                          else None),
            callback=None if cb is None else CallbackRule(
                on_tick(cb.offer_after_s), cb.accept, cb.deadline_s, cb.answer,
                on_tick(cb.ring_s)),
            deflection=None if dfl is None else DeflectionRule(on_tick(dfl.after_s), dfl.accept),
        )

    def draw_forecast(self, seed: int, replication: int, contact_type: int,
                      interval: np.ndarray) -> np.ndarray:
        """The journey draws of this type's forecast callers (arriving in ``interval``), one
        stream per decision; NaN in the columns of features the type lacks."""
        n = interval.size
        out = np.full((n, len(JOURNEY_COLUMNS)), np.nan)

        def uniforms(stream: str) -> np.ndarray:
            return generator(seed, replication, stream, contact_type).random(n)

        if self.transfer_to:
            out[:, U_TRANSFER] = uniforms("transfer")
        if self.repeat_delay is not None:
            rng = generator(seed, replication, "repeat", contact_type)
            out[:, U_REPEAT] = rng.random(n)
            out[:, REPEAT_DELAY] = on_ticks(sample_by_interval(self.repeat_delay, rng, interval))
        if self.callback is not None:
            out[:, U_ACCEPT] = uniforms("callback")
            out[:, U_ANSWER] = uniforms("callback_answer")
        if self.deflection is not None:
            out[:, U_DEFLECT] = uniforms("deflection")
        return out

    def child_delay(self, rng: np.random.Generator, interval: int) -> float:
        """The repeat delay of a contact created during the day (NaN without a resolution),
        drawn from its keyed stream after everything else (see ``child_uniforms``)."""
        if self.repeat_delay is None:
            return float("nan")
        sampler = self.repeat_delay[min(interval, len(self.repeat_delay) - 1)]
        return on_tick(float(sampler.sample(rng, 1)[0]))


def child_uniforms(rng: np.random.Generator) -> list[float]:
    """The journey uniforms of a contact created during the day, the first draws of its keyed
    stream whatever its type has, so that no feature ever shifts another's draws: a row of
    ``JOURNEY_COLUMNS`` with the repeat delay still NaN (``JourneyModel.child_delay`` fills
    it in last)."""
    u = rng.random(5).tolist()
    return [u[0], u[1], float("nan"), u[2], u[3], u[4]]
