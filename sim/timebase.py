"""The simulation clock's resolution: every time is a whole number of ticks of 2**-20 s.

Floating-point sums of arbitrary seconds are inexact: ``now + (t - now)`` can differ from ``t``
by a unit in the last place, which would show as a caller answered a hair before they arrived.
Multiples of a power of two are exact in binary, and their sums and differences stay exact up
to 2**33 s (272 years), so rounding every drawn time and duration to the tick (0.95 µs, far
below anything a contact centre measures) makes the clock's arithmetic exact.
"""

from __future__ import annotations

import numpy as np

TICKS_PER_SECOND = 2.0**20
TICK = 1.0 / TICKS_PER_SECOND


def on_tick(seconds: float) -> float:
    """A finite time in seconds rounded to the nearest tick."""
    return round(seconds * TICKS_PER_SECOND) / TICKS_PER_SECOND


def on_ticks(seconds: np.ndarray) -> np.ndarray:
    """Times in seconds rounded to the nearest tick (inf and NaN pass through)."""
    return np.round(seconds * TICKS_PER_SECOND) / TICKS_PER_SECOND
