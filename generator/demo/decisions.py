"""Decisions: proposed, then accepted, rejected, deprecated or superseded along a chain."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gitdesk.demo import vocab
from gitdesk.demo.stories import DECISION_CHAINS, DEPRECATED_DECISION, INTERNAL_DECISION, REJECTED_DECISIONS
from gitdesk.demo.timeline import Edit, Fmt, Ref, Style, Timeline
from gitdesk.model import Kind

class DecisionPlanner:
    """Lands decision records on the timeline."""

    def __init__(self, timeline: Timeline) -> None:
        self.tl = timeline

    def decision(self, when: datetime, title: str, context: str, decision: str, consequences: str,
                 components: tuple[str, ...] = (), *, outcome: str = "accepted", supersedes: Ref | None = None,
                 internal: bool = False) -> Ref:
        """Propose a decision, then (unless ``outcome`` is "proposed") decide it a few days later."""
        tl = self.tl
        ref = Ref(Kind.DECISION)
        author = tl.rng.choice((vocab.MANAGER, tl.person("L3")))
        fields: dict[str, Any] = {"title": title, "status": "proposed", "date": when.date().isoformat(),
                                  "deciders": sorted({vocab.MANAGER.login, author.login})}
        if components:
            fields["components"] = list(components)
        if internal:
            fields["visibility"] = "internal"
        body = f"## Context\n\n{context}\n\n## Decision\n\n{decision}\n\n## Consequences\n\n{consequences}\n"
        tl.land(when, Fmt(f"{{}}: propose — {title}", ref), [Edit(ref, set=fields, body=body, create=True)], author,
                style=Style.MERGE)
        if outcome == "proposed":
            return ref
        decided = tl.office_time((when + timedelta(days=tl.rng.randint(1, 6))).date())
        edits = [Edit(ref, set={"status": outcome, "date": decided.date().isoformat()})]
        if supersedes is not None and outcome == "accepted":
            edits[0].set["supersedes"] = supersedes
            edits.append(Edit(supersedes, set={"status": "superseded", "superseded_by": ref}))
        tl.land(decided, Fmt(f"{{}}: {outcome} — {title}", ref), edits, vocab.MANAGER, style=Style.MERGE)
        return ref

    def plan(self, *, count: int, late_notice: datetime) -> None:
        """The supersede chains, then ``count`` decisions spread over the story."""
        tl = self.tl
        for chain in DECISION_CHAINS:
            previous: Ref | None = None
            for index, ((title, context, decision, consequences), share) in enumerate(zip(chain.links, chain.shares)):
                # a link with no share answers the late announcement; earlier links come at least a week apart before it
                when = late_notice if share is None else tl.office_time(
                    min(tl.frac(share), late_notice - timedelta(days=7 * (2 - index))).date())
                previous = self.decision(when, title, context, decision, consequences, supersedes=previous)
        picks = vocab.DECISIONS[:count]
        for index, (title, context, decision, consequences, components) in enumerate(picks):
            share = 0.03 + 0.9 * index / max(1, count)
            outcome = "proposed" if index >= count - 2 and count > 3 else "accepted"
            if index in REJECTED_DECISIONS:
                outcome = "rejected"
            ref = self.decision(tl.office_time(tl.frac(share).date()), title, context, decision, consequences,
                                components, outcome=outcome, internal=index == INTERNAL_DECISION)
            if index == DEPRECATED_DECISION and outcome == "accepted":
                tl.land(tl.office_time(tl.frac(0.97).date()), Fmt(f"{{}}: deprecated — {title}", ref),
                        [Edit(ref, set={"status": "deprecated"})], vocab.MANAGER)
