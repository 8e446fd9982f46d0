"""Bad exports: exit 2 with one line naming the file, the row and the column; no traceback and
nothing written (neither the draft nor a temporary file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccsim.cli import app

runner = CliRunner()

INTERVALS = """\
date,interval_start,queue,offered,answered,abandoned,aht_s
2024-01-01,08:00,billing,40,36,4,250
2024-01-01,08:30,billing,55,50,5,240
2024-01-02,08:00,billing,42,40,2,260
2024-01-02,08:30,billing,57,51,6,245
"""
CONTACTS = """\
arrival,queue,wait_s,outcome,handle_s
2024-01-01 08:00:03.250,billing,0.000,answered,180.5
2024-01-01 08:00:09.000,billing,35.125,abandoned,
2024-01-01 08:01:00.000,billing,,self_served,
2024-01-01 08:01:00.000,billing,,self_served,
2024-01-01 08:02:10.500,billing,12.000,answered,240.0
"""


def replace_line(text: str, row: int, new: str) -> str:
    """``text`` with its line ``row`` (1 = the header) replaced."""
    lines = text.splitlines()
    lines[row - 1] = new
    return "\n".join(lines) + "\n"


CASES = {
    "intervals: a missing column": (
        INTERVALS.replace(",aht_s", "").replace(",250\n", "\n").replace(",240\n", "\n")
        .replace(",260\n", "\n").replace(",245\n", "\n"),
        "row 1 (header), column 'aht_s': missing"),
    "intervals: a non-numeric value": (
        replace_line(INTERVALS, 3, "2024-01-01,08:30,billing,fifty,50,5,240"),
        "row 3, column 'offered': 'fifty' is not a number"),
    "intervals: an unparsable date": (
        replace_line(INTERVALS, 4, "2024-13-02,08:00,billing,42,40,2,260"),
        "row 4, column 'date': '2024-13-02' is not a date (YYYY-MM-DD)"),
    "intervals: a duplicated row": (
        INTERVALS + "2024-01-01,08:30,billing,55,50,5,240\n",
        "row 6, columns date, interval_start, queue: duplicates row 3"),
    "intervals: the same interval written another way": (
        INTERVALS + "2024-01-02,8:00,billing,42,40,2,260\n",
        "row 6, columns date, interval_start, queue: duplicates row 4"),
    "contacts: a missing column": (
        CONTACTS.replace("arrival,queue,wait_s,outcome,handle_s", "arrival,queue,wait,outcome,"
                                                                  "handle_s"),
        "row 1 (header), column 'wait_s': missing"),
    "contacts: a non-numeric value": (
        replace_line(CONTACTS, 6, "2024-01-01 08:02:10.500,billing,12 s,answered,240.0"),
        "row 6, column 'wait_s': '12 s' is not a number"),
    "contacts: an unparsable date": (
        replace_line(CONTACTS, 2, "01/13/2024 08:00,billing,0.000,answered,180.5"),
        "row 2, column 'arrival': '01/13/2024 08:00' is not a date and time"),
    "contacts: a duplicated row": (
        CONTACTS + "2024-01-01 08:00:09.000,billing,35.125,abandoned,\n",
        "row 7, columns arrival, queue, wait_s, outcome, handle_s: duplicates row 3"),
    "intervals: a row with a field too many": (
        replace_line(INTERVALS, 3, "2024-01-01,08:30,billing,55,50,5,240,9"),
        "row 3: 8 fields, but the header has 7"),
    "intervals: a negative count": (
        replace_line(INTERVALS, 2, "2024-01-01,08:00,billing,40,36,-4,250"),
        "row 2, column 'abandoned': must not be negative, got -4"),
    "contacts: an unknown outcome": (
        replace_line(CONTACTS, 5, "2024-01-01 08:01:00.000,billing,,hung_up,"),
        "row 5, column 'outcome': 'hung_up' is not one of answered, abandoned, self_served"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_export_names_file_row_and_column_and_writes_nothing(case: str,
                                                                  tmp_path: Path) -> None:
    text, expected = CASES[case]
    export = tmp_path / "export.csv"
    export.write_text(text)
    out = tmp_path / "draft.yaml"
    kind = case.split(":")[0]
    result = runner.invoke(app, ["import", str(export), "--kind", kind, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{export}: {expected}"] or (
        len(lines) == 1 and lines[0].startswith(f"{export}: {expected}")), lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_the_good_exports_import(tmp_path: Path) -> None:
    """The exports the bad cases spoil are themselves good (so each case fails for its own
    reason); the layout is told from the header."""
    for name, text in (("intervals.csv", INTERVALS), ("contacts.csv", CONTACTS)):
        export = tmp_path / name
        export.write_text(text)
        result = runner.invoke(app, ["import", str(export), "--out", str(tmp_path / "d.yaml"),
                                     "--force"])
        assert result.exit_code == 0, result.output
        assert f"({name.split('.')[0]})" in result.stdout


def test_many_bad_rows_are_one_line_with_a_count(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    bad = INTERVALS.splitlines()
    bad = [bad[0]] + [line.replace("billing,", "billing,x", 1) for line in bad[1:]]
    export.write_text("\n".join(bad) + "\n")
    result = runner.invoke(app, ["import", str(export), "--out", str(tmp_path / "d.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"{export}: row 2, column 'offered': 'x40' is not a number "
                                     "(and 3 more rows like it)")


def test_an_existing_draft_is_replaced_only_with_force(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(INTERVALS)
    out = tmp_path / "draft.yaml"
    out.write_text("mine\n")
    result = runner.invoke(app, ["import", str(export), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"--out: {out} exists; pass --force to replace it"
    assert out.read_text() == "mine\n"
    result = runner.invoke(app, ["import", str(export), "--out", str(out), "--force"])
    assert result.exit_code == 0 and out.read_text().startswith("# Scenario draft")


@pytest.mark.parametrize("text, expected", [
    ("", "the file is empty"),
    ("date,interval_start,queue,offered,answered,abandoned,aht_s\n", "has a header but no rows"),
])
def test_an_empty_export(tmp_path: Path, text: str, expected: str) -> None:
    export = tmp_path / "export.csv"
    export.write_text(text)
    result = runner.invoke(app, ["import", str(export), "--kind", "intervals",
                                 "--out", str(tmp_path / "d.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{export}: {expected}"


def test_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "nope.csv"), "--kind", "contacts"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.csv'}: no such file"
