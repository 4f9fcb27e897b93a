"""gitdesk: a software-maintenance service desk run from a Git repository.

The package is a pipeline, one module per stage::

    load      files on disk / blobs in history -> Ticket objects + Diagnostics
    history   one git walk -> per-ticket versions with landed times
    sla       versions + policy + calendar + now -> clocks and summaries
    site      model + metrics -> a bundle {path: content}
    adapters  MkDocs plugin, `generate --out` writer

``cli`` is a thin Click layer over these.
"""

from importlib import metadata as _metadata

try:  # pyproject.toml's version is the one source; the release workflow checks the tag against it
    __version__ = _metadata.version("gitdesk")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
