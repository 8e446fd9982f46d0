"""SIGTERM and Ctrl-C: the temporary folder is removed, the workers stop, nothing is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ccsim.guard import Terminated, handle_sigterm
from ccsim.results import new_run_dir

ROOT = Path(__file__).resolve().parent.parent


def test_sigterm_while_the_folder_is_written_leaves_nothing(tmp_path: Path) -> None:
    previous = signal.getsignal(signal.SIGTERM)
    handle_sigterm()

    def write(folder: Path) -> None:
        (folder / "summary.json").write_text("{}")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal arrives first

    try:
        with pytest.raises(Terminated):
            new_run_dir(tmp_path, "run", write)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


def living_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=,stat=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout.split("\n")
    return [int(line.split()[0]) for line in out if line.strip() and "Z" not in line.split()[1]]


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_a_signal_during_a_two_worker_run_stops_everything(
        tmp_path: Path, signum: int, code: int, word: str) -> None:
    scenario = tmp_path / "long.yaml"
    scenario.write_text((ROOT / "scenarios" / "erlang_c.yaml").read_text()
                        .replace("replications: 30", "replications: 400"))
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-m", "ccsim", "run", str(scenario), "--workers", "2", "--out",
         str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    deadline = time.monotonic() + 30
    while len(living_children(run.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)  # two workers and the resource tracker are up
    time.sleep(0.5)
    workers = living_children(run.pid)
    assert len(workers) >= 2, workers
    if signum == signal.SIGINT:
        os.killpg(run.pid, signum)  # Ctrl-C reaches the whole process group
    else:
        run.send_signal(signum)
    _, stderr = run.communicate(timeout=30)
    time.sleep(1)
    assert run.returncode == code, stderr
    assert stderr.strip() == word  # no worker tracebacks
    assert [p for p in workers if alive(p)] == []
    assert not out.exists() or list(out.iterdir()) == []


def test_workers_do_not_import_the_cli(tmp_path: Path) -> None:
    script = tmp_path / "ccsim_script.py"  # the shape of the installed console script
    script.write_text(
        "import sys\n"
        "from ccsim.cli import main, _spare_workers_the_cli\n"
        "from ccsim.sim.runner import worker_pool\n"
        "if __name__ == '__main__':\n"
        "    _spare_workers_the_cli()\n"
        "    with worker_pool(2) as pool:\n"
        "        probe = \"sorted(m for m in __import__('sys').modules if m.startswith(("
        "'ccsim.cli', 'typer')))\"\n"
        "        print(pool.submit(eval, probe).result())\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
