"""The event list: SimPy's, with two economies that keep its order of events exactly.

SimPy orders events by (time, priority, insertion number) on one heap, and that order is what
the engine's results depend on. Two things cost most of a simulated contact (see
``benchmarks/README.md``), and both can be had for less without changing that order:

* **The arrival feed.** Callers are pre-drawn and sorted by the time they reach the agent
  queues, so they need not go through the heap at all: ``DayEnvironment`` merges the sorted
  feed with SimPy's heap in ``step``. Each feed entry still takes the insertion number it
  would have had as a ``Timeout`` scheduled by the entry before it (reserved from SimPy's own
  counter at that moment), so a feed entry and a heap event at the same tick are taken in
  exactly the order SimPy would have taken them.
* **Light timeouts.** ``at`` puts a ``(callback, value)`` pair on SimPy's heap, at the place
  (time, priority, insertion number) a ``Timeout`` would take, and ``step`` calls
  ``callback(value)`` when it comes to the head: what a triggered ``Timeout`` with one
  callback does, without an event object, its callbacks list and its checks per event.

Everything else (``run``, ``now``, ``step`` for every other heap event, any ordinary SimPy
event or process a model adds) is SimPy's own.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import NORMAL

Callback = Callable[[Any], None]


class DayEnvironment(simpy.Environment):
    """A SimPy environment with a pre-sorted feed of arrivals merged into its event list.

    ``feed(times, values, callback)`` registers the feed: ``callback(values[i])`` is called at
    ``times[i]`` (seconds, non-decreasing) for each ``i`` in turn, as if each entry were a
    ``Timeout`` scheduled when the previous one fired (the first when ``feed`` is called).
    """

    def __init__(self) -> None:
        super().__init__()
        self._feed_times: list[float] = []
        self._feed_values: list[Any] = []
        self._feed_callback: Callable[[Any], None] | None = None
        self._feed_pos = 0
        self._feed_count = 0
        self._feed_eid = 0

    def feed(self, times: list[float], values: list[Any],
             callback: Callable[[Any], None]) -> None:
        """Deliver ``callback(values[i])`` at ``times[i]``, in order."""
        self._feed_times = times
        self._feed_values = values
        self._feed_callback = callback
        self._feed_pos = 0
        self._feed_count = len(times)
        if times:
            self._feed_eid = next(self._eid)

    def at(self, delay: float, callback: Callback, value: object = None) -> None:
        """Call ``callback(value)`` ``delay`` seconds from now (as a ``Timeout`` of that
        delay with that one callback would, in the same place of SimPy's order)."""
        # the pair stands where SimPy keeps an event; ``step`` tells one from the other
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid),  # type: ignore[misc]
                               (callback, value)))

    def step(self) -> None:
        """Process the next event: the next feed entry if it comes first in SimPy's order
        (time, priority, insertion number), else the head of SimPy's heap: a pair of ``at``
        called here, any other event by SimPy's own ``step``."""
        queue = self._queue
        head = queue[0] if queue else None
        pos = self._feed_pos
        if pos < self._feed_count:
            at = self._feed_times[pos]
            if head is None or at < head[0] or (at == head[0] and (
                    NORMAL < head[1] or (NORMAL == head[1] and self._feed_eid < head[2]))):
                self._now = at
                self._feed_pos = pos + 1
                callback = self._feed_callback
                assert callback is not None
                callback(self._feed_values[pos])
                if pos + 1 < self._feed_count:  # the next entry is "scheduled" now
                    self._feed_eid = next(self._eid)
                return
        if head is not None and type(head[3]) is tuple:
            heappop(queue)
            self._now = head[0]
            call, value = head[3]
            call(value)
            return
        super().step()
