"""Files that `gitdesk init` and `gitdesk new` write, rendered from ``generator/workflow/templates/``.

Rendering is pure (values in, ``{path: text}`` out); writing is separate and
never replaces an existing file. Every value a user typed goes through the
``yaml`` filter, which quotes it with ruamel.yaml's emitter when plain text
would change its meaning (``title: yes``, ``title: "a: b"``), so a title can
never inject another field.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import jinja2

from gitdesk.load import schema
from gitdesk.workflow.edit import render_scalar
from gitdesk.errors import GitdeskError
from gitdesk.model import Kind

SCHEMA_DIR = ".gitdesk/schemas"

#: template in generator/workflow/templates/ -> path in the new repo
_INIT_TEMPLATES: dict[str, str] = {
    "gitdesk.yml.j2": "gitdesk.yml",
    "mkdocs.yml.j2": "mkdocs.yml",
    "github-workflow.yml.j2": ".github/workflows/gitdesk.yml",
    "dependabot.yml": ".github/dependabot.yml",
    "gitlab-ci.yml.j2": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitignore": ".gitignore",
}


@functools.lru_cache(maxsize=1)  # one environment, so each template compiles once per process
def _environment() -> jinja2.Environment:
    # Output is YAML, not HTML: escaping is the `yaml` filter's job, applied to every user value.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gitdesk.workflow", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yaml"] = lambda value: render_scalar(str(value))
    return env


def schema_files() -> dict[str, str]:
    """``<name>.schema.json`` -> text for the six shipped schemas (the one source of truth)."""
    return {f"{name}.schema.json": schema.schema_text(name) for name in schema.SCHEMA_NAMES}


def editor_settings() -> str:
    """``.vscode/settings.json`` mapping each schema onto the files it describes (YAML extension)."""
    mapping: dict[str, list[str]] = {f"{SCHEMA_DIR}/config.schema.json": ["gitdesk.yml"]}
    for kind in Kind:
        deep = "**/" if kind is Kind.INCIDENT else ""  # incidents are sharded into year folders
        mapping[f"{SCHEMA_DIR}/{kind.value}.schema.json"] = [f"{kind.folder}/{deep}*.yaml", f"{kind.folder}/{deep}*.yml"]
    return json.dumps({"yaml.schemas": mapping}, indent=2) + "\n"


def default_mkdocs(title: str) -> str:
    """The one default ``mkdocs.yml`` of a desk (``templates/mkdocs.yml.j2``), with ``title`` as its site name.

    ``init`` writes it; a build of a repo without its own mkdocs.yml uses it. The
    title is quoted as YAML needs, so it can never add a key.
    """
    return _environment().get_template("mkdocs.yml.j2").render(title=title)


def init_files(*, title: str, install: InstallLine | None = None, timezone: str = "Europe/Madrid",
               branch: str = "main") -> dict[str, str]:
    """Every file of a new gitdesk repo, by repo-relative path. The repo validates as written.

    ``install`` is how the CI workflows install gitdesk (see :func:`install_line`).
    Without one (None, or no requirement) they fail with a clear message until the
    CI variable ``GITDESK_PACKAGE`` is set.
    """
    env = _environment()
    requirement = install.requirement if install is not None else None
    values = {"title": title, "timezone": timezone, "branch": branch, "install": requirement or ""}
    files = {target: env.get_template(name).render(values) for name, target in _INIT_TEMPLATES.items()}
    files[".vscode/settings.json"] = editor_settings()
    # the mapping above is read by this extension; VS Code offers to install it
    files[".vscode/extensions.json"] = json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n"
    files.update({f"{SCHEMA_DIR}/{name}": text for name, text in schema_files().items()})
    for folder in sorted({kind.folder for kind in Kind} | {"docs"}):
        files[f"{folder}/.gitkeep"] = ""
    return files


# --- how CI installs gitdesk ---------------------------------------------------------

DISTRIBUTION = "gitdesk"

#: what a URL, a commit or a version may contain in the install line. The line lands
#: in YAML and in a shell variable, and GitHub evaluates ``${{ }}`` even there, so
#: quotes, spaces, braces and ``$`` are refused rather than escaped.
_SAFE = re.compile(r"[A-Za-z0-9._~:/?#@!&+,;=%-]+")
_VCS = frozenset({"git", "hg", "svn", "bzr"})


@dataclass(frozen=True)
class InstallLine:
    """How CI installs gitdesk: a pip requirement, or (``requirement`` None) why there is none."""

    requirement: str | None
    source: str


def installed_distribution() -> metadata.Distribution | None:
    """The metadata of the installed ``gitdesk`` distribution, or None (run from a source tree).

    An installer leaves an ``INSTALLER`` file; a ``gitdesk.egg-info`` that a build
    left in a source folder has none, and must not pass for an index install when
    that folder is on ``sys.path`` (as the current folder is under ``python -m``).
    """
    for dist in metadata.distributions(name=DISTRIBUTION):
        if dist.read_text("INSTALLER") is not None:
            return dist
    return None


def install_line(dist: metadata.Distribution | None) -> InstallLine:
    """The pip requirement that installs, on a CI machine, the gitdesk that ``dist`` describes.

    PEP 610's ``direct_url.json`` tells where a direct install came from: a VCS
    URL and commit give ``gitdesk @ git+URL@COMMIT``, a remote archive gives
    ``gitdesk @ URL`` (with its hash). No ``direct_url.json`` means pip took it
    from an index: ``gitdesk==VERSION``. A local folder (editable or not), a
    local file, a URL carrying a password, or anything unreadable gives no
    requirement: CI must never fall back on a bare name nobody may own.
    """
    if dist is None:
        return InstallLine(None, "gitdesk runs from a source tree, not an installed distribution")
    try:
        text = dist.read_text("direct_url.json")
    except OSError as exc:
        return InstallLine(None, f"its direct_url.json cannot be read ({exc})")
    if text is None:
        return _pinned(dist.version)
    try:
        data = json.loads(text)
    except ValueError:
        return InstallLine(None, "its direct_url.json is not valid JSON")
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return InstallLine(None, "its direct_url.json has no url")
    return _direct(data)


def _pinned(version: str) -> InstallLine:
    if not _SAFE.fullmatch(version):
        return InstallLine(None, f"its version {version!r} cannot be pinned")
    return InstallLine(f"{DISTRIBUTION}=={version}", f"version {version} from a package index")


def _direct(data: dict[str, Any]) -> InstallLine:
    url: str = data["url"]
    parts = urlsplit(url)
    vcs_info, archive_info = data.get("vcs_info"), data.get("archive_info")
    if "dir_info" in data:
        editable = isinstance(data["dir_info"], dict) and data["dir_info"].get("editable") is True
        return InstallLine(None, f"{'an editable install of' if editable else 'an install from'} the local folder {url}")
    if parts.scheme == "file" or not parts.netloc:
        return InstallLine(None, f"an install from the local path {url}")
    if parts.scheme not in ("https", "ssh"):
        return InstallLine(None, f"an install over {parts.scheme}, which CI should not repeat (use https)")
    if parts.password is not None or (parts.scheme == "https" and parts.username is not None):
        # an https user name is how tokens usually travel; ssh's `git@` is not a secret
        return InstallLine(None, "an install from a URL that carries credentials (keep it in a CI secret)")
    if not _SAFE.fullmatch(url) or parts.fragment:
        return InstallLine(None, f"an install from {url!r}, which cannot be written safely into a workflow")
    fragments: list[str] = []
    subdirectory = data.get("subdirectory")
    if isinstance(subdirectory, str):
        if not _SAFE.fullmatch(subdirectory):
            return InstallLine(None, f"its subdirectory {subdirectory!r} cannot be written safely into a workflow")
        fragments.append(f"subdirectory={subdirectory}")
    if isinstance(vcs_info, dict):
        vcs, commit = vcs_info.get("vcs"), vcs_info.get("commit_id")
        if vcs not in _VCS or not isinstance(commit, str) or not re.fullmatch(r"[A-Za-z0-9._-]+", commit):
            return InstallLine(None, f"a {vcs} checkout without a commit gitdesk can pin")
        return InstallLine(f"{DISTRIBUTION} @ {vcs}+{url}@{commit}{_fragment(fragments)}", f"{vcs} {url} at {commit}")
    if isinstance(archive_info, dict):
        hashes = archive_info.get("hashes")
        sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
        if isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256):
            fragments.append(f"sha256={sha256}")  # pip checks the download against it
        return InstallLine(f"{DISTRIBUTION} @ {url}{_fragment(fragments)}", f"the archive {url}")
    return InstallLine(None, f"an install from {url} of a kind gitdesk does not know")


def _fragment(parts: list[str]) -> str:
    return "#" + "&".join(parts) if parts else ""


def render_ticket(kind: Kind, values: Mapping[str, Any]) -> str:
    """A new ticket's text from its kind's template (``generator/workflow/templates/tickets/<kind>.md.j2``)."""
    return _environment().get_template(f"tickets/{kind.value}.md.j2").render(values)


def write_new(directory: Path, files: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Write each file that does not exist yet; return (written, skipped) paths.

    Creation is exclusive (``O_EXCL``): a file that appears between the check and
    the write is skipped, never replaced.
    """
    written: list[str] = []
    skipped: list[str] = []
    root = directory.resolve()
    for rel, text in files.items():
        target = directory / rel
        if target.exists() or target.is_symlink():
            skipped.append(rel)
            continue
        existing = next(p for p in (target.parent, *target.parent.parents) if p.exists())
        if not existing.resolve().is_relative_to(root):  # a symlinked folder must not carry a write out of the repo
            raise GitdeskError(f"{rel}: its folder is a symbolic link that leaves {directory}; refusing to write",
                               hint="replace the link with a real folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            skipped.append(rel)
            continue
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
        written.append(rel)
    return written, skipped
