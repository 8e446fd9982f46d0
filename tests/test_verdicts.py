"""The verdict of DESIGN.md (met / within noise / missed, the precision rule, the worst margin)
and where a run shows it: the closing table, summary.json, intervals.csv, report.html and the
cells of plan.json."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.console import _cell
from ccsim.optimise.plan import optimise_staffing
from ccsim.output import plan_json
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import Estimate
from ccsim.sim.verdict import (
    DEFAULT_PRECISION,
    MET,
    MISSED,
    VERDICTS,
    WITHIN_NOISE,
    Cell,
    common_target,
    half_width,
    judge,
    verdict,
)
from tests.test_cli import GOOD

runner = CliRunner()
NAN = math.nan


def cell(mean: float, lo: float, hi: float, target: float = 0.8, name: str = "a",
         interval: int = 0) -> Cell:
    return Cell(interval, f"{8 + interval:02d}:00", name, Estimate(mean, lo, hi), target)


# --- the rule ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mean,upper,target,expected", [
    (0.85, 0.90, 0.80, MET),             # above the target
    (0.80, 0.85, 0.80, MET),             # exactly on it: the point reaches it
    (0.75, 0.82, 0.80, WITHIN_NOISE),    # below, but the upper bound reaches it
    (0.75, 0.80, 0.80, WITHIN_NOISE),    # the upper bound exactly on it
    (0.60, 0.75, 0.80, MISSED),          # even the upper bound is below
    (0.75, NAN, 0.80, MISSED),           # no interval (one replication): the point decides
    (0.85, NAN, 0.80, MET),
    (NAN, NAN, 0.80, None),              # nobody offered: no verdict
])
def test_each_branch_of_the_verdict(mean: float, upper: float, target: float,
                                    expected: str | None) -> None:
    assert verdict(mean, upper, target) == expected


def test_half_width_of_an_asymmetric_interval_is_half_its_length() -> None:
    e = Estimate(0.983, 0.465, 0.999)    # a logit interval: far longer below than above
    assert half_width(e) == pytest.approx((0.999 - 0.465) / 2)
    assert math.isnan(half_width(Estimate(0.5, NAN, NAN)))


def test_counts_and_worst_margin_leave_out_cells_without_contacts() -> None:
    j = judge([cell(0.90, 0.88, 0.92, interval=0), cell(0.79, 0.78, 0.81, interval=1),
               cell(0.70, 0.68, 0.72, interval=2), cell(NAN, NAN, NAN, interval=3),
               cell(0.95, 0.94, 0.96, target=0.9, name="b", interval=0)])
    assert j.counts == {MET: 2, WITHIN_NOISE: 1, MISSED: 1}
    assert j.judged == 4
    assert j.worst_margin == pytest.approx(0.70 - 0.80)
    assert j.worst is not None and (j.worst.contact_type, j.worst.interval) == ("a", 2)
    assert not j.meets_target and j.why_not() == ["1 cells missed"]


@pytest.mark.parametrize("cells,meets", [
    ([cell(0.85, 0.83, 0.87), cell(0.79, 0.77, 0.81)], True),   # within noise, precise: meets
    ([cell(0.85, 0.83, 0.87), cell(0.70, 0.68, 0.72)], False),  # a cell missed
    ([cell(0.85, 0.80, 0.90), cell(0.90, 0.89, 0.91)], False),  # half-width 0.05 > 0.02
    ([cell(0.85, 0.83, 0.87 + 1e-15)], True),                   # 0.02 exactly, but for rounding
    ([cell(0.85, NAN, NAN)], False),                            # no interval: not precise
    ([cell(NAN, NAN, NAN)], False),                             # nothing judged, nothing met
    ([cell(0.97, 0.70, 0.99)], False),                          # met, but asymmetric and wide
])
def test_the_precision_rule(cells: list[Cell], meets: bool) -> None:
    j = judge(cells)
    assert j.precision == DEFAULT_PRECISION == 0.02
    assert j.meets_target is meets
    assert (j.why_not() == []) is meets


def test_a_looser_precision_accepts_wider_cells() -> None:
    cells = [cell(0.85, 0.80, 0.90)]
    assert not judge(cells).meets_target
    assert judge(cells, precision=0.05).meets_target
    assert judge(cells).too_wide == 1 and "1 cells with a 95% CI wider than ±2 points" in \
        judge(cells).why_not()[0]


def test_the_overall_target_only_when_every_type_shares_it() -> None:
    def scenario(emergency_target: float | None) -> Scenario:
        override = {} if emergency_target is None else {
            "service_level": {"target": emergency_target}}
        types = [{"name": n, "arrivals": {"per_interval": [10]},
                  "handle_time": {"distribution": "exponential", "mean": 60}, **extra}
                 for n, extra in (("billing", {}), ("emergency", override))]
        return Scenario.model_validate({
            "name": "t", "horizon": {"interval_minutes": 30, "intervals": 1},
            "service_level": {"target": 0.8}, "contact_types": types,
            "agent_groups": [{"name": "g", "skills": ["billing", "emergency"], "staffing": 2,
                              "cost_per_hour": 20}]})

    assert common_target(scenario(None)) == 0.8
    assert common_target(scenario(0.8)) == 0.8
    assert common_target(scenario(0.9)) is None


def test_shares_print_their_asymmetric_interval_in_brackets() -> None:
    assert _cell(Estimate(0.983, 0.465, 0.999), "service_level") == "98.3% [46.5, 99.9]"
    assert _cell(Estimate(0.983, 0.465, 0.999), "service_level", "\n") == "98.3%\n[46.5, 99.9]"
    assert _cell(Estimate(0.5, NAN, NAN), "abandon_rate") == "50.0%"
    assert _cell(Estimate(12.25, 10.0, 14.5), "asa_s") == "12.2 s [10.0, 14.5]"


# --- where a run shows it ---------------------------------------------------------------------

EXPECTED = {"billing": MET, "meter_reading": WITHIN_NOISE, "emergency": MISSED}
"""The bundled default with its seed (7) and 5 days: billing 86.4% [65.5, 95.5] against 80%,
meter_reading 79.0% [58.4, 91.0] against 80%, emergency 55.9% [36.3, 73.8] against 90%."""


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("verdicts")
    result = runner.invoke(app, ["run", "--replications", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return result.stdout, folder


def table_row(stdout: str, label: str) -> dict[str, str]:
    """The cells of the closing table's row ``label``, by column header."""
    lines = stdout.splitlines()
    header = next(line for line in lines if line.startswith("┃ KPI"))
    names = [c.strip() for c in header.strip("┃").split("┃")]
    row = next(line for line in lines
               if line.startswith("│") and line.strip("│").split("│")[0].strip() == label)
    cells = [c.strip() for c in row.strip("│").split("│")]
    return dict(zip(names, cells, strict=True))


def test_a_missed_emergency_type_shows_missed_everywhere(default_run: tuple[str, Path]) -> None:
    stdout, folder = default_run
    # the closing table: each type's target and verdict under its service level
    verdicts = table_row(stdout, "verdict")
    targets = table_row(stdout, "target")
    assert {name: verdicts[name] for name in EXPECTED} == EXPECTED
    assert verdicts["all"] == "-" and targets["all"] == "per type"
    assert targets["emergency"] == "90% in 10 s" and targets["billing"] == "80% in 20 s"
    assert "meets the target: no (" in stdout and "cells missed" in stdout

    # summary.json
    summary = json.loads((folder / "summary.json").read_text())
    for name, expected in EXPECTED.items():
        sl = summary["by_contact_type"][name]["service_level"]
        assert set(sl) == {"mean", "ci95", "target", "verdict"}
        assert sl["verdict"] == expected
    assert summary["by_contact_type"]["emergency"]["service_level"]["target"] == 0.9
    assert summary["by_contact_type"]["emergency"]["service_level"]["mean"] < 0.6
    assert summary["kpis"]["service_level"]["target"] is None   # 80% and 90%: no single one
    assert summary["kpis"]["service_level"]["verdict"] is None

    # report.html: the KPI table's verdict row, in the column order of its header
    page = (folder / "report.html").read_text()
    header = re.search(r"<th>KPI</th>(.*?)</tr>", page)
    row = re.search(r"<tr><td>verdict</td>(.*?)</tr>", page)
    assert header and row
    names = re.findall(r"<th>(.*?)</th>", header.group(1))
    shown = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", row.group(1))]
    assert {n: v for n, v in zip(names, shown, strict=True) if n in EXPECTED} == EXPECTED
    assert '<span class="bad">missed</span>' in page and '<span class="ok">met</span>' in page
    assert '<span class="noise">within noise</span>' in page


def test_the_run_verdict_block_is_the_verdict_of_every_interval_cell(
    default_run: tuple[str, Path],
) -> None:
    stdout, folder = default_run
    block = json.loads((folder / "summary.json").read_text())["verdict"]
    with (folder / "intervals.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[-2:] == ["service_level_target", "service_level_verdict"]
    cells = [r for r in rows if r["contact_type"] != "all"]
    judged = [r for r in cells if r["service_level"]]
    assert all(r["service_level_verdict"] in VERDICTS for r in judged)
    assert all(r["service_level_verdict"] == "" and r["service_level_target"] == ""
               for r in rows if r["contact_type"] == "all")      # types' targets differ
    counts = {v: sum(r["service_level_verdict"] == v for r in judged) for v in VERDICTS}
    worst = min(judged, key=lambda r: float(r["service_level"]) - float(r["service_level_target"]))

    assert block["cells"] == counts and all(counts.values())
    assert block["precision"] == 0.02
    assert block["worst_margin"] == pytest.approx(
        float(worst["service_level"]) - float(worst["service_level_target"]))
    assert block["worst_margin"] < -0.3
    assert block["worst_cell"] == {"interval": int(worst["interval"]), "start": worst["start"],
                                   "contact_type": worst["contact_type"]}
    assert worst["contact_type"] == "emergency"
    assert block["meets_target"] is False                          # cells missed
    assert block["cells_wider_than_precision"] == len(judged)      # 5 days: all are wide
    assert f"{counts[MET]} met, {counts[WITHIN_NOISE]} within noise, {counts[MISSED]} " \
           "missed" in " ".join(stdout.split())




def test_one_target_for_every_type_judges_the_overall_service_level(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(GOOD)
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out").iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    overall = summary["kpis"]["service_level"]
    assert overall["target"] == 0.8
    assert overall["verdict"] == verdict(overall["mean"], overall["ci95"][1], 0.8)
    assert overall["verdict"] == summary["by_contact_type"]["billing"]["service_level"]["verdict"]
    with (folder / "intervals.csv").open() as f:
        for row in csv.DictReader(f):
            assert row["service_level_target"] == "0.8"
            assert row["service_level_verdict"] == verdict(
                float(row["service_level"]), float(row["service_level_hi"]), 0.8)


def test_plan_cells_carry_the_same_verdict() -> None:
    scenario = Scenario.model_validate({
        "name": "opt", "horizon": {"start": "08:00", "interval_minutes": 60, "intervals": 3},
        "seed": 2, "replications": 6, "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [{"name": "calls", "arrivals": {"per_interval": [60, 90, 70]},
                           "handle_time": {"distribution": "exponential", "mean": 180},
                           "patience": {"distribution": "exponential", "mean": 120}}],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 0,
                          "cost_per_hour": 20}],
        "optimise": {"level": "interval"}})
    document = plan_json(optimise_staffing(scenario, compare=False))
    verification = document["verification"]
    assert isinstance(verification, dict)
    cells = verification["cells"]
    assert len(cells) == 3
    for c in cells:
        assert c["verdict"] == verdict(c["achieved"], c["upper_95"], c["required"])
        assert c["verdict"] in VERDICTS
        assert c["lower_95"] <= c["achieved"] <= c["upper_95"]
    counts = verification["verdict"]["cells"]
    assert sum(counts.values()) == 3
    assert counts["missed"] == sum(c["verdict"] == "missed" for c in cells)
    assert verification["meets_target"] == (
        all(c["verdict"] != "missed" for c in cells)
        and all((c["upper_95"] - c["lower_95"]) / 2 <= document["precision"] + 1e-12
                for c in cells))
