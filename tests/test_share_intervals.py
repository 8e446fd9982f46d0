"""Must show (issue 9, "Intervals within [0, 1]"): with few replications on a low-abandonment
scenario, no confidence bound of a share is below 0 or above 1 anywhere in the result folder.

The scenario is a well-staffed day with an IVR: almost nobody abandons, nearly everyone is
answered in time, so with 2 replications (Student t with 1 degree of freedom, 12.7) the linear
delta-method interval of the old ``ratio_estimate`` reaches below 0 and above 1 in many cells;
the test checks that first, so it cannot pass on a scenario where nothing was at stake.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim.kpis import RATIOS
from ccsim.sim.loader import load_scenario
from ccsim.sim.runner import simulate
from ccsim.sim.stats import _delta_se, _t

SHARES = ("service_level", "abandon_rate", "occupancy", "containment")

CALM = """\
name: calm-line
horizon: {start: "08:00", interval_minutes: 30, intervals: 8}
seed: 11
replications: 20
service_level: {threshold_s: 20, target: 0.80, short_abandon_s: 5}
contact_types:
  - name: billing
    arrivals: {daily: 480}
    handle_time: {distribution: lognormal, mean: 240, cv: 0.7}
    patience: {distribution: exponential, mean: 300}
    self_service:
      time_in_ivr: {distribution: lognormal, mean: 60, cv: 0.5}
      completion: 0.4
      opt_out: 0.1
  - name: emergency
    arrivals: {daily: 80}
    handle_time: {distribution: lognormal, mean: 300, cv: 0.6}
    patience: {distribution: exponential, mean: 240}
agent_groups:
  - {name: generalists, skills: [billing], staffing: 10}
  - {name: emergency_team, skills: [emergency, billing], staffing: 5}
"""


def linear_bounds_outside(path: Path) -> int:
    """How many share bounds the linear delta-method interval puts outside [0, 1] on this
    scenario with 2 replications (day and interval cells, per type)."""
    scenario = load_scenario(path)
    tallies = simulate(scenario, replications=2).tallies
    groups = range(len(scenario.agent_groups))
    outside = 0
    for where in [slice(None), *range(scenario.horizon.intervals)]:
        for k, t in enumerate(scenario.contact_types):
            skilled = [g for g in groups if t.name in scenario.agent_groups[g].skills]
            pairs = [(tallies.type_sum(num, where, [k]), tallies.type_sum(den, where, [k]))
                     for key, (num, den) in RATIOS.items() if key in SHARES]
            pairs.append((tallies.group_sum("busy_s", where, skilled),
                          tallies.group_sum("staffed_s", where, skilled)))
            for num, den in pairs:
                if den.sum() <= 0:
                    continue
                r = float(num.sum() / den.sum())  # the old linear interval, r ± t·se, uncut
                half = _t(num.size) * _delta_se(num, den, r)
                outside += (r - half < 0) + (r + half > 1)
    return outside


def check(value: float | None, where: str, checked: list[str]) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    assert 0.0 <= value <= 1.0, f"{where} = {value!r} is outside [0, 1]"
    checked.append(where)


def test_no_share_bound_leaves_0_1_in_the_result_folder(tmp_path: Path) -> None:
    path = tmp_path / "calm.yaml"
    path.write_text(CALM)
    assert linear_bounds_outside(path) >= 20  # the old interval did leave [0, 1] here

    result = CliRunner().invoke(
        app, ["run", str(path), "--replications", "2", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out").iterdir()
    checked: list[str] = []

    summary = json.loads((folder / "summary.json").read_text())
    assert summary["replications"] == 2
    assert summary["kpis"]["abandon_rate"]["mean"] < 0.01        # low abandonment
    assert summary["kpis"]["service_level"]["mean"] > 0.95       # high service level
    blocks = {"kpis": summary["kpis"],
              **{f"by_contact_type.{n}": b for n, b in summary["by_contact_type"].items()},
              **{f"by_group.{n}": b for n, b in summary["by_group"].items()}}
    for name, block in blocks.items():
        for key in SHARES:
            if key in block:
                kpi = block[key]
                check(kpi["mean"], f"summary.json {name}.{key}", checked)
                for side, bound in zip(("lo", "hi"), kpi["ci95"], strict=True):
                    check(bound, f"summary.json {name}.{key} {side}", checked)

    with (folder / "intervals.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for key in SHARES:
            for column in (key, f"{key}_lo", f"{key}_hi"):
                if row[column]:
                    check(float(row[column]), f"intervals.csv {row['interval']} "
                          f"{row['contact_type']} {column}", checked)
    # the edge is an interval, not a point: no abandon in a cell still allows a few
    nobody = [r for r in rows if r["abandon_rate"] and float(r["abandon_rate"]) == 0]
    assert nobody and all(float(r["abandon_rate_hi"]) > 0 for r in nobody)

    with (folder / "replications.csv").open() as f:
        for row in csv.DictReader(f):
            for key in SHARES:
                if row[key]:
                    check(float(row[key]), f"replications.csv {row['replication']} "
                          f"{row['contact_type']} {key}", checked)

    report = (folder / "report.html").read_text()
    printed = re.findall(r"(-?[\d.]+)% \[(-?[\d.]+), (-?[\d.]+)\]", report)
    assert printed
    for mean, lo, hi in printed:
        assert 0 <= float(lo) <= float(mean) <= float(hi) <= 100, (mean, lo, hi)

    assert len([c for c in checked if c.endswith(("lo", "hi"))]) > 200
