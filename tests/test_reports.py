"""Charts, reports, what-ifs, comparisons and sweeps: what the planner sees."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.output import write_run_report
from ccsim.sim.loader import load_scenario
from ccsim.sim.runner import RunResult, simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
runner = CliRunner()


def assert_real_chart(path: Path, min_width: int = 700, min_height: int = 350) -> None:
    pixels = imread(path)
    height, width = pixels.shape[:2]
    assert width >= min_width and height >= min_height, (path.name, width, height)
    rgb = pixels[..., :3]
    assert rgb.std() > 0.05, f"{path.name} looks blank"
    assert np.mean(np.all(rgb > 0.98, axis=-1)) < 0.97, f"{path.name} is nearly all white"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_charts_for_every_bundled_scenario(path: Path, tmp_path: Path) -> None:
    result = simulate(load_scenario(path), replications=2)
    folder = write_run_report(result, tmp_path, "png")
    for name in ("service_level", "staffing", "occupancy", "abandonment"):
        assert_real_chart(folder / f"{name}.png")
    assert (folder / "report.html").stat().st_size > 50_000


def test_svg_charts_on_request(tmp_path: Path) -> None:
    result = simulate(load_scenario(ROOT / "scenarios" / "erlang_c.yaml"), replications=2)
    folder = write_run_report(result, tmp_path, "svg")
    text = (folder / "service_level.svg").read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def run(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out"
    before = set(out.iterdir()) if out.exists() else set()
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = set(out.iterdir()) - before
    return folder


def test_set_changes_the_scenario_and_is_recorded(tmp_path: Path) -> None:
    path = str(ROOT / "scenarios" / "erlang_c.yaml")
    folder = run(tmp_path, "run", path, "--replications", "2",
                 "--set", "contact_types.calls.arrivals.scale=1.1",
                 "--set", "agent_groups.agents.staffing=36")
    recorded = load_scenario(folder / "scenario.yaml")
    assert recorded.contact_types[0].arrivals.scale == 1.1
    assert recorded.agent_groups[0].staffing == 36


@pytest.mark.parametrize("override,expected", [
    ("contact_types.billng.arrivals.scale=1.1",
     "--set contact_types.billng.arrivals.scale=1.1: contact_types has no item named 'billng'"),
    ("contact_types.calls.arrivals.scale=-2",
     "contact_types[0].arrivals.scale (set by --set): input should be greater than or equal "
     "to 0 (got -2)"),
    ("agent_groups.agents.staffing=[1, 2]",
     "agent_groups[0].staffing (set by --set): has 2 values but horizon.intervals is 9"),
    ("agent_groups.agents.stafing=3",
     "agent_groups[0].stafing (set by --set): is not a known key here (check the spelling)"),
    ("horizon", "--set horizon: expected PATH=VALUE"),
])
def test_bad_set_is_exit_2_naming_the_path(tmp_path: Path, override: str, expected: str) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(ROOT / "scenarios" / "erlang_c.yaml"),
                                 "--set", override, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert not out.exists()


def test_compare_shows_cost_and_service_trade_off(tmp_path: Path) -> None:
    path = str(ROOT / "scenarios" / "erlang_c.yaml")
    lean = run(tmp_path, "run", path, "--replications", "4")
    rich = run(tmp_path, "run", path, "--replications", "4",
               "--set", "agent_groups.agents.staffing=36")
    comparison = run(tmp_path, "compare", str(lean), str(rich))
    rows = {r["run"]: r for r in read_csv(comparison / "compare.csv")}
    lean_row, rich_row = rows["erlang-c"], rows["agents.staffing=36"]  # labels from --set
    assert float(lean_row["cost_total"]) < float(rich_row["cost_total"])
    assert float(rich_row["service_level"]) > float(lean_row["service_level"])
    assert "| run |" in (comparison / "compare.md").read_text()
    for name in ("compare_cost.png", "compare_service_level.png", "compare_waiting.png"):
        assert_real_chart(comparison / name, min_width=600, min_height=300)


def test_compare_refuses_a_folder_that_is_not_a_result(tmp_path: Path) -> None:
    result = runner.invoke(app, ["compare", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a ccsim result folder (no summary.json)" in result.stderr


def test_sweep_grid_on_common_random_numbers(tmp_path: Path) -> None:
    folder = run(tmp_path, "sweep", str(ROOT / "scenarios" / "erlang_c.yaml"),
                 "--vary", "agent_groups.agents.staffing=31,33,35",
                 "--vary", "contact_types.calls.arrivals.scale=1.0,1.05",
                 "--replications", "3")
    points = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert points == [f"point-{n:02d}" for n in range(1, 7)]
    rows = read_csv(folder / "sweep.csv")
    assert len(rows) == 6
    assert_real_chart(folder / "sweep.png", min_width=600, min_height=300)
    for scale in ("1.0", "1.05"):
        levels = [float(r["service_level"]) for r in rows
                  if r["contact_types.calls.arrivals.scale"] == scale]
        assert levels == sorted(levels) and levels[0] < levels[-1]


def test_sweep_with_a_bad_value_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(ROOT / "scenarios" / "erlang_c.yaml"),
                                 "--vary", "agent_groups.agents.staffing=31,-1",
                                 "--out", str(out)])
    assert result.exit_code == 2
    assert ("agent_groups[0].staffing (set by --set): must be at least 0 and at most 100,000, "
            "got -1") in result.stderr
    assert not out.exists()


def chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def test_report_renders_in_headless_chromium_with_every_image(tmp_path: Path) -> None:
    found = chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium and chromium-driver (.ci/run)")
        pytest.skip("chromium / chromedriver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    result = simulate(load_scenario(ROOT / "scenarios" / "default.yaml"), replications=2)
    report = write_run_report(result, tmp_path, None) / "report.html"
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    try:
        driver.get(report.as_uri())
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.dataset.chart, i.complete, "
            "i.naturalWidth, i.naturalHeight]);")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        title = driver.title
    finally:
        driver.quit()
    assert title == "water-utility-weekday: contact-centre simulation"
    assert [i[0] for i in images] == ["service_level.svg", "staffing.svg", "occupancy.svg",
                                      "abandonment.svg"]  # without --charts: SVG, quickest
    assert all(complete and w > 500 and h > 300 for _, complete, w, h in images), images
    assert errors == []


def run_figures(result: RunResult) -> dict[str, Figure]:
    """The four run charts of ``result`` as drawn Figures, by name."""
    from ccsim.charts import (
        abandonment_figure,
        occupancy_figure,
        service_level_figure,
        staffing_figure,
    )

    requirement = np.asarray(result.scenario.staffing_matrix()) * 0.9
    figures = {"service_level": service_level_figure(result),
               "staffing": staffing_figure(result, requirement, "requirement"),
               "occupancy": occupancy_figure(result),
               "abandonment": abandonment_figure(result)}
    for fig in figures.values():
        fig.canvas.draw()
    return figures


def test_staffing_chart_counts_whole_agents() -> None:
    import matplotlib.pyplot as plt

    result = simulate(load_scenario(ROOT / "scenarios" / "default.yaml"), replications=2)
    for name, fig in run_figures(result).items():
        if name == "staffing":
            for ax in fig.axes[1:]:  # the first panel is the verdict strip, per contact type
                ticks = ax.get_yticks()
                assert len(ticks) >= 3 and np.allclose(ticks, np.round(ticks)), ticks
                assert "Agents" in ax.get_ylabel()
                ax.set_ylim(0, 3)  # a small team: the default locator would tick 0.5s
                assert np.allclose(ax.get_yticks(), np.round(ax.get_yticks())), ax.get_yticks()
        plt.close(fig)


def test_run_chart_legends_sit_outside_the_data_area() -> None:
    import matplotlib.pyplot as plt

    result = simulate(load_scenario(ROOT / "scenarios" / "default.yaml"), replications=2)
    for name, fig in run_figures(result).items():
        page = fig.bbox
        for ax in fig.axes:
            legend = ax.get_legend()
            assert legend is not None, name
            box, data = legend.get_window_extent(), ax.get_window_extent()
            assert not box.overlaps(data), (name, box, data)
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and box.y0 >= page.y0, (name, box)
            assert "_" not in ax.get_ylabel() and ax.get_ylabel()[:1].isupper(), ax.get_ylabel()
        plt.close(fig)


def test_service_level_chart_shades_the_missed_intervals() -> None:
    import matplotlib.pyplot as plt

    from ccsim.charts import service_level_figure
    from ccsim.sim.verdict import MISSED, verdict

    result = simulate(load_scenario(ROOT / "scenarios" / "default.yaml"), replications=2)
    scenario = result.scenario
    fig = service_level_figure(result)
    for contact_type, ax in zip(scenario.contact_types, fig.axes, strict=True):
        target = scenario.service_level_of(contact_type).target
        rows = [r for r in result.summary.intervals if r.contact_type == contact_type.name]
        missed = {i for i, r in enumerate(rows) if verdict(
            r.kpis["service_level"].mean, r.kpis["service_level"].hi, target) == MISSED}
        shaded = set()
        for patch in ax.patches:
            x0, x1 = patch.get_bbox().intervalx
            shaded |= {i for i in range(len(rows)) if x0 < i < x1}
        assert shaded == missed, (contact_type.name, shaded, missed)
    assert any(ax.patches for ax in fig.axes), "the default day misses its emergency target"
    plt.close(fig)


def test_kpi_tables_show_human_names_not_raw_keys(tmp_path: Path) -> None:
    """Issue 9, item 6: the closing table of ``ccsim run`` and report.html's tables name each
    KPI by its label from the registry (summary.json and the CSVs keep the raw keys)."""
    import json
    import re

    from ccsim.sim.kpi_registry import REGISTRY, label
    from ccsim.sim.kpis import KPI_KEYS

    assert all(key in REGISTRY and label(key) != key for key in KPI_KEYS)
    assert label("asa_s") == "ASA" and label("abandon_rate") == "Abandonment rate"
    raw = [key for key in REGISTRY if "_" in key]

    result = runner.invoke(app, ["run", "--replications", "2", "--out", str(tmp_path)],
                           env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    table = [line for line in result.stdout.splitlines() if line[:1] in "┃│┏┡└"]
    assert all(len(line) <= 100 for line in table)
    firsts = [line.strip("│").split("│")[0].strip() for line in table if line.startswith("│")]
    for key in KPI_KEYS:
        assert label(key) in firsts and key not in firsts
    assert not [key for key in raw if any(key in line for line in table)]

    (folder,) = tmp_path.iterdir()
    page = (folder / "report.html").read_text()
    cells = [re.sub(r"<[^>]+>", "", c) for c in
             re.findall(r"<t[hd]>(.*?)</t[hd]>", "".join(re.findall(r"<table>.*?</table>", page)))]
    assert not set(cells) & set(REGISTRY)
    assert not [key for key in raw if any(key in c for c in cells)]
    assert {label(key) for key in KPI_KEYS} <= set(cells)
    assert set(json.loads((folder / "summary.json").read_text())["kpis"]) == set(KPI_KEYS)
