"""Per-contact records of one simulated horizon: plain numpy arrays, one entry per contact.

Times are seconds from the opening of the first day (day ``d`` opens at ``d × 86,400``); NaN
where a stage did not happen (``entry`` of a self-served caller, ``answer`` of an abandoned
one, ``abandon`` of an answered one, all three of an e-mail still waiting at the end of the
horizon). ``group`` is the answering agent group, -1 if none. ``interval`` is the slot of
arrival (day × intervals + interval; the interval itself in a one-day horizon).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.sim import ivr


@dataclass(frozen=True)
class Records:
    arrival: np.ndarray
    ctype: np.ndarray
    interval: np.ndarray
    ivr: np.ndarray
    entry: np.ndarray
    answer: np.ndarray
    abandon: np.ndarray
    end: np.ndarray
    group: np.ndarray
    redial: np.ndarray
    journey: JourneyRecords | None = None
    """What happened around the call (``ccsim.sim.journeys``); None without journeys."""
    chat: ChatRecords | None = None
    """The chat agents' busy spells (``ccsim.sim.chat``); None without chat types."""

    @property
    def size(self) -> int:
        return int(self.arrival.size)

    @property
    def self_served(self) -> np.ndarray:
        return self.ivr == ivr.SELF_SERVED

    @property
    def offered(self) -> np.ndarray:
        """Contacts that entered an agent queue."""
        return ~np.isnan(self.entry)

    @property
    def answered(self) -> np.ndarray:
        return ~np.isnan(self.answer)

    @property
    def abandoned(self) -> np.ndarray:
        return ~np.isnan(self.abandon)

    @property
    def wait(self) -> np.ndarray:
        """Time in the agent queue (to answer or to abandon), seconds; NaN if never queued."""
        out = np.where(self.answered, self.answer, self.abandon) - self.entry
        return out

    @property
    def backlog(self) -> np.ndarray:
        """E-mails still waiting at the end of the horizon: offered, and neither answered,
        lost, deflected nor a call-back never made (those leave the queue unanswered too)."""
        waiting = self.offered & ~self.answered & ~self.abandoned
        journey = self.journey
        if journey is not None:
            waiting &= ~journey.deflected & ~journey.callback_failed
        return waiting

    def take(self, rows: np.ndarray) -> Records:
        """The records of the contacts selected by ``rows`` (a mask or indices); the chat
        agents' spells are kept whole."""
        journey = self.journey
        return Records(
            **{f: getattr(self, f)[rows] for f in _CONTACT_FIELDS},
            journey=None if journey is None else JourneyRecords(
                **{f: getattr(journey, f)[rows] for f in _JOURNEY_FIELDS}),
            chat=self.chat,
        )

    def shifted(self, seconds: float) -> Records:
        """The same records on a clock ``seconds`` later (a later day's on the horizon's)."""
        if seconds == 0:
            return self
        moved = {f: getattr(self, f) + seconds for f in _TIMES}
        journey, chat = self.journey, self.chat
        if journey is not None:
            journey = JourneyRecords(**{
                **{f: getattr(journey, f) for f in _JOURNEY_FIELDS},
                "callback_accepted": journey.callback_accepted + seconds})
        if chat is not None:
            chat = ChatRecords(chat.group, chat.start + seconds, chat.end + seconds)
        return Records(**{**{f: getattr(self, f) for f in _CONTACT_FIELDS}, **moved},
                       journey=journey, chat=chat)

    @staticmethod
    def concat(parts: list[Records]) -> Records:
        """The records of several days, one after the other."""
        if len(parts) == 1:
            return parts[0]
        journeys = [p.journey for p in parts]
        chats = [p.chat for p in parts]
        return Records(
            **{f: np.concatenate([getattr(p, f) for p in parts]) for f in _CONTACT_FIELDS},
            journey=None if journeys[0] is None else JourneyRecords(**{
                f: np.concatenate([getattr(j, f) for j in journeys if j is not None])
                for f in _JOURNEY_FIELDS}),
            chat=None if chats[0] is None else ChatRecords(*(
                np.concatenate([getattr(c, f) for c in chats if c is not None])
                for f in ("group", "start", "end"))),
        )


@dataclass(frozen=True)
class JourneyRecords:
    """The journey part of the records, one entry per contact (as ``Records``).

    ``transferred_in``: the contact is a transfer from another queue (its arrival and entry are
    when it joined this queue); ``transferred_out``: after its service it was transferred on;
    ``repeat``: it is a repeat of an unresolved contact. ``callback_accepted`` is when the
    caller accepted a call back (NaN if not); such a contact's ``answer`` is when an agent
    called back, and ``callback_failed`` marks those nobody answered (the agent lost
    ``ring_s``) or never called back (still owed at the close: no answer time).
    ``deflected`` contacts left the queue at ``end`` to finish in self-service.
    """

    transferred_in: np.ndarray
    transferred_out: np.ndarray
    repeat: np.ndarray
    callback_offered: np.ndarray
    callback_accepted: np.ndarray
    callback_failed: np.ndarray
    deflected: np.ndarray

    @property
    def called_back(self) -> np.ndarray:
        """Contacts that accepted a call back (left the line, kept their place)."""
        return ~np.isnan(self.callback_accepted)


_CONTACT_FIELDS = ("arrival", "ctype", "interval", "ivr", "entry", "answer", "abandon", "end",
                   "group", "redial")
_TIMES = ("arrival", "entry", "answer", "abandon", "end")
_JOURNEY_FIELDS = ("transferred_in", "transferred_out", "repeat", "callback_offered",
                   "callback_accepted", "callback_failed", "deflected")

ANSWERED, ABANDONED, SELF_SERVED = 0, 1, 2
OUTCOMES = ("answered", "abandoned", "self_served")
"""Outcome codes of a ``ContactLog`` and their names in the ``contacts`` layout."""


@dataclass(frozen=True)
class ContactLog:
    """One simulated day's contacts in the ``contacts`` layout of ``ccsim import``, sorted by
    arrival: every contact, warm-up and redials included, as a phone system's export lists
    them. Compact, so it travels cheaply back from a worker process.

    ``arrival``: seconds from the start of the day (before the IVR); ``ctype``: contact type
    index; ``wait``: seconds in the agent queue until answered or abandoned (NaN for
    self-served contacts); ``outcome``: ``ANSWERED``, ``ABANDONED`` or ``SELF_SERVED``;
    ``handle``: seconds an agent spent on it (NaN unless answered).
    """

    arrival: np.ndarray
    ctype: np.ndarray
    wait: np.ndarray
    outcome: np.ndarray
    handle: np.ndarray

    @property
    def size(self) -> int:
        return int(self.arrival.size)


def contact_log(records: Records) -> ContactLog:
    """The ``contacts`` layout of a day's records. Every contact has one outcome: served in
    self-service, answered, or abandoned (a caller still waiting when no agent is left counts
    as abandoned at the close, as in the KPIs).

    With journeys: a deflected contact finished in self-service; a call-back that failed is
    abandoned (nobody was served); a call-back answered is answered, with the wait on the line
    until the caller accepted the offer (what the caller's patience was shown to outlast, as an
    ACD's export records it) and the handle time of the call back."""
    order = np.argsort(records.arrival, kind="stable")
    order = order[~records.backlog[order]]  # still waiting at the end: not yet in any export
    answered = records.answered[order]
    wait = records.wait[order]
    outcome = np.full(order.size, SELF_SERVED, dtype=np.int8)
    outcome[records.abandoned[order]] = ABANDONED
    outcome[answered] = ANSWERED
    journey = records.journey
    if journey is not None:
        failed = journey.callback_failed[order].astype(bool)
        outcome[failed] = ABANDONED
        answered = answered & ~failed
        accepted = journey.called_back[order]
        wait = np.where(accepted, journey.callback_accepted[order] - records.entry[order], wait)
    handle = np.where(answered, records.end[order] - records.answer[order], np.nan)
    return ContactLog(
        arrival=records.arrival[order],
        ctype=records.ctype[order],
        wait=wait,
        outcome=outcome,
        handle=handle,
    )


@dataclass(frozen=True)
class ChatRecords:
    """Spells during which one agent held at least one chat, one entry per spell: the agent's
    ``group``, and ``start`` / ``end`` in seconds from the start of the day. An agent busy in
    these spells counts as occupied however many chats it holds."""

    group: np.ndarray
    start: np.ndarray
    end: np.ndarray
