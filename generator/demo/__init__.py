"""A year of a maintenance service's life, synthesized as a gitdesk repo (see docs/demo.md).

Two stages, one way: :func:`gitdesk.demo.plan.build_plan` is pure and turns a
seed into a plan (one small planner per record kind, the scripted stories as
data in :mod:`gitdesk.demo.stories`); :mod:`gitdesk.demo.write` replays it into
Git. :func:`create_demo` does both.
"""

from __future__ import annotations

from gitdesk.demo.write import create_demo

__all__ = ["create_demo"]
