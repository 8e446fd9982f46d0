"""Arrivals: a non-homogeneous Poisson process, piecewise constant by interval.

Forecasts are uncertain, so a day's rates may be scaled by gamma variates of mean 1 (a
Poisson-gamma mixture): one factor per day shared by all contact types, and one per type.
"""

from __future__ import annotations

import numpy as np


def gamma_factor(rng: np.random.Generator, cv: float) -> float:
    """A gamma variate with mean 1 and coefficient of variation ``cv`` (1 when cv is 0)."""
    if cv <= 0:
        return 1.0
    shape = 1.0 / cv**2
    return float(rng.gamma(shape, 1.0 / shape))


def arrival_times(
    rng: np.random.Generator, expected: np.ndarray, interval_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times (seconds from the start of the day) and their interval indices.

    ``expected[i]`` is the expected number of arrivals in interval ``i``: the count is Poisson
    and, given the count, arrival times are uniform over the interval (the order statistics
    property of the Poisson process), so drawing is exact and fully vectorised.
    """
    counts = rng.poisson(expected)
    interval = np.repeat(np.arange(expected.size), counts)
    times = (interval + rng.random(interval.size)) * interval_s
    order = np.argsort(times, kind="stable")
    return times[order], interval[order]
