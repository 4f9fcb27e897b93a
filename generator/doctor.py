"""`gitdesk doctor`: what a desk is missing to publish, each finding with its fix.

It runs the checks ``publish`` runs before it builds (access files, the feed
secret, Git history, the MkDocs plugin) and some ``publish`` cannot see
(``site.url``, mkdocs.yml), and reports them all at once instead of stopping
at the first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from gitdesk.config import CONFIG_FILE, Config, load_config
from gitdesk.errors import GitdeskError

MKDOCS_FILE = "mkdocs.yml"


class Severity(str, enum.Enum):
    #: publish refuses, or would publish something wrong
    BLOCKS = "blocks"
    #: publish works, with less than it could
    WARNS = "warns"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    problem: str
    fix: str


def diagnose(repo: Path, *, environ: Mapping[str, str]) -> list[Finding]:
    """Every finding for the desk at ``repo``, blocking ones first; an empty list means ready to publish.

    Raises ConfigError (exit 2) when gitdesk.yml is missing or invalid: nothing else can be judged then.
    """
    config = load_config(repo)
    findings = [*_site_url(config), *_access(config, repo), *_secret(environ), *_history(config, repo), *_mkdocs(repo), *_plugin()]
    return sorted(findings, key=lambda f: f.severity is not Severity.BLOCKS)


def _site_url(config: Config) -> list[Finding]:
    if config.site.url:
        return []
    return [Finding(Severity.BLOCKS, f"{CONFIG_FILE} has no site.url: feeds, calendars and the sitemap would link to the nginx address",
                    f"set the public address in {CONFIG_FILE}: `site: {{url: https://status.example.org/}}`")]


def _access(config: Config, repo: Path) -> list[Finding]:
    from gitdesk.adapters.publish import access_specs, resolve_access

    findings = []
    for spec in access_specs(config):
        try:
            resolve_access(spec, repo)
        except GitdeskError as exc:
            findings.append(Finding(Severity.BLOCKS, exc.message, exc.hint or "fix the file named above"))
    return findings


def _secret(environ: Mapping[str, str]) -> list[Finding]:
    from gitdesk.adapters.publish import FEED_SECRET_ENV, feed_secret

    try:
        if feed_secret(environ) is not None:
            return []
    except GitdeskError as exc:
        return [Finding(Severity.BLOCKS, exc.message, exc.hint or "")]
    return [Finding(Severity.WARNS, f"{FEED_SECRET_ENV} is not set: feeds and calendars are published behind basic auth only, "
                                    "which most feed readers and calendar apps cannot use",
                    f"set it to a random secret where publish runs, e.g. `export {FEED_SECRET_ENV}=$(openssl rand -hex 32)` "
                    "(a CI secret); rotating it revokes the feed URLs")]


def _history(config: Config, repo: Path) -> list[Finding]:
    from gitdesk.history import read_history

    try:
        read_history(repo, branch=config.branch, witness_tolerance=config.sla.witness_tolerance)
    except GitdeskError as exc:  # a shallow clone, no Git repo, no commits, no such branch
        return [Finding(Severity.BLOCKS, exc.message, exc.hint or "")]
    return []


def _mkdocs(repo: Path) -> list[Finding]:
    from gitdesk.docs_dir import code_warnings, read_mkdocs_yml

    try:
        mkdocs = read_mkdocs_yml(repo)
    except GitdeskError as exc:
        return [Finding(Severity.BLOCKS, exc.message, exc.hint or "")]
    if mkdocs is None:
        return []  # gitdesk builds with its own default mkdocs.yml, which enables the plugin
    findings = []
    if "gitdesk" not in mkdocs.plugins:
        findings.append(Finding(Severity.BLOCKS, f"{MKDOCS_FILE} does not enable the gitdesk plugin, so the site would have no status pages",
                                f"add it to {MKDOCS_FILE}: `plugins: [search, gitdesk]`"))
    if mkdocs.site_url:
        findings.append(Finding(Severity.WARNS, f"{MKDOCS_FILE} sets site_url, so every published site links to that one address "
                                                "(canonical links, sitemap, the 404 page) instead of its own folder",
                                f"remove site_url from {MKDOCS_FILE}; publish gives each site site.url/<client>/ from {CONFIG_FILE}"))
    # Code that runs during every build, pull requests' included: a reviewer must know it is there.
    findings.extend(Finding(Severity.WARNS, problem, fix) for problem, fix in code_warnings(mkdocs))
    return findings


def _plugin() -> list[Finding]:
    from gitdesk.adapters.mkdocs_build import require_plugin

    try:
        require_plugin()
    except GitdeskError as exc:
        return [Finding(Severity.BLOCKS, exc.message, exc.hint or "")]
    return []
