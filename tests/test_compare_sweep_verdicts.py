"""Compare and sweep judge with the run's own rule: the verdict of DESIGN.md ("Verdict") beside
each run and point, read from (or equal to) the run's summary.json (issue 9, item 1)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.compare import margin_label
from ccsim.sim.loader import load_scenario
from ccsim.sim.runner import simulate
from ccsim.sim.verdict import MET, MISSED, WITHIN_NOISE, interval_cells, judge

ROOT = Path(__file__).resolve().parent.parent
ERLANG_C = str(ROOT / "scenarios" / "erlang_c.yaml")
STAFFING = "agent_groups.agents.staffing"
runner = CliRunner()


def run(out: Path, *args: str) -> Path:
    """Run a ccsim command writing into ``out``; the one new folder it made."""
    before = set(out.iterdir()) if out.exists() else set()
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = set(out.iterdir()) - before
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def md_rows(path: Path) -> dict[str, dict[str, str]]:
    """compare.md's table rows by run label, each as column header → cell."""
    lines = [line for line in path.read_text().splitlines() if line.startswith("| ")]
    header, *rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A run meeting every interval (40 agents), one missing them (28), and their
    comparison's folder."""
    out = tmp_path_factory.mktemp("runs")
    rich = run(out, "run", ERLANG_C, "--replications", "4", "--set", f"{STAFFING}=40")
    lean = run(out, "run", ERLANG_C, "--replications", "4", "--set", f"{STAFFING}=28")
    comparison = run(out / "compare", "compare", str(rich), str(lean))
    return rich, lean, comparison


def test_compare_shows_each_runs_own_verdict(two_runs: tuple[Path, Path, Path]) -> None:
    rich, lean, comparison = two_runs
    labels = {rich: "agents.staffing=40", lean: "agents.staffing=28"}  # from their --set
    rows = {r["run"]: r for r in read_csv(comparison / "compare.csv")}
    md = md_rows(comparison / "compare.md")
    for folder in (rich, lean):
        block = json.loads((folder / "summary.json").read_text())["verdict"]
        row = rows[labels[folder]]
        assert row["meets_target"] == ("yes" if block["meets_target"] else "no")
        assert int(row["cells_met"]) == block["cells"][MET]
        assert int(row["cells_within_noise"]) == block["cells"][WITHIN_NOISE]
        assert int(row["cells_missed"]) == block["cells"][MISSED]
        assert int(row["cells_wider_than_precision"]) == block["cells_wider_than_precision"]
        assert float(row["worst_margin"]) == pytest.approx(block["worst_margin"], rel=1e-5)
        assert float(row["service_level_target"]) == 0.8
        line = md[labels[folder]]
        assert line["target"] == "80% in 20 s"
        assert line["cells"] == (f"{block['cells'][MET]} met, {block['cells'][WITHIN_NOISE]} "
                                 f"within noise, {block['cells'][MISSED]} missed")
        assert line["worst margin"] == margin_label({"worst_margin": block["worst_margin"]})
        assert line["meets target"].startswith("yes" if block["meets_target"] else "no")
    rich_row, lean_row = rows[labels[rich]], rows[labels[lean]]
    assert lean_row["meets_target"] == "no" and int(lean_row["cells_missed"]) > 0
    assert int(rich_row["cells_missed"]) == 0
    assert float(rich_row["worst_margin"]) > 0 > float(lean_row["worst_margin"])
    page = (comparison / "report.html").read_text()
    assert "worst margin" in page and "80% in 20 s" in page


def test_an_old_result_folder_compares_with_an_unknown_verdict(
        two_runs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    rich, _, _ = two_runs
    old = tmp_path / "old-run"
    shutil.copytree(rich, old)
    summary = json.loads((old / "summary.json").read_text())
    del summary["verdict"]
    (old / "summary.json").write_text(json.dumps(summary))
    out = tmp_path / "out"
    result = runner.invoke(app, ["compare", str(old), str(rich), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "–" in result.stdout
    (comparison,) = out.iterdir()
    rows = {r["run"]: r for r in read_csv(comparison / "compare.csv")}
    assert rows["old-run"]["meets_target"] == "–"
    assert rows["old-run"]["cells_missed"] == rows["old-run"]["worst_margin"] == ""
    assert rows[rich.name]["meets_target"] in ("yes", "no")
    md = md_rows(comparison / "compare.md")["old-run"]
    assert [md[c] for c in ("target", "meets target", "cells", "worst margin")] == [
        "80% in 20 s", "–", "–", "–"]


def test_sweep_verdict_per_point_is_the_points_own_and_monotone(tmp_path: Path) -> None:
    staffing = [28, 31, 34, 37, 40]
    folder = run(tmp_path, "sweep", ERLANG_C, "--vary",
                 f"{STAFFING}={','.join(map(str, staffing))}", "--replications", "3",
                 "--seed", "7")
    rows = read_csv(folder / "sweep.csv")
    assert [int(r[STAFFING]) for r in rows] == staffing
    for n, row in enumerate(rows):
        scenario = load_scenario(Path(ERLANG_C), [f"{STAFFING}={row[STAFFING]}"])
        j = judge(interval_cells(simulate(scenario, replications=3, seed=7).summary, scenario))
        assert row["meets_target"] == ("yes" if j.meets_target else "no"), n
        assert [int(row["cells_met"]), int(row["cells_within_noise"]),
                int(row["cells_missed"])] == [j.counts[MET], j.counts[WITHIN_NOISE],
                                              j.counts[MISSED]], n
        assert float(row["worst_margin"]) == pytest.approx(j.worst_margin, rel=1e-5)
        point = json.loads((folder / row["folder"] / "summary.json").read_text())["verdict"]
        assert point["cells"] == j.counts
    rank = {MET: 0, WITHIN_NOISE: 1, MISSED: 2}
    worst_verdict = [max((v for v in rank if int(r[f"cells_{v.replace(' ', '_')}"])),
                         key=rank.__getitem__) for r in rows]
    assert [rank[v] for v in worst_verdict] == sorted((rank[v] for v in worst_verdict),
                                                      reverse=True)
    margins = [float(r["worst_margin"]) for r in rows]
    assert margins == sorted(margins)
    missed = [int(r["cells_missed"]) for r in rows]
    assert missed == sorted(missed, reverse=True) and missed[0] > 0 == missed[-1]
    assert "worst margin" in (folder / "report.html").read_text()
