"""`gitdesk new`: templates, ids, year folders, and refusals that write nothing."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gitdesk.commands.workflow import plan_new
from gitdesk.config import load_config
from gitdesk.load.files import load_bytes
from gitdesk.model import Kind
from workflow_testkit import Desk

GOLDEN = Path(__file__).parent / "golden" / "new"
NOW = datetime(2026, 11, 23, 9, 5, tzinfo=timezone.utc)
OPTIONS: dict[Kind, dict[str, object]] = {
    Kind.INCIDENT: {"title": "Accounting export fails: v3.2", "severity": "P1", "components": ["accounting"]},
    Kind.DECISION: {"title": "Retry failed exports automatically"},
    Kind.BACKLOG: {"title": "Dashboard filters by status", "category": "ux", "components": ["dashboard"]},
    Kind.MAINTENANCE: {"title": "Database upgrade", "components": ["accounting"],
                       "starts_at": "2026-12-05T22:00:00+01:00", "ends_at": "2026-12-06T02:00:00+01:00"},
    Kind.RUNBOOK: {"title": "Weekly backup restore test"},
}


def _plan(desk: Desk, kind: Kind, now: datetime = NOW, **override: object) -> tuple[str, str]:
    options: dict[str, object] = {"severity": None, "components": [], "client": None, "starts_at": None, "ends_at": None, "category": None}
    options.update(OPTIONS[kind])
    options.update(override)
    return plan_new(desk.root, load_config(desk.root), kind, now=now, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_new_ticket_matches_golden_and_loads_cleanly(desk: Desk, kind: Kind) -> None:
    path, text = _plan(desk, kind)
    golden = GOLDEN / f"{kind.value}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    ticket, diagnostics = load_bytes(text.encode(), path)
    assert ticket is not None and ticket.kind is kind and diagnostics == []


def test_cli_writes_each_kind_and_the_repo_still_validates(desk: Desk) -> None:
    paths = []
    for kind, options in OPTIONS.items():
        args = ["new", kind.value, "--title", str(options["title"])]
        for key in ("severity", "category", "starts_at", "ends_at"):
            if key in options:
                args += [f"--{key.replace('_', '-')}", str(options[key])]
        for component in options.get("components", []):  # type: ignore[union-attr]
            args += ["--component", component]
        result = desk.run(*args)
        assert result.exit_code == 0, result.output
        paths.append(result.stdout.strip())
    year = datetime.now(timezone.utc).year
    assert paths[0].startswith(f"tickets/incidents/{year - 1}/") or paths[0].startswith(f"tickets/incidents/{year}/")
    assert paths[1:] == ["tickets/decisions/DEC-0001.md", "backlog/EVO-0001.md", "tickets/maintenance/MNT-0001.md",
                         "runbooks/weekly-backup-restore-test.md"]
    assert all((desk.root / p).is_file() for p in paths)
    assert desk.run("validate", "--no-history").exit_code == 0


def test_the_year_folder_follows_the_service_time_zone(desk: Desk) -> None:
    # 23:30 UTC on New Year's Eve is already 2027 in Madrid.
    path, _ = _plan(desk, Kind.INCIDENT, now=datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    assert path == "tickets/incidents/2027/INC-0001.md"


@pytest.mark.parametrize("title", ["yes", "a: b # c", "'quoted'", "- dash", "100", "2026-01-01", "{x: 1}"])
def test_titles_that_look_like_yaml_stay_text(desk: Desk, title: str) -> None:
    path, text = _plan(desk, Kind.DECISION, title=title)
    ticket, _ = load_bytes(text.encode(), path)
    assert ticket is not None and ticket.fields["title"] == title


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["incident", "--title", "Down"], "--severity is required"),
        (["incident", "--title", "Down", "--severity", "P0", "--component", "billing"], "components in gitdesk.yml: accounting, dashboard, operations"),
        (["incident", "--title", "Down", "--severity", "P0", "--client", "acme"], "clients in gitdesk.yml: none declared"),
        (["incident", "--title", "  ", "--severity", "P0"], "--title is empty"),
        (["incident", "--title", "Down\nstatus: closed", "--severity", "P0"], "one line"),
        (["backlog", "--title", "Faster", "--category", "speed"], "one of: automation, ux, reports"),
        (["maintenance", "--title", "Upgrade"], "needs --starts-at and --ends-at"),
        (["maintenance", "--title", "Upgrade", "--starts-at", "2026-12-05T22:00", "--ends-at", "2026-12-06T02:00:00+01:00"], "with an offset"),
        (["maintenance", "--title", "Upgrade", "--starts-at", "2026-12-06T02:00:00+01:00", "--ends-at", "2026-12-05T22:00:00+01:00"], "must be after"),
        (["runbook", "--title", "!!!"], "cannot make a file name"),
    ],
)
def test_refusals_exit_2_and_write_nothing(desk: Desk, args: list[str], message: str) -> None:
    before = desk.snapshot()
    result = desk.run("new", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert desk.snapshot() == before


def test_client_is_required_once_clients_are_declared(desk: Desk) -> None:
    config = desk.root / "gitdesk.yml"
    config.write_text(config.read_text() + "clients:\n  - {id: acme, name: Acme Corp, components: [accounting]}\n")
    before = desk.snapshot()
    result = desk.run("new", "incident", "--title", "Down", "--severity", "P0")
    assert result.exit_code == 2 and "choose one of: acme" in result.stderr
    assert desk.snapshot() == before
    result = desk.run("new", "incident", "--title", "Down", "--severity", "P0", "--client", "acme")
    assert result.exit_code == 0
    assert "client: acme" in (desk.root / result.stdout.strip()).read_text()


def test_an_existing_runbook_is_not_replaced(desk: Desk) -> None:
    desk.write("runbooks/restore-test.md", "---\ntitle: Restore test\n---\nMine.\n")
    before = desk.snapshot()
    result = desk.run("new", "runbook", "--title", "Restore test")
    assert result.exit_code == 2 and "exists already" in result.stderr
    assert desk.snapshot() == before


def test_new_outside_a_gitdesk_repo_is_a_usage_error(tmp_path: Path) -> None:
    from workflow_testkit import run_cli

    result = run_cli("--repo", str(tmp_path), "new", "decision", "--title", "X")
    assert result.exit_code == 2 and "gitdesk init" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_year_folder_that_links_out_of_the_repo_is_refused(desk: Desk, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    year = datetime.now(timezone.utc).astimezone(ZoneInfo("Europe/Madrid")).year
    (desk.root / f"tickets/incidents/{year}").symlink_to(outside, target_is_directory=True)
    result = desk.run("new", "incident", "--title", "Down", "--severity", "P0")
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert list(outside.iterdir()) == []
    (desk.root / f"tickets/incidents/{year}").unlink()
    (desk.root / "tickets/incidents").rename(desk.root / "moved")
    (desk.root / "tickets/incidents").symlink_to(outside, target_is_directory=True)  # no year folder yet: none may be made outside
    assert desk.run("new", "incident", "--title", "Down", "--severity", "P0").exit_code == 2
    assert list(outside.iterdir()) == []
