"""Files that `gitdesk init` and `gitdesk new` write, rendered from ``generator/workflow/templates/``.

Rendering is pure (values in, ``{path: text}`` out); writing is separate and
never replaces an existing file. Every value a user typed goes through the
``yaml`` filter, which quotes it with ruamel.yaml's emitter when plain text
would change its meaning (``title: yes``, ``title: "a: b"``), so a title can
never inject another field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

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
    "gitlab-ci.yml.j2": ".gitlab-ci.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitignore": ".gitignore",
}


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


def init_files(*, title: str, timezone: str = "Europe/Madrid", branch: str = "main") -> dict[str, str]:
    """Every file of a new gitdesk repo, by repo-relative path. The repo validates as written."""
    env = _environment()
    values = {"title": title, "timezone": timezone, "branch": branch}
    files = {target: env.get_template(name).render(values) for name, target in _INIT_TEMPLATES.items()}
    files[".vscode/settings.json"] = editor_settings()
    # the mapping above is read by this extension; VS Code offers to install it
    files[".vscode/extensions.json"] = json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n"
    files.update({f"{SCHEMA_DIR}/{name}": text for name, text in schema_files().items()})
    for folder in sorted({kind.folder for kind in Kind} | {"docs"}):
        files[f"{folder}/.gitkeep"] = ""
    return files


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
