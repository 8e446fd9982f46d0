"""Replications on a Dask cluster give the same numbers as in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim import runner as sim_runner

ROOT = Path(__file__).resolve().parent.parent
cli = CliRunner()
distributed = pytest.importorskip("dask.distributed")


def summary(tmp_path: Path, name: str, *args: str) -> str:
    out = tmp_path / name
    result = cli.invoke(app, ["run", str(ROOT / "scenarios" / "erlang_c.yaml"), "--out",
                              str(out), "--replications", "4", "--seed", "3", *args])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return (folder / "summary.json").read_text()


def test_cluster_run_equals_local_run(tmp_path: Path) -> None:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_cluster = summary(tmp_path, "cluster", "--scheduler", cluster.scheduler_address)
    assert on_cluster == summary(tmp_path, "local", "--workers", "1")


def test_unreachable_scheduler_is_exit_2(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sim_runner, "CONNECT_TIMEOUT_S", 1)
    out = tmp_path / "out"
    result = cli.invoke(app, ["run", str(ROOT / "scenarios" / "erlang_c.yaml"),
                              "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("--scheduler: cannot reach the Dask scheduler at "
                                    "tcp://127.0.0.1:9")
    assert not out.exists()
