"""Exit codes and error messages as a user meets them: 0, 1, 2 as before; 70 and one line for a bug."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import NOW, run, run_process

# A bug, planted in a real process: the site core raises. Everything else is the real CLI.
BUGGY = """
import sys
from gitdesk import pipeline

def broken(*args, **kwargs):
    raise RuntimeError("renderer exploded\\nsecond line")

pipeline.site_bundle = broken
from gitdesk.cli import main
sys.argv = ["gitdesk", *sys.argv[1:]]
main()
"""


def test_an_internal_error_exits_70_with_one_line_naming_gitdesk_debug(repo: Path, tmp_path: Path) -> None:
    proc = run_process("-c", BUGGY, "--repo", str(repo), "generate", "--out", str(tmp_path / "out"), "--now", NOW)
    assert proc.returncode == 70
    assert proc.stderr.strip().splitlines() == [
        "gitdesk: internal error (RuntimeError: renderer exploded); this is a bug: "
        "rerun with GITDESK_DEBUG=1 for the traceback and report it"]
    assert not (tmp_path / "out").exists()


def test_gitdesk_debug_shows_the_traceback(repo: Path, tmp_path: Path) -> None:
    proc = run_process("-c", BUGGY, "--repo", str(repo), "generate", "--out", str(tmp_path / "out"), "--now", NOW,
                       env={"GITDESK_DEBUG": "1"})
    assert proc.returncode == 70
    assert "Traceback (most recent call last)" in proc.stderr
    assert ", in broken\n" in proc.stderr and "RuntimeError: renderer exploded\nsecond line" in proc.stderr
    assert proc.stderr.rstrip().endswith("report it")


def test_user_errors_still_exit_2_and_check_failures_1(repo: Path, tmp_path: Path) -> None:
    assert run(tmp_path, "validate").exit_code == 2  # no gitdesk.yml
    assert run(repo, "build", "--now", "yesterday").exit_code == 2
    (repo / "tickets/incidents/2026/INC-0002.md").write_text("---\nid: INC-0002\n---\n", encoding="utf-8")
    result = run(repo, "validate", "--no-history")
    assert result.exit_code == 1 and "INC-0002.md" in result.stdout


def _config_error(repo: Path, text: str) -> str:
    (repo / "gitdesk.yml").write_text(text, encoding="utf-8")
    result = run(repo, "validate", "--no-history")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_config_errors_read_file_line_key_message(repo: Path) -> None:
    err = _config_error(repo, "title: Desk\n\ncalendars:\n  office:\n    hours: {mon: ['17:00-09:00']}\n")
    assert err.splitlines()[0] == "gitdesk.yml:3: calendars.office.hours.mon: '17:00-09:00' ends before it starts"
    err = _config_error(repo, "title: Desk\ncomponents: []\nclients:\n  - {id: acme, name: Acme}\n  - {id: acme, name: Acme 2}\n")
    assert err.splitlines()[0] == "gitdesk.yml:3: clients[1].id: client id 'acme' is declared twice"
    err = _config_error(repo, "title: Desk\nsla:\n  targets:\n    P1: {calendar: office, response: 1h}\n")
    assert err.splitlines()[0] == "gitdesk.yml:2: sla.targets.P1.calendar: unknown calendar 'office'; known: always"


def test_every_schema_problem_is_listed_each_on_its_own_line(repo: Path) -> None:
    err = _config_error(repo, "title: Desk\ncomponnets: []\nbranch: 7\n")
    lines = err.splitlines()
    assert lines[0] == "gitdesk.yml:2: componnets: unknown field 'componnets'; did you mean 'components'?"
    assert lines[1].startswith("gitdesk.yml:3: branch: ")
    assert "gitdesk schema" in err  # the hint


def test_holiday_regions_are_checked_without_a_fixed_year(repo: Path) -> None:
    calendar = "title: Desk\ncalendars:\n  business:\n    hours: {mon: ['09:00-17:00']}\n    holidays: {country: ES, subdiv: %s}\n"
    err = _config_error(repo, calendar % "XX")
    assert err.splitlines()[0].startswith("gitdesk.yml:2: calendars.business.holidays: ")
    assert "XX" in err.splitlines()[0]
    (repo / "gitdesk.yml").write_text(calendar % "MD", encoding="utf-8")
    assert run(repo, "validate", "--no-history").exit_code in (0, 1)  # the config loads; tickets are judged


def test_a_bad_mkdocs_yml_without_the_plugin_is_a_clear_config_error(repo: Path) -> None:
    (repo / "docs").mkdir()
    (repo / "mkdocs.yml").write_text("site_name: x\nplugins: [search]\n", encoding="utf-8")
    result = run(repo, "build", "--client", "acme", "--now", NOW)
    assert result.exit_code == 2
    assert "does not enable the gitdesk plugin" in result.stderr and "plugins: [search, gitdesk]" in result.stderr
    assert not (repo / "site").exists()
