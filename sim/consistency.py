"""Cross-field checks of a scenario: what no single field can know on its own.

Each check yields ``(yaml_path, reason)``. ``check`` raises all of them at once as one
``pydantic.ValidationError`` with one error per problem, located at its YAML path, so the
loader prints one ``FILE: path (line N): reason`` line each and ``Scenario.model_validate``
lists them all. This module knows the scenario's parts but not ``Scenario`` itself (which
calls ``check`` from its validator), so the two import in one direction only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from pydantic import ValidationError
from pydantic_core import InitErrorDetails

from ccsim.sim.distribution_specs import DistributionSpec
from ccsim.sim.journey_checks import journey_problems
from ccsim.sim.optimise_spec import Optimise
from ccsim.sim.scenario_parts import AgentGroup, ContactType, Horizon, ServiceLevel
from ccsim.sim.spec import Path, problem

Problem = tuple[Path, str]


class ScenarioParts(Protocol):
    """What the checks read of a scenario."""

    @property
    def horizon(self) -> Horizon: ...

    @property
    def contact_types(self) -> Sequence[ContactType]: ...

    @property
    def agent_groups(self) -> Sequence[AgentGroup]: ...

    @property
    def service_level(self) -> ServiceLevel: ...

    @property
    def optimise(self) -> Optimise | None: ...


def check(scenario: ScenarioParts, title: str = "Scenario") -> None:
    """Raise a ``ValidationError`` with one error per problem; return if there is none."""
    found = list(problems(scenario))
    if found:
        errors = [InitErrorDetails(type=problem(reason), loc=path,
                                   input=_value_at(scenario, path))
                  for path, reason in found]
        raise ValidationError.from_exception_data(title, errors)


def _value_at(root: Any, path: Path) -> Any:
    """The value a YAML path points at in a (validated) scenario."""
    node = root
    for key in path:
        if isinstance(node, dict):
            node = node[key]
        elif isinstance(node, list):
            node = node[int(key)]
        else:
            node = getattr(node, str(key))
    return node


def problems(scenario: ScenarioParts) -> Iterator[Problem]:
    """Every inconsistency, in the order of a file written in the order of the schema."""
    yield from _horizon(scenario.horizon)
    yield from _contact_types(scenario.contact_types, scenario.horizon)
    yield from _agent_groups(scenario)
    yield from _coverage(scenario)
    yield from journey_problems(scenario)
    if scenario.optimise is not None:
        yield from _optimise(scenario.optimise, scenario)


def _horizon(h: Horizon) -> Iterator[Problem]:
    if h.warmup_minutes >= h.interval_minutes * h.intervals:
        yield (("horizon", "warmup_minutes"),
               f"the warm-up ({h.warmup_minutes:g} min) must be shorter than the day "
               f"({h.intervals} × {h.interval_minutes} min)")


def _unique(names: list[str], where: Path, what: str) -> Iterator[Problem]:
    for i in range(len(names)):
        yield from _repeated(names, i, (*where, i, "name"), what)


def _repeated(names: Sequence[str], i: int, path: Path, what: str) -> Iterator[Problem]:
    """The problem of item ``i`` reusing the name of an earlier item, if it does."""
    if names[i] in names[:i]:
        yield path, f"{what} name {names[i]!r} is used twice"


def _length(value: Any, path: Path, n: int) -> Iterator[Problem]:
    if isinstance(value, list) and len(value) != n:
        yield path, f"has {len(value)} values but horizon.intervals is {n}"


def _per_day_length(value: Any, path: Path, n: int, days: int) -> Iterator[Problem]:
    """A per-interval list given once (``n`` values) or per day (``days`` lists of ``n``)."""
    if not (isinstance(value, list) and value and isinstance(value[0], list)):
        yield from _length(value, path, n)
        return
    if len(value) != days:
        yield (path, f"has {len(value)} lists (one per day) but horizon.days is {days}; give "
                     f"one list per day, or one list of {n} values for every day")
        return
    for d, row in enumerate(value):
        yield from _length(row, (*path, d), n)


def _distribution(spec: DistributionSpec | None, path: Path, n: int,
                  days: int) -> Iterator[Problem]:
    if spec is None:
        return
    for field, values in spec.interval_lists():
        yield from _per_day_length(values, (*path, field), n, days)


def _contact_types(types: Sequence[ContactType], h: Horizon) -> Iterator[Problem]:
    names = [t.name for t in types]
    n, days = h.intervals, h.days
    for i, t in enumerate(types):
        at: Path = ("contact_types", i)
        yield from _repeated(names, i, (*at, "name"), "contact type")
        a = t.arrivals
        yield from _per_day_length(a.per_interval, (*at, "arrivals", "per_interval"), n, days)
        yield from _per_day_length(a.profile, (*at, "arrivals", "profile"), n, days)
        if isinstance(a.daily, list) and len(a.daily) != days:
            yield ((*at, "arrivals", "daily"),
                   f"has {len(a.daily)} values but horizon.days is {days}; give one per day, "
                   "or one number for every day")
        yield from _email(t, at)
        yield from _distribution(t.handle_time, (*at, "handle_time"), n, days)
        yield from _distribution(t.patience, (*at, "patience"), n, days)
        if t.self_service is not None:
            yield from _distribution(
                t.self_service.time_in_ivr, (*at, "self_service", "time_in_ivr"), n, days
            )
        if t.redial is not None:
            yield from _distribution(t.redial.delay, (*at, "redial", "delay"), n, days)
        if t.resolution is not None:
            yield from _distribution(t.resolution.repeat_delay,
                                     (*at, "resolution", "repeat_delay"), n, days)


_NOT_FOR_EMAIL = {
    "patience": "an e-mail never hangs up, so it has no patience; remove the key",
    "self_service": "an e-mail does not go through the IVR; remove the key",
    "redial": "an e-mail never abandons, so it is never redialled; remove the key",
    "callback": "nobody waits on the line for an e-mail, so there is no call-back to offer; "
                "remove the key",
    "deflection": "nobody waits on the line for an e-mail, so there is nothing to offer "
                  "while waiting; remove the key",
    "transfers": "an e-mail is answered where it arrives (transfers are for calls and chats); "
                 "remove the key",
}


def _email(t: ContactType, at: Path) -> Iterator[Problem]:
    """What an e-mail type must not have (it waits, never abandons, and is not a caller)."""
    if t.channel != "email":
        return
    for key, reason in _NOT_FOR_EMAIL.items():
        if getattr(t, key) is not None:
            yield (*at, key), f"{reason} (channel: email)"


def _agent_groups(scenario: ScenarioParts) -> Iterator[Problem]:
    n = scenario.horizon.intervals
    types = [t.name for t in scenario.contact_types]
    names = [g.name for g in scenario.agent_groups]
    for i, g in enumerate(scenario.agent_groups):
        at: Path = ("agent_groups", i)
        yield from _repeated(names, i, (*at, "name"), "agent group")
        skills = g.skill_names
        for j, skill in enumerate(skills):
            where: Path = (*at, "skills", j) + (() if skill == g.skills[j] else ("name",))
            if skill not in types:
                yield where, f"{skill!r} is not a contact type (known: {types})"
            elif skill in skills[:j]:
                yield where, f"skill {skill!r} is listed twice"
        yield from _per_day_length(g.staffing, (*at, "staffing"), n, scenario.horizon.days)
        chat = [t.name for t in scenario.contact_types if t.channel == "chat"]
        if g.max_chats > 1 and not any(skill in chat for skill in skills):
            yield ((*at, "max_chats"),
                   f"is {g.max_chats} but none of the group's skills is a chat type "
                   f"(channel: chat); chat types: {chat or 'none'}")


def _coverage(scenario: ScenarioParts) -> Iterator[Problem]:
    """Every contact type needs a group with its skill."""
    skilled = {skill for g in scenario.agent_groups for skill in g.skill_names}
    for i, t in enumerate(scenario.contact_types):
        if t.name not in skilled:
            yield (("contact_types", i, "name"),
                   f"no agent group has the skill {t.name!r}, so nobody can answer it")


def _week_plan(opt: Optimise, h: Horizon) -> Iterator[Problem]:
    """A roster is a week's (what else ``ccsim optimise`` cannot plan over a horizon of
    several days it says when asked: ``optimise.week.week_problems``)."""
    if opt.roster is not None and h.days != 7:
        yield (("optimise", "roster"),
               f"weekly rostering needs a week: set horizon.days to 7 (it is {h.days}), or "
               "remove the roster block to plan one day's shifts")


def _optimise(opt: Optimise, scenario: ScenarioParts) -> Iterator[Problem]:
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
    if opt.roster is not None and not opt.shifts:
        yield (("optimise", "roster"),
               "needs shift templates (optimise.shifts): a tour is a template on each working "
               "day")
    yield from _week_plan(opt, scenario.horizon)
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
