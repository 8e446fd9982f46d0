"""ccsim: contact-centre simulator and staffing optimiser.

The public API, what the ``ccsim`` command itself calls::

    import ccsim

    scenario = ccsim.load_scenario(ccsim.bundled_scenario("default"))
    result = ccsim.simulate(scenario, replications=10)
    print(result.summary.kpis["service_level"])
    folder = ccsim.write_results(result, "results")

    ccsim.erlang_c(calls=100, aht_s=180, interval_minutes=30, threshold_s=20, target=0.8)

Build a scenario in code with ``ccsim.Scenario.model_validate({...})`` (the same keys as the
YAML file, validated the same way) and derive one with ``scenario.with_changes(...)``.

Names are loaded on first use, so ``import ccsim`` (and ``ccsim --help``) stays fast: the
simulator, the optimiser (Pyomo) and the charts (matplotlib) load only when asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Scenario": "ccsim.sim.scenario",
    "ScenarioError": "ccsim.sim.loader",
    "load_scenario": "ccsim.sim.loader",
    "parse_scenario": "ccsim.sim.loader",
    "bundled_scenario": "ccsim.scenarios",
    "simulate": "ccsim.sim.runner",
    "RunResult": "ccsim.sim.runner",
    "optimise_staffing": "ccsim.optimise.plan",
    "Plan": "ccsim.optimise.plan",
    "erlang_c": "ccsim.optimise.staffing",
    "erlang_a": "ccsim.optimise.staffing",
    "Staffing": "ccsim.optimise.staffing",
    "write_results": "ccsim.output",
}
_RENAMED = {"bundled_scenario": "bundled"}

__all__ = [
    "Plan", "RunResult", "Scenario", "ScenarioError", "Staffing", "__version__",
    "bundled_scenario", "erlang_a", "erlang_c", "load_scenario", "optimise_staffing",
    "parse_scenario", "simulate", "write_results",
]

if TYPE_CHECKING:
    from ccsim.optimise.plan import Plan, optimise_staffing
    from ccsim.optimise.staffing import Staffing, erlang_a, erlang_c
    from ccsim.output import write_results
    from ccsim.scenarios import bundled as bundled_scenario
    from ccsim.sim.loader import ScenarioError, load_scenario, parse_scenario
    from ccsim.sim.runner import RunResult, simulate
    from ccsim.sim.scenario import Scenario


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ccsim' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
