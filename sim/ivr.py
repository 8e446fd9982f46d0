"""The IVR / self-service stage: who completes there, who opts out, who fails.

A caller who fails in self-service reaches an agent frustrated: the type's patience and handle
time are scaled by the self-service block's failure factors.
"""

from __future__ import annotations

import numpy as np

NO_IVR, SELF_SERVED, OPTED_OUT, FAILED = 0, 1, 2, 3
"""Outcome codes stored in the per-contact records."""


def outcomes(rng: np.random.Generator, size: int, completion: float, opt_out: float) -> np.ndarray:
    """IVR outcome codes for ``size`` callers (int8): SELF_SERVED, OPTED_OUT or FAILED."""
    u = rng.random(size)
    codes = np.full(size, FAILED, dtype=np.int8)
    codes[u < completion + opt_out] = OPTED_OUT
    codes[u < completion] = SELF_SERVED
    return codes
