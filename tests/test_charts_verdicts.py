"""A run's staffing chart shows the agents on the phones against the *simulated* verdict per
interval (issue 9, item 6), never a per-group analytic requirement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from ccsim.charts import NO_VERDICT_COLOUR, VERDICT_COLOURS, staffing_figure, worst_verdict
from ccsim.sim.loader import load_scenario
from ccsim.sim.runner import RunResult, simulate
from ccsim.sim.verdict import MET, MISSED, WITHIN_NOISE, verdict

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def default_day() -> RunResult:
    """The default day on 2 simulated days: its emergency line misses in many intervals."""
    return simulate(load_scenario(ROOT / "scenarios" / "default.yaml"), replications=2)


def expected_verdicts(result: RunResult) -> dict[str, list[str | None]]:
    """Per contact type, each interval's verdict, judged here from the summary's rows."""
    scenario = result.scenario
    out: dict[str, list[str | None]] = {}
    for t in scenario.contact_types:
        target = scenario.service_level_of(t).target
        out[t.name] = [verdict(r.kpis["service_level"].mean, r.kpis["service_level"].hi, target)
                       for r in result.summary.intervals if r.contact_type == t.name]
    return out


def bar_colours(ax: object) -> dict[int, tuple[float, ...]]:
    """The face colour of the bar at each interval (x) of a panel."""
    colours = {}
    for container in ax.containers:  # type: ignore[attr-defined]
        for bar in container:
            colours[round(bar.get_x() + bar.get_width() / 2)] = bar.get_facecolor()
    return colours


def test_worst_verdict_ranks_missed_over_noise_over_met() -> None:
    assert worst_verdict([MET, WITHIN_NOISE, None]) == WITHIN_NOISE
    assert worst_verdict([MET, MISSED, WITHIN_NOISE]) == MISSED
    assert worst_verdict([MET, MET]) == MET
    assert worst_verdict([None, None]) is None


def test_staffing_bars_carry_the_worst_simulated_verdict_of_the_groups_skills(
        default_day: RunResult) -> None:
    import matplotlib.pyplot as plt

    scenario = default_day.scenario
    verdicts = expected_verdicts(default_day)
    fig = staffing_figure(default_day, None, "")
    strip, *panels = fig.axes
    assert len(panels) == len(scenario.agent_groups)
    # the strip: one cell per interval × type, in the verdict's colour
    cells = {(round(p.get_x() + 0.5), round(p.get_y() + 0.5)): p.get_facecolor()
             for p in strip.patches}
    for row, t in enumerate(scenario.contact_types):
        for i, v in enumerate(verdicts[t.name]):
            colour = NO_VERDICT_COLOUR if v is None else VERDICT_COLOURS[v]
            assert cells[i, row] == to_rgba(colour), (t.name, i, v)
    staffing = np.asarray(scenario.staffing_matrix())
    seen = set()
    for g, (group, ax) in enumerate(zip(scenario.agent_groups, panels, strict=True)):
        colours = bar_colours(ax)
        heights = {round(b.get_x() + b.get_width() / 2): b.get_height()
                   for c in ax.containers for b in c}
        assert sorted(colours) == list(range(scenario.horizon.intervals))
        for i in range(scenario.horizon.intervals):
            worst = worst_verdict([verdicts[k][i] for k in group.skills])
            seen.add(worst)
            assert colours[i] == to_rgba(VERDICT_COLOURS[worst]), (group.name, i, worst)
            assert heights[i] == staffing[g, i]
        assert not ax.lines, "a run's staffing chart draws no requirement line"
    assert MISSED in seen and MET in seen, "the default day both meets and misses somewhere"
    plt.close(fig)


def test_a_plans_staffing_chart_draws_its_requirement(default_day: RunResult) -> None:
    import matplotlib.pyplot as plt

    requirement = np.asarray(default_day.scenario.staffing_matrix()) - 1
    fig = staffing_figure(default_day, requirement, "requirement (simulation-corrected)")
    for g, ax in enumerate(fig.axes[1:]):
        (line,) = ax.lines
        assert np.allclose(line.get_ydata(), requirement[g])
        assert "Requirement (simulation-corrected)" in [
            t.get_text().replace("-\n", "-").replace("\n", " ")
            for t in ax.get_legend().get_texts()]
    plt.close(fig)
