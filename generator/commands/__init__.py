"""Command bodies: each turns CLI options into one core call and prints the result.

They return the exit code. Modules are imported lazily by :mod:`gitdesk.cli`
so that `gitdesk --help` stays fast.
"""

from __future__ import annotations

# parse_now lives in the core (the MkDocs plugin needs it too); commands keep importing it from here.
from gitdesk.clock import parse_now

__all__ = ["parse_now"]
