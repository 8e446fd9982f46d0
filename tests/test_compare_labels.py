"""``ccsim compare`` labels runs by ``--label`` or by the ``--set`` changes they were made with
(never only by time stamps), reads well in a terminal of 100 columns, and its charts mark
misses by the verdict rule (issue 9, item 6)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ccsim.charts import wrap_label
from ccsim.cli import app
from ccsim.compare import comparison_rows, label_runs, load_run, override_label
from ccsim.compare_charts import MISSED_COLOUR, cost_figure, interval_figure, verdict_mark
from ccsim.sim.verdict import MISSED

ROOT = Path(__file__).resolve().parent.parent
ERLANG_C = str(ROOT / "scenarios" / "erlang_c.yaml")
STAFFING = "agent_groups.agents.staffing"
runner = CliRunner()


def run(out: Path, *args: str) -> Path:
    """Run a ccsim command writing into ``out``; the one new folder it made."""
    before = set(out.iterdir()) if out.exists() else set()
    result = runner.invoke(app, [*args, "--out", str(out)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    (folder,) = set(out.iterdir()) - before
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three runs of the Erlang C scenario: as written, with 28 agents (misses), with 40."""
    out = tmp_path_factory.mktemp("runs")
    return [run(out, "run", ERLANG_C, "--replications", "3", *sets) for sets in (
        (), ("--set", f"{STAFFING}=28"),
        ("--set", f"{STAFFING}=40", "--set", "contact_types.calls.arrivals.scale=1.05"))]


def compare(tmp_path: Path, folders: list[Path], *extra: str) -> tuple[Path, str]:
    """Compare ``folders``; the comparison's folder and what the terminal showed."""
    out = tmp_path / "compare"
    result = runner.invoke(app, ["compare", *map(str, folders), *extra, "--out", str(out)],
                           env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder, result.stdout


def csv_runs(folder: Path) -> list[str]:
    return [r["run"] for r in csv.DictReader((folder / "compare.csv").read_text().splitlines())]


def test_runs_record_their_set_changes(runs: list[Path]) -> None:
    recorded = [json.loads((f / "summary.json").read_text())["overrides"] for f in runs]
    assert recorded == [[], [f"{STAFFING}=28"],
                        [f"{STAFFING}=40", "contact_types.calls.arrivals.scale=1.05"]]
    pages = [(f / "report.html").read_text() for f in runs]
    assert "Changed with" not in pages[0]
    assert f"<code>{STAFFING}=28</code>" in pages[1]


def test_labels_come_from_the_set_changes(tmp_path: Path, runs: list[Path]) -> None:
    folder, shown = compare(tmp_path, runs)
    expected = ["erlang-c", "agents.staffing=28",
                "agents.staffing=40, calls.arrivals.scale=1.05"]
    assert csv_runs(folder) == expected
    assert not any(f.name in label for f in runs for label in csv_runs(folder))
    md = (folder / "compare.md").read_text()
    page = (folder / "report.html").read_text()
    assert all(f"| {label} |" in md and label in page for label in expected)
    for label, f in zip(expected, runs, strict=True):
        assert f"{label}: {f}" in " ".join(shown.split()), "the terminal says which folder"


def test_given_labels_are_used_in_order(tmp_path: Path, runs: list[Path]) -> None:
    names = ["today", "lean", "rich"]
    folder, shown = compare(tmp_path, runs, *(a for n in names for a in ("--label", n)))
    assert csv_runs(folder) == names
    header = next(line for line in shown.splitlines() if "today" in line)
    assert header.index("today") < header.index("lean") < header.index("rich")
    intervals = (folder / "compare_intervals.csv").read_text().splitlines()[0]
    assert "today:service_level" in intervals and "rich:asa_s" in intervals


@pytest.mark.parametrize(("labels", "reason"), [
    (["one", "two"], "2 labels for 3 result folders"),
    (["a", "b", "a"], "a is given more than once"),
    (["a", " ", "c"], "a label is empty"),
])
def test_bad_labels_are_one_line_exit_2(tmp_path: Path, runs: list[Path], labels: list[str],
                                        reason: str) -> None:
    out = tmp_path / "compare"
    result = runner.invoke(app, ["compare", *map(str, runs),
                                 *(a for n in labels for a in ("--label", n)),
                                 "--out", str(out)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("--label: ") and reason in line
    assert not out.exists()


def test_without_recorded_changes_or_with_equal_ones_the_folder_name_labels(
        tmp_path: Path, runs: list[Path]) -> None:
    old = tmp_path / "old-run"
    shutil.copytree(runs[1], old)
    summary = json.loads((old / "summary.json").read_text())
    del summary["overrides"]  # a folder written before runs recorded them
    (old / "summary.json").write_text(json.dumps(summary))
    twin = tmp_path / "twin"
    shutil.copytree(runs[1], twin)  # the same --set changes as runs[1]
    labelled = label_runs([load_run(f) for f in (old, runs[2], twin, runs[1])])
    assert [r.label for r in labelled] == [
        "old-run", "agents.staffing=40, calls.arrivals.scale=1.05", "twin", runs[1].name]


def test_override_labels_drop_collection_names_and_cut_long_values() -> None:
    assert override_label(["agent_groups.generalists.staffing_scale=1.1"]) == \
        "generalists.staffing_scale=1.1"
    assert override_label(["routing.policy=longest_idle", "seed=3"]) == \
        "routing.policy=longest_idle, seed=3"
    long = override_label([f"agent_groups.team.staffing=[{', '.join(['10'] * 20)}]"])
    assert long.startswith("team.staffing=[10, 10") and long.endswith("…") and len(long) < 45
    assert wrap_label("generalists.staffing_scale=0.85, billing.arrivals.scale=1.05", 22) == \
        "generalists.\nstaffing_scale=0.85,\nbilling.arrivals.\nscale=1.05"


def test_the_terminal_table_fits_100_columns_with_nothing_cut(
        tmp_path: Path, runs: list[Path]) -> None:
    folders = list(runs)
    for n in range(3):  # six runs: more than fit side by side
        copy = tmp_path / f"copy-{n}-of-a-result-folder-with-a-long-name"
        shutil.copytree(runs[n], copy)
        folders.append(copy)
    labels = [f"option {n} with a rather long descriptive label" for n in range(6)]
    _, shown = compare(tmp_path, folders, *(a for n in labels for a in ("--label", n)))
    lines = shown.splitlines()
    assert max(map(len, lines)) <= 100, max(lines, key=len)
    assert "…" not in shown
    tables = [line for line in lines if line.startswith("comparison")]
    assert len(tables) >= 2, "six runs do not fit side by side in 100 columns"
    words = shown.split()
    for label in labels:  # every label whole, wrapped at its spaces only
        assert all(word in words for word in label.split())
    rows = [line for line in lines if line.strip().startswith(("Service level", "meets target",
                                                               "cost per day"))]
    assert len(rows) == 3 * len(tables)


def test_compare_charts_mark_the_missed_intervals_and_runs(
        runs: list[Path]) -> None:
    import matplotlib.pyplot as plt

    loaded = label_runs([load_run(f) for f in runs])
    rows = comparison_rows(loaded)
    fig = interval_figure(loaded, [("service_level", "Service level (%)", 100)], "t", 0.8)
    (ax,) = fig.axes
    rings = {(round(x), round(y, 6)) for c in ax.collections for x, y in c.get_offsets()}
    expected = set()
    clocks = sorted({c for r in loaded for c in r.intervals})
    for r in loaded:
        with (r.folder / "intervals.csv").open() as f:
            missed = {row["start"] for row in csv.DictReader(f)
                      if row["contact_type"] != "all" and row["service_level_verdict"] == MISSED}
        expected |= {(clocks.index(c), round(100 * r.intervals[c]["service_level"], 6))
                     for c in missed}
    assert rings == expected and expected, "the 28-agent run misses"
    assert any(np.isclose(line.get_ydata()[0], 80) for line in ax.lines), "the target line"
    plt.close(fig)

    fig = cost_figure(loaded, rows, "EUR")
    (ax,) = fig.axes
    marks = {t.get_text(): t.get_color() for t in ax.texts
             if not t.get_text().replace(",", "").isdigit()}  # not the totals
    for row in rows:
        text, colour = verdict_mark(row)
        assert marks[text] == colour
    lean = rows[1]
    assert lean["cells_missed"] > 0 and verdict_mark(lean) == (
        f"{lean['cells_missed']} cells missed", MISSED_COLOUR)
    plt.close(fig)
