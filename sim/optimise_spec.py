"""The ``optimise:`` block of a scenario: inputs of ``ccsim optimise``, ignored by ``ccsim run``.

Descriptions are written for planners: they are what editors show from ``ccsim schema``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ccsim.sim.distribution_specs import DistributionSpec
from ccsim.sim.journey_specs import Deflection
from ccsim.sim.spec import Clock, Name, Probability, Spec


class ShiftBreak(Spec):
    """A break within a shift, during which its agents are off the phones."""

    after_h: float = Field(ge=0, description="Start of the break after the shift starts, hours.")
    minutes: float = Field(gt=0, description="Length of the break, minutes.")


class ShiftTemplate(Spec):
    """A shift the optimiser may staff: it picks how many agents of each group work it."""

    name: Name = Field(description="Name of the shift (letters, digits, _ . -).")
    start: Clock = Field(description="Clock time at which the shift starts, HH:MM (24 h).")
    length_h: float = Field(gt=0, le=24, description="Paid length of the shift, hours.")
    breaks: list[ShiftBreak] = Field(
        default_factory=list, description="Breaks within the shift; none if omitted."
    )
    groups: list[Name] | None = Field(
        None, description="Agent groups that may work this shift; omit = every group."
    )


class SelfServicePatch(Spec):
    """The keys of a contact type's `self_service` block that an option changes; the others
    keep today's values."""

    time_in_ivr: DistributionSpec | None = Field(
        None, description="Time spent in the IVR with the option, seconds."
    )
    completion: Probability | None = Field(
        None, description="Share of callers who complete in the IVR with the option, in [0, 1]."
    )
    opt_out: Probability | None = Field(
        None, description="Share of callers who ask for an agent at once with the option, in "
                          "[0, 1]."
    )
    failed_patience_factor: float | None = Field(
        None, gt=0, description="Multiplies the patience of callers who failed in the IVR."
    )
    failed_handle_time_factor: float | None = Field(
        None, gt=0, description="Multiplies the handle time of callers who failed in the IVR."
    )


class SelfServiceOption(Spec):
    """A self-service alternative for one contact type, with its price: a change to today's
    IVR, an in-queue deflection offer (an SMS or web link), or both."""

    name: Name = Field(description="Name of the option (letters, digits, _ . -).")
    cost_per_day: float = Field(
        0.0, ge=0, description="Cost to build and run the option, currency per day."
    )
    self_service: SelfServicePatch = Field(
        default_factory=SelfServicePatch,
        description="What the option changes in the type's `self_service` block; omit = "
                    "nothing.",
    )
    deflection: Deflection | None = Field(
        None, description="An in-queue offer the option adds (or replaces) for the type: "
                          "callers still waiting `after_s` take it with probability `accept` "
                          "and finish in self-service; omit = none.",
    )


class MeetProbability(Spec):
    """Plan for forecast uncertainty: the target must be met on at least this share of
    simulated days."""

    probability: float = Field(
        gt=0, lt=1, description="Share of simulated days that must meet the target, in (0, 1)."
    )


class Roster(Spec):
    """Weekly rostering: each agent works a tour (one shift template on each working day of
    the week) with these rules. The model the week's optimiser will use; it needs a
    multi-day horizon (`horizon.days`), which is not there yet."""

    days_on: int = Field(
        5, ge=1, le=7, description="Days of the week each agent works, 1-7."
    )
    consecutive_days_off: bool = Field(
        True, description="true: an agent's days off are together (wrapping Sunday-Monday, "
                          "so Sunday and Monday off counts); false: any days off."
    )
    same_start_all_week: bool = Field(
        False, description="true: an agent works the same shift template on all their days; "
                           "false: the template may change from day to day."
    )


class Optimise(Spec):
    """Inputs of `ccsim optimise`: what the plan must meet, shrinkage, the shifts it may use and
    self-service options to price; ignored by `ccsim run`."""

    level: Literal["interval", "day"] = Field(
        "interval", description="`interval`: every interval of every type must meet the target; "
                                "`day`: each type over the whole day."
    )
    meet: Literal["mean"] | MeetProbability = Field(
        "mean", description="`mean`: the service level over the simulated days meets the "
                            "target; or {probability: p}: at least a share p of days meets it."
    )
    precision: float = Field(
        0.02, gt=0, le=0.5,
        description="Largest 95% confidence half-width of a service level for a plan (or run) "
                    "to count as meeting its target, as a share (0.02 = 2 points): the "
                    "optimiser and its verification simulate more days until the cells that "
                    "decide are this precise.",
    )
    shrinkage: float = Field(
        0.0, ge=0, lt=1, description="Share of paid time off the phones besides the shifts' "
                                     "breaks (training, absence, ...), in [0, 1)."
    )
    max_occupancy: float = Field(
        1.0, gt=0, le=1,
        description="Highest occupancy (busy / on-phone agent time) a plan may load agents "
                    "with in any interval, e.g. 0.85; 1 = no limit.",
    )
    shifts: list[ShiftTemplate] = Field(
        default_factory=list, description="Shift templates; omit to plan per-interval staffing "
                                          "without shifts."
    )
    roster: Roster | None = Field(
        None, description="Weekly rostering instead of one day's shifts: tours of `days_on` "
                          "days with the days-off rules; needs `shifts`. Omit = one day's "
                          "shifts."
    )
    self_service_options: dict[Name, list[SelfServiceOption]] = Field(
        default_factory=dict,
        description="Per contact type name, alternatives to today's IVR to price against each "
                    "other.",
        json_schema_extra={"additionalProperties": False},
    )
