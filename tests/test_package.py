"""The package as users meet it: one import name, the layer rules, a fast start, the public
API, the README's Python blocks, errors for people and tracebacks for developers, and a wheel
that works outside the checkout."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.cli import app

ROOT = Path(__file__).resolve().parent.parent
INTERFACE = sorted(p.stem for p in (ROOT / "ccsim").glob("*.py"))
HEAVY = ("numpy", "scipy", "pydantic", "simpy", "matplotlib", "pyomo", "yaml", "pandas",
         "statsmodels")


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Every module each file of ``folder`` imports (anywhere in the file), by file name."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"
                names.add(node.module or "")
                names.update(f"{node.module}.{a.name}" for a in node.names)
        found[path.name] = names
    return found


def layer_violations(folder: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for file, names in imported_modules(ROOT / folder).items():
        for name in sorted(names):
            top = name.split(".")[0]
            if top in ("sim", "optimise"):
                bad.append(f"{folder}/{file} imports {name} (not installed: use ccsim.{name})")
            elif top == "ccsim" and name != "ccsim" and not name.startswith(allowed):
                bad.append(f"{folder}/{file} imports {name}")
    return bad


def test_the_simulator_imports_neither_the_optimiser_nor_the_interface() -> None:
    assert layer_violations("sim", ("ccsim.sim",)) == []


def test_the_optimiser_does_not_import_the_interface() -> None:
    assert layer_violations("optimise", ("ccsim.sim", "ccsim.optimise")) == []


def test_the_layer_check_finds_a_violation(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f():\n    from ccsim.charts import to_bytes\n")
    assert imported_modules(tmp_path)["bad.py"] >= {"ccsim.charts", "ccsim.charts.to_bytes"}


def test_the_public_api_is_the_documented_one() -> None:
    assert sorted(ccsim.__all__) == sorted([*ccsim._EXPORTS, "__version__"])
    for name in ccsim.__all__:
        assert getattr(ccsim, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'simulat'"):
        ccsim.simulat  # noqa: B018


def python(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def loaded_after(code: str) -> list[str]:
    """The heavy libraries that are imported once ``code`` has run."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = python(probe)
    assert out.returncode == 0, out.stderr
    modules = json.loads(out.stdout.splitlines()[-1])
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def test_import_ccsim_and_the_help_load_no_heavy_library() -> None:
    assert loaded_after("import ccsim") == []
    code = ("from ccsim.cli import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass")
    assert loaded_after(code) == []


def test_validate_and_schema_load_only_what_they_need() -> None:
    for command in ("['validate', 'scenarios/default.yaml']", "['schema']"):
        code = ("import os\nos.chdir(" + repr(str(ROOT)) + ")\nfrom ccsim.cli import app\n"
                f"try:\n    app({command})\nexcept SystemExit:\n    pass")
        assert loaded_after(code) == ["pydantic", "yaml"], command


def test_a_run_never_loads_the_optimiser_s_solver(tmp_path: Path) -> None:
    code = ("from ccsim.cli import app\n"
            f"try:\n    app(['run', '--replications', '2', '--out', {str(tmp_path)!r}])\n"
            "except SystemExit:\n    pass")
    assert not {"pyomo", "pandas", "statsmodels"} & set(loaded_after(code))
    assert any(tmp_path.iterdir())


def test_python_m_ccsim_is_the_command() -> None:
    out = subprocess.run([sys.executable, "-m", "ccsim", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and "optimise" in out.stdout


def test_the_bundled_scenarios_are_package_data() -> None:
    from ccsim.scenarios import bundled, names

    assert names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert bundled("default").read_bytes() == (ROOT / "scenarios" / "default.yaml").read_bytes()
    with pytest.raises(FileNotFoundError, match="no bundled scenario 'nope' \\(bundled: "):
        bundled("nope")


def test_a_bundled_scenario_typed_outside_a_checkout_is_pointed_to(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ccsim.scenarios import bundled

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "scenarios/erlang_c.yaml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"scenarios/erlang_c.yaml: no such file; the bundled "
                                     f"scenario 'erlang_c' is {bundled('erlang_c')}")


def test_an_internal_error_shows_its_place_and_a_hint(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    from ccsim.sim import runner as sim_runner

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(sim_runner, "simulate", broken)
    monkeypatch.delenv("CCSIM_DEBUG", raising=False)
    cli = CliRunner()
    result = cli.invoke(app, ["run", "--out", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "ccsim: internal error: RuntimeError: boom"
    assert re.fullmatch(r"  at .*cli\.py:\d+ in run", lines[1]), lines[1]
    assert "--debug" in lines[2] and "Traceback" not in result.stderr
    result = cli.invoke(app, ["--debug", "run", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("RuntimeError: boom")
    monkeypatch.setenv("CCSIM_DEBUG", "1")
    result = cli.invoke(app, ["run", "--out", str(tmp_path)])
    assert "Traceback (most recent call last)" in result.stderr
    assert not any(tmp_path.iterdir())


def readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_readme_has_python_blocks() -> None:
    assert len(readme_python_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_a_readme_python_block_runs_as_a_script(index: int, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(readme_python_blocks()[index])
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr


@pytest.mark.slow
def test_a_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, install it (without dependencies: they come from this environment
    through a .pth file) into a fresh venv, and use it from a folder outside the project."""
    source = tmp_path / "source"  # a clean copy: setuptools' build/ would keep stale modules
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "results", "__pycache__", ".*_cache",
        ".hypothesis"))
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(wheels), str(source)], capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("ccsim-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bin_dir / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "ccsim-test-deps.pth").write_text("\n".join(deps) + "\n")
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), capture_output=True, text=True, cwd=work, env=env,
                              timeout=300)

    probe = run(str(py), "-c", "import ccsim; print(ccsim.__file__)")
    assert probe.returncode == 0, probe.stderr
    assert str(env_dir) in probe.stdout
    for name in ("sim", "optimise", "scenarios"):
        gone = run(str(py), "-c", f"import {name}")
        assert gone.returncode == 1 and "ModuleNotFoundError" in gone.stderr, name
    ok = run(str(bin_dir / "ccsim"), "validate", str(Path(site) / "ccsim/scenarios/default.yaml"))
    assert ok.returncode == 0, ok.stderr
    result = run(str(bin_dir / "ccsim"), "run", "--replications", "2", "--out", "out")
    assert result.returncode == 0, result.stderr
    (folder,) = (work / "out").iterdir()
    assert (folder / "summary.json").is_file() and (folder / "report.html").is_file()


def test_an_error_in_a_worker_process_is_placed_in_the_worker_s_code() -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ccsim.guard import _own_frame
    from ccsim.sim.stats import student_t_quantile

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool, pytest.raises(ValueError) as caught:
        pool.submit(student_t_quantile, 0.4, 3).result()
    frame = _own_frame(caught.value)
    assert frame is not None
    assert frame[0].endswith("stats.py") and frame[2] == "student_t_quantile"


def test_write_results_refuses_an_unknown_chart_format(tmp_path: Path) -> None:
    result = ccsim.simulate(ccsim.load_scenario(ccsim.bundled_scenario("erlang_c")),
                            replications=2)
    with pytest.raises(ValueError, match=r"\"chart_format\" must be one of \['png', 'svg'\] "
                                         r"or None, got 'pdf'\."):
        ccsim.write_results(result, tmp_path, chart_format="pdf")
    assert not any(tmp_path.iterdir())
