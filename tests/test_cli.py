"""The CLI as a user meets it: help everywhere, summaries, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def command_names() -> list[str]:
    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_top_level_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in command_names():
        assert name in result.output


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "Example" in result.output


def test_ingest_sample_summary() -> None:
    result = runner.invoke(app, ["ingest", str(ROOT / "transcripts")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "babies-in-mind/methods-of-working-first-year: 10 paragraphs, 0:07–6:36+, 981 words,"
        " speakers: none, warnings: 0, repairs: 0"
    ]
    assert "1 files: 1 ingested, 0 failed, 0 with warnings" in result.stderr


def test_ingest_json_lines() -> None:
    result = runner.invoke(app, ["ingest", "--json", str(ROOT / "transcripts")])
    record = json.loads(result.stdout.splitlines()[0])
    assert record["metadata"]["institution"] == "The University of Warwick"
    assert len(record["paragraphs"]) == 10


def test_folder_with_one_bad_and_two_good_files(tmp_path: Path) -> None:
    (tmp_path / "good1.txt").write_text("Skip to 0 minutes and 5 seconds Hello.\n")
    (tmp_path / "good2.txt").write_text("0:05\nHello again.\n")
    (tmp_path / "bad.txt").write_text("Intro\nSkip to 0 minutes and 75 seconds Oops.\n")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["good1", "good2"]
    assert f"Error: {tmp_path / 'bad.txt'}:2: marker 'Skip to 0 minutes and 75 seconds'" in (
        result.stderr
    )
    assert "3 files: 2 ingested, 1 failed, 0 with warnings" in result.stderr


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_text("1:10Skip to 1 minute and 9 seconds Text.\n")
    assert runner.invoke(app, ["ingest", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["ingest", "--strict", str(tmp_path)])
    assert result.exit_code == 1
    assert "Warning: " in result.stderr and "disagrees with label" in result.stderr
