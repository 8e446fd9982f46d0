"""Charts, report and comparison of a multi-day run: the heat map, the week section, the
roster chart, ``compare`` on week folders."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from typer.testing import CliRunner

from ccsim.charts import VERDICT_COLOURS, run_charts, service_level_figure, staffing_figure
from ccsim.cli import app
from ccsim.output import write_run_report
from ccsim.roster_chart import day_totals, roster_chart, roster_figure
from ccsim.sim.loader import dump_scenario
from ccsim.sim.runner import RunResult, simulate
from ccsim.sim.scenario import Scenario
from ccsim.sim.verdict import MET, MISSED
from ccsim.week_chart import day_hours, heat_maps, heatmap_figure

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
SHORT_DAY = 2
"""Wednesday: 2 agents for 3 Erlangs of calls, overloaded; every other day has 6 (Erlang C:
about 95% answered within 20 s)."""


def week(agents: int = 6, short: int = 2) -> dict[str, Any]:
    """A week of three half-hours a day, 90 calls a day but none on Sunday (its cells have no
    contacts), ``short`` agents on Wednesday and ``agents`` on the other days."""
    staffing = [[short if d == SHORT_DAY else agents] * 3 for d in range(7)]
    return {
        "name": "tiny-week",
        "horizon": {"days": 7, "first_day": "monday", "interval_minutes": 30, "intervals": 3},
        "seed": 5,
        "replications": 4,
        "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [{
            "name": "calls",
            "arrivals": {"daily": [90, 90, 90, 90, 90, 90, 0]},
            "handle_time": {"distribution": "exponential", "mean": 180},
            "patience": {"distribution": "exponential", "mean": 120},
        }],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": staffing,
                          "cost_per_hour": 20.0}],
    }


@pytest.fixture(scope="module")
def result() -> RunResult:
    return simulate(Scenario.model_validate(week()))


def test_heat_map_marks_the_understaffed_day_missed(result: RunResult) -> None:
    (heat,) = heat_maps(result)
    assert heat.service_level.shape == (7, 3)
    assert {d for d, _ in heat.cells(MISSED)} == {SHORT_DAY}
    assert len(heat.cells(MISSED)) == 3, "2 agents for 3 Erlangs miss in every interval"
    assert {d for d, _ in heat.cells(MET)} >= {0, 1, 3, 4}
    assert heat.verdicts[6] == [None] * 3 and np.isnan(heat.service_level[6]).all(), \
        "Sunday has no contacts: no verdict"
    # the figure paints exactly those cells red, and Sunday's grey
    fig = heatmap_figure(result)
    (ax,) = fig.axes
    red = VERDICT_COLOURS[MISSED].lower()
    painted = {(round(p.get_x() + 0.5), round(p.get_y() + 0.5)) for p in ax.patches
               if to_hex(p.get_facecolor()) == red}
    assert painted == {(i, d) for d, i in heat.cells(MISSED)}
    plt.close(fig)


def test_per_interval_charts_span_the_whole_week(result: RunResult) -> None:
    fig = service_level_figure(result)
    assert fig.axes[0].get_xlim() == (-0.5, 20.5)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == DAYS
    plt.close(fig)
    requirement = np.array([[4, 5, 4]])  # one day's, drawn on every day
    fig = staffing_figure(result, requirement, "requirement")
    (step,) = [line for line in fig.axes[1].lines if line.get_label() == "Requirement"]
    assert list(step.get_ydata()) == [4, 5, 4] * 7
    plt.close(fig)
    assert {"heatmap.png", "days.png"} <= set(run_charts(result))


def test_days_chart_hours_are_the_staffing(result: RunResult) -> None:
    hours = day_hours(result)  # 3 half-hours a day
    assert np.allclose(hours, [[6 * 1.5 if d != SHORT_DAY else 2 * 1.5 for d in range(7)]])


def _row(page: str, first_cell: str) -> str:
    found = re.findall(rf"<tr><td>{first_cell}</td>.*?</tr>", page)
    assert len(found) == 1, first_cell
    return found[0]


def test_week_report_has_the_week_section_with_each_day(result: RunResult,
                                                        tmp_path: Path) -> None:
    folder = write_run_report(result, tmp_path, "png")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<h2>The week</h2>" in page and "4 simulated weeks" in page
    assert "Cost per week" in page and "forecast per week" in page
    section = page[page.index("<h2>The week</h2>"):page.index("<h2>Charts</h2>")]
    for day in DAYS:
        row = _row(section, day)
        if day == "Wed":
            assert "missed" in row and "3.0" in row and "60.00" in row  # 3 h at 20 EUR
        elif day == "Sun":
            assert ">–<" in row, "no contacts: no service level, no verdict"
        else:
            assert "met" in row and "9.0" in row and "180.00" in row
    assert "57.0" in _row(section, "<b>week</b>"), "6 days × 9 h + Wednesday's 3 h"
    assert 'data-chart="heatmap.png"' in section and 'data-chart="days.png"' in section
    assert page.count('data-chart="heatmap.png"') == 1, "not again among the charts"
    assert (folder / "heatmap.png").is_file() and (folder / "days.png").is_file()


def test_one_day_report_has_no_week_section(small_day: Scenario, tmp_path: Path) -> None:
    folder = write_run_report(simulate(small_day), tmp_path, None)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "The week" not in page and "heatmap" not in page
    assert "Cost per day" in page and "4 simulated days" in page


def test_compare_on_week_folders(tmp_path: Path) -> None:
    path = tmp_path / "week.yaml"
    path.write_text(dump_scenario(Scenario.model_validate(week())))
    runner = CliRunner()
    for agents in ("6", "7"):
        done = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "runs"),
                                   "--set", f"agent_groups.team.staffing={agents}"])
        assert done.exit_code == 0, done.output
    folders = sorted((tmp_path / "runs").iterdir())
    done = runner.invoke(app, ["compare", *map(str, folders), "--out", str(tmp_path / "cmp")])
    assert done.exit_code == 0, done.output
    assert "cost per week" in done.output
    (out,) = (tmp_path / "cmp").iterdir()
    with (out / "compare_intervals.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["day"], r["start"]) for r in rows] == [
        (d, c) for d in DAYS for c in ("08:00", "08:30", "09:00")], "each day, not overwritten"
    sunday = [r for r in rows if r["day"] == "Sun"]
    assert all(r["team.staffing=6:service_level"] == "" for r in sunday)
    assert "cost per week" in (out / "compare.md").read_text()


PER_DAY = {
    "phones": {"Mon": {"early": 10, "late": 8, "peak": 4}, "Tue": {"early": 8, "late": 7},
               "Sat": {"early": 3}, "Sun": {}},
    "digital": {"Mon": {"late": 4, "early": 4}, "Wed": {"early": 2}},
}


def test_roster_chart_stacks_shifts_with_day_totals(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(week())
    assert day_totals(PER_DAY, "phones", DAYS) == [22, 15, 0, 0, 0, 3, 0]
    fig = roster_figure(scenario, PER_DAY)
    phones, digital = fig.axes
    tops = [t.get_text() for t in phones.texts if t.get_fontweight() == "bold"]
    assert tops == ["22", "15", "0", "0", "0", "3", "0"]
    assert [t.get_text() for t in phones.get_xticklabels()] == DAYS
    heights = {}
    for bar in phones.patches:  # stacked: each bar's base is the shifts below it
        heights.setdefault(round(bar.get_x() + bar.get_width() / 2), []).append(
            (bar.get_y(), bar.get_height()))
    assert sorted(heights[0]) == [(0, 10), (10, 8), (18, 4)]
    assert [t.get_text() for t in digital.texts if t.get_fontweight() == "bold"] == [
        "8", "0", "2", "0", "0", "0", "0"]
    plt.close(fig)
    written = roster_chart(scenario, PER_DAY, tmp_path / "roster.png")
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="whole number"):
        roster_chart(scenario, {"phones": {"Mon": {"early": -1}}}, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()
