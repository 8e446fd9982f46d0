"""Self-service targets: which IVR to build, priced by the same simulation that sizes the staff.

Every option of ``optimise.self_service_options`` (and today's IVR, always an option) changes
who reaches an agent, and how frustrated they are. For each combination of options the staffing
and shifts are re-optimised (``optimise.plan``) on the same seed, so the options are compared
on the same callers: a caller's IVR outcome is one uniform draw, so a higher completion turns
exactly the callers below the new threshold into self-served ones (common random numbers).
The cheapest total (agents + self-service contacts + abandonment penalty + option cost per day)
wins. With many combinations, coordinate descent: one type at a time, the others held.

The reverse question (``least_completion``): with the staffing as given, the least completion
rate per type that meets the target, by bisection on simulation.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from ccsim.optimise.evaluate import Evaluation, Evaluator
from ccsim.optimise.plan import Days, Plan, Stage, compare_methods, optimise_staffing
from ccsim.sim.runner import worker_pool
from ccsim.sim.scenario import Optimise, Scenario, SelfService, SelfServiceOption

TODAY = "today"
EXHAUSTIVE_LIMIT = 16
"""Up to this many combinations every one is optimised; beyond, coordinate descent."""


@dataclass(frozen=True)
class OptionResult:
    """One combination of options (``choice``: contact type → option name) and its plan."""

    choice: dict[str, str]
    option_cost: float
    plan: Plan

    @property
    def cost(self) -> dict[str, float]:
        """The cost split per day with the options' cost included; ``total`` is the sum."""
        cost = dict(self.plan.cost)
        cost["self_service_options"] = self.option_cost
        cost["total"] = sum(v for k, v in cost.items() if k != "total")
        return cost


def options_of(scenario: Scenario) -> dict[str, list[SelfServiceOption]]:
    """Per contact type with options: today's IVR (cost 0) first, then the scenario's."""
    opt = scenario.optimise
    if opt is None:
        return {}
    out = {}
    for name, options in opt.self_service_options.items():
        today = SelfServiceOption.model_validate(
            {"name": TODAY, "cost_per_day": 0.0, "self_service": {}})
        out[name] = [today, *options]
    return out


def apply_option(scenario: Scenario, type_name: str, option: SelfServiceOption) -> Scenario:
    """The scenario with ``option`` applied to contact type ``type_name``: its self-service
    changes and its in-queue deflection offer."""
    patch = option.self_service.model_dump(exclude_none=True)
    if not patch and option.deflection is None:
        return scenario
    types = []
    for t in scenario.contact_types:
        if t.name == type_name:
            if patch:
                base = t.self_service.model_dump() if t.self_service is not None else {}
                t = t.with_changes(self_service=SelfService.model_validate({**base, **patch}))
            if option.deflection is not None:
                t = t.with_changes(deflection=option.deflection)
        types.append(t)
    return scenario.with_changes(contact_types=types)


def with_completion(scenario: Scenario, type_name: str, completion: float) -> Scenario:
    """The scenario with the IVR completion rate of contact type ``type_name`` set."""
    probe = SelfServiceOption.model_validate(
        {"name": "probe", "self_service": {"completion": completion}})
    return apply_option(scenario, type_name, probe)


def apply_choice(
    scenario: Scenario, choice: dict[str, str], options: dict[str, list[SelfServiceOption]]
) -> tuple[Scenario, float]:
    """The scenario with a combination of options applied, and their cost per day."""
    cost = 0.0
    for type_name, option_name in choice.items():
        option = next(o for o in options[type_name] if o.name == option_name)
        scenario = apply_option(scenario, type_name, option)
        cost += option.cost_per_day
    return scenario, cost


def choose_self_service(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    executor: Executor | None = None,
    time_limit_s: float = 300.0,
    on_stage: Stage | None = None,
    runs_after: int = 0,
    max_replications: int | None = None,
    on_days: Days | None = None,
) -> tuple[OptionResult, list[OptionResult]]:
    """Optimise staffing for every combination searched; return the cheapest and all.

    ``time_limit_s`` bounds the whole search, shared evenly over the optimisations still to
    run (``runs_after`` more follow the search and keep their share)."""
    options = options_of(scenario)
    names = {t: [o.name for o in opts] for t, opts in options.items()}
    tried: dict[tuple[tuple[str, str], ...], OptionResult] = {}
    report = on_stage or (lambda stage, detail: None)
    deadline = time.monotonic() + time_limit_s
    combinations = math.prod(len(v) for v in names.values())
    planned = (combinations if combinations <= EXHAUSTIVE_LIMIT
               else sum(len(v) for v in names.values()) * 2)

    def evaluate(choice: dict[str, str]) -> OptionResult:
        key = tuple(sorted(choice.items()))
        if key not in tried:
            label = ", ".join(f"{t}={o}" for t, o in choice.items())
            report("options", label)
            variant, option_cost = apply_choice(scenario, choice, options)
            left = max(1, planned - len(tried)) + runs_after
            plan = optimise_staffing(variant, replications=replications, seed=seed,
                                     executor=executor, compare=False, on_days=on_days,
                                     max_replications=max_replications,
                                     time_limit_s=max(1.0, (deadline - time.monotonic()) / left))
            tried[key] = OptionResult(dict(choice), option_cost, plan)
        return tried[key]

    if combinations <= EXHAUSTIVE_LIMIT:
        for picks in itertools.product(*names.values()):
            evaluate(dict(zip(names, picks, strict=True)))
    else:
        current = {t: TODAY for t in names}
        for _ in range(3):
            changed = False
            for t, choices in names.items():
                best = min(choices, key=lambda o: evaluate({**current, t: o}).cost["total"])
                changed |= best != current[t]
                current[t] = best
            if not changed:
                break
    results = list(tried.values())
    return min(results, key=lambda r: r.cost["total"]), results


@dataclass(frozen=True)
class SelfServiceReport:
    """Every combination of options tried, the chosen one (its plan carries the comparisons)
    and the value of one more point of completion per type at the choice (currency/day)."""

    chosen: OptionResult
    results: list[OptionResult]
    marginal_value: dict[str, float]


def optimise_self_service(
    scenario: Scenario, *, replications: int | None = None, seed: int | None = None,
    workers: int = 1, executor: Executor | None = None, time_limit_s: float = 300.0,
    compare: bool = True, on_stage: Stage | None = None, max_replications: int | None = None,
    on_days: Days | None = None,
) -> SelfServiceReport:
    """Choose the self-service options and the staffing together (see the module docstring).

    ``time_limit_s`` bounds the whole of it, shared evenly over the optimisations it runs
    (the comparisons count as one)."""
    began = time.monotonic()
    reps = scenario.replications if replications is None else replications
    run_seed = scenario.seed if seed is None else seed
    report = on_stage or (lambda stage, detail: None)
    options = options_of(scenario)
    marginal_runs = 2 * sum(t.self_service is not None for t in scenario.contact_types)
    with worker_pool(workers, executor) as pool:
        chosen, results = choose_self_service(scenario, replications=reps, seed=run_seed,
                                              executor=pool, time_limit_s=time_limit_s,
                                              on_stage=on_stage,
                                              runs_after=marginal_runs + compare,
                                              max_replications=max_replications,
                                              on_days=on_days)
        report("options", "value of one more point of containment")
        left = time_limit_s - (time.monotonic() - began)
        marginal = marginal_value(chosen, scenario, options, replications=reps, seed=run_seed,
                                  executor=pool, max_replications=max_replications,
                                  on_days=on_days, time_limit_s=max(1.0, left * marginal_runs
                                                                  / (marginal_runs + compare)))
        if compare:
            variant, _ = apply_choice(scenario, chosen.choice, options)
            comparisons = compare_methods(variant, chosen.plan.verified.replications, run_seed,
                                          pool, began + time_limit_s,
                                          chosen.plan.cost["agents"], report, on_days,
                                          asked=reps, max_replications=max_replications)
            chosen = dataclasses.replace(
                chosen, plan=dataclasses.replace(chosen.plan, comparisons=comparisons))
    results = [chosen if r.choice == chosen.choice else r for r in results]
    return SelfServiceReport(chosen, results, marginal)


def marginal_value(
    chosen: OptionResult, scenario: Scenario, options: dict[str, list[SelfServiceOption]], *,
    replications: int | None = None, seed: int | None = None, executor: Executor | None = None,
    time_limit_s: float = 300.0, step: float = 0.05, max_replications: int | None = None,
    on_days: Days | None = None,
) -> dict[str, float]:
    """Per contact type with an IVR: what one more point (0.01) of completion saves per day at
    the chosen option, with staffing re-optimised; a central difference over ±``step``
    (a single point moves too few callers to change whole agents). ``time_limit_s`` bounds
    all of it, shared evenly over the optimisations."""
    base, _ = apply_choice(scenario, chosen.choice, options)
    deadline = time.monotonic() + time_limit_s
    runs = 2 * sum(t.self_service is not None for t in base.contact_types)
    out: dict[str, float] = {}
    for t in base.contact_types:
        ss = t.self_service
        if ss is None:
            continue
        lo = max(0.0, ss.completion - step)
        hi = min(1.0 - ss.opt_out, ss.completion + step)
        if hi - lo <= 1e-9:
            continue
        costs: list[float] = []
        for completion in (lo, hi):
            left = max(1, runs - len(out) * 2 - len(costs))
            plan = optimise_staffing(with_completion(base, t.name, completion),
                                     replications=replications, seed=seed, executor=executor,
                                     time_limit_s=max(1.0, (deadline - time.monotonic()) / left),
                                     max_replications=max_replications, on_days=on_days,
                                     compare=False)
            costs.append(plan.cost["total"])
        out[t.name] = (costs[0] - costs[1]) / ((hi - lo) * 100)
    return out


@dataclass(frozen=True)
class LeastCompletion:
    """The answer to "how much self-service do we need with this staffing?" for one type."""

    contact_type: str
    current: float
    least: float | None
    """The least completion (to 0.01) meeting the target; None when even full completion
    does not ("cannot")."""
    evaluations: int


def least_completion(
    scenario: Scenario, *, replications: int | None = None, seed: int | None = None,
    executor: Executor | None = None, resolution: float = 0.01,
    on_stage: Callable[[str, str], None] | None = None,
) -> list[LeastCompletion]:
    """Per contact type with an IVR, the least completion meeting the target with the
    scenario's staffing (other types as they are), by bisection on simulation.

    Judged by ``optimise.level`` and ``optimise.meet`` (defaults when there is no block).
    More completion sends fewer callers to agents, so the service level rises with it; the
    bisection keeps the invariant "``hi`` meets, ``lo`` does not".
    """
    if scenario.optimise is None:
        scenario = scenario.with_changes(optimise=Optimise())
    reps = scenario.replications if replications is None else replications
    run_seed = scenario.seed if seed is None else seed
    out = []
    for t in scenario.contact_types:
        ss = t.self_service
        if ss is None:
            continue
        evaluations = 0

        def judge(completion: float, name: str = t.name) -> Evaluation:
            nonlocal evaluations
            evaluations += 1
            if on_stage:
                on_stage("fixed", f"{name}: completion {completion:.2f}")
            return Evaluator(with_completion(scenario, name, completion), reps, run_seed,
                             executor)(staffing_of(scenario))

        top = round(1.0 - ss.opt_out, 10)
        if not judge(top).feasible:
            out.append(LeastCompletion(t.name, ss.completion, None, evaluations))
            continue
        if judge(0.0).feasible:
            out.append(LeastCompletion(t.name, ss.completion, 0.0, evaluations))
            continue
        # in steps of the resolution; the top step is capped at ``top``, which meets
        lo, hi = 0, math.ceil(top / resolution - 1e-9)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if judge(min(mid * resolution, top)).feasible else (mid, hi)
        out.append(LeastCompletion(t.name, ss.completion,
                                   round(min(hi * resolution, top), 10), evaluations))
    return out


def staffing_of(scenario: Scenario) -> tuple[tuple[int, ...], ...]:
    """The scenario's staffing, [group][interval]."""
    return tuple(tuple(row) for row in scenario.staffing_matrix())
