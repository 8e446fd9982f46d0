"""The parts of a scenario the simulator uses: the day, demand, the IVR, agents, routing, costs.

Descriptions (``Field(description=...)`` and class docstrings) are written for planners: they
are what editors show from the JSON Schema of ``ccsim schema``.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Discriminator, Field, Tag, model_validator

from ccsim.sim.distribution_specs import DistributionSpec
from ccsim.sim.journey_specs import Callback, Deflection, Resolution, Skill, Transfer
from ccsim.sim.spec import Clock, Name, Probability, Spec, Staffing, problem

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
DAY_S = 86_400.0
"""Seconds from one day's opening to the next's: the calendar a multi-day horizon runs on."""


class Horizon(Spec):
    """The simulated days: how many, when each opens and how it is cut into intervals, the
    unit of forecasts, staffing and results. Every day has the same opening hours; between
    days the centre is closed."""

    start: Clock = Field(
        "08:00", description="Clock time at which the first interval starts, HH:MM (24 h)."
    )
    interval_minutes: int = Field(
        30, gt=0, le=1440, description="Length of one interval, minutes (e.g. 15 or 30)."
    )
    intervals: int = Field(
        gt=0, le=10_000,
        description="Number of intervals in the day; every per-interval list has this many "
                    "values.",
    )
    warmup_minutes: float = Field(
        0, ge=0,
        description="Minutes at the start of every day whose arrivals are simulated but not "
                    "counted in the results, so each day starts with a realistic queue; "
                    "minutes.",
    )
    days: int = Field(
        1, ge=1, le=366,
        description="Number of consecutive days one replication simulates (7 = a week); "
                    "e-mails and repeats carry over the closed nights between them.",
    )
    first_day: Weekday = Field(
        "monday", description="Weekday of the first simulated day (names the days in results "
                              "and rosters).",
    )

    @model_validator(mode="after")
    def _fits_a_day(self) -> Horizon:
        if self.days > 1 and self.interval_minutes * self.intervals >= 1440:
            raise problem(f"the opening hours ({self.intervals} × {self.interval_minutes} min) "
                          "must be shorter than 24 hours when the horizon has several days "
                          "(the centre closes between days)", sub=("intervals",))
        return self

    @property
    def slots(self) -> int:
        """Intervals of the whole horizon, days × intervals: slot ``d * intervals + i`` is
        interval ``i`` of day ``d``."""
        return self.days * self.intervals

    def day_name(self, day: int) -> str:
        """Weekday name of simulated day ``day`` (0 = ``first_day``)."""
        return WEEKDAYS[(WEEKDAYS.index(self.first_day) + day) % 7]

    def day_label(self, day: int) -> str:
        """Short label of simulated day ``day``: "Mon", or "Mon 2" in a second week."""
        label = self.day_name(day)[:3].capitalize()
        return label if self.days <= 7 else f"{label} {day // 7 + 1}"

    @property
    def interval_s(self) -> float:
        """Interval length, seconds."""
        return 60.0 * self.interval_minutes

    @property
    def length_s(self) -> float:
        """Length of the whole day, seconds."""
        return self.interval_s * self.intervals

    @property
    def warmup_intervals(self) -> int:
        """Intervals wholly inside the warm-up: nothing in them is counted (an interval the
        warm-up ends in is counted from its end)."""
        return min(self.intervals, int(self.warmup_minutes // self.interval_minutes))

    def counted_share(self, interval: int) -> float:
        """Share of ``interval`` after the warm-up, in [0, 1]."""
        start = interval * self.interval_minutes
        return min(1.0, max(0.0, (start + self.interval_minutes - self.warmup_minutes)
                            / self.interval_minutes))

    def clock(self, interval: int) -> str:
        """Clock time (HH:MM, modulo 24 h) at which ``interval`` starts."""
        hours, minutes = map(int, self.start.split(":"))
        total = (hours * 60 + minutes + interval * self.interval_minutes) % 1440
        return f"{total // 60:02d}:{total % 60:02d}"


class ServiceLevel(Spec):
    """The service-level definition and target: the share of contacts answered within
    `threshold_s` seconds, of those offered to agents (an abandon counts as a miss)."""

    threshold_s: float = Field(
        20, ge=0, description="A contact answered within this wait is in time; seconds."
    )
    target: Probability = Field(
        0.8, description="Share of contacts to answer in time, in [0, 1] (0.8 = 80%)."
    )
    short_abandon_s: float = Field(
        0, ge=0,
        description="Callers who hang up sooner than this are left out of the service level "
                    "(0 = every abandon counts as a miss); seconds.",
    )
    max_wait_s: float | None = Field(
        None, ge=0,
        description="Longest acceptable wait on the line, seconds, at least `threshold_s`: "
                    "adds the KPI over_max_wait (share of contacts in the service level's "
                    "denominator that waited longer, an abandon after it included); omit = "
                    "none.",
    )
    max_wait_share: Probability = Field(
        0.001, description="Largest share of contacts allowed to wait longer than "
                           "`max_wait_s`, in [0, 1], kept by `ccsim optimise`."
    )

    @model_validator(mode="after")
    def _max_wait(self) -> ServiceLevel:
        if self.max_wait_s is not None and self.max_wait_s < self.threshold_s:
            raise problem(f"must be at least threshold_s ({self.threshold_s:g} s), got "
                          f"{self.max_wait_s:g}", sub=("max_wait_s",))
        return self


class ServiceLevelOverride(Spec):
    """A contact type's own service-level definition; a key left out keeps the scenario's."""

    threshold_s: float | None = Field(
        None, ge=0, description="In-time wait for this type, seconds; omit = the scenario's."
    )
    target: Probability | None = Field(
        None, description="Target share in time for this type, in [0, 1]; omit = the "
                          "scenario's."
    )
    short_abandon_s: float | None = Field(
        None, ge=0, description="Short-abandon limit for this type, seconds; omit = the "
                                "scenario's."
    )
    max_wait_s: float | None = Field(
        None, ge=0, description="Longest acceptable wait on the line for this type, seconds, "
                                "at least its threshold_s; omit = the scenario's."
    )
    max_wait_share: Probability | None = Field(
        None, description="Largest share of this type's contacts allowed to wait longer than "
                          "max_wait_s, in [0, 1]; omit = the scenario's."
    )


_Values = Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=1)]


def _per_day(values: list[float] | list[list[float]]) -> bool:
    """True for one list per day, False for one list for every day."""
    return bool(values) and isinstance(values[0], list)


def _rows(values: list[float] | list[list[float]]) -> list[list[float]]:
    """The per-day rows of a per-interval list (one row when it serves every day)."""
    return values if _per_day(values) else [values]  # type: ignore[return-value, list-item]


def _row(values: list[float] | list[list[float]], day: int) -> list[float]:
    """The values of day ``day`` of a per-interval list given once or per day."""
    rows = _rows(values)
    return rows[day] if len(rows) > 1 else rows[0]


class Arrivals(Spec):
    """The volume forecast of a contact type: `per_interval`, or `daily` with an optional
    `profile`. Arrivals are random (Poisson) around these expected numbers."""

    per_interval: _Values | list[_Values] | None = Field(
        None, description="Expected arrivals in each interval, contacts; one value per "
                          "interval (every day), or one such list per day. Give this or "
                          "`daily`.",
    )
    daily: Annotated[float, Field(ge=0)] | list[Annotated[float, Field(ge=0)]] | None = Field(
        None, description="Expected arrivals over the whole day, contacts, spread evenly over "
                          "the intervals or by `profile`; one number (every day) or one per "
                          "day of the horizon.",
    )
    profile: _Values | list[_Values] | None = Field(
        None, description="Weights spreading `daily` over the intervals, one per interval "
                          "(every day) or one such list per day; only their ratios matter.",
    )
    uncertainty_cv: float = Field(
        0.0, ge=0, le=5,
        description="Forecast uncertainty of this type: coefficient of variation of a factor "
                    "(gamma, mean 1) drawn once per simulated day that scales its volume; "
                    "0 = the forecast is exact.",
    )
    scale: float = Field(
        1.0, ge=0, description="Multiplies the forecast, for what-ifs (1.1 = 10% more "
                               "contacts)."
    )

    @model_validator(mode="after")
    def _one_way(self) -> Arrivals:
        if self.per_interval is not None and (self.daily is not None or self.profile is not None):
            raise problem("give either per_interval, or daily (with an optional profile)")
        if self.per_interval is None and self.daily is None:
            raise problem("give per_interval, or daily (with an optional profile)")
        if self.profile is not None and self.daily is None:
            raise problem("a profile needs daily", sub=("profile",))
        if self.profile is not None:
            for d, weights in enumerate(_rows(self.profile)):
                closed = isinstance(self.daily, list) and _per_day(self.profile) \
                    and d < len(self.daily) and self.daily[d] == 0
                if sum(weights) <= 0 and not closed:  # a closed day may weigh nothing
                    sub: tuple[int, ...] = (d,) if _per_day(self.profile) else ()
                    raise problem("the weights must not all be 0", sub=("profile", *sub))
        return self

    def expected(self, intervals: int, day: int = 0) -> list[float]:
        """Expected arrivals per interval of day ``day`` (``scale`` applied, before any
        uncertainty)."""
        if self.per_interval is not None:
            return [float(v) * self.scale for v in _row(self.per_interval, day)]
        weights = _row(self.profile, day) if self.profile is not None else [1.0] * intervals
        total = float(sum(weights))
        daily = self.daily[day] if isinstance(self.daily, list) else self.daily
        if not daily:
            return [0.0] * len(weights)
        return [float(daily) * self.scale * w / total for w in weights]

    def expected_slots(self, horizon: Horizon) -> list[float]:
        """Expected arrivals per slot of the whole horizon (days × intervals), contacts."""
        return [v for d in range(horizon.days) for v in self.expected(horizon.intervals, d)]


class SelfService(Spec):
    """The IVR in front of the agents. After `time_in_ivr`, a caller completes there (served,
    never reaches an agent), opts out to an agent, or fails and reaches an agent frustrated."""

    time_in_ivr: DistributionSpec = Field(description="Time spent in the IVR, seconds.")
    completion: Probability = Field(
        description="Share of callers who complete in the IVR, in [0, 1]."
    )
    opt_out: Probability = Field(
        0.0, description="Share of callers who ask for an agent at once, in [0, 1]; "
                         "completion + opt_out is at most 1, the rest fail."
    )
    failed_patience_factor: float = Field(
        1.0, gt=0, description="Multiplies the patience of callers who failed in the IVR "
                               "(0.7 = 30% less patient)."
    )
    failed_handle_time_factor: float = Field(
        1.0, gt=0, description="Multiplies the handle time of callers who failed in the IVR "
                               "(1.15 = 15% longer calls)."
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
    """Callers who abandon and call again later, as a new arrival of the same type."""

    probability: Probability = Field(
        description="Share of abandoning callers who call again, in [0, 1]."
    )
    delay: DistributionSpec = Field(description="Time from hanging up to calling again, seconds.")


class ContactType(Spec):
    """One kind of contact (a queue): its forecast, handle time, patience and IVR."""

    name: Name = Field(
        description="Name of the contact type, as agent groups list it in `skills` (letters, "
                    "digits, _ . -)."
    )
    channel: Literal["voice", "chat", "email"] = Field(
        "voice", description="`voice` (default): an agent takes one at a time; `chat`: an "
                             "agent holds up to its group's `max_chats` at once; `email`: "
                             "never abandons, is worked only when no call or chat of the "
                             "agent's skills waits, and waits over the night to the next day."
    )
    arrivals: Arrivals = Field(description="The volume forecast.")
    handle_time: DistributionSpec = Field(description="Talk plus wrap-up time, seconds.")
    patience: DistributionSpec | None = Field(
        None, description="Time a caller waits before hanging up, seconds; omit = never hangs "
                          "up."
    )
    service_level: ServiceLevelOverride | None = Field(
        None, description="This type's own service-level definition; omit = the scenario's."
    )
    self_service: SelfService | None = Field(
        None, description="The IVR stage in front of the agents; omit = no IVR."
    )
    redial: Redial | None = Field(
        None, description="Abandoning callers who call again; omit = nobody calls again."
    )
    transfers: list[Transfer] | None = Field(
        None, description="Where served contacts are transferred (another type's queue) and "
                          "with what probability; omit = no transfers."
    )
    resolution: Resolution | None = Field(
        None, description="First-contact resolution: unresolved customers contact again (a "
                          "repeat); omit = every service resolves."
    )
    callback: Callback | None = Field(
        None, description="Call-backs offered to callers who wait; omit = none."
    )
    deflection: Deflection | None = Field(
        None, description="An in-queue offer to finish in self-service (SMS or web link); "
                          "omit = none."
    )

    @property
    def has_journey(self) -> bool:
        """True if the type has any journey key (transfers, resolution, call-back,
        deflection)."""
        return bool(self.transfers or self.resolution or self.callback or self.deflection)


def _skill_kind(value: object) -> str:
    """A skill written as a mapping (or built as a ``Skill``) is a ``Skill``, else a name: one
    error per bad skill, not one per member of the union."""
    return "skill" if isinstance(value, (dict, Skill)) else "name"


SkillRef = Annotated[
    Annotated[Name, Tag("name")] | Annotated[Skill, Tag("skill")], Discriminator(_skill_kind)
]
"""A skill: the contact type's name, or {name, handle_time_factor}."""


class AgentGroup(Spec):
    """Agents with the same skills and pay, and how many are on the phones per interval."""

    name: Name = Field(description="Name of the group (letters, digits, _ . -).")
    skills: list[SkillRef] = Field(
        min_length=1, description="Contact types the group answers, each a name or {name, "
                                  "handle_time_factor} (its own proficiency); the listed order "
                                  "is the preference under `priority` routing."
    )
    staffing: Staffing = Field(
        description="Agents on the phones (net of shrinkage) in each interval: one number for "
                    "every interval, one whole number per interval (every day), or one such "
                    "list per day of the horizon."
    )
    cost_per_hour: float = Field(
        0.0, ge=0, description="Cost of one agent, currency per hour."
    )
    handle_time_factor: float = Field(
        1.0, gt=0, description="Multiplies this group's handle times (1.2 = 20% slower)."
    )
    max_chats: int = Field(
        1, ge=1, le=20, description="Chats one agent holds at once (default 1); more than 1 "
                                    "needs a skill of channel `chat`."
    )
    chat_slowdown: list[Annotated[float, Field(ge=1, le=10)]] | None = Field(
        None, description="Handle-time factor of a chat that starts with 1, 2, ... chats open "
                          "(itself included), one per chat up to `max_chats`, each at least "
                          "1; omit = no slowdown."
    )

    @model_validator(mode="after")
    def _chat_slowdown_length(self) -> AgentGroup:
        if self.chat_slowdown is not None and len(self.chat_slowdown) != self.max_chats:
            raise problem(f"has {len(self.chat_slowdown)} factors but max_chats is "
                          f"{self.max_chats}: give one per chat held at once",
                          sub=("chat_slowdown",))
        return self

    def slowdown(self, open_chats: int) -> float:
        """Handle-time factor of a chat that starts with ``open_chats`` open (itself
        included)."""
        return 1.0 if self.chat_slowdown is None else self.chat_slowdown[open_chats - 1]

    @property
    def skill_names(self) -> list[str]:
        """The contact types the group answers, in listed order."""
        return [s if isinstance(s, str) else s.name for s in self.skills]

    def handle_factor(self, skill: str) -> float:
        """This group's handle-time factor for ``skill``: its own times the skill's."""
        for s in self.skills:
            if not isinstance(s, str) and s.name == skill:
                return self.handle_time_factor * s.handle_time_factor
        return self.handle_time_factor

    def staffing_at(self, interval: int, day: int = 0) -> int:
        """Agents on the phones in ``interval`` of day ``day``."""
        if not isinstance(self.staffing, list):
            return int(self.staffing)
        return int(_row(self.staffing, day)[interval])  # type: ignore[arg-type]


class LongestIdle(Spec):
    """A contact goes to the longest-idle agent with its skill, in any group; a freed agent
    takes the longest-waiting contact among its skills."""

    policy: Literal["longest_idle"] = Field(description="Chooses this routing.")


class Priority(Spec):
    """Groups and skills are tried in their listed order; a group takes a contact of a skill
    that is not its first only after the contact has waited `overflow_after_s`."""

    policy: Literal["priority"] = Field(description="Chooses this routing.")
    overflow_after_s: float = Field(
        0.0, ge=0, description="Wait before a group takes a contact of a later skill, seconds."
    )


Routing = Annotated[LongestIdle | Priority, Field(discriminator="policy")]
"""The routing policy, chosen by its ``policy`` key."""


class Costs(Spec):
    """Prices that turn a simulated day into a cost (besides the agents' `cost_per_hour`)."""

    currency: str = Field(
        "EUR", max_length=8, description="Currency shown on tables and charts (a label)."
    )
    self_service_per_contact: float = Field(
        0.10, ge=0, description="Cost of a contact completed in the IVR, currency per contact."
    )
    abandonment_penalty: float = Field(
        0.0, ge=0, description="Cost of a caller who hangs up unanswered, currency per "
                               "abandoned contact."
    )
