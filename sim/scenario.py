"""The scenario schema: every key a planner may write in a ccsim YAML file, validated once.

Models are frozen pydantic v2 models with unknown keys forbidden, so a typo is an error rather
than a silently ignored option; a derived scenario is made with ``with_changes``, which
validates it again (cross-field checks included). Field descriptions and class docstrings end
up in the JSON Schema that ``ccsim schema`` prints, so editors can complete and check files.

Errors that concern one field carry their YAML path; the cross-field checks of
``ccsim.sim.consistency`` are all raised at once, one error each at its own path, so the loader
can point at every line to change. All times are in seconds unless a key says otherwise.

The parts live in ``spec`` (base and value types), ``distribution_specs``, ``scenario_parts``
and ``optimise_spec``; every name stays importable from here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from ccsim.sim.consistency import check
from ccsim.sim.distribution_specs import (
    DeterministicSpec,
    DistributionSpec,
    EmpiricalSpec,
    ExponentialSpec,
    GammaSpec,
    LognormalSpec,
    UniformSpec,
)
from ccsim.sim.journey_specs import Callback, Deflection, Resolution, Skill, Transfer
from ccsim.sim.optimise_spec import (
    MeetProbability,
    Optimise,
    Roster,
    SelfServiceOption,
    SelfServicePatch,
    ShiftBreak,
    ShiftTemplate,
)
from ccsim.sim.scenario_parts import (
    DAY_S,
    WEEKDAYS,
    AgentGroup,
    Arrivals,
    ContactType,
    Costs,
    Horizon,
    LongestIdle,
    Priority,
    Redial,
    Routing,
    SelfService,
    ServiceLevel,
    ServiceLevelOverride,
)
from ccsim.sim.spec import (
    Clock,
    Name,
    NonNegative,
    Path,
    Positive,
    Probability,
    Spec,
    Staffing,
    clock_minutes,
    problem,
)

__all__ = [
    "DAY_S", "WEEKDAYS", "AgentGroup", "Arrivals", "Callback", "Clock", "ContactType", "Costs",
    "Deflection",
    "DeterministicSpec", "DistributionSpec", "EmpiricalSpec", "ExponentialSpec", "GammaSpec",
    "Horizon", "LognormalSpec", "LongestIdle", "MeetProbability", "Name", "NonNegative",
    "Optimise", "Path", "Positive", "Priority", "Probability", "Redial", "Resolution", "Roster",
    "Routing", "Scenario", "SelfService", "SelfServiceOption", "SelfServicePatch",
    "ServiceLevel", "ServiceLevelOverride", "ShiftBreak", "ShiftTemplate", "Skill", "Spec",
    "Staffing", "Transfer", "UniformSpec", "clock_minutes", "json_schema", "problem",
]


class Scenario(Spec):
    """A ccsim scenario: one contact-centre day, or several (`horizon.days`), with its demand,
    IVR, agents, routing and costs, and optionally what `ccsim optimise` must achieve. Times
    are in seconds unless a key says otherwise."""

    name: Name = Field(
        description="Name of the scenario, used in result folder names (letters, digits, "
                    "_ . -)."
    )
    description: str = Field("", description="Free text for the reader; not used.")
    horizon: Horizon = Field(description="The simulated day and its intervals.")
    seed: int = Field(
        0, ge=0, description="Seed of the random numbers: the same seed gives the same results."
    )
    replications: int = Field(
        20, ge=2, le=1_000_000,
        description="Number of simulated days, each with new callers; at least 2, the fewest "
                    "that give a confidence interval (as --replications).",
    )
    day_uncertainty_cv: float = Field(
        0.0, ge=0, le=5,
        description="Day-to-day uncertainty shared by every type: coefficient of variation of "
                    "a factor (gamma, mean 1) drawn once per simulated day that scales all "
                    "volumes; 0 = none.",
    )
    service_level: ServiceLevel = Field(
        ServiceLevel(), description="The service-level definition and target of every type."
    )
    contact_types: list[ContactType] = Field(
        min_length=1, max_length=500,
        description="The kinds of contact (queues) and their forecasts (at most 500).",
    )
    agent_groups: list[AgentGroup] = Field(
        min_length=1, max_length=500,
        description="The agents: skills, staffing per interval and pay (at most 500 groups).",
    )
    routing: Routing = Field(
        LongestIdle(policy="longest_idle"),
        description="Which agent takes which contact: `longest_idle` or `priority`.",
    )
    costs: Costs = Field(Costs(), description="Prices of self-service and abandoned contacts.")
    optimise: Optimise | None = Field(
        None, description="Inputs of `ccsim optimise`; ignored by `ccsim run`."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        check(self, type(self).__name__)
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
        return self.service_level.with_changes(**override.model_dump(exclude_none=True))

    def expected_arrivals(self) -> float:
        """Expected forecast arrivals in one simulated horizon (all types, all days),
        contacts."""
        return sum(sum(t.arrivals.expected_slots(self.horizon)) for t in self.contact_types)

    @property
    def has_journeys(self) -> bool:
        """True if any contact type has a journey key (transfers, resolution, call-back,
        deflection); proficiency and max_wait_s need no journey engine."""
        return any(t.has_journey for t in self.contact_types)

    @property
    def has_chat(self) -> bool:
        """True if any contact type is a chat (the engine of ``sim.chat`` runs the day)."""
        return any(t.channel == "chat" for t in self.contact_types)

    @property
    def carries_over(self) -> bool:
        """True if work carries from one day to the next: e-mails (which wait overnight), or
        repeats of unresolved customers on a horizon of several days. Such a horizon is
        simulated with a day before it and a day after it (``sim.horizon``)."""
        return self.has_email or (self.horizon.days > 1 and any(
            t.resolution is not None for t in self.contact_types))

    @property
    def has_email(self) -> bool:
        """True if any contact type is an e-mail (blended into the agents' idle time)."""
        return any(t.channel == "email" for t in self.contact_types)

    def staffing_matrix(self) -> list[list[int]]:
        """Agents on the phones, [group][slot] with slot = day × intervals + interval (the
        interval itself in a one-day horizon)."""
        h = self.horizon
        return [[g.staffing_at(i, d) for d in range(h.days) for i in range(h.intervals)]
                for g in self.agent_groups]


class _PlainUnions(GenerateJsonSchema):
    """JSON Schema without the OpenAPI ``discriminator`` keyword, which JSON Schema itself
    lacks (ajv's strict mode refuses it): a tagged union is a plain ``oneOf`` whose members
    differ by the ``const`` of their tag (``distribution``, ``policy``)."""

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        """The schema, naming its dialect so that validators need not guess it."""
        return {"$schema": self.schema_dialect, **super().generate(schema, mode)}

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        """A plain ``oneOf`` of the members; ``anyOf`` for a union told apart by the value's
        type (a skill: a name or a mapping), whose members cannot both match anyway."""
        out = super().tagged_union_schema(schema)
        out.pop("discriminator", None)
        if callable(schema["discriminator"]) and "oneOf" in out:
            out["anyOf"] = out.pop("oneOf")
        return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of scenario files, as ``ccsim schema`` prints it."""
    return Scenario.model_json_schema(schema_generator=_PlainUnions)
