"""The scenario schema: every key a planner may write in a ccsim YAML file, validated once.

Models are frozen pydantic v2 models with unknown keys forbidden, so a typo is an error rather
than a silently ignored option. Field docstrings (``description``) end up in the JSON Schema
that ``ccsim schema`` prints, so editors can complete and check scenario files.

Errors that concern one field carry their YAML path; cross-field checks raise a
``PydanticCustomError`` of type ``ccsim`` whose context names the absolute path (``path``), so
the loader can point at the right line. All times are in seconds unless a key says otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from ccsim.sim import distributions as dist
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Path = tuple[str | int, ...]


def problem(message: str, path: Path | None = None, sub: Path = ()) -> PydanticCustomError:
    """A validation error with an absolute YAML ``path`` or a ``sub`` path below the field."""
    ctx: dict[str, Any] = {"message": message, "sub": sub}
    if path is not None:
        ctx["path"] = path
    return PydanticCustomError("ccsim", "{message}", ctx)


def _numbers(test: Callable[[float], bool], need: str, integer: bool = False) -> BeforeValidator:
    """Check a number, or a non-empty list of numbers (one per interval), before pydantic does.

    Doing the check here gives one clear message per bad value (with its list index) instead
    of one error per member of the ``number | list`` union.
    """
    kind = "a whole number" if integer else "a number"

    def check(value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not value:
            raise problem("must not be an empty list")
        for i, item in enumerate(items):
            sub: Path = (i,) if isinstance(value, list) else ()
            ok = isinstance(item, (int, float)) and not isinstance(item, bool)
            if not ok or not math.isfinite(item):
                got = f"{item!r}" if not isinstance(item, (list, dict)) else type(item).__name__
                raise problem(f"must be {kind} or a list of them, got {got}", sub=sub)
            if integer and not float(item).is_integer():
                raise problem(f"must be a whole number, got {item!r}", sub=sub)
            if not test(item):
                raise problem(f"must be {need}, got {item!r}", sub=sub)
        return value

    return BeforeValidator(check)


_Pos = Annotated[float, Field(gt=0)]
_NonNeg = Annotated[float, Field(ge=0)]
_Count = Annotated[int, Field(ge=0)]
Positive = Annotated[_Pos | list[_Pos], _numbers(lambda v: v > 0, "greater than 0")]
NonNegative = Annotated[_NonNeg | list[_NonNeg], _numbers(lambda v: v >= 0, "at least 0")]
Staffing = Annotated[
    _Count | list[_Count], _numbers(lambda v: v >= 0, "at least 0", integer=True)
]
Probability = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$", max_length=64)]
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]


class Spec(BaseModel):
    """Base of every scenario model: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- distributions ---------------------------------------------------------------------------


class _DistSpec(Spec):
    """A distribution in seconds; a parameter may be a list with one value per interval."""

    def interval_lists(self) -> Iterator[tuple[str, list[float]]]:
        """The parameters given per interval, as (field name, values)."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, list) and name != "values":
                yield name, value

    def _param(self, name: str, interval: int) -> float:
        value = getattr(self, name)
        return float(value[interval] if isinstance(value, list) else value)

    def per_interval(self) -> bool:
        """True if any parameter varies by interval."""
        return any(True for _ in self.interval_lists())

    def build(self, interval: int = 0) -> dist.Distribution:
        """The sampler for contacts that arrive in ``interval``."""
        raise NotImplementedError

    def samplers(self, intervals: int) -> list[dist.Distribution]:
        """One sampler per interval, or a single one when no parameter varies by interval."""
        if not self.per_interval():
            return [self.build(0)]
        return [self.build(i) for i in range(intervals)]


class ExponentialSpec(_DistSpec):
    distribution: Literal["exponential"]
    mean: Positive = Field(description="Mean, seconds.")

    def build(self, interval: int = 0) -> dist.Distribution:
        return dist.Exponential(self._param("mean", interval))


class LognormalSpec(_DistSpec):
    distribution: Literal["lognormal"]
    mean: Positive = Field(description="Mean, seconds.")
    cv: Positive = Field(description="Coefficient of variation (standard deviation / mean).")

    def build(self, interval: int = 0) -> dist.Distribution:
        return dist.Lognormal(self._param("mean", interval), self._param("cv", interval))


class GammaSpec(_DistSpec):
    distribution: Literal["gamma"]
    mean: Positive = Field(description="Mean, seconds.")
    cv: Positive = Field(description="Coefficient of variation (standard deviation / mean).")

    def build(self, interval: int = 0) -> dist.Distribution:
        return dist.Gamma(self._param("mean", interval), self._param("cv", interval))


class DeterministicSpec(_DistSpec):
    distribution: Literal["deterministic"]
    value: NonNegative = Field(description="The constant, seconds.")

    def build(self, interval: int = 0) -> dist.Distribution:
        return dist.Deterministic(self._param("value", interval))


class UniformSpec(_DistSpec):
    distribution: Literal["uniform"]
    low: NonNegative = Field(description="Lower bound, seconds.")
    high: NonNegative = Field(description="Upper bound, seconds (at least low).")

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        for i in range(max(_len(self.low), _len(self.high))):
            lo, hi = _item(self.low, i), _item(self.high, i)
            if lo is not None and hi is not None and hi < lo:
                sub: Path = ("high", i) if isinstance(self.high, list) else ("high",)
                raise problem(f"high ({hi:g}) must be at least low ({lo:g})", sub=sub)
        return self

    def build(self, interval: int = 0) -> dist.Distribution:
        return dist.Uniform(self._param("low", interval), self._param("high", interval))


class EmpiricalSpec(_DistSpec):
    distribution: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0)]] = Field(
        min_length=1, description="Observed values, seconds; sampled with replacement."
    )

    def build(self, interval: int = 0) -> dist.Distribution:
        return dist.Empirical(self.values)


def _len(value: Any) -> int:
    return len(value) if isinstance(value, list) else 1


def _item(value: Any, i: int) -> float | None:
    """The i-th value of a per-interval parameter (a scalar holds for all), None if absent."""
    if not isinstance(value, list):
        return float(value)
    return float(value[i]) if i < len(value) else None


DistributionSpec = Annotated[
    ExponentialSpec | LognormalSpec | GammaSpec | DeterministicSpec | UniformSpec | EmpiricalSpec,
    Field(discriminator="distribution"),
]


# --- the scenario ----------------------------------------------------------------------------


class Horizon(Spec):
    start: Clock = Field("08:00", description="Clock time of the first interval, HH:MM.")
    interval_minutes: int = Field(30, gt=0, le=1440, description="Length of an interval, minutes.")
    intervals: int = Field(gt=0, le=10_000, description="Number of intervals in the day.")
    warmup_minutes: float = Field(
        0, ge=0, description="Arrivals in the first minutes are simulated but not counted."
    )

    @property
    def interval_s(self) -> float:
        """Interval length, seconds."""
        return 60.0 * self.interval_minutes

    @property
    def length_s(self) -> float:
        """Length of the whole day, seconds."""
        return self.interval_s * self.intervals

    def clock(self, interval: int) -> str:
        """Clock time (HH:MM, modulo 24 h) at which ``interval`` starts."""
        hours, minutes = map(int, self.start.split(":"))
        total = (hours * 60 + minutes + interval * self.interval_minutes) % 1440
        return f"{total // 60:02d}:{total % 60:02d}"


class ServiceLevel(Spec):
    threshold_s: float = Field(20, ge=0, description="Answered within this many seconds, s.")
    target: Probability = Field(0.8, description="Target share answered within the threshold.")
    short_abandon_s: float = Field(
        0, ge=0, description="Abandons sooner than this leave the denominator, seconds."
    )


class ServiceLevelOverride(Spec):
    threshold_s: float | None = Field(None, ge=0, description="Overrides the scenario's, s.")
    target: Probability | None = Field(None, description="Overrides the scenario's target.")
    short_abandon_s: float | None = Field(None, ge=0, description="Overrides the scenario's, s.")


class Arrivals(Spec):
    per_interval: list[Annotated[float, Field(ge=0)]] | None = Field(
        None, description="Expected arrivals in each interval (one value per interval)."
    )
    daily: float | None = Field(None, ge=0, description="Expected arrivals over the day.")
    profile: list[Annotated[float, Field(ge=0)]] | None = Field(
        None, description="Weights spreading `daily` over the intervals (normalised)."
    )
    uncertainty_cv: float = Field(
        0.0, ge=0, le=5, description="CV of a gamma(mean 1) factor drawn per day for this type."
    )
    scale: float = Field(
        1.0, ge=0, description="Multiplies the forecast (what-ifs: 1.1 = 10% more contacts)."
    )

    @model_validator(mode="after")
    def _one_way(self) -> Arrivals:
        if self.per_interval is not None and (self.daily is not None or self.profile is not None):
            raise problem("give either per_interval, or daily (with an optional profile)")
        if self.per_interval is None and self.daily is None:
            raise problem("give per_interval, or daily (with an optional profile)")
        if self.profile is not None and self.daily is None:
            raise problem("a profile needs daily", sub=("profile",))
        if self.profile is not None and sum(self.profile) <= 0:
            raise problem("the weights must not all be 0", sub=("profile",))
        return self

    def expected(self, intervals: int) -> list[float]:
        """Expected arrivals per interval (``scale`` applied, before any uncertainty)."""
        if self.per_interval is not None:
            return [float(v) * self.scale for v in self.per_interval]
        weights = self.profile if self.profile is not None else [1.0] * intervals
        total = float(sum(weights))
        return [float(self.daily or 0.0) * self.scale * w / total for w in weights]


class SelfService(Spec):
    time_in_ivr: DistributionSpec = Field(description="Time spent in the IVR, seconds.")
    completion: Probability = Field(description="Probability the caller completes in the IVR.")
    opt_out: Probability = Field(0.0, description="Probability the caller asks for an agent.")
    failed_patience_factor: float = Field(
        1.0, gt=0, description="Patience multiplier for callers who fail in self-service."
    )
    failed_handle_time_factor: float = Field(
        1.0, gt=0, description="Handle-time multiplier for callers who fail in self-service."
    )

    @model_validator(mode="after")
    def _probabilities(self) -> SelfService:
        if self.completion + self.opt_out > 1 + 1e-12:
            raise problem(
                f"completion + opt_out must be at most 1, got "
                f"{self.completion} + {self.opt_out} = {self.completion + self.opt_out:g}",
                sub=("opt_out",),
            )
        return self


class Redial(Spec):
    probability: Probability = Field(description="Probability an abandoned caller calls again.")
    delay: DistributionSpec = Field(description="Time from abandoning to calling again, s.")


class ContactType(Spec):
    name: Name
    arrivals: Arrivals
    handle_time: DistributionSpec = Field(description="Talk + wrap-up time, seconds.")
    patience: DistributionSpec | None = Field(
        None, description="Time a caller waits before hanging up, seconds; omit for infinite."
    )
    service_level: ServiceLevelOverride | None = None
    self_service: SelfService | None = None
    redial: Redial | None = None


class AgentGroup(Spec):
    name: Name
    skills: list[Name] = Field(min_length=1, description="Contact types; order = preference.")
    staffing: Staffing = Field(description="Agents on the phones per interval, or one number.")
    cost_per_hour: float = Field(0.0, ge=0, description="Cost of one agent, currency per hour.")
    handle_time_factor: float = Field(1.0, gt=0, description="Multiplies handle times.")

    def staffing_at(self, interval: int) -> int:
        """Agents on the phones in ``interval``."""
        return int(self.staffing[interval] if isinstance(self.staffing, list) else self.staffing)


class LongestIdle(Spec):
    policy: Literal["longest_idle"]


class Priority(Spec):
    policy: Literal["priority"]
    overflow_after_s: float = Field(
        0.0, ge=0, description="Wait before a group takes a contact of a later skill, seconds."
    )


Routing = Annotated[LongestIdle | Priority, Field(discriminator="policy")]


class Costs(Spec):
    currency: str = Field("EUR", max_length=8, description="Shown on tables and charts.")
    self_service_per_contact: float = Field(0.10, ge=0, description="Currency per contact.")
    abandonment_penalty: float = Field(0.0, ge=0, description="Currency per abandoned contact.")


class ShiftBreak(Spec):
    after_h: float = Field(ge=0, description="Hours after the shift start.")
    minutes: float = Field(gt=0, description="Length of the break, minutes.")


class ShiftTemplate(Spec):
    name: Name
    start: Clock
    length_h: float = Field(gt=0, le=24, description="Paid length of the shift, hours.")
    breaks: list[ShiftBreak] = Field(default_factory=list)
    groups: list[Name] | None = Field(None, description="Groups that may work it; omit = all.")


class SelfServicePatch(Spec):
    time_in_ivr: DistributionSpec | None = None
    completion: Probability | None = None
    opt_out: Probability | None = None
    failed_patience_factor: float | None = Field(None, gt=0)
    failed_handle_time_factor: float | None = Field(None, gt=0)


class SelfServiceOption(Spec):
    name: Name
    cost_per_day: float = Field(0.0, ge=0, description="Cost to build and run, currency/day.")
    self_service: SelfServicePatch


class MeetProbability(Spec):
    probability: float = Field(gt=0, lt=1, description="Share of simulated days that must meet.")


class Optimise(Spec):
    level: Literal["interval", "day"] = "interval"
    meet: Literal["mean"] | MeetProbability = "mean"
    shrinkage: float = Field(0.0, ge=0, lt=1, description="Share of paid time off the phones.")
    max_occupancy: float = Field(
        1.0, gt=0, le=1,
        description="Highest occupancy (busy / on-phone agent time) a plan may load agents "
                    "with in any interval, e.g. 0.85; 1 = no limit.",
    )
    shifts: list[ShiftTemplate] = Field(default_factory=list)
    self_service_options: dict[Name, list[SelfServiceOption]] = Field(default_factory=dict)


class Scenario(Spec):
    """A contact-centre day: demand, the IVR, agents, routing and costs."""

    name: Name
    description: str = ""
    horizon: Horizon
    seed: int = Field(0, ge=0, description="Seed of the run's SeedSequence.")
    replications: int = Field(20, ge=1, le=1_000_000, description="Simulated days.")
    day_uncertainty_cv: float = Field(
        0.0, ge=0, le=5, description="CV of a gamma(mean 1) factor shared by every type per day."
    )
    service_level: ServiceLevel = ServiceLevel()
    contact_types: list[ContactType] = Field(min_length=1)
    agent_groups: list[AgentGroup] = Field(min_length=1)
    routing: Routing = LongestIdle(policy="longest_idle")
    costs: Costs = Costs()
    optimise: Optimise | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        from ccsim.sim.consistency import first_problem

        found = first_problem(self)
        if found is not None:
            raise problem(found[1], path=found[0])
        return self

    # --- derived views used by the engine and the KPIs ---

    def type_index(self, name: str) -> int:
        """Position of contact type ``name`` in ``contact_types``."""
        return [t.name for t in self.contact_types].index(name)

    def service_level_of(self, contact_type: ContactType) -> ServiceLevel:
        """The service-level definition in force for a contact type (its override applied)."""
        override = contact_type.service_level
        if override is None:
            return self.service_level
        values = {k: v for k, v in override.model_dump().items() if v is not None}
        return self.service_level.model_copy(update=values)

    def expected_arrivals(self) -> float:
        """Expected forecast arrivals in one simulated day (all types), contacts."""
        n = self.horizon.intervals
        return sum(sum(t.arrivals.expected(n)) for t in self.contact_types)

    def staffing_matrix(self) -> list[list[int]]:
        """Agents on the phones, [group][interval]."""
        n = self.horizon.intervals
        return [[g.staffing_at(i) for i in range(n)] for g in self.agent_groups]


def clock_minutes(clock: str) -> int:
    """Minutes after midnight of an HH:MM clock time."""
    match = re.fullmatch(r"(\d\d):(\d\d)", clock)
    if match is None:
        raise ValueError(f"not an HH:MM clock time: {clock!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, as ``ccsim schema`` prints it."""
    return Scenario.model_json_schema()
