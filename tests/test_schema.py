"""The JSON Schema of ``ccsim schema``: described for planners, plain JSON Schema 2020-12
(no OpenAPI ``discriminator``), and it agrees with the validator on the bundled scenarios."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.sim import scenario as scenario_module
from ccsim.sim.scenario import Scenario, json_schema

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SCHEMA = json_schema()
AJV = Path(os.environ.get("AJV_PREFIX", "/tmp/ccsim-ajv")) / "node_modules" / ".bin" / "ajv"
"""Where ``.ci/ajv-check`` installs ajv-cli."""


def nodes(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    """Every value in the schema with its JSON pointer, depth first."""
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from nodes(value, f"{where}/{i}")


def properties() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property (key) of every object in the schema, with its pointer."""
    for where, node in nodes(SCHEMA):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            for key, value in node["properties"].items():
                yield f"{where}/properties/{key}", value


def bounds(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The property and the members of its ``anyOf`` (``x | None`` fields)."""
    return [prop, *prop.get("anyOf", [])]


def misspelt_default() -> dict[str, Any]:
    """scenarios/default.yaml with ``contact_types[0].handle_time`` misspelt."""
    data = yaml.safe_load((ROOT / "scenarios" / "default.yaml").read_text())
    first = data["contact_types"][0]
    first["handle_tme"] = first.pop("handle_time")
    return data


def test_ccsim_schema_prints_it() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


def test_every_definition_and_key_is_described() -> None:
    assert SCHEMA["description"].startswith("A ccsim scenario: one contact-centre day")
    undescribed = [name for name, d in SCHEMA["$defs"].items()
                   if not d.get("description", "").strip()]
    undescribed += [where for where, prop in properties()
                    if not prop.get("description", "").strip()]
    assert undescribed == []
    models = [Scenario, *(getattr(scenario_module, name) for name in SCHEMA["$defs"])]
    assert len(list(properties())) == sum(len(m.model_fields) for m in models)


def test_descriptions_give_units() -> None:
    units = {r"_s$": "seconds", r"_minutes$|^minutes$": "minutes", r"_h$": "hours",
             r"^cost_per_hour$": "currency per hour", r"^cost_per_day$": "currency per day"}
    for where, prop in properties():
        key = where.rsplit("/", 1)[1]
        for pattern, unit in units.items():
            if re.search(pattern, key):
                assert unit in prop["description"], where
        if any(b.get("minimum") == 0 and b.get("maximum") == 1 for b in bounds(prop)):
            assert "in [0, 1]" in prop["description"], where


def test_no_discriminator_keyword() -> None:
    assert [w for w, n in nodes(SCHEMA) if isinstance(n, dict) and "discriminator" in n] == []


def test_tagged_unions_are_plain_one_ofs_told_apart_by_a_const() -> None:
    tags = set()
    for where, node in nodes(SCHEMA):
        if not (isinstance(node, dict) and "oneOf" in node):
            continue
        members = [SCHEMA["$defs"][m["$ref"].removeprefix("#/$defs/")] for m in node["oneOf"]]
        (tag,) = set.intersection(*({k for k, v in m["properties"].items() if "const" in v}
                                    for m in members))
        assert all(tag in m["required"] for m in members), where
        consts = [m["properties"][tag]["const"] for m in members]
        assert len(set(consts)) == len(consts), where
        tags.add((tag, tuple(consts)))
    assert tags == {
        ("distribution", ("exponential", "lognormal", "gamma", "deterministic", "uniform",
                          "empirical")),
        ("policy", ("longest_idle", "priority")),
    }


def test_every_object_forbids_unknown_keys() -> None:
    objects = [SCHEMA, *SCHEMA["$defs"].values()]
    assert all(o["type"] == "object" and o["additionalProperties"] is False for o in objects)
    options = SCHEMA["$defs"]["Optimise"]["properties"]["self_service_options"]
    assert options["additionalProperties"] is False


def test_the_schema_is_valid_json_schema_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_the_schema_accepts_the_bundled_scenario(path: Path) -> None:
    Draft202012Validator(SCHEMA).validate(yaml.safe_load(path.read_text()))


def test_the_schema_refuses_a_misspelt_key() -> None:
    found = {(tuple(e.absolute_path), e.message)
             for e in Draft202012Validator(SCHEMA).iter_errors(misspelt_default())}
    assert found == {
        (("contact_types", 0), "Additional properties are not allowed ('handle_tme' was "
                               "unexpected)"),
        (("contact_types", 0), "'handle_time' is a required property"),
    }


def test_check_jsonschema(tmp_path: Path) -> None:
    schema = tmp_path / "ccsim.schema.json"
    schema.write_text(json.dumps(SCHEMA))
    bad = tmp_path / "misspelt.yaml"
    bad.write_text(yaml.safe_dump(misspelt_default()))

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "check_jsonschema", *args],
                              capture_output=True, text=True, check=False)

    assert check("--check-metaschema", str(schema)).returncode == 0
    good = check("--schemafile", str(schema), *map(str, SCENARIOS))
    assert good.returncode == 0, good.stdout + good.stderr
    refused = check("--schemafile", str(schema), str(bad))
    assert refused.returncode == 1
    assert (f"{bad}::$.contact_types[0]: Additional properties are not allowed ('handle_tme' "
            "was unexpected)") in refused.stdout


@pytest.mark.skipif(shutil.which("node") is None or not AJV.exists(),
                    reason=f"needs node and ajv-cli in {AJV} (.ci/ajv-check installs it)")
def test_ajv_strict_mode(tmp_path: Path) -> None:
    schema = tmp_path / "ccsim.schema.json"
    schema.write_text(json.dumps(SCHEMA))
    bad = tmp_path / "misspelt.yaml"
    bad.write_text(yaml.safe_dump(misspelt_default()))

    def ajv(command: str, *data: Path) -> subprocess.CompletedProcess[str]:
        args = [str(AJV), command, "--spec=draft2020", "--strict=true", "-c", "ajv-formats",
                "-s", str(schema), *(f"-d{d}" for d in data)]
        return subprocess.run(args, capture_output=True, text=True, check=False)

    compiled = ajv("compile")
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    good = ajv("validate", *SCENARIOS)
    assert good.returncode == 0, good.stdout + good.stderr
    refused = ajv("validate", bad)
    assert refused.returncode == 1 and f"{bad} invalid" in refused.stderr
