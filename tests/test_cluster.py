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


def test_a_scheduler_that_accepts_and_never_answers_is_exit_2_in_bounded_time(
        tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        start = time.monotonic()
        result = cli.invoke(app, ["run", str(ROOT / "scenarios" / "erlang_c.yaml"),
                                  "--scheduler", address, "--out", str(tmp_path / "out")])
        seconds = time.monotonic() - start
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"--scheduler: cannot reach the Dask scheduler at "
                                     f"{address}: no answer within 10 s")
    assert seconds < 15
    assert not (tmp_path / "out").exists()


def test_a_server_that_is_not_a_scheduler_or_a_wrong_scheme_is_exit_2(tmp_path: Path) -> None:
    import socket
    import threading

    with socket.socket() as web:
        web.bind(("127.0.0.1", 0))
        web.listen(5)

        def answer() -> None:
            connection, _ = web.accept()
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        address = f"tcp://127.0.0.1:{web.getsockname()[1]}"
        result = cli.invoke(app, ["run", "--scheduler", address, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"--scheduler: {address} answers, but not as a Dask " \
                                    "scheduler does"
    result = cli.invoke(app, ["run", "--scheduler", "udp://host:1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("--scheduler: 'udp://host:1' is not a Dask scheduler "
                                     "address; give tcp://HOST:PORT")
