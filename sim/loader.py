"""Reading a scenario file: safe YAML in, a validated ``Scenario`` or every problem out.

Each problem is reported on its own line as ``FILE: PATH (line N): reason`` where PATH is the
YAML path a planner can follow (``contact_types[0].handle_time.mean``): every field error, or,
once the fields are right, every cross-field problem. YAML is read with the safe loader, so
Python tags are refused rather than executed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ccsim.sim.overrides import OverrideError, apply_overrides
from ccsim.sim.scenario import Scenario
from ccsim.sim.yaml_limits import MAX_FILE_BYTES, LimitExceeded, Problem, check_tree

Key = str | int


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``str()`` is the message to show the planner."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def format_path(path: tuple[Key, ...]) -> str:
    """``('contact_types', 0, 'name')`` → ``contact_types[0].name``."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(top level)"


def _line_map(node: yaml.Node, path: tuple[Key, ...], lines: dict[tuple[Key, ...], int]) -> None:
    """Record the 1-based line of every mapping key and sequence item below ``node``."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), lines)


def _data_path(data: Any, loc: tuple[Key, ...]) -> tuple[Key, ...]:
    """Keep the parts of a pydantic ``loc`` that exist in the data.

    pydantic adds the tag of a discriminated union (``'lognormal'``) and the member type of a
    plain union to ``loc``; those are not YAML keys. The last key is kept even when absent, so a
    missing field is named.
    """
    out: list[Key] = []
    node = data
    for i, key in enumerate(loc):
        if isinstance(node, dict) and key in node:
            node = node[key]
            out.append(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            out.append(key)
        elif i == len(loc) - 1 and isinstance(node, dict):
            out.append(key)
    return tuple(out)


def _describe(error: ErrorDetails, data: Any) -> tuple[tuple[Key, ...], str]:
    """The YAML path and reason of one pydantic error."""
    ctx = error.get("ctx") or {}
    if error["type"] == "ccsim":
        return (*_data_path(data, tuple(error["loc"])), *ctx.get("sub", ())), ctx["message"]
    path = _data_path(data, tuple(error["loc"]))
    kind = error["type"]
    if kind == "missing":
        return path, "is required but missing"
    if kind == "extra_forbidden":
        return path, "is not a known key here (check the spelling)"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if kind not in ("union_tag_invalid", "union_tag_not_found", "literal_error"):
        value = error.get("input")
        if not isinstance(value, (dict, list)):
            message += f" (got {value!r})"
    return path, message[0].lower() + message[1:]


SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (ten times as fast), else the pure-Python one."""


class _TreeProblems(Exception):
    """Duplicate keys or over-long numbers found in the node tree (``sim.yaml_limits``)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0][2])
        self.problems = problems


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """Compose the node tree, check its bounds, then build the data from it."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        problems = check_tree(root)
        if problems:
            raise _TreeProblems(problems)
        return root, loader.construct_document(root)
    finally:
        loader.dispose()


def _read_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its plain data, from one parse.

    A file libyaml refuses is read again by the pure-Python loader, whose messages say what
    it found ("expected ',' or ']', but got ':'") where libyaml's only say what it missed;
    where that loader cannot say more (nesting too deep for it), libyaml's message stands.
    """
    try:
        return _parse(text, SafeLoader)
    except yaml.YAMLError as refused:
        if SafeLoader is yaml.SafeLoader:
            raise
        try:
            return _parse(text, yaml.SafeLoader)
        except RecursionError:
            raise refused from None


def _problem_line(problem: Problem) -> str:
    path, line, reason = problem
    return f"{format_path(path)} (line {line}): {reason}"


def _too_big(size: int) -> str:
    return (f"is {size / 2**20:,.1f} MB; a scenario file may be at most "
            f"{MAX_FILE_BYTES // 2**20} MB")


def parse_scenario(
    text: str, source: str = "<scenario>", overrides: Sequence[str] = ()
) -> Scenario:
    """Validate YAML text, with ``--set PATH=VALUE`` overrides applied first; raise
    ``ScenarioError`` naming ``source``, the YAML path and the line (or the ``--set``)."""
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError(source, [_too_big(len(text))])
    try:
        root, data = _read_yaml(text)
    except LimitExceeded as exc:
        raise ScenarioError(source, [_problem_line(exc.problem)]) from None
    except _TreeProblems as exc:
        raise ScenarioError(source, [_problem_line(p) for p in exc.problems]) from None
    except RecursionError:
        raise ScenarioError(source, ["nested too deeply to read"]) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        reason = f"{where}{exc.problem} (only plain YAML is allowed)"
        raise ScenarioError(source, [reason]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, [f"{where}not valid YAML: {reason}"]) from None
    if data is None or root is None:
        raise ScenarioError(source, ["the file is empty; a scenario needs at least name, "
                                     "horizon, contact_types and agent_groups"])
    if not isinstance(data, dict):
        raise ScenarioError(source, ["the top level must be a mapping of keys (name:, horizon:, "
                                     f"...), got a {type(data).__name__}"])
    try:
        data, set_paths = apply_overrides(data, list(overrides))
    except OverrideError as exc:
        raise ScenarioError(source, [str(exc)]) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines: dict[tuple[Key, ...], int] = {}
        _line_map(root, (), lines)
        problems = []
        for error in exc.errors():
            path, reason = _describe(error, data)
            if any(path[:len(p)] == p for p in set_paths):
                where = " (set by --set)"
            else:
                line = next((lines[path[:n]] for n in range(len(path), -1, -1)
                             if path[:n] in lines), None)
                where = f" (line {line})" if line is not None else ""
            problems.append(f"{format_path(path)}{where}: {reason}")
        raise ScenarioError(source, problems) from None


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read and validate a scenario file (with ``--set`` overrides); raise ``ScenarioError``
    on any problem."""
    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(str(path), [_too_big(path.stat().st_size)])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), ["no such file"]) from None
    except IsADirectoryError:
        raise ScenarioError(str(path), ["is a folder, not a scenario file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [f"cannot be read: {exc}"]) from None
    return parse_scenario(text, str(path), overrides)


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML that ``parse_scenario`` reads back to an equal scenario."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
