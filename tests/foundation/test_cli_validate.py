"""`gitdesk validate` as a user meets it: exit codes, the three formats, CI summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.foundation.helpers import run, validate_json


def test_clean_repo_exits_0_and_says_so(case_repo) -> None:
    repo = case_repo("valid_every_kind")
    code, out, err = run("--repo", str(repo), "validate", "--no-history")
    assert code == 0
    assert out == ""
    assert "6 files, 6 tickets: 0 error(s)" in err


def test_text_format_is_file_line_col_code_message(case_repo) -> None:
    repo = case_repo("lifecycle")
    code, out, _ = run("--repo", str(repo), "validate", "--no-history")
    assert code == 1
    assert "tickets/incidents/2026/INC-0020.md:5:1: GD300 a P0 that is closed needs a postmortem: add resolution, prevention" in out.splitlines()


def test_github_format_annotations_and_step_summary(case_repo, tmp_path: Path) -> None:
    repo = case_repo("lifecycle")
    summary = tmp_path / "summary.md"
    code, out, _ = run("--repo", str(repo), "validate", "--format", "github", "--no-history",
                       env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("::error file=tickets/incidents/2026/INC-0020.md,line=5,col=1,title=GD300::a P0 that is closed")
    table = summary.read_text()
    assert "| ❌ | `tickets/incidents/2026/INC-0021.md` | 5 | GD300 |" in table
    assert "**3 error(s)**" in table


def test_github_format_escapes_newlines_and_commas() -> None:
    from gitdesk.model import Diagnostic
    from gitdesk.report import render

    line = render([Diagnostic("a,b.md", 1, 1, "GD1", "two\nlines 100%")], "github")
    assert line == "::error file=a%2Cb.md,line=1,col=1,title=GD1::two%0Alines 100%25"


def test_json_format_splits_errors_and_warnings(case_repo) -> None:
    code, report = validate_json(case_repo("cross_file"))
    assert code == 1
    assert set(report) == {"errors", "warnings"}
    assert {"file", "line", "column", "code", "message"} == set(report["errors"][0])
    assert any(w["code"] == "GD207" for w in report["warnings"])


def test_strict_turns_warnings_into_failure(case_repo, tmp_path: Path) -> None:
    repo = case_repo("valid_every_kind")
    (repo / "backlog" / "EVO-0001.md").rename(repo / "backlog" / "EVO-0099.md")
    assert run("--repo", str(repo), "validate", "--no-history")[0] == 0
    assert run("--repo", str(repo), "validate", "--no-history", "--strict")[0] == 1


def test_no_config_is_an_environment_error(tmp_path: Path) -> None:
    code, out, err = run("--repo", str(tmp_path), "validate")
    assert code == 2
    assert "no gitdesk.yml" in err and "gitdesk init" in err
    assert "Traceback" not in out + err


def test_bad_config_names_line_and_exits_2(case_repo) -> None:
    repo = case_repo("valid_every_kind")
    (repo / "gitdesk.yml").write_text("title: x\ntimezone: Mars/Olympus\ncomponnets: []\n")
    code, _, err = run("--repo", str(repo), "validate")
    assert code == 2
    assert "gitdesk.yml:3: componnets: unknown field 'componnets'; did you mean 'components'?" in err.splitlines()


def test_bad_timezone_and_calendar_in_config(case_repo) -> None:
    repo = case_repo("valid_every_kind")
    (repo / "gitdesk.yml").write_text("title: x\ntimezone: Mars/Olympus\n")
    code, _, err = run("--repo", str(repo), "validate")
    assert code == 2 and "gitdesk.yml:2: timezone: unknown time zone 'Mars/Olympus'" in err
    (repo / "gitdesk.yml").write_text("title: x\nsla:\n  targets:\n    P1: {calendar: office, response: 1h}\n")
    code, _, err = run("--repo", str(repo), "validate")
    assert code == 2 and "gitdesk.yml:2: sla.targets.P1.calendar: unknown calendar 'office'" in err


def test_unknown_option_is_usage_error(tmp_path: Path) -> None:
    code, _, err = run("--repo", str(tmp_path), "validate", "--format", "xml")
    assert code == 2 and "'xml' is not one of" in err


def test_installed_console_script_runs_without_traceback(case_repo) -> None:
    """The real process, as CI runs it: exit code and output survive the process boundary."""
    repo = case_repo("lifecycle")
    proc = subprocess.run([sys.executable, "-m", "gitdesk", "--repo", str(repo), "validate", "--no-history", "--format", "json"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert proc.returncode == 1
    assert len(json.loads(proc.stdout)["errors"]) == 3
    assert "Traceback" not in proc.stderr
