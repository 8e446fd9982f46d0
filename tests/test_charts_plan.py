"""The shift chart of a plan (issue 9, item 6): per group, the agents starting on each shift
template and the coverage they give against the requirement, drawn from plan.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from matplotlib.collections import PolyCollection
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.shift_chart import plan_charts, shift_figure
from ccsim.sim.scenario import Scenario

runner = CliRunner()
TEMPLATES = [
    {"name": "early", "start": "08:00", "length_h": 4, "breaks": [{"after_h": 2,
                                                                   "minutes": 30}]},
    {"name": "late", "start": "10:00", "length_h": 2},
    {"name": "long", "start": "08:00", "length_h": 4, "groups": ["b"]},
]


def scenario(shifts: list[dict[str, Any]] | None = TEMPLATES) -> Scenario:
    """Two groups, 8 half hours from 08:00; template ``long`` only for group b."""
    return Scenario.model_validate({
        "name": "shifty", "horizon": {"start": "08:00", "interval_minutes": 30, "intervals": 8},
        "seed": 1, "replications": 4,
        "contact_types": [{"name": "calls", "arrivals": {"per_interval": [50] * 8},
                           "handle_time": {"distribution": "exponential", "mean": 180}}],
        "agent_groups": [{"name": "a", "skills": ["calls"], "staffing": 0},
                         {"name": "b", "skills": ["calls"], "staffing": 0}],
        "optimise": {"shrinkage": 0.25, **({"shifts": shifts} if shifts else {})},
    })


PLAN: dict[str, Any] = {
    "intervals": [f"{8 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(8)],
    "groups": {
        "a": {"staffing": [3, 3, 3, 3, 6, 6, 3, 3], "paid_agents": [4, 4, 4, 4, 8, 8, 4, 4],
              "requirement": [3, 3, 2, 3, 6, 5, 3, 2]},
        "b": {"staffing": [1, 1, 1, 1, 1, 1, 1, 1], "paid_agents": [2, 2, 2, 2, 2, 2, 2, 2],
              "requirement": [1, 1, 1, 1, 1, 1, 1, 1]},
    },
    "shifts": [{"group": "a", "shift": "early", "agents": 4},
               {"group": "a", "shift": "late", "agents": 4},
               {"group": "b", "shift": "long", "agents": 2}],
}


def test_each_group_shows_its_starts_per_template_and_its_coverage() -> None:
    import matplotlib.pyplot as plt

    fig = shift_figure(scenario(), PLAN)
    assert fig is not None
    fig.canvas.draw()
    gantt_a, cover_a, gantt_b, cover_b = fig.axes
    # the templates each group may work, each with the agents who start on it
    assert [t.get_text() for t in gantt_a.get_yticklabels()] == [
        "early 08:00–12:00", "late 10:00–12:00"]
    assert [t.get_text() for t in gantt_b.get_yticklabels()] == [
        "early 08:00–12:00", "late 10:00–12:00", "long 08:00–12:00"]
    assert sorted(t.get_text() for t in gantt_a.texts) == ["4 agents", "4 agents"]
    assert sorted(t.get_text() for t in gantt_b.texts) == ["0 agents", "0 agents", "2 agents"]
    # early works 08:00-10:00 and 10:30-12:00: its break (10:00-10:30, interval 4) is a gap
    early = [c for c in gantt_a.collections if isinstance(c, PolyCollection)][0]
    spans = sorted((p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in early.get_paths())
    assert spans == [(-0.5, 3.5), (4.5, 7.5)]
    for ax, group in ((cover_a, "a"), (cover_b, "b")):
        bars = [b.get_height() for c in ax.containers for b in c]
        assert bars == PLAN["groups"][group]["staffing"]
        stairs = {p.get_label(): p for p in ax.patches if p.get_label().startswith(("On shift",
                                                                                  "Requirement"))}
        on_shift = stairs["On shift (paid, breaks included)"].get_data().values
        required = stairs["Requirement on the phones (simulation-corrected)"].get_data().values
        assert list(on_shift) == PLAN["groups"][group]["paid_agents"]
        assert list(required) == PLAN["groups"][group]["requirement"]
        ticks = ax.get_yticks()
        assert np.allclose(ticks, np.round(ticks)), ticks
        legend, data = ax.get_legend().get_window_extent(), ax.get_window_extent()
        assert not legend.overlaps(data) and legend.x1 <= fig.bbox.x1
    plt.close(fig)


def test_a_plan_without_shift_templates_has_no_shift_chart() -> None:
    assert shift_figure(scenario(None), {**PLAN, "shifts": []}) is None
    assert plan_charts(scenario(None), {**PLAN, "shifts": []}) == {}
    assert list(plan_charts(scenario(), PLAN, "svg")) == ["shifts.svg"]


def single_queue(optimise: dict[str, Any]) -> dict[str, Any]:
    return {"name": "opt", "horizon": {"start": "08:00", "interval_minutes": 60, "intervals": 3},
            "seed": 2, "replications": 4,
            "service_level": {"threshold_s": 20, "target": 0.8},
            "contact_types": [{"name": "calls", "arrivals": {"per_interval": [200, 300, 250]},
                               "handle_time": {"distribution": "exponential", "mean": 180},
                               "patience": {"distribution": "exponential", "mean": 120}}],
            "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 0,
                              "cost_per_hour": 20}],
            "optimise": optimise}


@pytest.mark.parametrize("shifts", [True, False])
def test_optimise_writes_the_shift_chart_only_for_a_plan_with_shifts(
        tmp_path: Path, shifts: bool) -> None:
    templates = [{"name": "s08", "start": "08:00", "length_h": 2},
                 {"name": "s09", "start": "09:00", "length_h": 2}]
    optimise = {"shrinkage": 0.25, **({"shifts": templates} if shifts else {})}
    path = tmp_path / "opt.yaml"
    path.write_text(yaml.safe_dump(single_queue(optimise)))
    out = tmp_path / "out"
    result = runner.invoke(app, ["optimise", str(path), "--out", str(out), "--no-compare"])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    page = (folder / "report.html").read_text()
    assert (folder / "shifts.png").is_file() == shifts
    assert ('data-chart="shifts.png"' in page) == shifts
    if shifts:
        plan = json.loads((folder / "plan.json").read_text())
        assert sum(s["agents"] for s in plan["shifts"]) > 0
