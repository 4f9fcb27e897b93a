"""`gitdesk generate`: the bundle as plain files plus a mkdocs.yml, for another MkDocs-compatible builder."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from gitdesk.adapters.output import atomic_folder, write_bundle
from gitdesk.adapters.policy import checked
from gitdesk.config import load_config
from gitdesk.pipeline import SiteOptions, check_options, collect, read_sources
from gitdesk.site.render import plain_title
from gitdesk.workflow.scaffold import default_mkdocs


@dataclass(frozen=True)
class Generated:
    out: Path
    files: int
    pages: int
    #: tickets left out under ``keep_going``, repo-relative
    left_out: tuple[str, ...] = ()


def generate(options: SiteOptions, out: Path, *, keep_going: bool = False) -> Generated:
    """Write ``out/docs`` (the bundle) and ``out/mkdocs.yml`` (nav and assets, no gitdesk plugin), atomically.

    Zensical or ProperDocs can build the result as is. All or nothing, as
    ``build``: BuildRefused (exit 1, ``out`` untouched) when a ticket fails
    to load or validate, unless ``keep_going``.
    """
    check_options(options)
    if options.sources is None:
        options = replace(options, sources=checked(read_sources(options.repo, now=options.now), repo=options.repo,
                                                   keep_going=keep_going))
    bundle = collect(options, directory_urls=False)
    title = load_config(options.repo).title
    with atomic_folder(out, options.repo) as fresh:
        write_bundle(bundle, fresh / "docs")
        # themes print site_name unescaped, and gitdesk.yml is untrusted: a plain title
        # other builders lack gitdesk's theme, whose local shim keeps the offline plugin off unpkg.com
        base = re.sub(r"^plugins: .*$", "plugins: [search]", default_mkdocs(plain_title(title)), count=1, flags=re.M)
        nav = "nav:\n" + "".join(f"  - {json.dumps(item.title)}: {item.path}\n" for item in bundle.nav)
        assets = "extra_css: [" + ", ".join(bundle.css) + "]\nextra_javascript: [" + ", ".join(bundle.js) + "]\n"
        (fresh / "mkdocs.yml").write_text(base + nav + assets, encoding="utf-8")
    return Generated(out, len(bundle.files), len(bundle.pages), tuple(options.skipped))
