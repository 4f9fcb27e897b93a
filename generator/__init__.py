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

def __getattr__(name: str) -> str:
    # __version__ is looked up on first use: importlib.metadata costs a warm `gitdesk sla` a tenth of its time
    if name != "__version__":
        raise AttributeError(f"module 'gitdesk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        # pyproject.toml is the one version source; an installed distribution knows it.
        return version("gitdesk")
    except PackageNotFoundError:  # pragma: no cover - only when run from a bare source tree
        return "0+unknown"
