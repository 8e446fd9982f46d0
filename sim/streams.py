"""Random streams: one independent numpy Generator per (replication, stream, contact type).

Generators come from ``SeedSequence(seed, spawn_key=(replication, stream, type))``: the same
children that ``SeedSequence(seed).spawn`` would give, but addressable without shared state,
so a replication's numbers do not depend on which process runs it or in what order. Two
staffings simulated with the same seed see exactly the same callers (common random numbers).
"""

from __future__ import annotations

import numpy as np

STREAMS = ("day", "arrivals", "ivr", "patience", "handle", "redial", "redialled")


def generator(
    seed: int, replication: int, stream: str, contact_type: int = 0
) -> np.random.Generator:
    """The Generator of one stream of one replication (and one contact type)."""
    key = (replication, STREAMS.index(stream), contact_type)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
