"""Scenario keys of a contact's journey around the call: transfers, first-contact resolution
(repeats), call-backs, in-queue deflection, and a skill's own proficiency.

Every key is optional; a contact type without them behaves exactly as one without journeys.
Descriptions are written for planners: editors show them from ``ccsim schema``. What each
feature does in the engine is in ``ccsim.sim.journeys``; cross-field checks (a ``to`` that is
no contact type, probabilities over 1, a transfer cycle that never ends) in
``ccsim.sim.consistency``.
"""

from __future__ import annotations

from pydantic import Field

from ccsim.sim.distribution_specs import DistributionSpec
from ccsim.sim.spec import Name, Probability, Spec


class Transfer(Spec):
    """After an agent's service, a share of the contacts need another skill: they join that
    contact type's queue at once, as a transferred contact of it."""

    to: Name = Field(description="The contact type whose queue the transferred contact joins.")
    probability: Probability = Field(
        description="Share of this type's served contacts transferred there, in [0, 1]; the "
                    "probabilities of one type's transfers add up to at most 1."
    )


class Resolution(Spec):
    """First-contact resolution: a share of the customers whose journey ends with an agent's
    service are not helped and contact again later, as a new arrival of the same type (a
    repeat, through the IVR again)."""

    first_contact: float = Field(
        gt=0, le=1,
        description="Share of served contacts resolved first time, in (0, 1]; the rest "
                    "contact again (0.85: 15% repeat). Must be above 0, or nobody would "
                    "ever be helped.",
    )
    repeat_delay: DistributionSpec = Field(
        description="Time from the end of the unresolved call to the repeat, seconds; repeats "
                    "due after the horizon are dropped."
    )


class Callback(Spec):
    """Virtual hold: a caller still waiting `offer_after_s` is offered a call back; who
    accepts hangs up, stops abandoning and keeps their place in the queue (first come, first
    served by original entry). An agent who reaches them calls them back."""

    offer_after_s: float = Field(
        ge=0, description="Wait on the line after which the call back is offered, seconds."
    )
    accept: Probability = Field(description="Share of offered callers who accept, in [0, 1].")
    deadline_s: float = Field(
        gt=0, description="The promise: the call back starts within this many seconds of "
                          "accepting (the KPI callback_on_time); seconds."
    )
    answer: Probability = Field(
        1.0, description="Share of called-back customers who pick up, in [0, 1]; the others "
                         "end as failed call-backs."
    )
    ring_s: float = Field(
        30.0, ge=0, description="Agent time lost on a call back nobody answers, seconds."
    )
    target: Probability | None = Field(
        None, description="Share of call-backs to start on time, in [0, 1], kept by `ccsim "
                          "optimise`; omit = no target."
    )


class Deflection(Spec):
    """An in-queue offer (an SMS or web link): a caller still waiting `after_s` takes it with
    probability `accept`, hangs up and finishes in self-service (costs
    `costs.self_service_per_contact`, counts in `deflected`, not as abandoned)."""

    after_s: float = Field(ge=0, description="Wait on the line before the offer, seconds.")
    accept: Probability = Field(description="Share of offered callers who take it, in [0, 1].")


class Skill(Spec):
    """A skill with its own proficiency: the group's handle times of this contact type are
    multiplied by `handle_time_factor` (and by the group's own factor)."""

    name: Name = Field(description="The contact type.")
    handle_time_factor: float = Field(
        1.0, gt=0, description="Multiplies this group's handle times of this type (1.3 = 30% "
                               "slower at it)."
    )
