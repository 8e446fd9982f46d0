"""Building blocks of the scenario schema: the base model, value types and the error helper.

Every scenario model derives from ``Spec``: frozen, unknown keys forbidden, and derived only
through ``with_changes``, which validates the result like a model read from a file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

Path = tuple[str | int, ...]
"""A YAML path: mapping keys and list indexes, e.g. ``('agent_groups', 0, 'staffing')``."""


def problem(message: str, sub: Path = ()) -> PydanticCustomError:
    """A validation error of type ``ccsim``; ``sub`` is a path below the field that failed."""
    return PydanticCustomError("ccsim", "{message}", {"message": message, "sub": sub})


def _numbers(test: Callable[[float], bool], need: str, integer: bool = False,
             nested: bool = False) -> BeforeValidator:
    """Check a number, or a non-empty list of numbers (one per interval), or with ``nested``
    a list of such lists (one per day), before pydantic does.

    Doing the check here gives one clear message per bad value (with its list index) instead
    of one error per member of the ``number | list`` union.
    """
    kind = "a whole number" if integer else "a number"

    def check(value: Any) -> Any:
        items: list[tuple[Path, Any]] = [((), value)]
        if isinstance(value, list):
            if not value:
                raise problem("must not be an empty list")
            items = [((i,), v) for i, v in enumerate(value)]
            if nested and all(isinstance(v, list) for v in value):  # one list per day
                items = []
                for d, row in enumerate(value):
                    if not row:
                        raise problem("must not be an empty list", sub=(d,))
                    items += [((d, i), v) for i, v in enumerate(row)]
        for sub, item in items:
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
MAX_AGENTS = 100_000
"""Most agents a group may have on the phones in one interval (the engine keeps each one)."""
_Count = Annotated[int, Field(ge=0, le=MAX_AGENTS)]
Positive = Annotated[
    _Pos | Annotated[list[_Pos], Field(min_length=1)]
    | Annotated[list[Annotated[list[_Pos], Field(min_length=1)]], Field(min_length=1)],
    _numbers(lambda v: v > 0, "greater than 0", nested=True),
]
"""A number greater than 0, a list of them with one value per interval (every day), or one
such list per day of the horizon."""
NonNegative = Annotated[
    _NonNeg | Annotated[list[_NonNeg], Field(min_length=1)]
    | Annotated[list[Annotated[list[_NonNeg], Field(min_length=1)]], Field(min_length=1)],
    _numbers(lambda v: v >= 0, "at least 0", nested=True),
]
"""A number of at least 0, a list of them with one value per interval (every day), or one
such list per day of the horizon."""
Staffing = Annotated[
    _Count | Annotated[list[_Count], Field(min_length=1)]
    | Annotated[list[Annotated[list[_Count], Field(min_length=1)]], Field(min_length=1)],
    _numbers(lambda v: 0 <= v <= MAX_AGENTS, f"at least 0 and at most {MAX_AGENTS:,}",
             integer=True, nested=True),
]
"""A whole number of agents, a list of them with one value per interval (every day), or one
such list per day of the horizon."""
Probability = Annotated[float, Field(ge=0, le=1)]
"""A share or probability in [0, 1]."""
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$", max_length=64)]
"""A name made of letters, digits, ``_ . -`` (not starting with ``.`` or ``-``), at most 64."""
Clock = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
"""A clock time, HH:MM on the 24-hour clock."""


def clock_minutes(clock: str) -> int:
    """Minutes after midnight of an HH:MM clock time."""
    match = re.fullmatch(r"(\d\d):(\d\d)", clock)
    if match is None:
        raise ValueError(f"not an HH:MM clock time: {clock!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


SpecT = TypeVar("SpecT", bound="Spec")


class Spec(BaseModel):
    """Base of every scenario model: frozen, unknown keys are errors, and every number is
    finite (``.inf`` and ``.nan`` are refused; an infinite patience is written by omitting
    the key)."""

    model_config = ConfigDict(extra="forbid", frozen=True, revalidate_instances="always",
                              allow_inf_nan=False)

    def with_changes(self: SpecT, **changes: Any) -> SpecT:
        """A copy with ``changes`` applied, validated as a new model.

        Every check runs again, the cross-field ones of a whole ``Scenario`` included, so a
        derived model is exactly as valid as one read from a file (pydantic's
        ``model_copy(update=...)`` checks nothing). A value may be plain data or a model; a
        model is validated again too (one built with ``model_copy`` is not trusted). Keys
        left at their
        defaults stay unset. Raises ``pydantic.ValidationError`` listing every problem.
        """
        kept = {name: getattr(self, name) for name in self.model_fields_set}
        return type(self).model_validate({**kept, **changes})
