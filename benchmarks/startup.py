"""Start-up and whole-process speed: ccsim as a person runs it, timed as whole processes.

Run by hand (not part of the tests):  python benchmarks/startup.py [--repeat 5]

Measures, in one run on this machine (medians of ``--repeat`` runs):
* the bare interpreter (``python -c pass``), the reference for start-up;
* ``ccsim --help``, ``ccsim validate`` and ``ccsim schema`` on the bundled default scenario
  (target: under 0.4 s each on a 2-core machine);
* a whole ``ccsim run`` of the 200,000-contact M/M/n+M queue (2 calls/s, AHT 180 s, patience
  120 s, 380 agents, 4 replications of 14 half-hours, ``--workers 1``, report.html included)
  against the plain one-process-per-call SimPy model of the same queue and contacts
  (benchmarks/plain_simpy.py), also as a whole process (target: ccsim at least 3 times as
  fast).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
INTERVALS, INTERVAL_MINUTES, REPLICATIONS = 14, 30, 4


def mmn_yaml(folder: Path) -> Path:
    """The benchmark queue as a scenario file (the same queue as plain_simpy.py)."""
    sys.path.insert(0, str(HERE))
    from plain_simpy import AGENTS, AHT, PATIENCE, RATE

    per_interval = RATE * 60 * INTERVAL_MINUTES
    path = folder / "bench-mmn.yaml"
    path.write_text(yaml.safe_dump({
        "name": "bench-mmn",
        "horizon": {"interval_minutes": INTERVAL_MINUTES, "intervals": INTERVALS},
        "replications": REPLICATIONS,
        "contact_types": [{
            "name": "calls", "arrivals": {"per_interval": [per_interval] * INTERVALS},
            "handle_time": {"distribution": "exponential", "mean": AHT},
            "patience": {"distribution": "exponential", "mean": PATIENCE},
        }],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": AGENTS}],
    }))
    return path


def wall_time(command: list[str], cwd: Path) -> float:
    """Wall time of ``command`` run once as a whole process, seconds."""
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_time(command: list[str], repeat: int, cwd: Path) -> float:
    """Median wall time of ``command`` run ``repeat`` times as a whole process, seconds."""
    return statistics.median(wall_time(command, cwd) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="median of N runs")
    repeat = parser.parse_args().repeat
    ccsim = [sys.executable, "-m", "ccsim"]
    script = Path(sys.executable).parent / "ccsim"
    if script.exists():  # the console script, as a planner types it
        ccsim = [str(script)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import ccsim as package

        default = str(package.bundled_scenario())
        bare = median_time([sys.executable, "-c", "pass"], repeat, folder)
        print(f"python -c pass      : {bare:6.3f} s (reference)")
        for name, args in (("--help", ["--help"]), ("validate", ["validate", default]),
                           ("schema", ["schema"])):
            t = median_time([*ccsim, *args], repeat, folder)
            verdict = "met" if t < 0.4 else "MISSED"
            print(f"ccsim {name:<13} : {t:6.3f} s = {t / bare:4.1f} × bare python "
                  f"(target < 0.4 s: {verdict})")
        scenario = mmn_yaml(folder)
        hours = INTERVALS * INTERVAL_MINUTES / 60
        run = [*ccsim, "run", str(scenario), "--replications", str(REPLICATIONS), "--workers",
               "1", "--out", "out"]
        plain = [sys.executable, str(HERE / "plain_simpy.py"), "--hours", str(hours),
                 "--replications", str(REPLICATIONS)]
        # alternated, so that a machine whose speed drifts (a shared VM) slows both alike
        pairs = [(wall_time(run, folder), wall_time(plain, folder)) for _ in range(repeat)]
        t_ccsim = statistics.median(c for c, _ in pairs)
        t_plain = statistics.median(p for _, p in pairs)
        ratio = statistics.median(p / c for c, p in pairs)
        print(f"whole ccsim run     : {t_ccsim:6.3f} s (about 201,600 contacts, report included)")
        print(f"whole plain SimPy   : {t_plain:6.3f} s (the same queue and contacts)")
        print(f"ratio plain SimPy / ccsim run: {ratio:.2f}, median of {repeat} alternated "
              f"pairs (target >= 3: {'met' if ratio >= 3 else 'MISSED'})")

if __name__ == "__main__":
    main()
