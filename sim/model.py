"""The SimPy engine: one simulated day of the contact centre.

SimPy is the event list and clock; the model is written with callbacks on timeouts rather
than a process per contact, which is what makes it several times faster than the textbook
one-process-per-call model (see ``benchmarks/engine.py``):

* callers are pre-drawn in bulk (``sim.callers``); the IVR is an infinite-server stage, so a
  caller's entry into the agent queues is known before the day starts and is fed in time order
  from a sorted list merged with SimPy's heap (``sim.events``, in exactly SimPy's order);
* an answered contact costs one more event (the end of its handling);
* abandonment is lazy (see ``sim.routing``): no timer per waiting contact, except a redial
  check for the callers who would redial and an overflow timer under ``priority`` routing;
* every time and duration is a multiple of ``sim.timebase.TICK`` (about a microsecond), so the
  clock's sums are exact: a caller is answered at exactly their entry time, never a rounding
  error before it;
* staffing changes at interval boundaries: new agents take waiting work at once, agents above
  the new staffing leave when idle or as soon as they finish the contact in hand.

After the last interval nobody arrives (redials due later are dropped), and the last interval's
staffing serves until every contact in the centre is answered or abandons. A caller with
infinite patience still waiting when no agent is left to answer them is counted as abandoned
at the end of the day (the close), so every arrival has exactly one outcome.

E-mails are blended into the agents' idle time: an agent takes one only when no call or chat of
its skills waits, and never after the close. An e-mail still waiting at the close is handed to
the next day of a multi-day horizon (``sim.horizon``), or left as backlog on the last day.
One day of a multi-day horizon is simulated by this same model on its own clock (0 = its
opening); ``sim.horizon`` chains the days and hands over what carries over.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from ccsim.sim import ivr
from ccsim.sim.callers import Caller, CallerModel, Callers, compile_types, draw_day
from ccsim.sim.carry import Carry, Place
from ccsim.sim.events import DayEnvironment
from ccsim.sim.records import Records
from ccsim.sim.routing import (
    ABANDONED,
    ANSWERED,
    WAITING,
    LongestIdleRouter,
    PriorityRouter,
    Router,
)
from ccsim.sim.scenario import DAY_S, Priority, Scenario
from ccsim.sim.streams import generator
from ccsim.sim.timebase import on_tick


class DayModel:
    """One simulated day: build it from a scenario and its pre-drawn callers, then ``run()``."""

    def __init__(
        self,
        scenario: Scenario,
        callers: Callers,
        models: list[CallerModel],
        seed: int,
        replication: int,
        day: int | Place = 0,
        carry: Carry | None = None,
    ) -> None:
        self.env = DayEnvironment()
        horizon = scenario.horizon
        self.interval_s = horizon.interval_s
        self.intervals = horizon.intervals
        self.end_of_day = horizon.length_s
        place = day if isinstance(day, Place) else Place(day, day, horizon.days - 1)
        self.day = place.day
        self._slot0 = place.day * horizon.intervals
        self._final_day = place.final
        self._last_day = place.day == place.final
        first = place.as_day * horizon.intervals
        self.staffing = [row[first:first + horizon.intervals]
                         for row in scenario.staffing_matrix()]
        own = callers.size
        if carry is not None:
            callers = Callers.append(callers, carry.callers)
        names = [t.name for t in scenario.contact_types]
        self.handle_factor = [[g.handle_factor(name) for name in names]
                              for g in scenario.agent_groups]
        self._models = models
        self._redial_rngs = [generator(seed, replication, "redialled", m.index) for m in models]

        served_by_agents = callers.ivr != ivr.SELF_SERVED
        entry = np.where(served_by_agents, callers.arrival + callers.ivr_time, np.nan)
        end = np.where(served_by_agents, np.nan, callers.arrival + callers.ivr_time)
        n = callers.size
        self.arrival = callers.arrival.tolist()
        self.ctype = callers.ctype.tolist()
        self.interval = callers.interval.tolist()
        self.ivr = callers.ivr.tolist()
        self.entry = entry.tolist()
        self.deadline = (entry + callers.patience).tolist()
        self.handle = callers.handle.tolist()
        self.redial_after = callers.redial_after.tolist()
        self.answer = [math.nan] * n
        self.end = end.tolist()
        self.group = [-1] * n
        self.state = [WAITING] * n
        self.is_redial = [False] * own
        if carry is not None:
            self.is_redial += carry.redial.tolist()
        self.carried_out: list[int] = []
        """Contacts handed to a later day at the close (not in this day's records)."""

        self._email = [t.channel == "email" for t in scenario.contact_types]
        email_types = [k for k, is_email in enumerate(self._email) if is_email]
        skills = [[scenario.type_index(s) for s in g.skill_names] for g in scenario.agent_groups]
        self._email_skills = [[k for k in group if k in email_types] for group in skills]
        self._email_groups = [[g for g, own_skills in enumerate(skills) if k in own_skills]
                              for k in range(len(models))]
        self._email_queues: list[deque[int]] = [deque() for _ in models]
        self._in_order = isinstance(scenario.routing, Priority)
        """Under ``priority`` e-mails too go to the first listed group with an idle agent, and
        an agent takes its first listed e-mail skill with one waiting."""
        self._closed = False
        # the router never sees an e-mail (they wait in ``_email_queues``), but a group that
        # answers only e-mails still needs a skill there: its e-mail types go last, so its
        # first (primary) skill under ``priority`` is its first call or chat skill
        skills = [[k for k in group if k not in email_types]
                  + [k for k in group if k in email_types] for group in skills]
        args = (skills, len(models), self.entry, self.deadline, self.state)
        routing = scenario.routing
        self.router: Router
        if isinstance(routing, Priority):
            self.router = PriorityRouter(*args, overflow_after_s=on_tick(routing.overflow_after_s))
            self._overflow = [self.router.needs_overflow_timer(k) for k in range(len(models))]
        else:
            self.router = LongestIdleRouter(*args)
            self._overflow = [False] * len(models)

        self.on_shift = [row[0] for row in self.staffing]
        self.leaving = [0] * len(self.staffing)
        for group, agents in enumerate(self.on_shift):
            self.router.idle[group].extend([0.0] * agents)

        order = np.flatnonzero(served_by_agents)
        order = order[np.argsort(entry[order], kind="stable")]
        # e-mails carried over from an earlier day (entered before this opening) are already
        # waiting when the day opens (``_on_opening``); the others are fed as they enter
        carried = entry[order] < 0
        self._carried_in = order[carried].tolist()
        order = order[~carried]
        self._feed_ids = order.tolist()
        self._feed_times = entry[order].tolist()
        self._end_callback = self._on_end  # bound once: it runs once per answered contact

    # --- events ---

    def run(self) -> Records:
        """Simulate the day to the close and return the per-contact records."""
        env = self.env
        if self._carried_in:
            env.at(0, self._on_opening)
        for i in range(1, self.intervals):
            env.at(i * self.interval_s, self._on_interval, i)
        env.feed(self._feed_times, self._feed_ids, self._enter)
        if self._email_skills and any(self._email_skills):
            env.at(self.end_of_day, self._on_close)
        env.run()
        self._close()
        return self._records()

    def _close(self) -> None:
        """The day is over: whoever still waits has no agent left and is lost."""
        for contact in self.router.waiting():
            self.state[contact] = ABANDONED
        self._close_emails()

    def _close_emails(self) -> None:
        """E-mails still waiting go to the next day, or stay as backlog on the last one."""
        if not self._last_day:
            for queue in self._email_queues:
                self.carried_out.extend(queue)

    def _on_opening(self, _: object) -> None:
        """The day opens with yesterday's e-mails waiting, oldest first: the agents on the
        phones take them by the routing rule (``_email_for``), group by group."""
        for contact in self._carried_in:
            self._email_queues[self.ctype[contact]].append(contact)
        for group, agents in enumerate(self.router.idle):
            while agents and self._email_skills[group]:
                contact = self._email_for(group)
                if contact < 0:
                    break
                agents.popleft()
                self._answer(contact, group)

    def _on_close(self, _: object) -> None:
        """The last interval has ended: agents finish the calls and chats in the centre but
        take no more e-mails."""
        self._closed = True

    def _enter(self, contact: int) -> None:
        """A contact reaches the agent queues: answered at once, or it waits."""
        contact_type = self.ctype[contact]
        if self._email[contact_type]:
            self._enter_email(contact, contact_type)
            return
        group = self.router.agent_for(contact_type, 0.0)
        if group < 0:
            group = self._seat(contact_type, 0.0)
        if group >= 0:
            self._answer(contact, group)
            return
        self.router.enqueue(contact, contact_type)
        env, deadline = self.env, self.deadline[contact]
        if self._overflow[contact_type]:
            delay = self.router.overflow_after_s  # type: ignore[attr-defined]
            if env.now + delay <= deadline:
                env.at(delay, self._on_overflow, contact)
        after = self.redial_after[contact]
        if after == after and deadline + after < self.end_of_day:
            env.at(deadline + after - env.now, self._on_redial, contact)

    def _enter_email(self, contact: int, contact_type: int) -> None:
        """An e-mail arrives: while the centre is open an idle agent with the skill takes it
        (the longest-idle one, or under ``priority`` one of the first listed group with an
        idle agent; an idle agent means no call or chat of theirs waits); else it waits."""
        best, since = -1, math.inf
        if not self._closed:
            idle = self.router.idle
            for group in self._email_groups[contact_type]:
                agents = idle[group]
                if agents and agents[0] < since:
                    best, since = group, agents[0]
                    if self._in_order:
                        break
        if best < 0:
            self._email_queues[contact_type].append(contact)
            return
        self.router.idle[best].popleft()
        self._answer(contact, best)

    def _email_for(self, group: int) -> int:
        """The longest-waiting e-mail among ``group``'s skills (under ``priority`` the first
        of its first listed e-mail skill with one waiting), removed from its queue (-1 if
        none, or the centre has closed)."""
        if self._closed:
            return -1
        best_queue: deque[int] | None = None
        earliest = math.inf
        for contact_type in self._email_skills[group]:
            queue = self._email_queues[contact_type]
            if queue and self.entry[queue[0]] < earliest:
                best_queue, earliest = queue, self.entry[queue[0]]
                if self._in_order:
                    break
        return best_queue.popleft() if best_queue is not None else -1

    def _answer(self, contact: int, group: int) -> None:
        """An agent of ``group`` answers ``contact`` now."""
        self.answer[contact] = self.env.now
        self.group[contact] = group
        self.state[contact] = ANSWERED
        factor = self.handle_factor[group][self.ctype[contact]]
        duration = self.handle[contact] if factor == 1.0 else on_tick(self.handle[contact] * factor)
        self.env.at(duration, self._end_callback, contact)

    def _on_end(self, contact: int) -> None:
        self.end[contact] = self.env.now
        self._release(contact)

    def _release(self, contact: int) -> None:
        """The agent who handled ``contact`` has finished it (``sim.chat``: one chat of
        several)."""
        self._agent_free(self.group[contact])

    def _seat(self, contact_type: int, waited: float) -> int:
        """The group of an agent with room for one more contact of this type besides the
        idle ones (-1 if none); only chat agents have such room (``sim.chat``)."""
        return -1

    def _agent_free(self, group: int) -> None:
        """An agent of ``group`` is free: leave if over staffing, else take work or go idle."""
        if self.leaving[group]:
            self.leaving[group] -= 1
            return
        now = self.env.now
        contact = self.router.contact_for(group, now)
        if contact < 0 and self._email_skills[group]:
            contact = self._email_for(group)
        if contact >= 0:
            self._answer(contact, group)
        else:
            self.router.idle[group].append(now)

    def _on_overflow(self, contact: int) -> None:
        """A waiting contact becomes eligible for groups that have it as a later skill."""
        if self.state[contact] != WAITING or self.deadline[contact] < self.env.now:
            return
        contact_type = self.ctype[contact]
        group = self.router.agent_for(contact_type, math.inf)
        if group < 0:
            group = self._seat(contact_type, math.inf)
        if group >= 0:
            self.router.remove(contact, contact_type, self.env.now)
            self._answer(contact, group)

    def _on_redial(self, contact: int) -> None:
        """A caller who abandoned calls again (a new contact of the same type)."""
        if self.state[contact] == ANSWERED:
            return
        self._add_contact(self._redial_of(contact), self.env.now)

    def _redial_of(self, contact: int) -> Caller:
        """``contact`` abandoned: mark it so, and draw its redial, arriving now."""
        self.state[contact] = ABANDONED
        contact_type = self.ctype[contact]
        return self._models[contact_type].draw_one(self.interval_at(self.env.now),
                                                   self._redial_rngs[contact_type])

    def interval_at(self, now: float) -> int:
        """The interval of time ``now`` (the last one during the close)."""
        return min(int(now // self.interval_s), self.intervals - 1)

    def _add_contact(self, new: Caller, now: float) -> int:
        """Append one dynamically created caller (a redial) and send it on its way through
        the IVR (a timeout of 0 without one); its index."""
        contact = self._append(new, now, redial=True)
        if self.ivr[contact] != ivr.SELF_SERVED:
            self.env.at(self.entry[contact] - now, self._enter, contact)
        return contact

    def _append(self, new: Caller, now: float, redial: bool) -> int:
        """Append one caller arriving at ``now`` to the per-contact lists; its index."""
        contact = len(self.arrival)
        served_by_agents = new.ivr != ivr.SELF_SERVED
        through_ivr = new.ivr_time
        entry = now + through_ivr if served_by_agents else math.nan
        self.arrival.append(now)
        self.ctype.append(new.ctype)
        self.interval.append(new.interval + self._slot0)
        self.ivr.append(new.ivr)
        self.entry.append(entry)
        self.deadline.append(entry + new.patience)
        self.handle.append(new.handle)
        self.redial_after.append(new.redial_after)
        self.answer.append(math.nan)
        self.end.append(math.nan if served_by_agents else now + through_ivr)
        self.group.append(-1)
        self.state.append(WAITING)
        self.is_redial.append(redial)
        return contact

    def _on_interval(self, interval: int) -> None:
        """Staffing changes at the start of interval ``interval``."""
        for group, row in enumerate(self.staffing):
            change = row[interval] - self.on_shift[group]
            self.on_shift[group] = row[interval]
            if change > 0:
                kept = min(self.leaving[group], change)
                self.leaving[group] -= kept
                kept += self._recall(group, change - kept)
                for _ in range(change - kept):
                    self._agent_free(group)
            elif change < 0:
                idle = self.router.idle[group]
                sent_home = min(-change, len(idle))
                for _ in range(sent_home):
                    idle.pop()
                sent_home += self._send_home(group, -change - sent_home)
                self.leaving[group] += -change - sent_home

    def _recall(self, group: int, wanted: int) -> int:
        """Staffing rose: keep up to ``wanted`` agents of ``group`` who were on their way out
        but still hold work; how many (only chat agents can be, ``sim.chat``)."""
        return 0

    def _send_home(self, group: int, wanted: int) -> int:
        """Staffing fell: send up to ``wanted`` agents of ``group`` who hold work but have room
        for more home once it is done; how many (only chat agents, ``sim.chat``)."""
        return 0

    def handover(self) -> dict[int, Carry]:
        """What this day hands on, by days ahead: the e-mails still waiting at the close go
        to tomorrow, on tomorrow's clock (arrival - 24 h)."""
        if not self.carried_out:
            return {}
        rows = self.carried_out
        arrival = np.asarray([self.arrival[c] for c in rows]) - DAY_S
        callers = Callers(
            arrival=arrival,
            ctype=np.asarray([self.ctype[c] for c in rows], dtype=np.int16),
            interval=np.asarray([self.interval[c] for c in rows], dtype=np.int32),
            ivr=np.asarray([self.ivr[c] for c in rows], dtype=np.int8),
            ivr_time=np.asarray([self.entry[c] - self.arrival[c] for c in rows]),
            patience=np.full(len(rows), math.inf),
            handle=np.asarray([self.handle[c] for c in rows]),
            redial_after=np.full(len(rows), math.nan),
            journey=self._journey_rows(rows),
        )
        return {1: Carry(callers, self._origin_of(rows), self._generation_of(rows),
                         np.asarray([self.is_redial[c] for c in rows], dtype=bool))}

    def _journey_rows(self, rows: list[int]) -> np.ndarray | None:
        """The journey draws of ``rows`` (none without journeys, ``sim.journeys``)."""
        return None

    def _origin_of(self, rows: list[int]) -> np.ndarray:
        """How ``rows`` came about (all forecast callers without journeys)."""
        return np.zeros(len(rows), dtype=np.int8)

    def _generation_of(self, rows: list[int]) -> np.ndarray:
        """Journey generation of ``rows`` (0 without journeys)."""
        return np.zeros(len(rows), dtype=np.int64)

    def _records(self) -> Records:
        """The per-contact records as numpy arrays."""
        entry = np.asarray(self.entry)
        deadline = np.asarray(self.deadline)
        state = np.asarray(self.state, dtype=np.int8)
        abandoned = (state == ABANDONED) & ~np.isnan(entry)
        close = np.maximum(entry, self.end_of_day)
        abandon = np.where(abandoned, np.where(np.isinf(deadline), close, deadline), np.nan)
        return Records(
            arrival=np.asarray(self.arrival),
            ctype=np.asarray(self.ctype, dtype=np.int16),
            interval=np.asarray(self.interval, dtype=np.int32),
            ivr=np.asarray(self.ivr, dtype=np.int8),
            entry=entry,
            answer=np.asarray(self.answer),
            abandon=abandon,
            end=np.where(abandoned, abandon, np.asarray(self.end)),
            group=np.asarray(self.group, dtype=np.int16),
            redial=np.asarray(self.is_redial, dtype=bool),
        )


def engine_of(scenario: Scenario) -> type[DayModel]:
    """The day model that simulates ``scenario``: the plain one unless chats or journeys
    need their own."""
    engine: type[DayModel] = DayModel
    if scenario.has_chat:  # agents who hold several chats at once
        from ccsim.sim.chat import ChatDayModel, ChatJourneyDayModel

        engine = ChatJourneyDayModel if scenario.has_journeys else ChatDayModel
    elif scenario.has_journeys:  # transfers, repeats, call-backs, deflection
        from ccsim.sim.journeys import JourneyDayModel

        engine = JourneyDayModel
    return engine


def simulate_day(scenario: Scenario, seed: int, replication: int) -> Records:
    """Simulate replication ``replication`` of a one-day ``scenario`` with ``seed``: its
    records (``sim.horizon`` simulates several days)."""
    models = compile_types(scenario)
    callers = draw_day(scenario, models, seed, replication)
    return engine_of(scenario)(scenario, callers, models, seed, replication).run()
