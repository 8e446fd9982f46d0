"""What-ifs without editing: ``--set PATH=VALUE`` applied to a scenario before validation.

PATH is dotted; a list of named items (``contact_types``, ``agent_groups``, shift templates)
is entered by an item's name or its index: ``contact_types.billing.arrivals.scale=1.1``,
``agent_groups.0.staffing=12``. VALUE is read as YAML (``1.1``, ``[10, 12, 14]``,
``{policy: longest_idle}``). The result is validated exactly like the file, so a bad value is
reported with its path.

One key is virtual: ``agent_groups.<group>.staffing_scale=F`` multiplies that group's staffing
(one number or one per interval) by F > 0 and rounds each interval to the nearest whole agent,
halves up (``round_agents``), so a profile keeps its shape: ``[11, 15, 20] × 1.1`` is
``[12, 17, 22]``. It applies to the staffing as it is at that point of the ``--set`` list.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import yaml

Key = str | int

STAFFING_SCALE = "staffing_scale"
"""The virtual key that scales an agent group's staffing profile (not a scenario key)."""


class OverrideError(ValueError):
    """A ``--set`` that cannot be applied; the message names the path."""


def parse_override(text: str) -> tuple[str, Any]:
    """``"a.b=1.5"`` → ``("a.b", 1.5)``."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise OverrideError(f"--set {text}: expected PATH=VALUE, e.g. "
                            "contact_types.billing.arrivals.scale=1.1")
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError as exc:
        reason = f"--set {path}: the value {value!r} is not valid YAML ({exc})"
        raise OverrideError(reason) from None
    return path.strip(), parsed


def _step(node: Any, key: str, walked: list[Key], text: str) -> tuple[Any, Key]:
    """The child of ``node`` called ``key``: a mapping key, a list index or an item's name."""
    where = ".".join(map(str, walked)) or "(top level)"
    if isinstance(node, list):
        if key.lstrip("-").isdigit():
            index = int(key)
            if not -len(node) <= index < len(node):
                raise OverrideError(f"--set {text}: {where} has {len(node)} items, no [{key}]")
            return node[index], index % len(node)
        names = [item.get("name") for item in node if isinstance(item, dict)]
        if key in names:
            index = names.index(key)
            return node[index], index
        raise OverrideError(f"--set {text}: {where} has no item named {key!r} (known: {names})")
    if isinstance(node, dict):
        if key not in node:
            raise OverrideError(f"--set {text}: {where} has no key {key!r}")
        return node[key], key
    raise OverrideError(f"--set {text}: {where} is a value, it has no {key!r}")


def apply_overrides(
    data: dict[str, Any], overrides: list[str]
) -> tuple[dict[str, Any], list[tuple[Key, ...]]]:
    """A copy of the scenario data with every ``--set`` applied, and the YAML paths set.

    The last key may be new (an option the file leaves at its default); every key before it
    must exist, so a misspelt path is named here rather than silently creating keys.
    """
    data = copy.deepcopy(data)
    paths: list[tuple[Key, ...]] = []
    for text in overrides:
        path, value = parse_override(text)
        keys = path.split(".")
        node: Any = data
        walked: list[Key] = []
        for key in keys[:-1]:
            node, real = _step(node, key, walked, text)
            walked.append(real)
        last = keys[-1]
        if last == STAFFING_SCALE and walked[:1] == ["agent_groups"] and len(walked) == 2:
            paths.append(_scale_staffing(node, value, text, walked))
            continue
        if isinstance(node, list):
            _, real = _step(node, last, walked, text)
            node[int(real)] = value
        elif isinstance(node, dict):
            node[last] = value
            real = last
        else:
            raise OverrideError(f"--set {text}: {'.'.join(map(str, walked))} is a value, "
                                f"it has no {last!r}")
        paths.append((*walked, real))
    return data, paths


def round_agents(value: float) -> int:
    """Whole agents nearest to ``value``, halves up (22.5 → 23); the 1e-9 absorbs float error
    in a product such as 1.1 × 15 = 16.500000000000004 or 0.7 × 15 = 10.499999999999998."""
    return math.floor(value + 0.5 + 1e-9)


def _scale_staffing(group: Any, scale: Any, text: str, walked: list[Key]) -> tuple[Key, ...]:
    """Multiply ``group``'s staffing (one number or one per interval) by ``scale`` in place,
    each interval rounded by ``round_agents``; the YAML path of the staffing."""
    where = f"agent_groups[{walked[1]}]"
    if not isinstance(scale, int | float) or isinstance(scale, bool) or not math.isfinite(scale):
        raise OverrideError(f"--set {text}: staffing_scale must be a number, got {scale!r}")
    if scale <= 0:
        raise OverrideError(f"--set {text}: staffing_scale must be greater than 0 (it "
                            f"multiplies the staffing of {where}), got {scale!r}")
    if not isinstance(group, dict) or "staffing" not in group:
        raise OverrideError(f"--set {text}: {where} has no staffing to scale")
    staffing = group["staffing"]
    numbers = staffing if isinstance(staffing, list) else [staffing]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        raise OverrideError(f"--set {text}: {where}.staffing must be numbers to be scaled, "
                            f"got {staffing!r}")
    scaled = [round_agents(v * scale) for v in numbers]
    group["staffing"] = scaled if isinstance(staffing, list) else scaled[0]
    return (*walked, "staffing")
