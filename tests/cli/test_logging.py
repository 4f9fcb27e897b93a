"""`-v`/`-q` on the `gitdesk` group: how much a build says on stderr."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import NOW, run


def _break_a_ticket(repo: Path) -> None:
    (repo / "tickets/incidents/2026/INC-0002.md").write_text("---\nid: [not, closed\n---\n", encoding="utf-8")


def test_a_build_reports_its_summary_and_warnings_by_default(repo: Path) -> None:
    _break_a_ticket(repo)
    result = run(repo, "build", "--client", "acme", "--now", NOW, "--keep-going")
    assert result.exit_code == 0, result.output
    assert ("gitdesk: warning: tickets/incidents/2026/INC-0002.md is left out of the site: GD010 invalid YAML: "
            "did not find expected ',' or ']'") in result.stderr.splitlines()
    assert "✓ built" in result.stderr and "1 file(s) left out: tickets/incidents/2026/INC-0002.md" in result.stderr
    assert "Building documentation" not in result.stderr  # MkDocs' progress needs -v
    assert result.stdout == ""


def test_quiet_keeps_warnings_and_double_quiet_says_nothing_on_success(repo: Path) -> None:
    _break_a_ticket(repo)
    quiet = run(repo, "-q", "build", "--client", "acme", "--now", NOW, "--keep-going")
    assert quiet.exit_code == 0
    assert quiet.stderr.splitlines() == [
        "gitdesk: warning: tickets/incidents/2026/INC-0002.md is left out of the site: GD010 invalid YAML: "
        "did not find expected ',' or ']'"]
    silent = run(repo, "-qq", "build", "--client", "acme", "--now", NOW, "--keep-going")
    assert silent.exit_code == 0 and silent.stderr == ""
    assert (repo / "site/index.html").is_file()


def test_errors_are_shown_even_when_quiet(tmp_path: Path) -> None:
    result = run(tmp_path, "-qq", "build")
    assert result.exit_code == 2 and "no gitdesk.yml" in result.stderr


def test_verbose_adds_mkdocs_progress_and_double_verbose_its_debug_output(repo: Path) -> None:
    verbose = run(repo, "-v", "build", "--client", "acme", "--now", NOW)
    assert verbose.exit_code == 0
    assert "INFO - Building documentation" in verbose.stderr or "INFO - Documentation built" in verbose.stderr
    assert "DEBUG - " not in verbose.stderr
    louder = run(repo, "-vv", "build", "--client", "acme", "--now", NOW)
    assert louder.exit_code == 0 and "DEBUG - " in louder.stderr
    # The flags do not stick: the next plain run is as terse as ever.
    plain = run(repo, "build", "--client", "acme", "--now", NOW)
    assert "INFO - " not in plain.stderr and "DEBUG - " not in plain.stderr


def test_quiet_silences_the_validate_and_sla_check_summaries(repo: Path) -> None:
    """The summary line is progress talk: shown by default, gone with -q; the findings and the exit code stay."""
    for command in (["validate"], ["sla", "check", "--now", NOW]):
        loud = run(repo, *command)
        summary = [line for line in loud.stderr.splitlines() if line.startswith(("✓ ", "✗ "))]
        assert len(summary) == 1, loud.stderr
        quiet = run(repo, "-q", *command)
        assert quiet.exit_code == loud.exit_code and quiet.stdout == loud.stdout
        assert summary[0] not in quiet.stderr and not [line for line in quiet.stderr.splitlines() if line.startswith(("✓ ", "✗ "))]
    _break_a_ticket(repo)
    failed = run(repo, "-q", "validate")
    assert failed.exit_code == 1 and "GD010" in failed.stdout and "✗" not in failed.stderr
