"""`gitdesk generate`: the bundle as plain files plus a mkdocs.yml, for another MkDocs-compatible builder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gitdesk.adapters.output import atomic_folder, write_bundle
from gitdesk.config import load_config
from gitdesk.pipeline import SiteOptions, collect
from gitdesk.site.render import plain_title
from gitdesk.workflow.scaffold import default_mkdocs


@dataclass(frozen=True)
class Generated:
    out: Path
    files: int
    pages: int


def generate(options: SiteOptions, out: Path) -> Generated:
    """Write ``out/docs`` (the bundle) and ``out/mkdocs.yml`` (nav and assets, no gitdesk plugin), atomically.

    Zensical or ProperDocs can build the result as is.
    """
    bundle = collect(options, directory_urls=False)
    title = load_config(options.repo).title
    with atomic_folder(out, options.repo) as fresh:
        write_bundle(bundle, fresh / "docs")
        # themes print site_name unescaped, and gitdesk.yml is untrusted: a plain title
        base = default_mkdocs(plain_title(title)).replace("plugins: [search, gitdesk]", "plugins: [search]")
        nav = "nav:\n" + "".join(f"  - {json.dumps(item.title)}: {item.path}\n" for item in bundle.nav)
        assets = "extra_css: [" + ", ".join(bundle.css) + "]\nextra_javascript: [" + ", ".join(bundle.js) + "]\n"
        (fresh / "mkdocs.yml").write_text(base + nav + assets, encoding="utf-8")
    return Generated(out, len(bundle.files), len(bundle.pages))
