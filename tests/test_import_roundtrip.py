"""The round trip of issue 13: simulate four weeks of a known centre with ``ccsim run
--records``, import the records with ``ccsim import``, and recover what was simulated: the
arrival profile per interval, the mean handle time (within 2%), the mean patience (within 5%)
and the IVR completion; the mean wait of abandons misses the patience by far more."""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim.loader import load_scenario

KNOWN = """\
name: known
horizon: {start: "09:00", interval_minutes: 30, intervals: 8}
seed: 7
replications: 28
contact_types:
  - name: sales
    arrivals: {per_interval: [120, 180, 220, 240, 200, 180, 160, 120]}
    handle_time: {distribution: lognormal, mean: 240, cv: 0.8}
    patience: {distribution: exponential, mean: 150}
    self_service:
      time_in_ivr: {distribution: lognormal, mean: 40, cv: 0.5}
      completion: 0.3
      opt_out: 0.7
  - name: support
    arrivals: {per_interval: [60, 90, 110, 120, 100, 90, 80, 60]}
    handle_time: {distribution: lognormal, mean: 420, cv: 0.6}
    patience: {distribution: exponential, mean: 240}
agent_groups:
  - {name: s, skills: [sales], staffing: [10, 14, 16, 18, 15, 14, 12, 9]}
  - {name: t, skills: [support], staffing: [9, 13, 16, 18, 15, 13, 11, 9]}
"""
TRUTH = {
    "sales": {"arrivals": [120, 180, 220, 240, 200, 180, 160, 120], "handle": 240.0,
              "patience": 150.0, "completion": 0.3},
    "support": {"arrivals": [60, 90, 110, 120, 100, 90, 80, 60], "handle": 420.0,
                "patience": 240.0, "completion": None},
}
DAYS = 28
runner = CliRunner()


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str]:
    """The known scenario simulated for four weeks with --records, and its import: the draft
    (as data), its text and what the import printed."""
    folder = tmp_path_factory.mktemp("roundtrip")
    scenario = folder / "known.yaml"
    scenario.write_text(KNOWN)
    ran = runner.invoke(app, ["run", str(scenario), "--records", "--out", str(folder / "out")])
    assert ran.exit_code == 0, ran.output
    (result,) = (folder / "out").iterdir()
    records = result / "records.csv"
    draft = folder / "draft.yaml"
    done = runner.invoke(app, ["import", str(records), "--kind", "contacts", "--out", str(draft)])
    assert done.exit_code == 0, done.output
    spec = load_scenario(draft)
    return {t.name: t for t in spec.contact_types}, draft.read_text(), done.stdout


def test_the_arrival_profile_is_recovered_interval_by_interval(imported: tuple) -> None:
    """Each interval within 4 standard deviations of the mean of one week of days, sqrt(λ/7):
    a forecast as noisy as last week alone passes; one that dropped the self-served contacts
    (30% of sales) or shifted the profile by an interval (up to 60 contacts) cannot."""
    types, _, _ = imported
    for name, truth in TRUTH.items():
        got = np.asarray(types[name].arrivals.per_interval)
        expected = np.asarray(truth["arrivals"], dtype=float)
        assert got.shape == expected.shape
        z = (got - expected) / np.sqrt(expected / 7)
        assert np.all(np.abs(z) < 4), (name, got, z)


def test_the_mean_handle_time_is_within_2_percent(imported: tuple) -> None:
    types, _, _ = imported
    for name, truth in TRUTH.items():
        spec = types[name].handle_time
        weights = np.asarray(truth["arrivals"], dtype=float)
        mean = float(np.average(np.asarray(spec.mean), weights=weights))
        assert spec.distribution == "lognormal"
        assert abs(mean / truth["handle"] - 1) < 0.02, (name, mean)
        assert 0.5 < spec.cv < 1.0


def test_patience_is_within_5_percent_and_the_mean_wait_of_abandons_is_far_off(
        imported: tuple) -> None:
    types, text, printed = imported
    for name, truth in TRUTH.items():
        patience = types[name].patience
        assert patience.distribution == "exponential"
        error = patience.mean / truth["patience"] - 1
        assert abs(error) < 0.05, (name, patience.mean)
        naive = float(next(line for line in text.splitlines() if "the mean wait of abandons, "
                           in line and line.startswith("    #") and _owner(text, line) == name
                           ).split("abandons, ")[1].split(" s")[0])
        assert abs(naive / truth["patience"] - 1) > 0.5, (name, naive)
        assert abs(naive / truth["patience"] - 1) > 10 * abs(error)
    assert "the mean wait of abandons would say" in printed


def _owner(text: str, line: str) -> str:
    """The contact type whose block holds ``line`` in the draft."""
    owner = ""
    for row in text.splitlines():
        if row.startswith("  - name: "):
            owner = row.split(": ")[1]
        if row == line:
            return owner
    return ""


def test_ivr_completion_is_recovered(imported: tuple) -> None:
    types, _, _ = imported
    sales = types["sales"].self_service
    offered_to_ivr = sum(TRUTH["sales"]["arrivals"]) * DAYS
    se = math.sqrt(0.3 * 0.7 / offered_to_ivr)
    assert sales is not None and abs(sales.completion - 0.3) < 4 * se
    assert sales.completion + sales.opt_out == pytest.approx(1.0)
    assert types["support"].self_service is None


def test_the_import_says_which_forecast_it_used(imported: tuple) -> None:
    _, text, printed = imported
    assert "held-out week 2024-01-22..2024-01-28" in printed
    for source in (text, printed):
        for name in TRUTH:
            line = next(r for r in source.splitlines() if r.lstrip("# ").startswith(name)
                        and "seasonal naive" in r)
            assert "Holt-Winters" in line and "->" in line
    assert "mean of the forecast's Monday to Friday, 2024-01-29..2024-02-02" in text
