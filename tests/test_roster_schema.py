"""The ``optimise.roster`` block: defaults, and clear errors (a roster needs a week)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim.loader import ScenarioError, load_scenario

HEAD = """\
name: week
horizon: {start: "08:00", interval_minutes: 240, intervals: 2, days: 7}
contact_types:
  - name: a
    arrivals: {per_interval: [10, 10]}
    handle_time: {distribution: exponential, mean: 100}
agent_groups:
  - {name: team, skills: [a], staffing: 1, cost_per_hour: 20}
optimise:
"""
SHIFTS = """\
  shifts:
    - {name: early, start: "08:00", length_h: 4}
"""


def write(tmp_path: Path, optimise: str) -> Path:
    path = tmp_path / "week.yaml"
    path.write_text(HEAD + optimise)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return str(caught.value).splitlines()


def test_defaults_are_five_days_on_two_together(tmp_path: Path) -> None:
    roster = load_scenario(write(tmp_path, SHIFTS + "  roster: {}\n")).optimise.roster
    assert (roster.days_on, roster.consecutive_days_off, roster.same_start_all_week) == (
        5, True, False)


def test_a_roster_without_shifts_is_an_error_naming_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "  roster: {days_on: 6}\n")
    assert problems(path) == [
        f"{path}: optimise.roster (line 10): needs shift templates (optimise.shifts): a tour "
        "is a template on each working day"]


def test_bad_roster_values_name_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, SHIFTS + "  roster:\n    days_on: 8\n    same_start: true\n")
    assert problems(path) == [
        f"{path}: optimise.roster.days_on (line 13): input should be less than or equal to 7 "
        "(got 8)",
        f"{path}: optimise.roster.same_start (line 14): is not a known key here (check the "
        "spelling)",
    ]


def test_a_roster_needs_a_week_in_one_line_at_validation(tmp_path: Path) -> None:
    path = tmp_path / "day.yaml"
    path.write_text(HEAD.replace(", days: 7", "") + SHIFTS + "  roster: {}\n")
    line = (f"{path}: optimise.roster (line 12): weekly rostering needs a week: set "
            "horizon.days to 7 (it is 1), or remove the roster block to plan one day's shifts")
    assert problems(path) == [line]
    for command in (["validate", str(path)], ["optimise", str(path), "--out",
                                              str(tmp_path / "results")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines() == [line]
    assert not (tmp_path / "results").exists()
