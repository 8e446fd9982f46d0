"""The command line: bad input gets exit 2 and one clear message; runs are reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ccsim.cli import app

runner = CliRunner()

GOOD = """\
name: tiny
horizon: {interval_minutes: 30, intervals: 3}
replications: 3
contact_types:
  - name: billing
    arrivals: {per_interval: [20, 30, 25]}
    handle_time: {distribution: lognormal, mean: 240, cv: 0.9}
    patience: {distribution: exponential, mean: 150}
agent_groups:
  - name: team
    skills: [billing]
    staffing: [3, 4, 4]
    cost_per_hour: 20
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run_bad(tmp_path: Path, text: str | None, *extra: str) -> str:
    """Run a bad scenario; check exit 2, no traceback, no result folder; return stderr."""
    path = tmp_path / "bad.yaml"
    if text is not None:
        path.write_text(text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out), *extra])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())
    return result.stderr.strip()


def test_run_writes_the_result_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(write(tmp_path, GOOD)), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert folder.name.startswith("tiny-")
    assert {p.name for p in folder.iterdir()} >= {"summary.json", "intervals.csv",
                                                  "scenario.yaml", "replications.csv"}
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["scenario"] == "tiny" and summary["replications"] == 3
    for key in ("asa_s", "abandon_rate", "occupancy", "containment",
                "offered", "answered", "abandoned", "self_served", "redials"):
        assert set(summary["kpis"][key]) == {"mean", "ci95"}
    assert set(summary["kpis"]["service_level"]) == {"mean", "ci95", "target", "verdict"}
    assert set(summary["by_contact_type"]) == {"billing"} and set(summary["by_group"]) == {"team"}
    rows = (folder / "intervals.csv").read_text().splitlines()
    assert len(rows) == 1 + 3 * 2  # header + (all, billing) per interval
    assert yaml.safe_load((folder / "scenario.yaml").read_text())["replications"] == 3


def test_result_folder_reproduces_the_run(tmp_path: Path) -> None:
    runner.invoke(app, ["run", str(write(tmp_path, GOOD)), "--out", str(tmp_path / "a"),
                        "--seed", "9", "--replications", "2"])
    (first,) = (tmp_path / "a").iterdir()
    again = runner.invoke(app, ["run", str(first / "scenario.yaml"), "--out", str(tmp_path / "b")])
    assert again.exit_code == 0
    (second,) = (tmp_path / "b").iterdir()
    assert (first / "summary.json").read_text() == (second / "summary.json").read_text()


def test_same_seed_same_numbers_whatever_the_workers(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    texts = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        result = runner.invoke(app, ["run", str(path), "--out", str(out), "--workers", workers,
                                     "--replications", "4", "--seed", "5"])
        assert result.exit_code == 0, result.output
        (folder,) = out.iterdir()
        texts.append((folder / "summary.json").read_text())
    assert texts[0] == texts[1]


def test_validate_and_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0 and "valid: 1 contact types" in result.output
    schema = json.loads(runner.invoke(app, ["schema"]).output)
    assert "contact_types" in schema["properties"] and "$defs" in schema


def test_missing_file(tmp_path: Path) -> None:
    assert run_bad(tmp_path, None) == f"{tmp_path / 'bad.yaml'}: no such file"


def test_empty_file(tmp_path: Path) -> None:
    message = run_bad(tmp_path, "# nothing here\n")
    assert message.endswith("bad.yaml: the file is empty; a scenario needs at least name, "
                            "horizon, contact_types and agent_groups")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = run_bad(tmp_path, GOOD.replace("staffing: [3, 4, 4]", "staffing: [3, 4, 4"))
    assert ("bad.yaml: line 13, column 18: not valid YAML: expected ',' or ']', but got ':'"
            in message)


def test_python_tags_are_refused_not_run(tmp_path: Path) -> None:
    text = GOOD.replace("name: tiny", "name: !!python/object/apply:os.system ['echo hacked']")
    message = run_bad(tmp_path, text)
    assert "bad.yaml: line 1: could not determine a constructor for the tag" in message
    assert "only plain YAML is allowed" in message


@pytest.mark.parametrize("change,expected", [
    (("handle_time: {distribution: lognormal, mean: 240",
      "handle_time: {distribution: lognormal, mean: -5"),
     "contact_types[0].handle_time.mean (line 7): must be greater than 0, got -5"),
    (("patience:", "patiense:"),
     "contact_types[0].patiense (line 8): is not a known key here (check the spelling)"),
    (("staffing: [3, 4, 4]", "staffing: [3, 4]"),
     "agent_groups[0].staffing (line 12): has 2 values but horizon.intervals is 3"),
    (("staffing: [3, 4, 4]", "staffing: [3, 4.5, 4]"),
     "agent_groups[0].staffing[1] (line 12): must be a whole number, got 4.5"),
    (("skills: [billing]", "skills: [billing, sales]"),
     "agent_groups[0].skills[1] (line 11): 'sales' is not a contact type (known: ['billing'])"),
    (("skills: [billing]", "skills: [sales]"),
     "agent_groups[0].skills[0] (line 11): 'sales' is not a contact type (known: ['billing'])"),
    (("distribution: exponential", "distribution: weibull"),
     "contact_types[0].patience (line 8): input tag 'weibull' found using 'distribution' does "
     "not match any of the expected tags"),
    (("    patience: {distribution: exponential, mean: 150}\n",
      "    patience: {distribution: exponential, mean: 150}\n"
      "    self_service: {time_in_ivr: {distribution: deterministic, value: 30},"
      " completion: 0.7, opt_out: 0.4}\n"),
     "contact_types[0].self_service.opt_out (line 9): completion + opt_out must be at most 1, "
     "got 0.7 + 0.4 = 1.1"),
    (("horizon: {interval_minutes: 30, intervals: 3}", "horizon: {interval_minutes: 30}"),
     "horizon.intervals (line 2): is required but missing"),
])
def test_bad_field_names_path_line_and_reason(tmp_path: Path, change, expected) -> None:
    old, new = change
    assert old in GOOD
    message = run_bad(tmp_path, GOOD.replace(old, new, 1))
    assert message.startswith(f"{tmp_path / 'bad.yaml'}: ")
    assert expected in message


def test_contact_type_nobody_can_answer(tmp_path: Path) -> None:
    text = GOOD.replace("agent_groups:", """\
  - name: sales
    arrivals: {per_interval: [1, 1, 1]}
    handle_time: {distribution: exponential, mean: 100}
agent_groups:""")
    message = run_bad(tmp_path, text)
    assert message.endswith("contact_types[1].name (line 9): no agent group has the skill "
                            "'sales', so nobody can answer it")


def test_absurd_size_is_refused_unless_forced(tmp_path: Path) -> None:
    text = GOOD.replace("per_interval: [20, 30, 25]", "per_interval: [2000000, 3000000, 2500000]")
    message = run_bad(tmp_path, text, "--replications", "10")
    assert message.endswith("about 75,000,000 contacts expected over 10 replications (more "
                            "than 50,000,000); lower the volume or the replications, or pass "
                            "--force")


def test_bad_option_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(write(tmp_path, GOOD)), "--replications", "0"])
    assert result.exit_code == 2


def test_a_result_folder_has_the_user_s_usual_permissions(tmp_path: Path) -> None:
    import os
    import stat

    result = runner.invoke(app, ["run", str(write(tmp_path, GOOD)), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
