"""Per-contact records of one simulated day: plain numpy arrays, one entry per contact.

Times are seconds from the start of the day; NaN where a stage did not happen (``entry`` of a
self-served caller, ``answer`` of an abandoned one, ``abandon`` of an answered one). ``group``
is the answering agent group, -1 if none. ``interval`` is the interval of arrival.
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
