"""The M/M/n+M queue of plain_simpy.py as a bare ``heapq`` event loop written by hand.

The floor of an event list in Python, the reference the engine's speed is read against (not a
model anyone should maintain): no processes, no objects per contact, one tuple per event.
Arrivals, handle times and patience are drawn in three numpy calls up front; the loop merges
the arrivals (in time order already) with a heap of agent frees and patience expiries. A caller
who finds a free agent is answered at once; otherwise they join a first-come-first-served line
and an expiry is scheduled; an agent who frees takes the longest-waiting caller still there
(callers who left are skipped, not searched for). Arrivals stop at the horizon and the loop
runs until every caller has an outcome, like the other models.

Run as a script it prints contacts, abandonment share and contacts/s:
``python benchmarks/bare_heapq.py [--hours 28]``.
"""

from __future__ import annotations

import argparse
import heapq
import time
from collections import deque

import numpy as np
from plain_simpy import AGENTS, AHT, PATIENCE, RATE

FREE, EXPIRE = 0, 1
"""Event kinds: an agent finishes a call; a waiting caller's patience runs out."""


def arrival_times(rng: np.random.Generator, horizon_s: float) -> np.ndarray:
    """Poisson arrival times (s) of ``RATE`` calls/s in [0, ``horizon_s``)."""
    expected = RATE * horizon_s
    size = int(expected + 6 * expected**0.5) + 10
    times = np.cumsum(rng.exponential(1 / RATE, size))
    while times[-1] < horizon_s:  # far in the tail: draw more
        times = np.concatenate([times, times[-1] + np.cumsum(rng.exponential(1 / RATE, size))])
    return times[times < horizon_s]


def bare_heapq(seed: int, hours: float) -> tuple[int, float]:
    """Simulate ``hours`` of arrivals to the queue; return (contacts, abandonment share)."""
    rng = np.random.default_rng(seed)
    arrivals = arrival_times(rng, hours * 3600.0)
    calls = arrivals.size
    handle = rng.exponential(AHT, calls).tolist()
    patience = rng.exponential(PATIENCE, calls).tolist()
    events: list[tuple[float, int, int]] = []  # (time s, kind, caller)
    line: deque[int] = deque()  # callers who queued, oldest first (some may have left)
    waiting = bytearray(calls)  # 1 while a caller is in the line
    free, abandoned = AGENTS, 0
    push, pop = heapq.heappush, heapq.heappop

    def next_event() -> None:
        nonlocal free, abandoned
        now, kind, caller = pop(events)
        if kind == EXPIRE:
            if waiting[caller]:
                waiting[caller] = 0
                abandoned += 1
            return
        while line:  # an agent is free: the longest-waiting caller still there
            nxt = line.popleft()
            if waiting[nxt]:
                waiting[nxt] = 0
                push(events, (now + handle[nxt], FREE, nxt))
                return
        free += 1

    for caller, t in enumerate(arrivals.tolist()):
        while events and events[0][0] <= t:
            next_event()
        if free:
            free -= 1
            push(events, (t + handle[caller], FREE, caller))
        else:
            waiting[caller] = 1
            line.append(caller)
            push(events, (t + patience[caller], EXPIRE, caller))
    while events:
        next_event()
    return calls, abandoned / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=28.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    began = time.perf_counter()
    calls, share = bare_heapq(args.seed, args.hours)
    seconds = time.perf_counter() - began
    print(f"{calls:,} contacts in {seconds:.3f} s ({calls / seconds:,.0f} contacts/s), "
          f"abandonment {share:.4f}")


if __name__ == "__main__":
    main()
