"""cState sites become desks: messy posts read as their authors meant them, nothing published raw."""

from __future__ import annotations

from pathlib import Path

from tests.importers.conftest import Commit, build_source, git, import_into, run, ticket, tickets, validate

HUGO = "title: Acme Status\nbaseURL: https://status.example.org\ntimeZone: Europe/Madrid\n"


def _site(tmp_path: Path, *commits: Commit) -> Path:
    first = Commit("2026-01-05T10:00:00+01:00", {"config.yml": HUGO, "content/issues/_index.md": "---\n---\n"}, "site")
    return build_source(tmp_path / "src", [first, *commits])


def test_capitalised_keys_and_offsetless_dates_read_in_the_sites_zone(tmp_path: Path, dest: Path) -> None:
    post = ("---\nTitle: Payments down\nDate: 2026-03-02 9:05\nResolved: true\nResolvedWhen: 2026-03-02 11:30:00\n"
            "Severity: down\nAffected:\n  - Payments API\nSection: issue\n---\nWe are on it.\n")
    src = _site(tmp_path, Commit("2026-03-02T12:00:00+01:00", {"content/issues/2026-03-02-payments.md": post}))
    result = import_into("cstate", src, dest)
    assert result.code == 0, result.err
    fields, _ = ticket(dest, "tickets/incidents/2026/INC-0001.md")
    assert fields["title"] == "Payments down"
    assert fields["severity"] == "P0" and fields["status"] == "resolved" and fields["impact"] == "outage"
    assert fields["started_at"] == "2026-03-02T09:05:00+01:00"  # Madrid in winter, one-digit hour normalised
    assert fields["imported"]["declared"]["resolved_at"] == "2026-03-02T11:30:00+01:00"
    assert fields["components"] == ["payments-api"]
    assert fields["imported"]["extra"] == {"Section": "issue"}  # no gitdesk home: kept, not dropped
    assert "{id: payments-api, name: \"Payments API\"}" in (dest / "gitdesk.yml").read_text()
    assert validate(dest)[0] == 0  # resolved P0 without postmortem: the source never had one



def test_without_the_sites_zone_offsetless_dates_read_in_the_zone_of_the_desk_they_join(tmp_path: Path, dest: Path) -> None:
    """A cState repo with no Hugo config, imported into a Madrid desk: 9:05 is Madrid's, not UTC's."""
    post = "---\ntitle: Payments down\ndate: 2026-03-02 9:05\nseverity: down\naffected: [Payments API]\n---\nOn it.\n"
    src = build_source(tmp_path / "src", [Commit("2026-03-02T12:00:00+01:00", {"content/issues/2026-03-02-payments.md": post})])
    code, _, err = run("init", str(dest), "--title", "Acme status")
    assert code == 0, err
    assert "timezone: Europe/Madrid" in (dest / "gitdesk.yml").read_text()
    git(dest, "add", "-A")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "desk")
    result = import_into("cstate", src, dest)
    assert result.code == 0, result.err
    fields, _ = ticket(dest, "tickets/incidents/2026/INC-0001.md")
    assert fields["started_at"] == "2026-03-02T09:05:00+01:00"
    assert any("no Hugo config found" in p and "Europe/Madrid" in p and "DEST" in p for p in result.problems), result.problems
    # a new desk has no zone of its own to lend: UTC, and it says so
    fresh = tmp_path / "fresh"
    again = import_into("cstate", src, fresh)
    assert again.code == 0 and ticket(fresh, "tickets/incidents/2026/INC-0001.md")[0]["started_at"] == "2026-03-02T09:05:00+00:00"
    assert any("no Hugo config found" in p and "read in UTC" in p for p in again.problems), again.problems

def test_a_post_dated_after_it_landed_becomes_a_maintenance_window(tmp_path: Path, dest: Path) -> None:
    post = ("---\ntitle: Database upgrade\ndate: 2026-04-10 22:00\nresolvedWhen: 2026-04-11 01:00\n"
            "severity: disrupted\naffected: [API]\n---\nPlanned.\n")
    src = _site(tmp_path, Commit("2026-04-01T09:00:00+02:00", {"content/issues/upgrade.md": post}))
    assert import_into("cstate", src, dest).code == 0
    assert not tickets(dest, "tickets/incidents")
    window, _ = ticket(dest, "tickets/maintenance/MNT-0001.md")
    assert (window["starts_at"], window["ends_at"]) == ("2026-04-10T22:00:00+02:00", "2026-04-11T01:00:00+02:00")
    assert window["status"] == "scheduled"
    assert validate(dest)[0] == 0


def test_track_shortcodes_become_declared_timeline_entries_and_never_appear_raw(tmp_path: Path, dest: Path) -> None:
    post = ("---\ntitle: Login errors\ndate: 2026-05-04 10:00:00\nresolved: true\nresolvedWhen: 2026-05-04 12:00:00\n"
            "severity: disrupted\n---\n"
            '*Resolved* - Fixed. {{< track "2026-05-04 12:00:00" >}}\n\n'
            '*Investigating* - Looking into it. {{< track "2026-05-04 10:15:00" >}}\n\n'
            '{{< figure src="graph.png" >}}\n')
    src = _site(tmp_path, Commit("2026-05-04T13:00:00+02:00", {"content/issues/login.md": post}))
    result = import_into("cstate", src, dest)
    assert result.code == 0
    fields, body = ticket(dest, "tickets/incidents/2026/INC-0001.md")
    assert "{{" not in body and "}}" not in body
    assert fields["imported"]["declared"]["timeline"] == [
        {"at": "2026-05-04T12:00:00+02:00", "step": "Resolved", "text": "Fixed."},
        {"at": "2026-05-04T10:15:00+02:00", "step": "Investigating", "text": "Looking into it."},
    ]
    assert fields["update"] == "Fixed."
    assert any("shortcode(s) figure" in p for p in result.problems)


def test_unconvertible_posts_are_listed_with_file_commit_and_reason_and_the_import_goes_on(tmp_path: Path, dest: Path) -> None:
    no_fence = "title: Slow pages\ndate: 2026-06-01 08:00\nseverity: notice\n---\nSlow.\n"
    impossible = "---\ntitle: Typo\ndate: 2026-13-45 25:00\nseverity: notice\n---\n"
    backwards = "---\ntitle: Odd\ndate: 2026-06-02 10:00\nresolved: true\nresolvedWhen: 2026-01-02 10:00\nseverity: notice\n---\n"
    src = _site(tmp_path, Commit("2026-06-03T09:00:00+02:00", {
        "content/issues/slow.md": no_fence, "content/issues/typo.md": impossible, "content/issues/odd.md": backwards}))
    result = import_into("cstate", src, dest)
    assert result.code == 0
    problems = "\n".join(result.problems)
    assert "content/issues/slow.md@" in problems and "no opening '---'" in problems
    assert "content/issues/typo.md@" in problems and "is not a possible date" in problems
    assert "content/issues/odd.md@" in problems and "is before date" in problems
    assert len(tickets(dest, "tickets/incidents")) == 3
    odd = next(t for t in tickets(dest, "tickets/incidents").values() if t["title"] == "Odd")
    assert "resolved_at" not in odd["imported"]["declared"] and odd["imported"]["extra"]["resolvedWhen"] == "2026-01-02 10:00"
    assert validate(dest)[0] == 0


def test_informational_posts_become_shared_notices_not_incidents(tmp_path: Path, dest: Path) -> None:
    post = "---\ntitle: New status page\ndate: 2026-02-01 10:00\ninformational: true\n---\nWelcome.\n"
    src = _site(tmp_path, Commit("2026-02-01T11:00:00+01:00", {"content/issues/welcome.md": post}))
    assert import_into("cstate", src, dest).code == 0
    assert not tickets(dest, "tickets/incidents")
    notice, body = ticket(dest, "docs/notices/welcome.md")
    assert notice["title"] == "New status page" and "Welcome." in body


def test_the_severity_table_can_be_overridden(tmp_path: Path, dest: Path) -> None:
    post = "---\ntitle: Down\ndate: 2026-03-02 09:00\nseverity: down\n---\n"
    src = _site(tmp_path, Commit("2026-03-02T10:00:00+01:00", {"content/issues/down.md": post}))
    assert import_into("cstate", src, dest, "--severity", "down=P1:degraded").code == 0
    fields, _ = ticket(dest, "tickets/incidents/2026/INC-0001.md")
    assert (fields["severity"], fields["impact"], fields["status"]) == ("P1", "degraded", "investigating")


def test_a_bad_severity_override_is_a_usage_error(tmp_path: Path, dest: Path) -> None:
    src = _site(tmp_path)
    result = import_into("cstate", src, dest, "--severity", "down=P9")
    assert result.code == 2 and "e.g. --severity down=P1" in result.err
    assert not dest.exists()
