"""`gitdesk init` and `gitdesk schema`: a repo that validates at once, and nothing overwritten."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from gitdesk.load import schema
from gitdesk.workflow import scaffold
from gitdesk.config import load_config
from workflow_testkit import run_cli

GOLDEN = Path(__file__).parent / "golden" / "init"
PROJECT = Path(__file__).parents[2]
PINNED = scaffold.InstallLine("gitdesk @ git+https://github.com/acme/gitdesk.git@" + "0123456789abcdef" * 2 + "01234567",
                              "git https://github.com/acme/gitdesk.git")


def _yaml(path: Path) -> object:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _init(tmp_path: Path, *args: str) -> tuple[Path, object]:
    target = tmp_path / "ops"
    result = run_cli("init", str(target), "--title", "Acme ERP — service status", *args)
    return target, result


def test_init_writes_a_repo_that_validates_at_once(tmp_path: Path) -> None:
    target, result = _init(tmp_path)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert run_cli("--repo", str(target), "validate").exit_code == 0
    assert (target / ".git").is_dir()
    for folder in ("tickets/incidents", "tickets/decisions", "tickets/maintenance", "backlog", "runbooks"):
        assert (target / folder).is_dir()


def test_rendered_files_match_golden() -> None:
    files = scaffold.init_files(title="Acme ERP — service status", install=PINNED)
    checked = {rel: text for rel, text in files.items() if not rel.startswith(scaffold.SCHEMA_DIR) and text}
    for rel, text in checked.items():
        golden = GOLDEN / rel
        if os.environ.get("UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.read_text(encoding="utf-8") == text, rel
    assert {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file()} == set(checked)


def test_config_uses_the_service_numbers(tmp_path: Path) -> None:
    target, _ = _init(tmp_path)
    config = load_config(target)
    assert config.uptime.target == 99.8 and config.uptime.notice == 48 * 3600
    p0, p2 = config.sla.targets["P0"], config.sla.targets["P2"]
    assert (p0.calendar, p0.response, p0.mitigation, p0.resolution) == ("always", 15 * 60, 3600, 4 * 3600)
    assert (p2.calendar, p2.resolution) == ("business", 40 * 3600)
    assert config.calendars["business"].holidays_country == "ES"


def test_the_commented_service_review_works_once_uncommented(tmp_path: Path) -> None:
    target, _ = _init(tmp_path)
    config_file = target / "gitdesk.yml"
    text = config_file.read_text(encoding="utf-8")
    assert "\n# service_review: {" in text and load_config(target).service_review is None
    config_file.write_text(text.replace("\n# service_review: {", "\nservice_review: {"), encoding="utf-8")
    review = load_config(target).service_review
    assert review is not None and review.every == "monthly"
    assert run_cli("--repo", str(target), "validate").exit_code == 0


def test_gitlab_ci_and_pre_commit_config_parse(tmp_path: Path) -> None:
    target, _ = _init(tmp_path)
    gitlab = _yaml(target / ".gitlab-ci.yml")
    assert isinstance(gitlab, dict) and gitlab["variables"]["GIT_DEPTH"] == 0
    assert "gitdesk sla check" in gitlab["gitdesk"]["script"]
    hooks = _yaml(target / ".pre-commit-config.yaml")
    assert isinstance(hooks, dict) and hooks["repos"][0]["hooks"][0]["entry"].startswith("gitdesk validate")


def test_editor_settings_map_every_schema_to_a_shipped_copy(tmp_path: Path) -> None:
    target, _ = _init(tmp_path)
    settings = json.loads((target / ".vscode/settings.json").read_text())
    mapped = settings["yaml.schemas"]
    assert len(mapped) == len(schema.SCHEMA_NAMES)
    for schema_path, globs in mapped.items():
        name = Path(schema_path).name.removesuffix(".schema.json")
        assert (target / schema_path).read_text() == schema.schema_text(name)
        assert globs
    assert mapped[".gitdesk/schemas/incident.schema.json"][0] == "tickets/incidents/**/*.yaml"


def test_init_never_overwrites_and_reports_what_it_skipped(tmp_path: Path) -> None:
    target = tmp_path / "ops"
    (target / ".github/workflows").mkdir(parents=True)
    (target / "gitdesk.yml").write_text("title: Mine\n")
    (target / ".github/workflows/gitdesk.yml").write_text("# my own workflow\n")
    result = run_cli("init", str(target))
    assert result.exit_code == 0
    assert "skipped gitdesk.yml" in result.stderr and "skipped .github/workflows/gitdesk.yml" in result.stderr
    assert (target / "gitdesk.yml").read_text() == "title: Mine\n"
    assert (target / ".github/workflows/gitdesk.yml").read_text() == "# my own workflow\n"
    assert (target / "mkdocs.yml").is_file()
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file() and ".git" not in p.parts}
    again = run_cli("init", str(target))
    assert again.exit_code == 0 and "created" not in again.stdout
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file() and ".git" not in p.parts} == before


def test_project_ships_a_pre_commit_hook() -> None:
    hooks = _yaml(PROJECT / ".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    hook = hooks[0]
    assert hook["id"] == "gitdesk-validate" and hook["entry"].startswith("gitdesk validate")
    assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_schema_out_writes_the_six_files_and_is_idempotent(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    result = run_cli("schema", "--out", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.schema.json" for n in schema.SCHEMA_NAMES)
    assert (out / "incident.schema.json").read_text() == schema.schema_text("incident")
    assert run_cli("schema", "--out", str(out)).stdout.count("unchanged") == len(schema.SCHEMA_NAMES)


def test_schema_without_out_prints_one_json_document() -> None:
    result = run_cli("schema")
    printed = json.loads(result.stdout)
    assert set(printed) == set(schema.SCHEMA_NAMES)
    assert printed["incident"]["properties"]["status"]["enum"][0] == "reported"


@pytest.mark.parametrize("name", schema.SCHEMA_NAMES)
def test_shipped_schema_copies_are_valid_json(name: str) -> None:
    assert json.loads(scaffold.schema_files()[f"{name}.schema.json"])["$schema"].endswith("2020-12/schema")


def test_init_on_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    result = run_cli("init", str(target))
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert target.read_text() == "mine"


def test_schema_out_refuses_to_write_through_a_symlink(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("keep")
    (out / "config.schema.json").symlink_to(elsewhere)  # the last one written: nothing may be written before the refusal
    result = run_cli("schema", "--out", str(out))
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert elsewhere.read_text() == "keep"
    assert [p.name for p in out.iterdir()] == ["config.schema.json"]


def _ci_clone(tmp_path: Path) -> tuple[Path, Path]:
    """A scaffolded origin with one commit on main, and a detached clone without a local main (as CI has)."""
    origin, _ = _init(tmp_path)
    env_git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.org"]
    subprocess.run([*env_git, "-C", str(origin), "add", "-A"], check=True)
    subprocess.run([*env_git, "-C", str(origin), "commit", "-qm", "init"], check=True)
    clone = tmp_path / "ci"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach"], check=True)
    subprocess.run(["git", "-C", str(clone), "branch", "-D", "-q", "main"], check=True)
    return origin, clone


def _has_main(clone: Path) -> bool:
    return subprocess.run(["git", "-C", str(clone), "rev-parse", "--verify", "-q", "refs/heads/main"], capture_output=True).returncode == 0


def test_github_pr_step_creates_the_local_evidence_branch(tmp_path: Path) -> None:
    origin, clone = _ci_clone(tmp_path)
    flow = _yaml(origin / ".github/workflows/gitdesk.yml")
    assert isinstance(flow, dict)
    step = next(s for s in flow["jobs"]["check"]["steps"] if s.get("name", "").startswith("Make main"))
    assert not _has_main(clone)
    subprocess.run(["bash", "-ec", step["run"]], cwd=clone, check=True)
    assert _has_main(clone)
    subprocess.run(["bash", "-ec", step["run"]], cwd=clone, check=True)  # and it is harmless when main exists


@pytest.mark.parametrize("branch", ["main", "feature"])
def test_gitlab_before_script_creates_the_local_evidence_branch(tmp_path: Path, branch: str) -> None:
    origin, clone = _ci_clone(tmp_path)
    gitlab = _yaml(origin / ".gitlab-ci.yml")
    assert isinstance(gitlab, dict)
    script = gitlab["default"]["before_script"][-1]
    sha = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["bash", "-ec", script], cwd=clone, check=True, env={**os.environ, "CI_COMMIT_BRANCH": branch, "CI_COMMIT_SHA": sha})
    assert _has_main(clone)


def test_default_mkdocs_is_what_init_writes_and_works_offline() -> None:
    text = scaffold.default_mkdocs("Acme ERP — service status")
    assert scaffold.init_files(title="Acme ERP — service status")["mkdocs.yml"] == text
    config = YAML(typ="safe", pure=True).load(text)
    assert config["site_name"] == "Acme ERP — service status"
    assert config["theme"]["font"] is False  # no Google Fonts: nothing loads from elsewhere
    assert config["use_directory_urls"] is False and config["docs_dir"] == "docs"
    assert [p["scheme"] for p in config["theme"]["palette"]] == ["default", "slate"]
    # one line, so that `generate` can swap it for plain search for other builders
    assert re.search(r"\nplugins: \[search, offline, gitdesk\] +#[^\n]*\n", text)
