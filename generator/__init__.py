"""gitdesk: a software-maintenance service desk run from a Git repository.

The package is a pipeline, one stage package each::

    load/      files on disk / blobs in history -> Ticket objects + Diagnostics
    history/   the only code that runs git: one walk -> per-ticket versions with landed times
    sla/       versions + policy + calendar + now -> clocks and summaries
    site/      model + metrics -> a bundle {path: content}
    pipeline   options -> bundle, shared by build, serve, publish, generate and the plugin
    adapters/  the MkDocs plugin and builder, the `generate --out` writer, publishing

``cli`` and ``commands/`` are a thin Click layer over these.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    # pyproject.toml is the one version source; an installed distribution knows it.
    __version__ = version("gitdesk")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
    __version__ = "0+unknown"
