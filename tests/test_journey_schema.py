"""The journey keys in a scenario file: one clear line per problem, and a scenario without them
gives exactly the numbers it gave before journeys existed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ccsim.sim.loader import ScenarioError, load_scenario, parse_scenario
from ccsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parent.parent

BASE = """\
name: j
horizon: {interval_minutes: 30, intervals: 2}
service_level: {threshold_s: 20, target: 0.8}
contact_types:
  - name: tech
    arrivals: {per_interval: [10, 10]}
    handle_time: {distribution: exponential, mean: 300}
    transfers:
      - {to: tier2, probability: 0.2}
  - name: tier2
    arrivals: {daily: 0}
    handle_time: {distribution: exponential, mean: 600}
agent_groups:
  - name: first
    skills: [tech, {name: tier2, handle_time_factor: 1.5}]
    staffing: 3
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.yaml")
    return str(caught.value).splitlines()


def test_the_journey_keys_validate() -> None:
    scenario = parse_scenario(BASE.replace("    transfers:", """\
    resolution: {first_contact: 0.8, repeat_delay: {distribution: exponential, mean: 3600}}
    callback: {offer_after_s: 60, accept: 0.5, deadline_s: 900, target: 0.9}
    deflection: {after_s: 30, accept: 0.1}
    service_level: {max_wait_s: 30, max_wait_share: 0.01}
    transfers:"""))
    assert scenario.has_journeys
    first = scenario.agent_groups[0]
    assert first.skill_names == ["tech", "tier2"]
    assert first.handle_factor("tier2") == 1.5 and first.handle_factor("tech") == 1.0
    assert scenario.service_level_of(scenario.contact_types[0]).max_wait_s == 30


@pytest.mark.parametrize("change,expected", [
    (("to: tier2", "to: tier3"),
     "s.yaml: contact_types[0].transfers[0].to (line 9): 'tier3' is not a contact type "
     "(known: ['tech', 'tier2'])"),
    (("probability: 0.2}", "probability: 0.7}\n      - {to: tech, probability: 0.5}"),
     "s.yaml: contact_types[0].transfers (line 8): the transfer probabilities add up to more "
     "than 1: 0.7 + 0.5 = 1.2"),
    (("probability: 0.2}", "probability: 1.2}"),
     "s.yaml: contact_types[0].transfers[0].probability (line 9): input should be less than "
     "or equal to 1 (got 1.2)"),
    (("{name: tier2, handle_time_factor: 1.5}", "{name: tier3}"),
     "s.yaml: agent_groups[0].skills[1].name (line 15): 'tier3' is not a contact type "
     "(known: ['tech', 'tier2'])\n"
     "s.yaml: contact_types[1].name (line 10): no agent group has the skill 'tier2', so "
     "nobody can answer it"),
    (("{name: tier2, handle_time_factor: 1.5}", "{name: tier2, handle_time_factor: 0}"),
     "s.yaml: agent_groups[0].skills[1].handle_time_factor (line 15): input should be greater "
     "than 0 (got 0)"),
    (("target: 0.8}", "target: 0.8, max_wait_s: 10}"),
     "s.yaml: service_level.max_wait_s (line 3): must be at least threshold_s (20 s), got 10"),
])
def test_one_clear_line_per_problem(change: tuple[str, str], expected: str) -> None:
    assert problems(BASE.replace(*change)) == expected.splitlines()


def test_a_transfer_cycle_that_never_ends_is_refused() -> None:
    cycle = BASE.replace("probability: 0.2}", "probability: 1}").replace(
        "    arrivals: {daily: 0}", "    arrivals: {daily: 0}\n    transfers: [{to: tech, "
                                   "probability: 1}]")
    assert problems(cycle) == [
        f"s.yaml: contact_types[{k}].transfers (line {line}): a transfer cycle that never "
        f"ends: from {name!r} every contact is transferred on with probability 1 among "
        "['tech', 'tier2']; let some share end (probabilities below 1)"
        for k, line, name in ((0, 8, "tech"), (1, 12, "tier2"))]
    # a share that ends anywhere on the way is enough
    assert parse_scenario(cycle.replace("to: tech, probability: 1", "to: tech, probability: "
                                        "0.99"))


def test_a_type_max_wait_below_its_threshold_and_no_first_contact_are_refused() -> None:
    text = BASE.replace("    transfers:", """\
    service_level: {threshold_s: 40, max_wait_s: 30}
    resolution: {first_contact: 0, repeat_delay: {distribution: exponential, mean: 60}}
    transfers:""")
    assert problems(text) == [
        "s.yaml: contact_types[0].resolution.first_contact (line 9): input should be greater "
        "than 0 (got 0)",
    ]
    text = text.replace("first_contact: 0,", "first_contact: 0.5,")
    assert problems(text) == [
        "s.yaml: contact_types[0].service_level.max_wait_s (line 8): max_wait_s (30 s) must be "
        "at least threshold_s (40 s)"]


def test_unknown_journey_keys_are_named() -> None:
    text = BASE.replace("probability: 0.2}", "probability: 0.2, delay: 5}")
    assert problems(text) == [
        "s.yaml: contact_types[0].transfers[0].delay (line 9): is not a known key here (check "
        "the spelling)"]


def test_a_scenario_without_journeys_gives_todays_numbers() -> None:
    """The counts of two seeded days of the bundled scenarios, as ccsim gave them before
    journeys (commit 49caf22): integers, so they do not hang on the last bit of a float."""
    before = {
        "default": {"offered": [2390, 2345], "answered": [2221, 2222], "abandoned": [169, 123],
                    "in_time": [1981, 1997], "self_served": [2058, 1947], "redials": [87, 47]},
        "multiskill": {"offered": [1941, 1989], "answered": [1884, 1935], "abandoned": [57, 54],
                       "in_time": [1788, 1839], "self_served": [135, 156], "redials": [0, 0]},
    }
    for name, counts in before.items():
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        assert not scenario.has_journeys
        tallies = simulate(scenario, replications=2, seed=5).tallies
        types = list(range(len(scenario.contact_types)))
        now = {k: tallies.type_sum(k, slice(None), types).astype(int).tolist() for k in counts}
        assert now == counts, name


def test_the_help_line_scenario_has_every_journey() -> None:
    data = yaml.safe_load((ROOT / "scenarios" / "helpline.yaml").read_text())
    keys = {k for t in data["contact_types"] for k in t}
    assert {"transfers", "resolution", "callback", "deflection", "self_service"} <= keys
    assert data["optimise"]["shifts"]
