"""Distributions a scenario may give for times (handle time, patience, time in the IVR, ...).

Each is chosen by its ``distribution`` key. All values are seconds; any parameter except
``values`` may be a list with one value per interval, for the contacts that arrive in that
interval.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ccsim.sim.spec import NonNegative, Path, Positive, Spec, problem

if TYPE_CHECKING:
    from ccsim.sim.distributions import Distribution

_PER_INTERVAL = (" A list gives one value per interval, for the contacts arriving in it (one "
                 "such list per day with several days).")
_MEAN = "Mean, seconds." + _PER_INTERVAL
_CV = ("Coefficient of variation: standard deviation / mean (1 = as variable as an "
       "exponential)." + _PER_INTERVAL)


class _DistSpec(Spec):
    """A distribution in seconds; a parameter may be a list with one value per interval."""

    sampler: ClassVar[str]
    """The class in ``ccsim.sim.distributions`` that samples it."""
    params: ClassVar[tuple[str, ...]]
    """Its parameters, in the order the sampler takes them."""

    def interval_lists(self) -> Iterator[tuple[str, list[float]]]:
        """The parameters given per interval, as (field name, values)."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, list) and name != "values":
                yield name, value

    def _param(self, name: str, interval: int, day: int = 0) -> float:
        value = getattr(self, name)
        if not isinstance(value, list):
            return float(value)
        if isinstance(value[0], list):  # one list per day
            return float(value[day][interval])
        return float(value[interval])

    def per_interval(self) -> bool:
        """True if any parameter varies by interval."""
        return any(True for _ in self.interval_lists())

    def build(self, interval: int = 0, day: int = 0) -> Distribution:
        """The sampler for contacts that arrive in ``interval`` of day ``day``.

        The samplers (numpy) are imported here, when a day is simulated, not when a file is
        validated: ``ccsim validate`` and ``ccsim schema`` stay fast.
        """
        sampler = getattr(import_module("ccsim.sim.distributions"), self.sampler)
        return sampler(*(self._param(name, interval, day) for name in self.params))

    def samplers(self, intervals: int, day: int = 0) -> list[Distribution]:
        """One sampler per interval of day ``day``, or a single one when no parameter varies
        by interval."""
        if not self.per_interval():
            return [self.build(0)]
        return [self.build(i, day) for i in range(intervals)]


class ExponentialSpec(_DistSpec):
    """Exponential times (memoryless, as variable as their mean), in seconds."""

    sampler: ClassVar[str] = "Exponential"
    params: ClassVar[tuple[str, ...]] = ("mean",)

    distribution: Literal["exponential"] = Field(description="Chooses this distribution.")
    mean: Positive = Field(description=_MEAN)


class LognormalSpec(_DistSpec):
    """Lognormal times given by mean and coefficient of variation, in seconds; the usual shape
    of handle times."""

    sampler: ClassVar[str] = "Lognormal"
    params: ClassVar[tuple[str, ...]] = ("mean", "cv")

    distribution: Literal["lognormal"] = Field(description="Chooses this distribution.")
    mean: Positive = Field(description=_MEAN)
    cv: Positive = Field(description=_CV)


class GammaSpec(_DistSpec):
    """Gamma times given by mean and coefficient of variation, in seconds."""

    sampler: ClassVar[str] = "Gamma"
    params: ClassVar[tuple[str, ...]] = ("mean", "cv")

    distribution: Literal["gamma"] = Field(description="Chooses this distribution.")
    mean: Positive = Field(description=_MEAN)
    cv: Positive = Field(description=_CV)


class DeterministicSpec(_DistSpec):
    """The same time for every contact, in seconds."""

    sampler: ClassVar[str] = "Deterministic"
    params: ClassVar[tuple[str, ...]] = ("value",)

    distribution: Literal["deterministic"] = Field(description="Chooses this distribution.")
    value: NonNegative = Field(description="The time, seconds." + _PER_INTERVAL)


class UniformSpec(_DistSpec):
    """Times spread evenly between a lower and an upper bound, in seconds."""

    sampler: ClassVar[str] = "Uniform"
    params: ClassVar[tuple[str, ...]] = ("low", "high")

    distribution: Literal["uniform"] = Field(description="Chooses this distribution.")
    low: NonNegative = Field(description="Lower bound, seconds." + _PER_INTERVAL)
    high: NonNegative = Field(
        description="Upper bound, seconds; at least `low`." + _PER_INTERVAL
    )

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        for i in range(max(_len(self.low), _len(self.high))):
            lo, hi = _item(self.low, i), _item(self.high, i)
            if lo is not None and hi is not None and hi < lo:
                sub: Path = ("high", i) if isinstance(self.high, list) else ("high",)
                raise problem(f"high ({hi:g}) must be at least low ({lo:g})", sub=sub)
        return self


class EmpiricalSpec(_DistSpec):
    """Times drawn from observed values (resampled with replacement), in seconds."""

    distribution: Literal["empirical"] = Field(description="Chooses this distribution.")
    values: list[Annotated[float, Field(ge=0)]] = Field(
        min_length=1, max_length=1_000_000,
        description="Observed times, seconds (at most a million); each draw picks one at random.",
    )

    sampler: ClassVar[str] = "Empirical"
    params: ClassVar[tuple[str, ...]] = ()

    def build(self, interval: int = 0, day: int = 0) -> Distribution:
        """The sampler of the observed values (the same in every interval)."""
        return getattr(import_module("ccsim.sim.distributions"), self.sampler)(self.values)


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
"""One of the distributions, chosen by its ``distribution`` key."""
