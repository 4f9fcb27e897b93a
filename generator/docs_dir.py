"""The repo's MkDocs side read as untrusted input: mkdocs.yml and the files of its ``docs_dir``.

Anyone who can open a pull request can add a file under docs/ or edit
mkdocs.yml. MkDocs copies every file of ``docs_dir`` into the site and
follows symlinks while it walks, so a link there publishes whatever it
points at on the build machine (``/proc/self/environ`` holds CI tokens).
The build and ``gitdesk validate`` share the rules below: no symlink, no
file outside the repository, no page whose front matter hides it from the
audience, no front matter that does not parse.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gitdesk.errors import GitdeskError

MKDOCS_FILE = "mkdocs.yml"
VISIBILITIES = ("public", "internal")
#: Plugins that ship with MkDocs, Material or gitdesk and only read the docs: anything else is code someone installed.
KNOWN_PLUGINS = frozenset({"search", "gitdesk", *(f"{prefix}{name}" for prefix in ("", "material/") for name in (
    "search", "tags", "offline", "privacy", "social", "blog", "meta", "group", "typeset", "optimize"))})


@dataclass(frozen=True)
class MkdocsYml:
    """What gitdesk needs of mkdocs.yml without running MkDocs (or any of the code it names)."""

    path: Path
    #: absolute, not resolved: a symlinked docs_dir must still be seen as one
    docs_dir: Path
    hooks: tuple[str, ...]
    plugins: tuple[str, ...]
    site_url: str | None = None
    #: the theme's ``custom_dir`` (absolute), whose static files MkDocs publishes too
    custom_dir: Path | None = None


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose `!!python/name:` and `!ENV` tags SafeLoader refuses; tagged values become None."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_mkdocs_yml(repo: Path) -> MkdocsYml | None:
    """The repo's mkdocs.yml, or None when it has none (gitdesk then builds with an empty docs folder).

    Raises GitdeskError when the file is not readable YAML.
    """
    path = repo / MKDOCS_FILE
    return read_mkdocs_file(path) if path.is_file() else None


def read_mkdocs_file(path: Path) -> MkdocsYml:
    """Read the mkdocs.yml at ``path``; GitdeskError when it is not readable YAML."""
    try:
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_AnyTagLoader)  # noqa: S506 (a SafeLoader subclass)
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        raise GitdeskError(f"{MKDOCS_FILE} cannot be read: {exc}", hint="fix its YAML; `mkdocs build` shows the same error") from None
    raw = raw if isinstance(raw, dict) else {}
    plugins = raw.get("plugins")
    names = [next(iter(p)) if isinstance(p, dict) and p else p for p in plugins] if isinstance(plugins, list) else list(plugins or {})
    hooks = raw.get("hooks")
    docs = raw.get("docs_dir")
    theme = raw.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return MkdocsYml(path=path, docs_dir=path.parent / (docs if isinstance(docs, str) and docs else "docs"),
                     hooks=tuple(str(h) for h in hooks) if isinstance(hooks, list) else (),
                     plugins=tuple(str(n) for n in names if n is not None),
                     site_url=str(raw["site_url"]) if raw.get("site_url") else None,
                     custom_dir=path.parent / custom if isinstance(custom, str) and custom else None)


def code_warnings(config: MkdocsYml) -> list[tuple[str, str]]:
    """(problem, fix) for each thing in mkdocs.yml that runs code during a build: hooks, unknown plugins."""
    out = []
    if config.hooks:
        out.append((f"{MKDOCS_FILE} declares hooks ({', '.join(config.hooks)}): Python files that run with the "
                    "build's rights and secrets, also when CI builds a pull request",
                    "review every change to them like code; build pull requests from forks without secrets "
                    "(see docs/site.md, Trust)"))
    unknown = [name for name in config.plugins if name not in KNOWN_PLUGINS]
    if unknown:
        out.append((f"{MKDOCS_FILE} enables plugin(s) that neither MkDocs, Material nor gitdesk ship: {', '.join(unknown)}; "
                    "a plugin runs code during every build",
                    "keep only plugins you have reviewed and pinned, and review changes to the plugins list like code"))
    return out


@dataclass(frozen=True)
class Refused:
    """A file under docs_dir that is never published, and why."""

    path: Path
    reason: str
    fix: str
    #: GD400 a file that may not be published at all, GD401 a page whose audience cannot be told
    code: str = "GD400"


def refusal(path: Path, *, root: Path, repo: Path) -> Refused | None:
    """Why ``path`` (a file found under ``root``) may not be published, or None when it may.

    Refused: a symlink anywhere between ``root`` and the file (``root``
    included), anything that is not a regular file, anything that resolves
    outside ``repo``.
    """
    try:
        relative = path.relative_to(root)
    except ValueError:
        relative = Path(path.name)
    current = root
    for part in ("", *relative.parts):
        current = current / part if part else current
        if current.is_symlink():
            target = os.readlink(current)
            return Refused(path, f"is a symlink ({shown(current, repo)} -> {target}); MkDocs would publish what it points at",
                           "replace the link with a copy of the file inside the repository, or remove it")
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return Refused(path, f"cannot be read: {exc.strerror}", "remove it or make it readable")
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # a FIFO would hang the build, a device would leak
        return Refused(path, "is not a regular file", "remove it")
    if not path.resolve().is_relative_to(repo.resolve()):
        return Refused(path, "is outside the repository", f"set docs_dir in {MKDOCS_FILE} to a folder inside the repository")
    return None


def scan(docs_dir: Path, *, repo: Path) -> list[Refused]:
    """Every refused file under ``docs_dir``, walked without following links (a missing folder is an empty one).

    A symlinked folder is one refusal: its contents are not walked, as MkDocs would.
    """
    if not docs_dir.is_dir() and not docs_dir.is_symlink():
        return []
    top = refusal(docs_dir, root=docs_dir, repo=repo)
    if top is not None:
        return [top]
    out = []
    for folder, dirs, files in os.walk(docs_dir):
        base = Path(folder)
        for name in sorted(dirs):
            if (base / name).is_symlink():
                out.append(refusal(base / name, root=docs_dir, repo=repo))
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink())
        out.extend(refusal(base / name, root=docs_dir, repo=repo) for name in sorted(files))
    return [r for r in out if r is not None]


def pages(docs_dir: Path, *, skip: set[Path]) -> list[Path]:
    """The Markdown pages under ``docs_dir`` that are not in ``skip``, walked without following links."""
    if docs_dir.is_symlink() or not docs_dir.is_dir():
        return []
    found: list[Path] = []
    for folder, dirs, files in os.walk(docs_dir):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
        found.extend(Path(folder) / name for name in sorted(files) if name.endswith(".md"))
    return [page for page in found if page not in skip]


def page_meta(text: str) -> dict[str, Any] | None:
    """A docs page's front matter as MkDocs reads it; None when a YAML header is there but does not parse.

    MkDocs renders a page whose header does not parse with no metadata at
    all, so a broken ``visibility: internal`` would publish the page: the
    caller refuses such a page instead.
    """
    from mkdocs.utils.meta import YAML_RE, get_data

    match = YAML_RE.match(text)
    if match:
        try:
            parsed = yaml.load(match.group(1), Loader=_AnyTagLoader)  # noqa: S506 (a SafeLoader subclass)
        except yaml.YAMLError:
            return None
        if not isinstance(parsed, dict):
            return None
    return get_data(text)[1]


def meta_problem(meta: dict[str, Any] | None, *, clients: frozenset[str] | set[str]) -> str | None:
    """What is wrong with a page's audience keys (``visibility``, ``client``), or None."""
    if meta is None:
        return "its front matter does not parse as YAML, so nobody can tell who may read it; fix the header"
    visibility = meta.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        return f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}"
    client = meta.get("client")
    if client is not None and client not in clients:
        return f"unknown client {client!r}; clients in gitdesk.yml: {', '.join(sorted(clients)) or 'none declared'}"
    return None


def page_visible(meta: dict[str, Any], *, internal: bool, client: str | None, default_visibility: str) -> bool:
    """Whether a docs page with front matter ``meta`` may appear in a build, by the rules tickets follow.

    Fails closed: any visibility other than ``public`` hides the page from clients.
    """
    owner = meta.get("client")
    if client is not None and owner is not None and owner != client:
        return False
    if internal:
        return True
    if meta.get("visibility", default_visibility) != "public":
        return False
    return owner is None or client is not None


def page_audience(path: Path, *, clients: frozenset[str] | set[str]) -> tuple[dict[str, Any] | None, str | None]:
    """A docs page's front matter and what is wrong with its audience keys (None when nothing is)."""
    text = read_page(path)
    if text is None:
        return None, "it is not UTF-8 text"
    meta = page_meta(text)
    return meta, meta_problem(meta, clients=clients)


def read_page(path: Path) -> str | None:
    """A docs page's text as MkDocs reads it (BOM dropped), or None when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def shown(path: Path, repo: Path) -> str:
    """``path`` as messages name it: relative to the repo when inside it."""
    try:
        return path.relative_to(repo).as_posix()
    except ValueError:
        return str(path)
