"""Journeys in the engine: transfers, repeats, call-backs and in-queue deflection.

``JourneyDayModel`` is the engine of ``sim.model`` with what happens around the call; a
scenario without journey keys runs the plain ``DayModel``, so its numbers are exactly those
of a ccsim without journeys. The rules (DESIGN.md, "Journeys"):

* **Transfer**: when an agent finishes a contact, its type's ``transfers`` are drawn (one
  uniform per contact); a transferred contact joins the target type's queue at once, with
  handle time and patience drawn from the target type for the interval it joins in (the last
  one during the close), before the agent takes new work.
* **Repeat**: after a service that is not transferred, with probability 1 − ``first_contact``
  the customer contacts again after the pre-drawn delay, as a new arrival of the same type
  (through the IVR again), unless that is after the horizon.
* **Deflection** and **call-back** are offers timed from entry to the queue (deflection
  first when both fall at the same moment). A caller still waiting takes the deflection with
  probability ``accept`` and leaves at once, finishing in self-service. A caller still
  waiting accepts a call back with probability ``accept``: they hang up, never abandon, and
  keep their place in the queue; the agent who reaches them calls back, answered with
  probability ``answer`` (normal handling) or lost after ``ring_s``. A call-back still owed
  when no agent is left at the close fails too.

Why lazy abandonment stays exact. The plain engine keeps no timer per waiting caller: queues
are first-come-first-served per type and routing is work-conserving, so a caller whose
deadline (entry + patience) passed before anyone reached them would not have been answered
earlier, and whoever first finds them at the head of the queue records their abandon at that
deadline. Journeys keep both premises: (1) a call-back keeps the caller's deque entry, so the
queue stays FCFS by original entry, and accepting only turns the deadline into infinity at a
moment when the caller is still waiting (the offer is made only if ``deadline >= now``), so no
abandon is ever discovered "before" the acceptance that would have prevented it; (2) a
deflected caller leaves at the offer, when they are still waiting, and is marked ``ENDED`` in
place: the router drops them from the head without touching anyone else, and the time they
leave is known exactly (the offer), just as an abandon's is. Transfers and repeats are new
contacts entering the queues like any arrival. The offers themselves are timers, one chain per
waiting caller of a type that has them, and each checks at its moment whether the caller is
still there (an abandon not yet discovered counts as gone, since its deadline is in the past).

Random numbers: every contact carries its journey draws (``sim.journey_draws``), so two
staffings meet the same callers with the same decisions.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import cast

import numpy as np

from ccsim.sim import ivr
from ccsim.sim.callers import Caller, CallerModel, Callers
from ccsim.sim.carry import Carry, Place
from ccsim.sim.journey_draws import (
    JOURNEY_COLUMNS,
    REPEAT_DELAY,
    U_ACCEPT,
    U_ANSWER,
    U_DEFLECT,
    U_REPEAT,
    U_TRANSFER,
    JourneyModel,
    child_uniforms,
)
from ccsim.sim.model import DayModel
from ccsim.sim.records import JourneyRecords, Records
from ccsim.sim.routing import ABANDONED, ANSWERED, ENDED, WAITING
from ccsim.sim.scenario import DAY_S, Scenario
from ccsim.sim.streams import keyed_generator
from ccsim.sim.timebase import on_tick

DEFLECT, CALL_BACK = 0, 1
"""Kinds of in-queue offer (deflection first when both are due at once)."""
FORECAST, REDIAL, TRANSFER, REPEAT = 0, 1, 2, 3
"""How a contact came about."""


class JourneyDayModel(DayModel):
    """One simulated day with journeys; ``run()`` returns records with their journey part."""

    def __init__(self, scenario: Scenario, callers: Callers, models: list[CallerModel],
                 seed: int, replication: int, day: int | Place = 0,
                 carry: Carry | None = None) -> None:
        super().__init__(scenario, callers, models, seed, replication, day, carry)
        if carry is not None:
            callers = Callers.append(callers, carry.callers)
        self._seed, self._replication = seed, replication
        self._repeats_due: list[tuple[int, float]] = []
        index = {t.name: k for k, t in enumerate(scenario.contact_types)}
        self._journeys: list[JourneyModel | None] = [m.journey for m in models]
        self._transfers: list[tuple[tuple[float, ...], list[int]] | None] = [
            (j.transfer_cumulative, [index[to] for to in j.transfer_to])
            if j is not None and j.transfer_to else None for j in self._journeys]
        self._unresolved = [j.unresolved if j is not None else 0.0 for j in self._journeys]
        self._offers = [self._offers_of(j) for j in self._journeys]
        self._takes_deflection = [j.deflection.accept if j is not None and j.deflection
                                  else 0.0 for j in self._journeys]
        self._accepts_callback = [j.callback.accept if j is not None and j.callback
                                  else 0.0 for j in self._journeys]

        n = callers.size
        draws = (callers.journey if callers.journey is not None
                 else np.full((n, len(JOURNEY_COLUMNS)), np.nan))
        self.draws: list[list[float]] = [draws[:, c].tolist() for c in range(len(JOURNEY_COLUMNS))]
        self.root = list(range(n))
        own = n - (carry.size if carry is not None else 0)
        self.generation = [0] * own
        self.origin = [FORECAST] * own
        if carry is not None:
            self.generation += carry.generation.tolist()
            self.origin += carry.origin.tolist()
        self.transferred_out = [False] * n
        self.callback_offered = [False] * n
        self.callback_accepted = [math.nan] * n
        self.callback_failed = [False] * n
        self.deflected = [False] * n

    @staticmethod
    def _offers_of(journey: JourneyModel | None) -> list[tuple[float, int]]:
        """A type's in-queue offers as (seconds after entry, kind), in the order made."""
        if journey is None:
            return []
        offers = []
        if journey.deflection is not None:
            offers.append((journey.deflection.after_s, DEFLECT))
        if journey.callback is not None:
            offers.append((journey.callback.offer_after_s, CALL_BACK))
        return sorted(offers)

    # --- in the queue: offers ---

    def _enter(self, contact: int) -> None:
        super()._enter(contact)
        if self._offers[self.ctype[contact]] and self.state[contact] == WAITING:
            self._next_offer(contact, 0)

    def _next_offer(self, contact: int, i: int) -> None:
        """Schedule offer ``i`` of the contact's type if they may still be waiting then, while
        the centre is open."""
        after, _ = self._offers[self.ctype[contact]][i]
        at = self.entry[contact] + after
        # no offers once the centre has closed: a caller still waiting then is lost at the
        # close (``_close``), and hears nothing after it
        if at <= self.deadline[contact] and at < self.end_of_day:
            self.env.at(at - self.env.now, self._on_offer, (contact, i))

    def _on_offer(self, offer: tuple[int, int]) -> None:
        """A waiting caller is offered the deflection or a call back."""
        contact, i = offer
        now = self.env.now
        if self.state[contact] != WAITING or self.deadline[contact] < now:
            return  # answered, gone, or abandoned (not yet found at the head)
        contact_type = self.ctype[contact]
        offers = self._offers[contact_type]
        if offers[i][1] == DEFLECT:
            if self.draws[U_DEFLECT][contact] < self._takes_deflection[contact_type]:
                self.state[contact] = ENDED
                self.end[contact] = now
                self.deflected[contact] = True
                return
        else:
            self.callback_offered[contact] = True
            if self.draws[U_ACCEPT][contact] < self._accepts_callback[contact_type]:
                self.callback_accepted[contact] = now
                self.deadline[contact] = math.inf
                return
        if i + 1 < len(offers):
            self._next_offer(contact, i + 1)

    # --- agents: call-backs, the end of a service ---

    def _answer(self, contact: int, group: int) -> None:
        accepted = self.callback_accepted[contact]
        if accepted == accepted:  # a call-back: does the customer pick up?
            rule = cast(JourneyModel, self._journeys[self.ctype[contact]]).callback
            assert rule is not None
            if self.draws[U_ANSWER][contact] >= rule.answer:
                self.answer[contact] = self.env.now
                self.group[contact] = group
                self.state[contact] = ANSWERED
                self.callback_failed[contact] = True
                self.env.at(rule.ring_s, self._on_ring_end, contact)
                return
        super()._answer(contact, group)

    def _on_ring_end(self, contact: int) -> None:
        """Nobody answered the call-back: the agent is free again."""
        self.end[contact] = self.env.now
        self._release(contact)

    def _on_end(self, contact: int) -> None:
        """A service ends: transfer, maybe a repeat later, then the agent is free."""
        now = self.env.now
        self.end[contact] = now
        contact_type = self.ctype[contact]
        transfers = self._transfers[contact_type]
        moved = False
        if transfers is not None:
            u = self.draws[U_TRANSFER][contact]
            cumulative, targets = transfers
            for j, bound in enumerate(cumulative):
                if u < bound:
                    self._transfer(contact, targets[j])
                    moved = True
                    break
        unresolved = self._unresolved[contact_type]
        if not moved and unresolved > 0 and self.draws[U_REPEAT][contact] < unresolved:
            delay = self.draws[REPEAT_DELAY][contact]
            if now + delay < self.end_of_day:
                self.env.at(delay, self._on_repeat, contact)
            elif not self._last_day:  # due on a later day of the horizon
                self._repeats_due.append((contact, now + delay))
        self._release(contact)

    # --- new contacts of a journey ---

    def _transfer(self, contact: int, to: int) -> None:
        """``contact`` is transferred to the queue of type ``to``, now."""
        now = self.env.now
        interval = self.interval_at(now)
        rng, row = self._child_draws(contact)
        new = self._models[to].draw_one(interval, rng, through_ivr=False)
        self._delay(row, to, rng, interval)
        self.transferred_out[contact] = True
        self._enter(self._spawn(new, now, contact, TRANSFER, row))

    def _on_repeat(self, contact: int) -> None:
        """An unresolved customer contacts again (a new arrival of the same type)."""
        now = self.env.now
        contact_type, interval = self.ctype[contact], self.interval_at(now)
        rng, row = self._child_draws(contact)
        new = self._models[contact_type].draw_one(interval, rng)
        self._delay(row, contact_type, rng, interval)
        self._through_ivr(self._spawn(new, now, contact, REPEAT, row))

    def _on_redial(self, contact: int) -> None:
        """A caller who abandoned calls again; one who was deflected or accepted a call back
        did not abandon."""
        state, accepted = self.state[contact], self.callback_accepted[contact]
        if state == ANSWERED or state == ENDED or accepted == accepted:
            return
        now = self.env.now
        new = self._redial_of(contact)
        row = [math.nan] * len(JOURNEY_COLUMNS)
        if self._journeys[self.ctype[contact]] is not None:  # else it decides nothing
            rng, row = self._child_draws(contact)
            self._delay(row, self.ctype[contact], rng, self.interval_at(now))
        self._through_ivr(self._spawn(new, now, contact, REDIAL, row))

    def _child_draws(self, parent: int) -> tuple[np.random.Generator, list[float]]:
        """The keyed stream of ``parent``'s follow-up and its journey uniforms, drawn first
        whatever its type, so that they never depend on the rest."""
        rng = keyed_generator(self._seed, self._replication, "journey", self.root[parent],
                              self.generation[parent] + 1)
        return rng, child_uniforms(rng)

    def _delay(self, row: list[float], contact_type: int, rng: np.random.Generator,
               interval: int) -> None:
        """Fill in the repeat delay of a follow-up, its stream's last draw."""
        journey = self._journeys[contact_type]
        if journey is not None:
            row[REPEAT_DELAY] = journey.child_delay(rng, interval)

    def _spawn(self, new: Caller, now: float, parent: int, origin: int,
               row: list[float]) -> int:
        """Append a follow-up of ``parent`` arriving now; its index."""
        contact = self._append(new, now, redial=origin == REDIAL)
        for column, value in zip(self.draws, row, strict=True):
            column.append(value)
        self.root.append(self.root[parent])
        self.generation.append(self.generation[parent] + 1)
        self.origin.append(origin)
        self.transferred_out.append(False)
        self.callback_offered.append(False)
        self.callback_accepted.append(math.nan)
        self.callback_failed.append(False)
        self.deflected.append(False)
        return contact

    def _through_ivr(self, contact: int) -> None:
        """Send a new arrival through the IVR (a timeout of 0 without one) to the queue."""
        if self.ivr[contact] != ivr.SELF_SERVED:
            self.env.at(self.entry[contact] - self.env.now, self._enter, contact)

    # --- the close and the records ---

    def _close(self) -> None:
        """Whoever still waits has no agent left: lost, or a call-back never made."""
        for contact in self.router.waiting():
            if self.callback_accepted[contact] == self.callback_accepted[contact]:
                self.state[contact] = ENDED
                self.callback_failed[contact] = True
                self.end[contact] = max(self.entry[contact], self.end_of_day)
            else:
                self.state[contact] = ABANDONED
        self._close_emails()

    def handover(self) -> dict[int, Carry]:
        """The waiting e-mails, and the repeats due after the close: each arrives on the day
        its delay reaches, drawn now from its parent's keyed stream exactly as it would be
        during the day. One due in the night is moved into the next day's opening hours, the
        night mapped onto them in proportion (due 40% into the night: 40% into the next
        day's hours), so a whole night's repeats do not all arrive at the opening."""
        out = super().handover()
        days_left = self._final_day - self.day
        by_day: dict[int, list[Carry]] = {}
        for parent, due in self._repeats_due:
            ahead, local = divmod(due, DAY_S)
            if local >= self.end_of_day:  # in the night: spread over the next day's hours
                night = (local - self.end_of_day) / (DAY_S - self.end_of_day)
                ahead, local = ahead + 1, on_tick(night * self.end_of_day)
            if ahead < 1 or ahead > days_left:
                continue
            interval = min(int(local // self.interval_s), self.intervals - 1)
            contact_type = self.ctype[parent]
            rng, row = self._child_draws(parent)
            rngs = dict.fromkeys(("ivr", "patience", "handle", "redial"), rng)
            new = self._models[contact_type].draw(np.array([local]), np.array([interval]), rngs)
            self._delay(row, contact_type, rng, interval)
            slot = (self.day + int(ahead)) * self.intervals + interval
            new = replace(new, interval=np.array([slot], dtype=np.int32),
                          journey=np.asarray([row]))
            by_day.setdefault(int(ahead), []).append(Carry(
                new, np.array([REPEAT], dtype=np.int8),
                np.array([self.generation[parent] + 1], dtype=np.int64),
                np.array([False])))
        for ahead, parts in by_day.items():
            joined = Carry.join(([out[ahead]] if ahead in out else []) + parts)
            if joined is not None:
                out[ahead] = joined
        return out

    def _journey_rows(self, rows: list[int]) -> np.ndarray | None:
        return np.asarray([[column[c] for column in self.draws] for c in rows])

    def _origin_of(self, rows: list[int]) -> np.ndarray:
        return np.asarray([self.origin[c] for c in rows], dtype=np.int8)

    def _generation_of(self, rows: list[int]) -> np.ndarray:
        return np.asarray([self.generation[c] for c in rows], dtype=np.int64)

    def _records(self) -> Records:
        origin = np.asarray(self.origin, dtype=np.int8)
        return replace(super()._records(), journey=JourneyRecords(
            transferred_in=origin == TRANSFER,
            transferred_out=np.asarray(self.transferred_out, dtype=bool),
            repeat=origin == REPEAT,
            callback_offered=np.asarray(self.callback_offered, dtype=bool),
            callback_accepted=np.asarray(self.callback_accepted),
            callback_failed=np.asarray(self.callback_failed, dtype=bool),
            deflected=np.asarray(self.deflected, dtype=bool),
        ))
