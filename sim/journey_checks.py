"""Cross-field checks of the journey keys (``ccsim.sim.journey_specs``).

Each check yields ``(yaml_path, reason)`` as ``ccsim.sim.consistency`` does, which reports them
all at once: a transfer ``to`` a type that does not exist or listed twice, one type's transfer
probabilities over 1, a transfer cycle that never ends, and a `max_wait_s` below the
`threshold_s` in force for a type.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from ccsim.sim.scenario_parts import ContactType, ServiceLevel
from ccsim.sim.spec import Path

Problem = tuple[Path, str]
TOLERANCE = 1e-12
"""Sums of probabilities this far above 1 are rounding, not an error."""


class JourneyParts(Protocol):
    """What the journey checks read of a scenario."""

    @property
    def contact_types(self) -> Sequence[ContactType]: ...

    @property
    def service_level(self) -> ServiceLevel: ...


def journey_problems(scenario: JourneyParts) -> Iterator[Problem]:
    """Every problem of the journey keys, type by type, then transfer cycles."""
    types = [t.name for t in scenario.contact_types]
    channels: list[str] = [t.channel for t in scenario.contact_types]
    for k, t in enumerate(scenario.contact_types):
        yield from _transfers(t, ("contact_types", k, "transfers"), types, channels)
        yield from _max_wait(t, ("contact_types", k, "service_level"), scenario.service_level)
    yield from _endless(scenario.contact_types, types)


def _transfers(t: ContactType, at: Path, types: list[str],
               channels: list[str]) -> Iterator[Problem]:
    transfers = t.transfers or []
    targets = [x.to for x in transfers]
    for j, x in enumerate(transfers):
        if x.to not in types:
            yield (*at, j, "to"), f"{x.to!r} is not a contact type (known: {types})"
        elif channels[types.index(x.to)] == "email":
            yield (*at, j, "to"), (f"{x.to!r} is an e-mail type (channel: email); a call or "
                                   "chat is transferred to a call or chat queue")
        elif x.to in targets[:j]:
            yield (*at, j, "to"), f"transfers to {x.to!r} are listed twice; give one share"
    total = sum(x.probability for x in transfers)
    if total > 1 + TOLERANCE:
        shares = " + ".join(f"{x.probability:g}" for x in transfers)
        yield at, f"the transfer probabilities add up to more than 1: {shares} = {total:g}"


def _max_wait(t: ContactType, at: Path, base: ServiceLevel) -> Iterator[Problem]:
    """``max_wait_s`` at least the ``threshold_s`` in force for the type (its own or the
    scenario's: either may set either)."""
    own = t.service_level
    if own is None or (own.max_wait_s is None and own.threshold_s is None):
        return  # the scenario's own pair is checked by ServiceLevel itself
    threshold = own.threshold_s if own.threshold_s is not None else base.threshold_s
    max_wait = own.max_wait_s if own.max_wait_s is not None else base.max_wait_s
    if max_wait is not None and max_wait < threshold:
        whose = "" if own.max_wait_s is not None else " (the scenario's)"
        field = "max_wait_s" if own.max_wait_s is not None else "threshold_s"
        yield ((*at, field),
               f"max_wait_s{whose} ({max_wait:g} s) must be at least threshold_s "
               f"({threshold:g} s)")


def _endless(contact_types: Sequence[ContactType], types: list[str]) -> Iterator[Problem]:
    """Types from which a contact would be transferred forever: every path from them stays
    among types whose transfer probabilities add up to 1."""
    out = [[(types.index(x.to), x.probability) for x in (t.transfers or [])
            if x.to in types and x.probability > 0] for t in contact_types]
    ends = [sum(p for _, p in edges) < 1 - TOLERANCE for edges in out]
    changed = True
    while changed:  # a type ends if it may stop, or may go on to a type that ends
        changed = False
        for k, edges in enumerate(out):
            if not ends[k] and any(ends[j] for j, _ in edges):
                ends[k] = changed = True
    stuck = [types[k] for k in range(len(types)) if not ends[k]]
    for k in range(len(types)):
        if not ends[k]:
            yield (("contact_types", k, "transfers"),
                   f"a transfer cycle that never ends: from {types[k]!r} every contact is "
                   f"transferred on with probability 1 among {stuck}; let some share end "
                   f"(probabilities below 1)")
