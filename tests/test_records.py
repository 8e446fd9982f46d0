"""``ccsim run --records``: records.csv in the contacts layout, one row per simulated contact,
agreeing with the run's own counts, the same for any number of workers, and never left behind
by a run that fails."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app

runner = CliRunner()

SCENARIO = """\
name: recorded
horizon: {start: "23:00", interval_minutes: 30, intervals: 4}
replications: 3
contact_types:
  - name: billing
    arrivals: {per_interval: [40, 60, 50, 30]}
    handle_time: {distribution: lognormal, mean: 200, cv: 0.7}
    patience: {distribution: exponential, mean: 120}
    self_service:
      time_in_ivr: {distribution: deterministic, value: 30}
      completion: 0.3
      opt_out: 0.7
  - name: faults
    arrivals: {per_interval: [10, 20, 20, 10]}
    handle_time: {distribution: exponential, mean: 300}
    patience: {distribution: exponential, mean: 90}
    redial: {probability: 0.5, delay: {distribution: exponential, mean: 60}}
agent_groups:
  - {name: team, skills: [billing, faults], staffing: [4, 5, 5, 3]}
"""


def run(tmp_path: Path, *extra: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    scenario = tmp_path / "recorded.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--records", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def test_records_csv_is_the_contacts_layout_and_agrees_with_the_summary(tmp_path: Path) -> None:
    folder = run(tmp_path)
    with (folder / "records.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["arrival", "queue", "wait_s", "outcome", "handle_s"]
    summary = json.loads((folder / "summary.json").read_text())
    for name in ("billing", "faults"):
        mine = [r for r in rows if r["queue"] == name]
        kpis = summary["by_contact_type"][name]
        for outcome, key in (("answered", "answered"), ("abandoned", "abandoned"),
                             ("self_served", "self_served")):
            count = sum(r["outcome"] == outcome for r in mine)
            assert count == pytest.approx(kpis[key]["mean"] * 3), (name, outcome)
    for r in rows:
        if r["outcome"] == "self_served":
            assert r["wait_s"] == "" and r["handle_s"] == ""
        elif r["outcome"] == "abandoned":
            assert float(r["wait_s"]) >= 0 and r["handle_s"] == ""
        else:
            assert float(r["wait_s"]) >= 0 and float(r["handle_s"]) > 0
    # replication r is dated 2024-01-01 + r days; a day starting at 23:00 runs past midnight
    days = sorted({r["arrival"][:10] for r in rows})
    assert days[0] == "2024-01-01" and days[-1] == "2024-01-04"
    assert {r["arrival"][11:13] for r in rows} == {"23", "00"}
    assert rows == sorted(rows, key=lambda r: r["arrival"])


def test_records_are_the_same_for_any_number_of_workers(tmp_path: Path) -> None:
    one = run(tmp_path / "one")
    two = run(tmp_path / "two", "--workers", "2")
    assert (one / "records.csv").read_bytes() == (two / "records.csv").read_bytes()


def test_a_failed_run_leaves_no_records_behind(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from ccsim import output

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(output, "run_report_charts", broken)
    scenario = tmp_path / "recorded.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(scenario), "--records", "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists() or list(out.iterdir()) == []


def test_without_records_there_is_no_records_csv(tmp_path: Path) -> None:
    scenario = tmp_path / "recorded.yaml"
    scenario.write_text(SCENARIO)
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    (folder,) = (tmp_path / "out").iterdir()
    assert not (folder / "records.csv").exists()
