"""What one day of a multi-day horizon hands to a later one: e-mails still waiting at its
close, and repeats of unresolved customers due after it.

A carried contact keeps everything drawn for it (handle time, journey draws), so two staffings
compared on the same seed still see the same e-mails; only which ones are left over differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.sim.callers import Callers


@dataclass(frozen=True)
class Place:
    """Where one simulated day sits in its replication.

    ``day`` is its position: its slots are ``day × intervals + i`` and its clock opens at
    ``day × 86,400`` s on the horizon's (-1 for the day simulated before the horizon, ``days``
    for the one after it, ``sim.horizon``); ``as_day`` is the horizon day whose forecast and
    staffing it has; ``final`` is the last position simulated, after which nothing is handed
    on (what is still waiting then is backlog).
    """

    day: int
    as_day: int
    final: int


@dataclass(frozen=True)
class Carry:
    """Contacts entering a day from earlier ones.

    ``callers.arrival`` (and so the entry) is on the receiving day's clock: negative for an
    e-mail that arrived on an earlier day; ``callers.interval`` is the slot of the horizon
    (day × intervals + interval) the contact arrived in, which is where it is counted.
    ``origin`` and ``generation`` are the journey engine's (``sim.journeys``); ``redial``
    marks redials.
    """

    callers: Callers
    origin: np.ndarray
    generation: np.ndarray
    redial: np.ndarray

    @property
    def size(self) -> int:
        return self.callers.size

    @staticmethod
    def join(parts: list[Carry]) -> Carry | None:
        """All parts in one, in the order given (None if there is nothing)."""
        parts = [p for p in parts if p.size]
        if not parts:
            return None
        callers = parts[0].callers
        for p in parts[1:]:
            callers = Callers.append(callers, p.callers)
        return Carry(callers,
                     np.concatenate([p.origin for p in parts]),
                     np.concatenate([p.generation for p in parts]),
                     np.concatenate([p.redial for p in parts]))
