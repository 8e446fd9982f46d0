"""Cross-field checks of a scenario: what no single field can know on its own.

Each check yields ``(yaml_path, reason)``; the schema raises the first one with its path, so
the message points at the line the planner has to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ccsim.sim.scenario import Scenario

Path = tuple[str | int, ...]
Problem = tuple[Path, str]


def first_problem(scenario: Scenario) -> Problem | None:
    """The first inconsistency found, or None when the scenario is consistent."""
    return next(problems(scenario), None)


def problems(scenario: Scenario) -> Iterator[Problem]:
    """Every inconsistency, in the order of the file."""
    yield from _horizon(scenario)
    yield from _unique([t.name for t in scenario.contact_types], "contact_types", "contact type")
    yield from _unique([g.name for g in scenario.agent_groups], "agent_groups", "agent group")
    yield from _contact_types(scenario)
    yield from _agent_groups(scenario)
    yield from _coverage(scenario)
    if scenario.optimise is not None:
        yield from _optimise(scenario)


def _horizon(scenario: Scenario) -> Iterator[Problem]:
    h = scenario.horizon
    if h.warmup_minutes >= h.interval_minutes * h.intervals:
        yield (("horizon", "warmup_minutes"),
               f"the warm-up ({h.warmup_minutes:g} min) must be shorter than the day "
               f"({h.intervals} × {h.interval_minutes} min)")


def _unique(names: list[str], where: str, what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            yield (where, i, "name"), f"{what} name {name!r} is used twice"
        seen.add(name)


def _length(value: Any, path: Path, n: int) -> Iterator[Problem]:
    if isinstance(value, list) and len(value) != n:
        yield path, f"has {len(value)} values but horizon.intervals is {n}"


def _distribution(spec: Any, path: Path, n: int) -> Iterator[Problem]:
    if spec is None:
        return
    for field, values in spec.interval_lists():
        yield from _length(values, (*path, field), n)


def _contact_types(scenario: Scenario) -> Iterator[Problem]:
    n = scenario.horizon.intervals
    for i, t in enumerate(scenario.contact_types):
        at: Path = ("contact_types", i)
        yield from _length(t.arrivals.per_interval, (*at, "arrivals", "per_interval"), n)
        yield from _length(t.arrivals.profile, (*at, "arrivals", "profile"), n)
        yield from _distribution(t.handle_time, (*at, "handle_time"), n)
        yield from _distribution(t.patience, (*at, "patience"), n)
        if t.self_service is not None:
            yield from _distribution(
                t.self_service.time_in_ivr, (*at, "self_service", "time_in_ivr"), n
            )
        if t.redial is not None:
            yield from _distribution(t.redial.delay, (*at, "redial", "delay"), n)


def _coverage(scenario: Scenario) -> Iterator[Problem]:
    """Every contact type needs a group with its skill (checked after the skills themselves)."""
    skilled = {skill for g in scenario.agent_groups for skill in g.skills}
    for i, t in enumerate(scenario.contact_types):
        if t.name not in skilled:
            yield (("contact_types", i, "name"),
                   f"no agent group has the skill {t.name!r}, so nobody can answer it")


def _agent_groups(scenario: Scenario) -> Iterator[Problem]:
    n = scenario.horizon.intervals
    types = [t.name for t in scenario.contact_types]
    for i, g in enumerate(scenario.agent_groups):
        at: Path = ("agent_groups", i)
        yield from _length(g.staffing, (*at, "staffing"), n)
        for j, skill in enumerate(g.skills):
            if skill not in types:
                yield (*at, "skills", j), f"{skill!r} is not a contact type (known: {types})"
            elif skill in g.skills[:j]:
                yield (*at, "skills", j), f"skill {skill!r} is listed twice"


def _optimise(scenario: Scenario) -> Iterator[Problem]:
    opt = scenario.optimise
    assert opt is not None
    groups = [g.name for g in scenario.agent_groups]
    yield from _unique([s.name for s in opt.shifts], ("optimise", "shifts"), "shift")
    for i, shift in enumerate(opt.shifts):
        for j, group in enumerate(shift.groups or []):
            if group not in groups:
                yield (("optimise", "shifts", i, "groups", j),
                       f"{group!r} is not an agent group (known: {groups})")
        for j, brk in enumerate(shift.breaks):
            if brk.after_h * 60 + brk.minutes > shift.length_h * 60:
                yield (("optimise", "shifts", i, "breaks", j),
                       f"the break ends after the shift ({shift.length_h:g} h)")
    types = {t.name: t for t in scenario.contact_types}
    for name, options in opt.self_service_options.items():
        at: Path = ("optimise", "self_service_options", name)
        if name not in types:
            yield at, f"{name!r} is not a contact type (known: {list(types)})"
            continue
        yield from _unique([o.name for o in options], at, "self-service option")
        base = types[name].self_service
        for j, option in enumerate(options):
            patch = option.self_service.model_dump(exclude_none=True)
            merged = {**(base.model_dump() if base is not None else {}), **patch}
            where: Path = (*at, j, "self_service")
            missing = [k for k in ("time_in_ivr", "completion") if k not in merged]
            if missing:
                yield where, (f"{name!r} has no self_service today, so the option must give "
                              f"{' and '.join(missing)}")
            elif merged["completion"] + merged.get("opt_out", 0.0) > 1 + 1e-12:
                yield where, "completion + opt_out must be at most 1 once the option is applied"
