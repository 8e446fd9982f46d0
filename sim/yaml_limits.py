"""Bounds on a scenario file, checked on its YAML node tree before any Python data is built.

A scenario is a few kilobytes of YAML. A hostile or broken file can be far more expensive than
its size: aliases expand exponentially ("billion laughs": nine levels of nine aliases are 387
million values from a few hundred bytes), an alias inside the collection it names never ends,
and a 5,000-digit integer costs seconds to convert. The composed node tree shares the node of
an alias instead of copying it, so every bound below is measured there, in time and memory
proportional to the file itself, and the data are constructed only from a tree that passed.
Duplicate keys are found here too: YAML lets the later value win silently.
"""

from __future__ import annotations

import yaml

Key = str | int
Problem = tuple[tuple[Key, ...], int, str]
"""(YAML path, 1-based line, reason)."""

MAX_FILE_BYTES = 16 * 2**20
"""Largest scenario file read, bytes (a week of per-interval lists is a few hundred KB)."""
MAX_VALUES = 2_000_000
"""Most values (scalars, lists and mappings) the file may hold once its aliases are expanded."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings (a scenario needs about 6)."""
MAX_DIGITS = 18
"""Most digits of a whole number (every count in a scenario is far smaller)."""

_INT_TAG = "tag:yaml.org,2002:int"


class LimitExceeded(Exception):
    """A file beyond one of the bounds: its problem is ``(path, line, reason)``."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem[2])
        self.problem = problem


def check_tree(root: yaml.Node) -> list[Problem]:
    """Every duplicate key and over-long integer of the tree; raise ``LimitExceeded`` at the
    first alias cycle, nesting deeper than ``MAX_DEPTH`` or expansion beyond ``MAX_VALUES``."""
    problems: list[Problem] = []
    sizes: dict[int, int] = {}  # expanded size of each node already visited (aliases share it)
    open_nodes: set[int] = set()

    def visit(node: yaml.Node, path: tuple[Key, ...], depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        line = node.start_mark.line + 1
        if key in open_nodes:
            raise LimitExceeded((path, line, "an alias refers to the list or mapping that "
                                             "contains it, so the value would never end"))
        if depth > MAX_DEPTH:
            raise LimitExceeded((path, line, f"nested more than {MAX_DEPTH} levels deep"))
        open_nodes.add(key)
        size = 1
        if isinstance(node, yaml.ScalarNode):
            digits = node.value.lstrip("+-").replace("_", "")
            if node.tag == _INT_TAG and len(digits) > MAX_DIGITS:
                problems.append((path, line, f"a whole number of {len(digits):,} digits is out "
                                             f"of range (at most {MAX_DIGITS})"))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                size += visit(item, (*path, i), depth + 1)
        elif isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                key_line = key_node.start_mark.line + 1
                if name is not None and name in seen:
                    problems.append(((*path, name), key_line,
                                     f"is given twice (lines {seen[name]} and {key_line}); "
                                     "YAML would silently keep the second"))
                elif name is not None:
                    seen[name] = key_line
                size += visit(key_node, path, depth + 1)
                size += visit(value_node, (*path, name if name is not None else "?"), depth + 1)
        open_nodes.discard(key)
        sizes[key] = size
        if size > MAX_VALUES:
            raise LimitExceeded((path, line, f"holds more than {MAX_VALUES:,} values once its "
                                             "aliases are expanded"))
        return size

    visit(root, (), 0)
    return problems
