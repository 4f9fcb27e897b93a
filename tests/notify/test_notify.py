"""`gitdesk notify` end to end: real Git repos, a real SMTP server, a real webhook receiver."""

from __future__ import annotations

from typing import Any

from tests.notify.conftest import Desk, Hooks, Smtp, incident, with_channels

NOTIFIED = "refs/gitdesk/notified"
STATE = "refs/gitdesk/notified-state"


def _adopted(make_desk: Any, smtp: Smtp, hooks: Hooks, config: dict[str, Any] | None = None) -> Desk:
    desk: Desk = make_desk(config or with_channels(smtp, hooks))
    desk.commit({"INC-0001": incident("Old outage", client="acme", status="resolved")}, "2026-11-02T10:00:00+01:00")
    code, out, _ = desk.notify()
    assert code == 0, out
    return desk


def _titles(payloads: list[dict[str, Any]]) -> str:
    return "\n".join(f"{p['title']}\n{p['message']}" for p in payloads)


def test_first_run_sends_nothing_and_only_sets_the_ref(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk: Desk = make_desk(with_channels(smtp, hooks))
    desk.commit({"INC-0001": incident("A year-old outage", client="acme")}, "2026-11-02T10:00:00+01:00")
    code, report = desk.notify_json()
    assert code == 0 and report["adopted"]
    assert desk.ref(NOTIFIED) == desk.head()
    assert hooks.attempts == 0 and smtp.inbox.messages == []
    code, report = desk.notify_json()  # nothing new landed: nothing to say
    assert code == 0 and hooks.attempts == 0 and smtp.inbox.messages == []


def test_each_audience_gets_exactly_what_its_site_shows(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({
        "INC-0002": incident("CANARY-ACME invoices fail", client="acme", components=["accounting"],
                             internal={"notes": "CANARY-NOTE root password rotated"}, assignee="CANARY-ASSIGNEE"),
        "INC-0003": incident("CANARY-GLOBEX billing down", client="globex", components=["billing"]),
        "INC-0004": incident("CANARY-INTERNAL disk full", client="acme", visibility="internal"),
        "INC-0005": incident("CANARY-SHARED-ORDERS platform slow", components=["orders"]),
        "MNT-0001": {"title": "CANARY-SHARED-BILLING upgrade", "starts_at": "2026-12-20T22:00:00+01:00",
                     "ends_at": "2026-12-20T23:00:00+01:00", "components": ["billing"]},
    }, "2026-11-03T10:00:00+01:00")
    code, out, err = desk.notify("--now", "2026-11-03T10:01:00+01:00")  # before any SLA warning
    assert code == 0, out + err
    acme = _titles(hooks.at("acme"))
    assert "CANARY-ACME" in acme and "CANARY-SHARED-ORDERS" in acme
    for canary in ("CANARY-GLOBEX", "CANARY-INTERNAL", "CANARY-SHARED-BILLING", "CANARY-NOTE", "CANARY-ASSIGNEE"):
        assert canary not in acme
    globex = "\n".join(m.as_string() for m in smtp.to("globex@example.org"))
    assert "CANARY-GLOBEX" in globex and "CANARY-SHARED-BILLING" in globex
    for canary in ("CANARY-ACME", "CANARY-INTERNAL", "CANARY-SHARED-ORDERS"):
        assert canary not in globex
    internal = _titles(hooks.at("internal"))
    for canary in ("CANARY-ACME", "CANARY-GLOBEX", "CANARY-INTERNAL", "CANARY-SHARED-ORDERS", "CANARY-SHARED-BILLING"):
        assert canary in internal
    assert len(smtp.to("ops@example.org")) == 5  # one message per event and channel


def test_a_ticket_moved_to_another_client_is_new_to_it_and_silent_to_the_first(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({"INC-0002": incident("Shared login page broken", client="acme", update="CANARY-FOR-ACME")},
                "2026-11-03T10:00:00+01:00")
    desk.notify()
    desk.commit({"INC-0002": {"client": "globex", "status": "investigating", "update": "CANARY-FOR-GLOBEX"}},
                "2026-11-03T11:00:00+01:00")
    desk.notify()
    assert "CANARY-FOR-GLOBEX" not in _titles(hooks.at("acme"))
    globex = smtp.to("globex@example.org")
    assert len(globex) == 1 and "INC-0002 opened" in str(globex[0]["Subject"])
    assert "CANARY-FOR-ACME" not in globex[0].as_string()


def test_exactly_once_across_runs(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({"INC-0002": incident("Invoices fail", client="acme", components=["accounting"])}, "2026-11-03T10:00:00+01:00")
    assert desk.notify()[0] == 0
    assert desk.notify()[0] == 0
    assert [p["title"] for p in hooks.at("acme")] == ["[Acme Corp] INC-0002 opened: Invoices fail"]
    desk.commit({"INC-0002": {"status": "investigating", "update": "We are looking into it."}}, "2026-11-03T10:20:00+01:00")
    desk.commit({"INC-0002": {"update": "A fix is being deployed."}}, "2026-11-03T11:00:00+01:00")
    desk.commit({"INC-0002": {"status": "resolved", "update": "Fixed."}}, "2026-11-03T12:00:00+01:00")
    desk.commit({"INC-0002": {"status": "investigating", "update": "It came back."}}, "2026-11-03T13:00:00+01:00")
    assert desk.notify()[0] == 0
    assert desk.notify()[0] == 0
    assert [p["title"] for p in hooks.at("acme")] == [
        "[Acme Corp] INC-0002 opened: Invoices fail",
        "[Acme Corp] INC-0002 is now investigating: Invoices fail",
        "[Acme Corp] INC-0002 updated: Invoices fail",
        "[Acme Corp] INC-0002 resolved: Invoices fail",
        "[Acme Corp] INC-0002 reopened: Invoices fail",
    ]
    assert "Latest update: A fix is being deployed." in hooks.at("acme")[2]["message"]
    assert desk.ref(NOTIFIED) == desk.head()


def test_a_failed_channel_is_retried_without_resending_to_the_others(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    before = desk.ref(NOTIFIED)
    hooks.failing.add("acme")
    desk.commit({"INC-0002": incident("Invoices fail", client="acme"), "INC-0003": incident("Billing down", client="globex")},
                "2026-11-03T10:00:00+01:00")
    soon = "2026-11-03T10:01:00+01:00"  # before any SLA warning: the internal channels get the two openings only
    code, report = desk.notify_json("--now", soon)
    assert code == 1
    outcomes = {c["channel"]: c["outcome"] for c in report["channels"]}
    assert outcomes["clients[0].notify[0]"] == "failed" and outcomes["clients[1].notify[0]"] == "sent"
    assert hooks.at("acme") == [] and len(smtp.to("globex@example.org")) == 1
    assert desk.ref(NOTIFIED) == before  # not marked sent: Acme has not heard
    hooks.failing.clear()
    code, report = desk.notify_json("--now", soon)
    assert code == 0
    assert [p["title"] for p in hooks.at("acme")] == ["[Acme Corp] INC-0002 opened: Invoices fail"]
    assert len(smtp.to("globex@example.org")) == 1 and len(smtp.to("ops@example.org")) == 2
    assert desk.ref(NOTIFIED) == desk.head()


def test_dry_run_sends_nothing_and_moves_nothing(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    refs = (desk.ref(NOTIFIED), desk.ref(STATE))
    desk.commit({"INC-0002": incident("Invoices fail", client="acme")}, "2026-11-03T10:00:00+01:00")
    code, out, _ = desk.notify("--dry-run")
    assert code == 0
    assert "[Acme Corp] INC-0002 opened: Invoices fail" in out and "nothing sent" in out
    assert hooks.attempts == 0 and smtp.inbox.messages == []
    assert (desk.ref(NOTIFIED), desk.ref(STATE)) == refs
    assert desk.notify()[0] == 0
    assert len(hooks.at("acme")) == 1


def test_dry_run_on_a_new_desk_sets_no_ref(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk: Desk = make_desk(with_channels(smtp, hooks))
    code, out, _ = desk.notify("--dry-run")
    assert code == 0 and "nothing sent" in out
    assert desk.ref(NOTIFIED) is None and desk.ref(STATE) is None


def test_a_force_pushed_main_resumes_from_the_common_ancestor_without_duplicates(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    base = desk.head()
    desk.commit({"INC-0002": incident("Invoices fail", client="acme")}, "2026-11-03T10:00:00+01:00")
    desk.commit({"INC-0002": {"status": "investigating"}}, "2026-11-03T10:10:00+01:00")
    assert desk.notify()[0] == 0
    old = desk.ref(NOTIFIED)
    # rewrite: the same two changes land again as new commits (amended dates), then a new one
    desk.git("reset", "-q", "--hard", base)
    desk.fields.pop("INC-0002")
    desk.commit({"INC-0002": incident("Invoices fail", client="acme")}, "2026-11-03T10:01:00+01:00", "rewritten")
    desk.commit({"INC-0002": {"status": "investigating"}}, "2026-11-03T10:11:00+01:00", "rewritten")
    desk.commit({"INC-0002": {"status": "resolved", "update": "Fixed."}}, "2026-11-03T11:00:00+01:00")
    assert desk.head() != old
    code, report = desk.notify_json()
    assert code == 0 and report["rewritten"]
    assert [p["title"] for p in hooks.at("acme")] == [
        "[Acme Corp] INC-0002 opened: Invoices fail",
        "[Acme Corp] INC-0002 is now investigating: Invoices fail",
        "[Acme Corp] INC-0002 resolved: Invoices fail",
    ]
    assert desk.ref(NOTIFIED) == desk.head()


def test_a_missing_variable_is_named_and_that_channel_gets_nothing(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    config = with_channels(smtp, hooks)
    config["clients"][0]["notify"] = [f"json://${{ACME_HOOK_USER}}@127.0.0.1:{hooks.port}/acme"]
    desk = _adopted(make_desk, smtp, hooks, config)
    desk.commit({"INC-0002": incident("Invoices fail", client="acme"), "INC-0003": incident("Billing down", client="globex")},
                "2026-11-03T10:00:00+01:00")
    code, out, err = desk.notify(env={"ACME_HOOK_USER": None})
    assert code == 2
    assert "ACME_HOOK_USER" in out + err and "clients[0].notify[0]" in out + err
    assert hooks.at("acme") == [] and len(smtp.to("globex@example.org")) == 1
    code, out, err = desk.notify(env={"ACME_HOOK_USER": "desk"})
    assert code == 0, out + err
    assert [p["title"] for p in hooks.at("acme")] == ["[Acme Corp] INC-0002 opened: Invoices fail"]
    assert len(smtp.to("globex@example.org")) == 1


def test_email_has_subject_escaped_html_text_and_a_link(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({"INC-0002": incident("Billing <script>alert(1)</script> & co", client="globex", severity="P1",
                                      update="Payments <b>fail</b> since 09:40.")}, "2026-11-03T10:00:00+01:00")
    assert desk.notify()[0] == 0
    [mail] = smtp.to("globex@example.org")
    assert mail["Subject"] == "[Globex] INC-0002 opened: Billing <script>alert(1)</script> & co"
    html = mail.get_body(("html",))
    text = mail.get_body(("plain",))
    assert html is not None and text is not None
    html_body = html.get_content()
    assert "<script>" not in html_body and "&lt;script&gt;" in html_body and "&lt;b&gt;fail&lt;/b&gt;" in html_body
    # each audience's site lives in its own folder under site.url, as `gitdesk publish` lays them out
    assert 'href="https://status.example.org/globex/incidents/INC-0002.html"' in html_body
    assert "Payments <b>fail</b> since 09:40." in text.get_content()
    internal = _titles(hooks.at("internal"))
    assert "https://status.example.org/internal/incidents/INC-0002.html" in internal
    assert "https://status.example.org/incidents/" not in internal + html_body


def test_a_line_break_in_a_title_cannot_add_a_mail_header(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    # validate refuses a line break in a title (GD015), but notify runs on what landed, checked or not: it folds it
    desk.commit({"INC-0002": incident("Billing down\nBcc: attacker@example.org", client="globex")}, "2026-11-03T10:00:00+01:00")
    assert desk.notify()[0] == 0
    [mail] = smtp.to("globex@example.org")
    assert mail["Bcc"] is None and mail["Subject"] == "[Globex] INC-0002 opened: Billing down Bcc: attacker@example.org"
    assert not smtp.to("attacker@example.org")


def test_more_than_ten_events_become_one_digest(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({f"INC-{n:04d}": incident(f"Issue {n}", client="acme") for n in range(10, 22)}, "2026-11-03T10:00:00+01:00")
    assert desk.notify()[0] == 0
    [digest] = hooks.at("acme")
    assert digest["title"] == "[Acme Corp] 12 updates"
    assert all(f"INC-{n:04d} opened" in digest["message"] for n in range(10, 22))


def test_sla_warnings_go_to_the_internal_audience_only_and_once(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({"INC-0002": incident("ERP down", client="acme", severity="P0")}, "2026-11-03T10:00:00+01:00")
    assert desk.notify("--now", "2026-11-03T10:01:00+01:00")[0] == 0
    assert desk.notify("--now", "2026-11-03T10:12:00+01:00")[0] == 0  # 12 of 15 minutes used: at risk (0.75)
    assert desk.notify("--now", "2026-11-03T10:13:00+01:00")[0] == 0
    assert desk.notify("--now", "2026-11-03T10:20:00+01:00")[0] == 0  # response (15m) breached, no new commit
    assert desk.notify("--now", "2026-11-03T10:25:00+01:00")[0] == 0
    internal = [p["title"] for p in hooks.at("internal")]
    assert internal == ["[internal] INC-0002 opened: ERP down",
                        "[internal] INC-0002 response SLA at risk: ERP down",
                        "[internal] INC-0002 response SLA breached: ERP down"]
    assert not any("SLA" in p["title"] for p in hooks.at("acme"))


def test_maintenance_announced_changed_starting_soon_and_cancelled(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    window = {"title": "ERP upgrade", "client": "acme", "starts_at": "2026-11-10T22:00:00+01:00", "ends_at": "2026-11-10T23:00:00+01:00"}
    desk.commit({"MNT-0001": window}, "2026-11-03T10:00:00+01:00")
    assert desk.notify("--now", "2026-11-03T10:05:00+01:00")[0] == 0
    desk.commit({"MNT-0001": {"ends_at": "2026-11-11T00:00:00+01:00"}}, "2026-11-04T10:00:00+01:00")
    assert desk.notify("--now", "2026-11-04T10:05:00+01:00")[0] == 0
    assert desk.notify("--now", "2026-11-10T08:00:00+01:00")[0] == 0  # a scheduled run, 14 hours before
    assert desk.notify("--now", "2026-11-10T09:00:00+01:00")[0] == 0
    desk.commit({"MNT-0001": {"status": "cancelled"}}, "2026-11-10T12:00:00+01:00")
    assert desk.notify("--now", "2026-11-10T12:05:00+01:00")[0] == 0
    assert [p["title"] for p in hooks.at("acme")] == [
        "[Acme Corp] MNT-0001 maintenance announced: ERP upgrade",
        "[Acme Corp] MNT-0001 maintenance changed: ERP upgrade",
        "[Acme Corp] MNT-0001 maintenance starts soon: ERP upgrade",
        "[Acme Corp] MNT-0001 maintenance cancelled: ERP upgrade",
    ]


def test_five_hundred_events_in_one_push(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    desk = _adopted(make_desk, smtp, hooks)
    desk.commit({f"INC-{n:04d}": incident(f"Issue {n}", client="acme" if n % 2 else "globex") for n in range(100, 600)},
                "2026-11-03T10:00:00+01:00")
    code, report = desk.notify_json("--now", "2026-11-03T10:01:00+01:00")
    assert code == 0
    [acme] = hooks.at("acme")
    assert acme["title"] == "[Acme Corp] 250 updates"
    assert [m["Subject"] for m in smtp.to("globex@example.org")] == ["[Globex] 250 updates"]
    assert [p["title"] for p in hooks.at("internal")] == ["[internal] 500 updates"]
    assert desk.notify()[0] == 0 and len(hooks.at("acme")) == 1


def test_messages_speak_the_sites_language(make_desk: Any, smtp: Smtp, hooks: Hooks) -> None:
    config = with_channels(smtp, hooks)
    config["site"]["language"] = "es"
    desk = _adopted(make_desk, smtp, hooks, config)
    desk.commit({"INC-0002": incident("Facturación caída", client="globex", status="investigating")}, "2026-11-03T10:00:00+01:00")
    assert desk.notify()[0] == 0
    [mail] = smtp.to("globex@example.org")
    assert mail["Subject"] == "[Globex] INC-0002 abierta: Facturación caída"
    body = mail.get_body(("html",)).get_content()
    assert "Estado:</strong> investigando" in body and "Detalles:" in body and "Status" not in body
