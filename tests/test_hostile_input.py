"""Hostile and broken scenario files: refused in bounded time and memory, one line each."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ccsim.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def billion_laughs() -> str:
    text = 'name: bomb\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for label in "bcdefghi":
        text += f"{label}: &{label} [" + ", ".join(["*" + previous] * 9) + "]\n"
        previous = label
    return text


CORPUS = {  # file text -> the one line it must get (after "FILE: ")
    "alias-bomb": (billion_laughs(),
                   "g (line 8): holds more than 2,000,000 values once its aliases are expanded"),
    "self-alias": ("name: x\nhorizon: &h {intervals: [1, *h]}\n",
                   "horizon.intervals[1] (line 2): an alias refers to the list or mapping that "
                   "contains it, so the value would never end"),
    "deep": ("name: x\nhorizon: " + "[" * 20_000 + "]" * 20_000 + "\n",
             "not valid YAML: exceeded maximum nesting depth"),
    "huge-int": ("name: x\nseed: " + "9" * 5_000 + "\n",
                 "seed (line 2): a whole number of 5,000 digits is out of range (at most 18)"),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_a_hostile_file_is_refused_quickly_and_in_little_memory(case: str, tmp_path: Path) -> None:
    text, expected = CORPUS[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    code = ("import resource, sys\n"  # a safety net: a regression must not take the machine
            "resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))\n"
            "from ccsim.cli import main\nsys.argv = ['ccsim', 'validate', sys.argv[1]]\n"
            "try:\n    main()\nfinally:\n"  # VmHWM: this process's peak (ru_maxrss counts
            "    status = open('/proc/self/status').read()\n"  # the forking parent's too)
            "    peak = status.split('VmHWM:')[1].split()[0]\n"
            "    sys.stdout.write(f'peak {peak}')\n")
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=60)
    seconds = time.monotonic() - start
    peak_mb = int(out.stdout.split()[-1]) / 1024  # VmHWM is in kB
    assert out.returncode == 2, out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith(f"{path}: ") and line.endswith(expected), line
    assert seconds < 5, seconds
    assert peak_mb < 300, peak_mb


def test_a_duplicate_key_names_the_key_and_both_lines(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "erlang_c.yaml").read_text() + "replications: 3\n"
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    first = next(n for n, line in enumerate(text.splitlines(), 1)
                 if line.startswith("replications:"))
    last = len(text.splitlines())
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{path}: replications (line {last}): is given twice "
                                     f"(lines {first} and {last}); YAML would silently keep "
                                     "the second")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n# " + "x" * (17 * 2**20) + "\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}: is 17.0 MB; a scenario file may be at most 16 MB"


def numeric_leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every number of the data (the first of each list of numbers)."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in numeric_leaves(value, (*path, key))]
    if isinstance(data, list):
        if data and all(isinstance(v, (int, float)) for v in data):
            return [(*path, 0)]
        return [p for i, v in enumerate(data) for p in numeric_leaves(v, (*path, i))]
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return [path]
    return []


def with_value(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = yaml.safe_load(yaml.safe_dump(data))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def yaml_path(path: tuple[Any, ...]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def every_kind_of_number() -> dict[str, Any]:
    """The bundled default with every kind of numeric key a scenario has: each distribution,
    a group's handle-time factor, the optimise block (shifts, breaks, options)."""
    base = yaml.safe_load((ROOT / "scenarios" / "default.yaml").read_text())
    base["agent_groups"][0]["handle_time_factor"] = 1.1
    base["agent_groups"][0]["skills"].append("extra")
    base["contact_types"].append({
        "name": "extra", "arrivals": {"per_interval": [5] * 24, "uncertainty_cv": 0.1},
        "handle_time": {"distribution": "empirical", "values": [100, 200]},
        "patience": {"distribution": "uniform", "low": 30, "high": 300},
        "self_service": {"time_in_ivr": {"distribution": "gamma", "mean": 60, "cv": 0.5},
                         "completion": 0.2},
        "redial": {"probability": 0.5, "delay": {"distribution": "deterministic", "value": 60}},
    })
    base["optimise"] = yaml.safe_load((ROOT / "scenarios" / "self_service.yaml").read_text()
                                      )["optimise"]
    base["optimise"]["self_service_options"] = {
        "billing": base["optimise"]["self_service_options"].popitem()[1]}
    return base


def test_infinity_is_refused_in_every_numeric_field_by_validate_and_run(tmp_path: Path) -> None:
    base = every_kind_of_number()
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(base))
    assert runner.invoke(app, ["validate", str(good)]).exit_code == 0
    leaves = numeric_leaves(base)
    assert len(leaves) > 50
    for leaf in leaves:
        path = tmp_path / "inf.yaml"
        path.write_text(yaml.safe_dump(with_value(base, leaf, float("inf"))))
        for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
            result = runner.invoke(app, command)
            assert result.exit_code == 2, (leaf, command, result.output)
            assert f"{path}: {yaml_path(leaf)} (line " in result.stderr, (leaf, result.stderr)
    assert not (tmp_path / "o").exists()


def test_a_staffing_that_would_exhaust_memory_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "erlang_c.yaml").read_text()
    path = tmp_path / "many.yaml"
    path.write_text(text.replace("staffing: 33", "staffing: 1000000000"))
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert result.stderr.strip().endswith(
            "agent_groups[0].staffing (line 26): must be at least 0 and at most 100,000, "
            "got 1000000000")


@pytest.fixture(scope="module")
def result_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    result = runner.invoke(app, ["run", str(ROOT / "scenarios" / "erlang_c.yaml"),
                                 "--replications", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def damaged_copy(folder: Path, tmp_path: Path, name: str) -> Path:
    import shutil

    copy = tmp_path / name / folder.name
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.parametrize("damage, expected", [
    (lambda f: (f / "summary.json").write_text((f / "summary.json").read_text()[:40]),
     "summary.json: is damaged or not written by ccsim: "),
    (lambda f: (f / "summary.json").write_text("[1, 2]"),
     "summary.json: is damaged or not written by ccsim: a JSON object was expected, found a "
     "list"),
    (lambda f: (f / "summary.json").write_text('{"scenario": "x", "replications": 2, '
                                               '"kpis": {}, "cost": {}}'),
     "summary.json: is damaged or not written by ccsim: kpis lacks some of service_level"),
    (lambda f: (f / "intervals.csv").unlink(),
     "intervals.csv: no such file: the result folder is incomplete"),
])
def test_compare_on_a_damaged_result_folder_is_exit_2_naming_the_file(
        result_folder: Path, tmp_path: Path, damage: Any, expected: str) -> None:
    broken = damaged_copy(result_folder, tmp_path, "broken")
    damage(broken)
    result = runner.invoke(app, ["compare", str(result_folder), str(broken),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(str(broken / "x")[:-1]) and expected in line, line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_compare_tells_apart_two_folders_of_the_same_name(result_folder: Path,
                                                         tmp_path: Path) -> None:
    other = damaged_copy(result_folder, tmp_path, "elsewhere")
    result = runner.invoke(app, ["compare", str(result_folder), str(other),
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out").iterdir()
    table = (folder / "compare.csv").read_text()
    assert f"\n{result_folder.parent.name}/{result_folder.name}," in table
    assert f"\nelsewhere/{result_folder.name}," in table
    twice = runner.invoke(app, ["compare", str(result_folder), str(result_folder)])
    assert twice.exit_code == 2
    assert twice.stderr.strip() == f"compare: the result folder {result_folder} is given twice"


def test_an_output_folder_that_is_a_file_is_exit_2_before_any_work(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    for command in (["run", "--out", str(afile)],
                    ["sweep", "--vary", "replications=2,3", "--out", str(afile)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"--out: {afile} is a file, not a folder"
    result = runner.invoke(app, ["run", "--out", str(afile / "below")])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"--out: {afile / 'below'} cannot be made: ")


def test_the_contact_guard_counts_a_sweep_s_points_together(tmp_path: Path) -> None:
    scenario = tmp_path / "big.yaml"
    text = (ROOT / "scenarios" / "erlang_c.yaml").read_text()
    scenario.write_text(text.replace("replications: 30", "replications: 2000"))
    assert "replications: 2000" in scenario.read_text()
    one = runner.invoke(app, ["validate", str(scenario)])
    assert one.exit_code == 0  # 5,400 a day × 2,000 days: under the guard on its own
    result = runner.invoke(app, ["sweep", str(scenario), "--vary",
                                 "contact_types.calls.arrivals.scale=1,2,3,4,5",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "contacts expected over 5 points × 2000 replications (more than 50,000,000)" \
        in result.stderr
    assert not (tmp_path / "out").exists()


def test_one_rule_for_the_fewest_replications(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "erlang_c.yaml").read_text()
    path = tmp_path / "one.yaml"
    path.write_text(text.replace("replications: 30", "replications: 1"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{path}: replications (line 15): input should be "
                                     "greater than or equal to 2 (got 1)")
    result = runner.invoke(app, ["run", "--replications", "1", "--out", str(tmp_path)])
    assert result.exit_code == 2


def test_a_terminal_that_cannot_show_unicode_still_gets_its_results(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    out = subprocess.run([sys.executable, "-m", "ccsim", "run",
                          str(ROOT / "scenarios" / "erlang_c.yaml"), "--replications", "2",
                          "--out", str(tmp_path)], capture_output=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    out.stdout.decode("ascii")  # nothing but ASCII reached the terminal
    assert b"results: " in out.stdout


def test_a_full_disk_while_writing_is_exit_2_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from ccsim import results

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "intervals.csv")

    monkeypatch.setattr(results, "write_intervals_csv", full)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(ROOT / "scenarios" / "erlang_c.yaml"),
                                 "--replications", "2", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"{out}: cannot write the result folder (intervals.csv): "
                                     "No space left on device")
    assert list(out.iterdir()) == []
