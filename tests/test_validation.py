"""Validated once, for real: every cross-field problem at once, with its own path and line,
from a file and from code; derived scenarios are validated again."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.optimise.evaluate import with_staffing
from ccsim.sim.loader import ScenarioError, load_scenario, parse_scenario
from ccsim.sim.scenario import AgentGroup, Scenario

SIM = Path(__file__).resolve().parent.parent / "sim"

GOOD = """\
name: tiny
horizon: {interval_minutes: 30, intervals: 3}
contact_types:
  - name: billing
    arrivals: {per_interval: [20, 30, 25]}
    handle_time: {distribution: lognormal, mean: 240, cv: 0.9}
agent_groups:
  - name: team
    skills: [billing]
    staffing: [3, 4, 4]
  - name: backup
    skills: [billing]
    staffing: 2
"""

# Three independent cross-field errors: a skill that is not a contact type, a staffing list of
# the wrong length and a group name used twice.
THREE = (GOOD.replace("skills: [billing]\n    staffing: [3, 4, 4]",
                      "skills: [billing, sales]\n    staffing: [3, 4]")
         .replace("name: backup", "name: team"))

PROBLEMS = [
    (("agent_groups", 0, "skills", 1), "agent_groups[0].skills[1] (line 9)",
     "'sales' is not a contact type (known: ['billing'])"),
    (("agent_groups", 0, "staffing"), "agent_groups[0].staffing (line 10)",
     "has 2 values but horizon.intervals is 3"),
    (("agent_groups", 1, "name"), "agent_groups[1].name (line 11)",
     "agent group name 'team' is used twice"),
]


def errors(exc: ValidationError) -> list[tuple[Any, ...]]:
    """(type, loc, message) of every error."""
    return [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]


@pytest.fixture
def scenario() -> Scenario:
    return parse_scenario(GOOD)


def test_a_file_gives_one_line_per_problem(tmp_path: Path) -> None:
    path = tmp_path / "three.yaml"
    path.write_text(THREE)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).splitlines() == [
        f"{path}: {where}: {reason}" for _, where, reason in PROBLEMS
    ]


def test_ccsim_validate_prints_every_problem_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "three.yaml"
    path.write_text(THREE)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: {where}: {reason}" for _, where, reason in PROBLEMS
    ]


def test_model_validate_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(yaml.safe_load(THREE))
    assert errors(caught.value) == [("ccsim", loc, reason) for loc, _, reason in PROBLEMS]
    assert caught.value.title == "Scenario"
    assert str(caught.value).startswith(
        "3 validation errors for Scenario\n"
        "agent_groups.0.skills.1\n"
        "  'sales' is not a contact type (known: ['billing']) [type=ccsim, input_value='sales',"
    )


def test_a_derived_scenario_with_a_wrong_length_staffing_is_refused(scenario: Scenario) -> None:
    short = scenario.agent_groups[0].with_changes(staffing=[1, 2])
    with pytest.raises(ValidationError) as caught:
        scenario.with_changes(agent_groups=[short, scenario.agent_groups[1]])
    assert errors(caught.value) == [
        ("ccsim", ("agent_groups", 0, "staffing"), "has 2 values but horizon.intervals is 3")
    ]
    with pytest.raises(ValidationError) as caught:
        with_staffing(scenario, [[1, 2], [3, 4]])
    assert [e["loc"] for e in caught.value.errors()] == [
        ("agent_groups", 0, "staffing"), ("agent_groups", 1, "staffing")
    ]


def test_models_given_as_values_get_the_whole_scenario_checks(scenario: Scenario) -> None:
    with pytest.raises(ValidationError) as caught:
        scenario.with_changes(horizon=scenario.horizon.with_changes(intervals=4))
    assert errors(caught.value) == [
        ("ccsim", ("contact_types", 0, "arrivals", "per_interval"),
         "has 3 values but horizon.intervals is 4"),
        ("ccsim", ("agent_groups", 0, "staffing"), "has 3 values but horizon.intervals is 4"),
    ]


def test_a_model_built_unchecked_is_checked_when_a_scenario_takes_it(
        scenario: Scenario) -> None:
    unchecked = scenario.contact_types[0].arrivals.model_copy(update={"scale": -1.0})
    with pytest.raises(ValidationError) as caught:
        scenario.contact_types[0].with_changes(arrivals=unchecked)
    assert errors(caught.value) == [("greater_than_equal", ("arrivals", "scale"),
                                     "Input should be greater than or equal to 0")]


def test_a_sub_model_is_derived_with_its_own_checks(scenario: Scenario) -> None:
    group = scenario.agent_groups[0]
    with pytest.raises(ValidationError) as caught:
        group.with_changes(staffing=[3, -1, 4])
    assert errors(caught.value) == [
        ("ccsim", ("staffing",), "must be at least 0 and at most 100,000, got -1")]
    assert caught.value.errors()[0]["ctx"]["sub"] == (1,)
    with pytest.raises(ValidationError) as caught:
        group.with_changes(staffng=[3, 4, 4])
    assert errors(caught.value) == [
        ("extra_forbidden", ("staffng",), "Extra inputs are not permitted")
    ]


def test_a_valid_change_gives_an_equal_but_changed_scenario(scenario: Scenario) -> None:
    changed = scenario.with_changes(seed=9, replications=3)
    assert (changed.seed, changed.replications) == (9, 3)
    assert changed != scenario
    assert changed.with_changes(seed=scenario.seed, replications=scenario.replications) == scenario
    assert changed.model_dump(exclude={"seed", "replications"}) == scenario.model_dump(
        exclude={"seed", "replications"})
    assert changed.model_fields_set == scenario.model_fields_set | {"seed", "replications"}
    group = scenario.agent_groups[1].with_changes(staffing=[2, 3, 2])
    assert isinstance(group, AgentGroup) and group.staffing == [2, 3, 2]
    assert scenario.with_changes(agent_groups=[scenario.agent_groups[0], group]).staffing_matrix() \
        == [[3, 4, 4], [2, 3, 2]]


def _imports(module: Path) -> set[str]:
    """The ``ccsim.sim`` modules that a source file imports, wherever in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            found |= {n for n in names if (SIM / f"{n.removeprefix('ccsim.sim.')}.py").exists()
                      and n.startswith("ccsim.sim.")}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ccsim.sim.")}
    return found


def test_no_import_cycle_between_scenario_and_consistency() -> None:
    reached, todo = set(), ["ccsim.sim.consistency"]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            todo.extend(_imports(SIM / f"{module.removeprefix('ccsim.sim.')}.py"))
    assert "ccsim.sim.scenario" not in reached
    top = ast.parse((SIM / "scenario.py").read_text()).body
    assert any(isinstance(n, ast.ImportFrom) and n.module == "ccsim.sim.consistency" for n in top)
