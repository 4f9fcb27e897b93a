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
