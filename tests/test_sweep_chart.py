"""The sweep chart draws each contact type's target and rings the points that do not meet it,
by the verdict of each point's own summary.json (issue 9, item 6)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from matplotlib.colors import to_rgba
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim.loader import load_scenario
from ccsim.sweep import Axis, grid, simulate_points, sweep_rows
from ccsim.sweep_chart import MISSED_COLOUR, SHORT_COLOUR, heat_figure, line_figure

ROOT = Path(__file__).resolve().parent.parent
ERLANG_C = ROOT / "scenarios" / "erlang_c.yaml"
DEFAULT = ROOT / "scenarios" / "default.yaml"
STAFFING = "agent_groups.agents.staffing"


def rings(ax: object) -> dict[str, set[int]]:
    """The x positions ringed in each colour (red: missed, amber: not met otherwise)."""
    found: dict[str, set[int]] = {MISSED_COLOUR: set(), SHORT_COLOUR: set()}
    for c in ax.collections:  # type: ignore[attr-defined]
        if len(c.get_edgecolor()) and c.get_offsets().size:
            for colour in found:
                if np.allclose(c.get_edgecolor()[0], to_rgba(colour)):
                    found[colour] |= {round(x) for x, _ in c.get_offsets()}
    return found


def test_one_path_chart_rings_exactly_the_points_that_miss(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    axis = Axis(STAFFING, ["28", "33", "40"])
    points = grid(ERLANG_C, [axis], [])
    results = simulate_points(points, replications=3, seed=7, executor=None)
    rows = sweep_rows(points, results)
    fig = line_figure(rows, axis, results, "EUR")
    sl_ax, cost_ax = fig.axes
    targets = [line for line in sl_ax.lines if line.get_linestyle() == "--"]
    assert len(targets) == 1 and np.allclose(targets[0].get_ydata(), 80)
    missed = {n for n, r in enumerate(rows) if r["cells_missed"]}
    short = {n for n, r in enumerate(rows) if not r["cells_missed"] and r["meets_target"] == "no"}
    assert 0 in missed and rings(sl_ax) == {MISSED_COLOUR: missed, SHORT_COLOUR: short}
    assert [t.get_text() for t in sl_ax.get_xticklabels()] == axis.values
    plt.close(fig)


def test_each_contact_type_has_its_own_target_line(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    axis = Axis("agent_groups.emergency_team.staffing_scale", ["0.5", "1.5"])
    points = grid(DEFAULT, [axis], [])
    results = simulate_points(points, replications=2, seed=1, executor=None)
    fig = line_figure(sweep_rows(points, results), axis, results, "EUR")
    sl_ax = fig.axes[0]
    targets = sorted(round(line.get_ydata()[0]) for line in sl_ax.lines
                     if line.get_linestyle() == "--")
    assert targets == [80, 90]  # billing and meter readings share 80%; emergencies 90%
    labels = [t.get_text().replace("\n", " ") for t in sl_ax.get_legend().get_texts()]
    assert any("Target 90% in 10 s (emergency)" in label for label in labels), labels
    assert rings(sl_ax)[MISSED_COLOUR], "half the emergency team misses"
    plt.close(fig)


def test_two_path_heat_maps_outline_the_points_that_miss(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "sweep", str(ERLANG_C), "--vary", f"{STAFFING}=28,40",
        "--vary", "contact_types.calls.arrivals.scale=0.9,1", "--replications", "2",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    rows = list(csv.DictReader((folder / "sweep.csv").read_text().splitlines()))
    typed = [{**r, "cells_missed": int(r["cells_missed"])} for r in rows]
    fig = heat_figure(typed, [Axis(STAFFING, ["28", "40"]),
                              Axis("contact_types.calls.arrivals.scale", ["0.9", "1"])], "EUR")
    outlined = {(round(p.get_x() + 0.45), round(p.get_y() + 0.45)):
                p.get_edgecolor() for p in fig.axes[0].patches}
    for n, row in enumerate(rows):
        block = json.loads((folder / row["folder"] / "summary.json").read_text())["verdict"]
        i, j = divmod(n, 2)
        if block["cells"]["missed"]:
            assert outlined[j, i] == to_rgba(MISSED_COLOUR)
        elif not block["meets_target"]:
            assert outlined[j, i] == to_rgba(SHORT_COLOUR)
        else:
            assert (j, i) not in outlined
    assert load_scenario(folder / "point-01" / "scenario.yaml").agent_groups[0].staffing == 28
    plt.close(fig)
