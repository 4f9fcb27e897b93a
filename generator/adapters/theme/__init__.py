"""gitdesk's overrides of the Material theme, added to every site the gitdesk plugin builds.

This folder is a theme folder: MkDocs finds templates here before Material's
(a repo's own ``custom_dir`` still wins) and publishes its other files as the
theme's static files. It holds:

- ``main.html``: every script the theme loads by src is deferred, so the
  page is drawn before Material's bundle starts (see the template);
- ``partials/search.html``: Material's search dialog with a name;
- ``assets/gitdesk/iframe-worker.js``: the ``iframe-worker`` shim (npm, MIT)
  that Material's ``offline`` plugin needs for search on ``file://``,
  vendored because the plugin would otherwise load it from unpkg.com.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

FOLDER = Path(__file__).parent
#: the vendored shim, as a path in the built site
SHIM = "assets/gitdesk/iframe-worker.js"
OFFLINE_PLUGINS = ("offline", "material/offline")


def apply(config: MkDocsConfig) -> None:
    """Add this folder to ``config``'s theme and, when the offline plugin is on, make its shim the local copy.

    The offline plugin adds the unpkg.com shim only when no polyfill named
    ``iframe-worker`` is listed yet, and this may run before or after it: the
    local shim goes first and any other ``iframe-worker`` entry is dropped.
    """
    dirs: list[str] = config.theme.dirs
    if str(FOLDER) not in dirs:
        dirs.insert(1 if config.theme.custom_dir else 0, str(FOLDER))
    if not offline_search(config):
        return
    polyfills = config.extra.get("polyfills") or []
    config.extra["polyfills"] = [SHIM, *(p for p in polyfills if "iframe-worker" not in str(p))]


def offline_search(config: MkDocsConfig) -> bool:
    """Whether ``config`` runs Material's offline plugin, enabled: search then works opened from disk."""
    for name in OFFLINE_PLUGINS:
        plugin = config.plugins.get(name)
        if plugin is not None:
            return bool(getattr(plugin, "config", {}).get("enabled", True))
    return False
