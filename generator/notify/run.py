"""One notification run: what landed on main since the last run, to every channel allowed to see it, exactly once.

The order of writes is what makes it exactly once:

1. events are derived (pure) for each channel's audience, and the ones its
   delivery log already holds are dropped (a retry, a rewritten main);
2. each message is sent; only what Apprise reports delivered is added to the
   channel's log, and the log is saved in Git after each channel;
3. ``refs/gitdesk/notified`` moves to the new tip only when every channel
   is up to date, so a failed channel finds its events again next run.

The first run (no ref) sends nothing: it sets the ref, and logs the events
of time (maintenance starting soon, SLA clocks at risk or breached) that hold
already, so adopting gitdesk does not replay a year of history.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from gitdesk.config import Config, load_config
from gitdesk.history import History, read_history
from gitdesk.model import Ticket
from gitdesk.notify import state
from gitdesk.notify.audience import Channel, channels
from gitdesk.notify.deliver import ChannelError, check, expand, scheme, send
from gitdesk.notify.events import Event, landed_events, sla_events, starting_soon
from gitdesk.notify.messages import Context, Message, messages
from gitdesk.sla import compute

log = logging.getLogger(__name__)

#: sends one message to one expanded URL; True when delivered (:func:`gitdesk.notify.deliver.send`)
Sender = Callable[[str, Message], bool]


class Outcome(enum.StrEnum):
    SENT = "sent"
    UP_TO_DATE = "up-to-date"
    FAILED = "failed"
    #: a channel that cannot be used as configured (missing variable, unknown URL): nothing sent
    UNUSABLE = "unusable"
    DRY_RUN = "dry-run"


@dataclass
class ChannelReport:
    where: str
    scheme: str
    audience: str
    outcome: Outcome = Outcome.UP_TO_DATE
    #: (event key, subject) of each event this run had for the channel
    events: list[tuple[str, str]] = field(default_factory=list)
    messages: int = 0
    delivered: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.where, "scheme": self.scheme, "audience": self.audience, "outcome": self.outcome.value,
                "messages": self.messages, "delivered": self.delivered, "error": self.error,
                "events": [{"key": k, "subject": s} for k, s in self.events]}


@dataclass
class RunReport:
    """What a run did, for the command's text or JSON output."""

    tip: str
    notified: str | None
    adopted: bool = False
    rewritten: bool = False
    dry_run: bool = False
    #: True when ``refs/gitdesk/notified`` now points at ``tip``
    advanced: bool = False
    channels: list[ChannelReport] = field(default_factory=list)

    @property
    def failed(self) -> list[ChannelReport]:
        return [c for c in self.channels if c.outcome is Outcome.FAILED]

    @property
    def unusable(self) -> list[ChannelReport]:
        return [c for c in self.channels if c.outcome is Outcome.UNUSABLE]

    def to_json(self) -> dict[str, Any]:
        return {"tip": self.tip, "notified": self.notified, "adopted": self.adopted, "rewritten": self.rewritten,
                "dry_run": self.dry_run, "advanced": self.advanced, "channels": [c.to_json() for c in self.channels]}


def current_tickets(history: History) -> list[Ticket]:
    """The tickets as main holds them now (the working tree plays no part in what was notified)."""
    return [Ticket(t.kind, t.id, t.latest.path, dict(t.latest.fields))
            for t in history.tickets.values() if t.deleted is None and t.versions]


@dataclass(frozen=True)
class Plan:
    """Everything derived before anything is sent (pure given the history)."""

    config: Config
    history: History
    now: datetime
    commits: frozenset[str]
    sla: list[Event]

    def events_for(self, channel: Channel) -> list[Event]:
        sees = channel.sees(self.config)
        found = landed_events(self.history, self.commits, sees) + starting_soon(self.history, sees, self.now) + self.sla
        return [channel.scoped(e) for e in found if channel.scope.internal or not e.kind.internal_only]


def plan(config: Config, history: History, commits: frozenset[str], now: datetime) -> Plan:
    """The run's inputs: SLA events are computed once, on main's current state, for the internal audience."""
    internal = bool(config.notify)
    report = compute(current_tickets(history), history, config, now=now) if internal else None
    return Plan(config, history, now, commits, sla_events(report, history, now) if report else [])


def notify(repo: Path, *, now: datetime, dry_run: bool = False, env: Mapping[str, str],
           sender: Sender | None = None) -> RunReport:
    """Send what landed on main since ``refs/gitdesk/notified`` to every channel, exactly once; see the module doc.

    ``dry_run`` computes and reports the same messages but sends nothing and
    writes no ref. Raises RepoError/ConfigError (exit 2) for an unusable repo
    or config; a channel that fails or cannot be used is reported, not raised.
    """
    config = load_config(repo)
    history = read_history(repo, branch=config.branch)
    tip = history.head or ""
    progress = state.read(repo)
    report = RunReport(tip, progress.notified, dry_run=dry_run)
    targets = channels(config)
    if progress.notified is None:
        report.adopted = True
        if not dry_run:
            # events of time that hold already are old news too
            found = plan(config, history, frozenset(), now)
            for channel in targets:
                progress.record(channel.id, [e.key for e in found.events_for(channel)])
            state.save_log(repo, progress)
            state.advance(repo, progress, tip)
            report.advanced = True
        return report
    commits, report.rewritten = state.new_commits(repo, progress.notified, tip)
    work = plan(config, history, frozenset(commits), now)
    send_one = sender or send
    for channel in targets:
        report.channels.append(_deliver(repo, channel, work, progress, env=env, dry_run=dry_run, send_one=send_one))
    if not dry_run and not report.failed and not report.unusable:
        state.advance(repo, progress, tip)
        report.advanced = True
    return report


def _deliver(repo: Path, channel: Channel, work: Plan, progress: state.Progress, *, env: Mapping[str, str], dry_run: bool,
             send_one: Sender) -> ChannelReport:
    out = ChannelReport(channel.where, scheme(channel.template), channel.scope.client_id or "internal")
    delivered = progress.delivered(channel.id)
    pending = [e for e in work.events_for(channel) if e.key not in delivered]
    root = work.config.site.url
    context = Context(channel.audience_name, channel.scope.published_url(root) if root else None, work.config.site.language)
    batches = messages(pending, context)
    out.events = [(e.key, m.subject) for batch, m in batches for e in batch]
    out.messages = len(batches)
    try:  # every run, events or not: a broken channel is said at once, not on the day it matters
        url = expand(channel.template, env, where=channel.where)
        check(url, where=channel.where)
    except ChannelError as exc:
        out.outcome, out.error = Outcome.UNUSABLE, str(exc)
        log.error("%s", exc)
        return out
    if not batches:
        return out
    if dry_run:
        out.outcome = Outcome.DRY_RUN
        return out
    sent: list[str] = []
    for batch, message in batches:
        if not send_one(url, message):
            out.outcome = Outcome.FAILED
            out.error = f"{channel.where} ({out.scheme}://): delivery failed; it is retried on the next run"
            log.error("%s", out.error)
            break  # keep the order: later events wait for the earlier ones
        sent += [e.key for e in batch]
        out.delivered += 1
    else:
        out.outcome = Outcome.SENT
    if sent:
        progress.record(channel.id, sent)
        state.save_log(repo, progress)
    return out
