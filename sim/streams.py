"""Random streams: one independent numpy Generator per (replication, stream, contact type).

Generators come from ``SeedSequence(seed, spawn_key=(replication, stream, type))``: the same
children that ``SeedSequence(seed).spawn`` would give, but addressable without shared state,
so a replication's numbers do not depend on which process runs it or in what order. Two
staffings simulated with the same seed see exactly the same callers (common random numbers).
"""

from __future__ import annotations

import numpy as np

STREAMS = ("day", "arrivals", "ivr", "patience", "handle", "redial", "redialled",
           "transfer", "repeat", "callback", "callback_answer", "deflection", "journey")
"""Stream names; their positions are part of the key, so new streams are only appended.
One stream per kind of decision: the journey decisions of the forecast callers (transfer,
repeat, call-back accepted, call-back answered, deflection) are drawn per type from their
own streams; a contact created during the day by a journey gets its own ``journey`` stream
(see ``keyed_generator``)."""


def generator(
    seed: int, replication: int, stream: str, contact_type: int = 0
) -> np.random.Generator:
    """The Generator of one stream of one replication (and one contact type)."""
    key = (replication, STREAMS.index(stream), contact_type)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def keyed_generator(seed: int, replication: int, stream: str, *key: int) -> np.random.Generator:
    """A Generator addressed by a longer key, ``(replication, stream, *key)``: the draws of one
    contact created during the day, keyed by who it descends from (see ``sim.journeys``), so
    that it is the same whatever the staffing and the order of events."""
    spawn_key = (replication, STREAMS.index(stream), *key)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))
