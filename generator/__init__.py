"""gitdesk: a software-maintenance service desk run from a Git repository.

The package is a pipeline, one module per stage::

    load      files on disk / blobs in history -> Ticket objects + Diagnostics
    history   one git walk -> per-ticket versions with landed times
    sla       versions + policy + calendar + now -> clocks and summaries
    site      model + metrics -> a bundle {path: content}
    adapters  MkDocs plugin, `generate --out` writer

``cli`` is a thin Click layer over these.
"""

__version__ = "0.1.0"
