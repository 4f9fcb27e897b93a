"""Properties of the SLA clocks that examples cannot pin down, checked with hypothesis on the real clock code.

The input is what the Git walk hands the SLA stage: one incident's landed
versions. Every target uses the ``always`` calendar so the arithmetic is plain
seconds and the properties can be stated exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.config import Config, parse_config
from gitdesk.history import Commit, TicketHistory, Version
from gitdesk.model import RESOLVED, IncidentStatus, Kind, Ticket
from gitdesk.sla import TargetName, TicketSla, ticket_sla
from gitdesk.sla.calendars import calendars_for

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SEVERITIES = ("P0", "P1", "P2", "P3")


def _config(pause: list[str]) -> Config:
    targets = "\n".join(f"    {sev}: {{calendar: always, response: {15 * (n + 1)}m, mitigation: {n + 1}h, resolution: {4 * (n + 1)}h}}"
                        for n, sev in enumerate(SEVERITIES))
    text = (f"title: Property desk\ntimezone: Europe/Madrid\ncomponents: [{{id: erp, name: ERP}}]\n"
            f"sla:\n  pause_statuses: {pause}\n  targets:\n{targets}\n")
    problems, config = parse_config(text)
    assert config is not None, problems
    return config


PAUSING, NOT_PAUSING = _config(["waiting"]), _config([])
CALENDARS = calendars_for(PAUSING)

# Cancelled is left out on purpose: a withdrawn incident has no clocks at all (DESIGN.md), by rule, not by un-breaching.
KEPT = [s for s in IncidentStatus if not s.withdrawn]
#: statuses that stop neither mitigation nor resolution, so a timeline of them is one cycle of each clock
UNDECIDED = [s for s in IncidentStatus if not (s.mitigated or s.withdrawn)]

Step = tuple[int, IncidentStatus, str]  # (seconds after the previous landing, status, severity)


def _history(steps: list[Step]) -> tuple[Ticket, TicketHistory]:
    history = TicketHistory("INC-0001", Kind.INCIDENT)
    at = T0
    for n, (gap, status, severity) in enumerate(steps):
        at += timedelta(seconds=gap)
        fields = {"id": "INC-0001", "title": "Exports fail", "status": str(status), "severity": severity}
        history.versions.append(Version(Commit(f"{n:040x}", at, at, "Ana", f"step {n}"), "tickets/incidents/INC-0001.md",
                                        fields, frozenset(fields)))
    return Ticket(Kind.INCIDENT, "INC-0001", "tickets/incidents/INC-0001.md", dict(history.versions[-1].fields)), history


def _judged(steps: list[Step], now: datetime, config: Config = PAUSING) -> TicketSla:
    ticket, history = _history(steps)
    sla = ticket_sla(ticket, history, config, CALENDARS, now)
    assert sla is not None
    return sla


steps_strategy = st.lists(st.tuples(st.integers(0, 6 * 3600), st.sampled_from(KEPT), st.sampled_from(SEVERITIES)),
                          min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(steps=steps_strategy, probes=st.lists(st.integers(0, 60 * 3600), min_size=2, max_size=6))
def test_a_breach_never_unbreaches(steps: list[Step], probes: list[int]) -> None:
    """Judged later (more commits landed, more time passed), ever_breached stays true; within a cycle so does breached."""
    first = T0 + timedelta(seconds=steps[0][0])
    nows = [first + timedelta(seconds=p) for p in sorted(probes)]
    judged = [_judged(steps, now) for now in nows]
    for earlier, later in zip(judged, judged[1:]):
        for name in TargetName:
            before, after = earlier.targets[name], later.targets[name]
            assert not before.ever_breached or after.ever_breached, (name, before, after)
            if before.breached and after.cycles == before.cycles:
                assert after.breached, (name, before, after)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, 6 * 3600), st.sampled_from(UNDECIDED), st.sampled_from(SEVERITIES)),
                      min_size=1, max_size=8),
       stop=st.one_of(st.none(), st.tuples(st.integers(0, 6 * 3600), st.sampled_from(sorted(RESOLVED)))),
       after=st.integers(0, 24 * 3600))
def test_pause_and_resume_never_lose_time(steps: list[Step], stop: tuple[int, IncidentStatus] | None, after: int) -> None:
    """On an always calendar: elapsed with pauses + time spent paused = elapsed when nothing pauses."""
    timeline = steps + ([(stop[0], stop[1], steps[-1][2])] if stop else [])
    landed = [T0 + timedelta(seconds=sum(gap for gap, _, _ in timeline[:n + 1])) for n in range(len(timeline))]
    now = landed[-1] + timedelta(seconds=after)
    end = landed[-1] if stop else now
    paused = sum(((landed[n + 1] if n + 1 < len(timeline) else end) - landed[n]).total_seconds()
                 for n, (_, status, _) in enumerate(timeline) if status.paused(PAUSING.sla.pause_statuses))
    with_pauses, without = _judged(timeline, now), _judged(timeline, now, NOT_PAUSING)
    for name in (TargetName.MITIGATION, TargetName.RESOLUTION):
        counted, plain = with_pauses.targets[name], without.targets[name]
        assert counted.cycles == plain.cycles == 1
        assert (counted.elapsed_seconds or 0) + paused == plain.elapsed_seconds, name
