"""``--vary`` over a staffing scale and over list values (issue 9, item 6): a profile is scaled,
never flattened into one number, and a whole list is one value of a sweep."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.overrides import round_agents
from ccsim.sweep import parse_vary

runner = CliRunner()
PROFILE = [4, 7, 11, 9, 5]
"""The team's staffing by interval: a peak in the middle, uneven steps."""

SCENARIO = f"""
name: profile
horizon: {{start: "08:00", interval_minutes: 30, intervals: 5}}
seed: 5
replications: 2
service_level: {{threshold_s: 20, target: 0.8}}
contact_types:
  - name: calls
    arrivals: {{per_interval: [30, 60, 90, 70, 40]}}
    handle_time: {{distribution: exponential, mean: 200}}
    patience: {{distribution: exponential, mean: 120}}
agent_groups:
  - {{name: team, skills: [calls], staffing: {PROFILE}, cost_per_hour: 20}}
  - {{name: backup, skills: [calls], staffing: 2, cost_per_hour: 25}}
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(SCENARIO)
    return path


def sweep(tmp_path: Path, scenario: Path, *vary: str) -> Path:
    """Run a sweep; its result folder."""
    out = tmp_path / "out"
    args = ["sweep", str(scenario), "--replications", "2", "--out", str(out)]
    for v in vary:
        args += ["--vary", v]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def point_staffing(point: Path, group: int = 0) -> list[int]:
    """A point folder's staffing of a group, as its scenario.yaml says it was run."""
    return yaml.safe_load((point / "scenario.yaml").read_text())["agent_groups"][group][
        "staffing"]


def staffed_by_interval(point: Path) -> list[int]:
    """Agents on the phones per interval (all groups), as the point's intervals.csv reports."""
    with (point / "intervals.csv").open() as f:
        return [int(r["staffed_agents"]) for r in csv.DictReader(f)
                if r["contact_type"] == "all"]


def test_round_agents_is_nearest_with_halves_up() -> None:
    assert [round_agents(v) for v in (0.49, 0.5, 1.5, 2.5, 22.5, 1.1 * 15, 0.7 * 15)] == [
        0, 1, 2, 3, 23, 17, 11]


def test_a_sweep_over_a_staffing_scale_keeps_the_profiles_shape(
        tmp_path: Path, scenario_file: Path) -> None:
    scales = [0.5, 1, 1.3]
    folder = sweep(tmp_path, scenario_file,
                   f"agent_groups.team.staffing_scale={','.join(map(str, scales))}")
    rows = list(csv.DictReader((folder / "sweep.csv").read_text().splitlines()))
    assert [float(r["agent_groups.team.staffing_scale"]) for r in rows] == scales
    peak = PROFILE.index(max(PROFILE))
    for scale, row in zip(scales, rows, strict=True):
        point = folder / row["folder"]
        staffing = point_staffing(point)
        assert staffing == [round_agents(v * scale) for v in PROFILE], scale
        assert isinstance(staffing, list) and len(staffing) == len(PROFILE)
        assert len(set(staffing)) > 1, f"flattened at {scale}: {staffing}"
        assert staffing.index(max(staffing)) == peak
        # the order of the intervals by staffing is the profile's (ties allowed by rounding)
        for i in range(len(PROFILE)):
            for j in range(len(PROFILE)):
                if PROFILE[i] < PROFILE[j]:
                    assert staffing[i] <= staffing[j], (scale, i, j, staffing)
        assert point_staffing(point, 1) == 2  # the other group is left as it was
        assert staffed_by_interval(point) == [s + 2 for s in staffing]
        summary = json.loads((point / "summary.json").read_text())
        key = "agent_groups.team.staffing_scale"
        assert summary["overrides"] == [f"{key}={row[key]}"]
    assert [point_staffing(folder / r["folder"]) for r in rows] == [
        [2, 4, 6, 5, 3], PROFILE, [5, 9, 14, 12, 7]]


def test_a_sweep_over_whole_staffing_lists(tmp_path: Path, scenario_file: Path) -> None:
    profiles = [[3, 6, 10, 8, 4], [5, 8, 12, 10, 6]]
    text = ",".join("[" + ",".join(map(str, p)) + "]" for p in profiles)
    folder = sweep(tmp_path, scenario_file, f"agent_groups.team.staffing={text}")
    rows = list(csv.DictReader((folder / "sweep.csv").read_text().splitlines()))
    assert len(rows) == 2
    assert [point_staffing(folder / r["folder"]) for r in rows] == profiles


def test_list_values_and_scalars_split_unambiguously() -> None:
    assert parse_vary("a.staffing=[1, 2],[3,4]", "x").values == ["[1, 2]", "[3,4]"]
    assert parse_vary("a.b=0.9,1,1.1", "x").values == ["0.9", "1", "1.1"]
    assert parse_vary("routing={policy: priority, overflow_after_s: 10},{policy: longest_idle}",
                      "x").values == ["{policy: priority, overflow_after_s: 10}",
                                      "{policy: longest_idle}"]
    with pytest.raises(ScenarioError, match="unbalanced"):
        parse_vary("a.staffing=[1,2", "x")


def test_a_scale_keeps_a_single_number_a_single_number(scenario_file: Path) -> None:
    scenario = load_scenario(scenario_file, ["agent_groups.backup.staffing_scale=1.75"])
    assert scenario.agent_groups[1].staffing == 4  # 3.5 rounds up
    scenario = load_scenario(scenario_file, ["agent_groups.team.staffing=[10, 20, 30, 20, 10]",
                                             "agent_groups.team.staffing_scale=0.5"])
    assert scenario.agent_groups[0].staffing == [5, 10, 15, 10, 5]


@pytest.mark.parametrize(("vary", "reason"), [
    ("agent_groups.nobody.staffing_scale=1,2", "has no item named 'nobody'"),
    ("agent_groups.team.staffing_scale=0,1", "staffing_scale must be greater than 0"),
    ("agent_groups.team.staffing_scale=-1,1", "staffing_scale must be greater than 0"),
    ("agent_groups.team.staffing_scale=many,1", "staffing_scale must be a number"),
    ("agent_groups.team.staffing=[1,2", "unbalanced brackets"),
])
def test_a_bad_scale_is_one_line_exit_2_and_nothing_written(
        tmp_path: Path, scenario_file: Path, vary: str, reason: str) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(scenario_file), "--vary", vary,
                                 "--replications", "2", "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and str(scenario_file) in lines[0], lines
    assert "Traceback" not in result.output
    assert not out.exists()
