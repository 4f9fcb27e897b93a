"""Audience scoping: who sees which record (the security boundary of the site)."""

from __future__ import annotations

import pytest

from gitdesk.errors import ConfigError
from gitdesk.model import Kind, Ticket
from gitdesk.site.scope import Audience, apply_scope, scope_for, visible


def ticket(kind: Kind = Kind.INCIDENT, id: str = "INC-0100", **fields) -> Ticket:
    return Ticket(kind, id, f"x/{id}.md", {"id": id, "title": "t", **fields})


@pytest.fixture
def config(sample_inputs):
    return sample_inputs[0]


def test_client_build_sees_its_own_public_records_only(config) -> None:
    acme = scope_for(config, "client", "acme")
    assert visible(ticket(client="acme"), acme, config)
    assert not visible(ticket(client="globex"), acme, config)
    assert not visible(ticket(client="acme", visibility="internal"), acme, config)


def test_shared_records_reach_clients_whose_components_they_touch(config) -> None:
    acme = scope_for(config, "client", "acme")
    assert visible(ticket(Kind.MAINTENANCE, "MNT-0100", components=["accounting"]), acme, config)
    assert not visible(ticket(Kind.MAINTENANCE, "MNT-0100", components=["orders"]), acme, config)
    assert visible(ticket(Kind.DECISION, "DEC-0100"), acme, config)


def test_runbooks_are_internal_unless_marked_public(config) -> None:
    acme = scope_for(config, "client", "acme")
    assert not visible(ticket(Kind.RUNBOOK, "restart"), acme, config)
    assert visible(ticket(Kind.RUNBOOK, "restart", visibility="public"), acme, config)
    assert visible(ticket(Kind.RUNBOOK, "restart"), scope_for(config, "internal", None), config)


def test_a_build_for_no_client_never_shows_client_owned_records(config) -> None:
    shared = scope_for(config, "client", None)
    assert not visible(ticket(client="acme"), shared, config)
    assert visible(ticket(), shared, config)


def test_internal_audience_for_one_client_still_hides_the_others(config) -> None:
    scope = scope_for(config, "internal", "acme")
    assert visible(ticket(client="acme", visibility="internal"), scope, config)
    assert not visible(ticket(client="globex"), scope, config)


@pytest.mark.parametrize("bad", ["../../etc", "INC-1<x>", "inc-1", ""])
def test_ids_unfit_for_urls_are_never_published(config, bad: str) -> None:
    assert not visible(ticket(id=bad), scope_for(config, "internal", None), config)


def test_private_fields_and_commit_texts_are_stripped_for_clients(sample_inputs) -> None:
    config, tickets, history = sample_inputs
    kept, scoped = apply_scope(tickets, history, scope_for(config, Audience.CLIENT, "acme"), config)
    inc = next(t for t in kept if t.id == "INC-0001")
    assert "internal" not in inc.fields and "assignee" not in inc.fields
    for version in scoped.tickets["INC-0001"].versions:
        assert "internal" not in version.fields
        assert version.commit.subject == "" and version.commit.author == ""
    assert set(scoped.tickets) == {t.id for t in kept}
    internal, _ = apply_scope(tickets, history, scope_for(config, Audience.INTERNAL, None), config)
    assert "internal" in next(t for t in internal if t.id == "INC-0001").fields


def test_unknown_client_is_a_usage_error_naming_the_valid_ones(config) -> None:
    with pytest.raises(ConfigError) as caught:
        scope_for(config, "client", "initech")
    assert caught.value.exit_code == 2
    assert "acme" in str(caught.value) and "globex" in str(caught.value)


def _moved_history(config):
    """INC-0100: globex's (internal note, globex component), then acme's twice."""
    from datetime import datetime, timedelta, timezone

    from gitdesk.history import Commit, History, TicketHistory, Version

    start = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    eras = [
        {"client": "globex", "components": ["orders"], "status": "reported", "severity": "P3", "update": "CANARY9GLOBEX"},
        {"client": "acme", "components": ["accounting"], "status": "investigating", "severity": "P1", "update": "acme sees this"},
        {"client": "acme", "components": ["accounting"], "status": "resolved", "severity": "P1", "update": "fixed"},
    ]
    th = TicketHistory("INC-0100", Kind.INCIDENT)
    before: dict = {}
    for n, era in enumerate(eras):
        fields = {"id": "INC-0100", "title": "t", **era}
        commit = Commit(f"{n:040x}", start + timedelta(hours=n), start, "Ana", f"subject {n}")
        th.versions.append(Version(commit, "x/INC-0100.md", fields, frozenset(k for k in fields if fields[k] != before.get(k))))
        before = fields
    history = History("main", f"{2:040x}", {"INC-0100": th})
    return ticket(**eras[-1]), history


def test_versions_are_scoped_one_by_one_and_hidden_ones_leave_only_their_place(config) -> None:
    current, history = _moved_history(config)
    kept, scoped = apply_scope([current], history, scope_for(config, "client", "acme"), config)
    th = scoped.tickets["INC-0100"]
    assert [v.fields["update"] for v in th.versions] == ["acme sees this", "fixed"]
    assert th.gaps == (0,)
    # "what changed" after a hidden version would name its keys: the first visible one counts as new
    assert th.versions[0].changed == frozenset(th.versions[0].fields)
    # the old client's build does not get the ticket at all: its current version is acme's
    assert apply_scope([current], history, scope_for(config, "client", "globex"), config)[0] == []


def test_the_timeline_shows_one_line_for_hidden_history_and_no_old_value(config) -> None:
    from datetime import datetime, timezone

    from gitdesk.site.views import HIDDEN_HISTORY, Site
    from gitdesk.sla import SlaReport

    current, history = _moved_history(config)
    scope = scope_for(config, "client", "acme")
    kept, scoped = apply_scope([current], history, scope, config)
    now = datetime(2026, 11, 3, tzinfo=timezone.utc)
    site = Site.build(kept, scoped, SlaReport(now=now), config, scope=scope, now=now, directory_urls=False)
    lines = [" ".join(e.changes) + " " + (e.update or "") for e in site.timeline(kept[0])]
    assert lines[0].strip() == HIDDEN_HISTORY
    assert sum(HIDDEN_HISTORY in line for line in lines) == 1
    text = "\n".join(lines)
    assert "CANARY9GLOBEX" not in text and "P3" not in text and "orders" not in text and "reported" not in text
    assert "acme sees this" in text and "shown as investigating, P1" in text


def test_sla_evidence_keeps_every_version_so_clocks_start_at_the_real_start(config) -> None:
    from gitdesk.site.scope import sla_evidence

    current, history = _moved_history(config)
    scope = scope_for(config, "client", "acme")
    kept, _ = apply_scope([current], history, scope, config)
    evidence = sla_evidence(kept, history, scope, config)
    assert evidence.tickets["INC-0100"].first_landed == history.tickets["INC-0100"].first_landed
    assert all(v.commit.subject == "" for v in evidence.tickets["INC-0100"].versions)
