"""Machine-readable outputs: Atom feed, Statuspage-shaped API, iCal, badges."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from gitdesk.model import IncidentStatus, Kind, Ticket, maintenance_withdrawn
from gitdesk.site import charts
from gitdesk.site.home import badge_texts
from gitdesk.site.i18n import gettext as _
from gitdesk.site.pages import Headline, headline, ticket_path
from gitdesk.site.render import page_url, render, without_controls
from gitdesk.site.views import ComponentState, Site, incident_state, maintenance_state, window

#: Statuspage's indicator (and incident impact) for each component state: an
#: incident's impact is the state it puts its components in, so the page's
#: indicator is never milder than an incident it lists.
INDICATOR = {"operational": "none", "under_maintenance": "maintenance", "degraded_performance": "minor",
             "partial_outage": "major", "major_outage": "critical"}
FEED_SIZE = 50


def statuspage_status(status: object) -> str:
    """Statuspage's word for one of our incident statuses, read off the shared vocabulary's predicates."""
    parsed = IncidentStatus.parse(status)
    if parsed is None:
        return "investigating"
    if parsed.resolved or parsed.withdrawn:
        return "resolved"
    if parsed.mitigated:
        return "monitoring"
    return "identified" if parsed is IncidentStatus.IDENTIFIED else "investigating"


#: statuses Statuspage calls "monitoring": mitigated, not yet resolved
MONITORING = frozenset(s for s in IncidentStatus if statuspage_status(s) == "monitoring")


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if when else None


def _href(site: Site, path: str) -> str:
    """An absolute URL when ``site.url`` is set (feeds and APIs are read off-site), else root-relative."""
    url = page_url(path, site.directory_urls)
    return (site.config.site.url.rstrip("/") + "/" + url) if site.config.site.url else url


def _page_block(site: Site) -> dict[str, Any]:
    return {"id": site.scope.client_id or "gitdesk", "name": site.config.title, "url": site.config.site.url or "",
            "time_zone": site.config.timezone, "updated_at": _iso(site.now)}


def _group_id(group: str) -> str:
    return "group-" + (re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-") or "unnamed")


def _component_json(site: Site, states: dict[str, str]) -> list[dict[str, Any]]:
    """Components as Statuspage lists them: each group is a component too (``group: true``), before its members."""
    groups = {c.id: c.group for c in site.config.components}
    page_id = _page_block(site)["id"]
    members: dict[str, list[str]] = {}
    for cid, _ in site.components:
        if groups.get(cid):
            members.setdefault(str(groups[cid]), []).append(cid)
    out: list[dict[str, Any]] = []

    def add(entry: dict[str, Any]) -> None:
        out.append({"position": len(out) + 1, "only_show_if_degraded": False, "showcase": True, "page_id": page_id,
                    "description": None, "created_at": None, "updated_at": _iso(site.now), "start_date": None, **entry})

    for group, ids in members.items():
        add({"id": _group_id(group), "name": group, "status": ComponentState.worst([states[c] for c in ids]),
             "group": True, "group_id": None, "components": ids})
    for cid, name in site.components:
        add({"id": cid, "name": name, "status": states[cid], "group": False,
             "group_id": _group_id(str(groups[cid])) if groups.get(cid) else None})
    return out


def _affected(site: Site, ids: list[str]) -> list[dict[str, Any]]:
    """An incident's or window's components as Statuspage clients read them: id, name and current status."""
    states = site.component_states()
    names = {c.id: c.name for c in site.config.components}
    return [{"id": c, "name": names.get(c, c), "status": states.get(c, "operational")} for c in ids]


def incident_json(site: Site, t: Ticket) -> dict[str, Any]:
    """One incident in Statuspage's shape; each timeline entry is an incident update."""
    updates = []
    for entry in reversed(site.timeline(t)):
        updates.append({"id": f"{t.id}-{entry.sha[:10]}", "incident_id": t.id, "status": statuspage_status(entry.status),
                        "body": entry.update or "; ".join(entry.changes), "created_at": _iso(entry.when), "updated_at": _iso(entry.when),
                        "display_at": _iso(entry.when), "affected_components": None, "deliver_notifications": False,
                        "custom_tweet": None, "tweet_id": None})
    status = statuspage_status(t.status)
    return {"id": t.id, "name": t.title, "status": status, "impact": INDICATOR[incident_state(t) or "operational"],
            "created_at": _iso(site.started(t)), "updated_at": _iso(site.updated(t)), "started_at": _iso(site.started(t)),
            "monitoring_at": _iso(site.first_landing(t, MONITORING)),
            "resolved_at": _iso(site.resolved_at(t)), "shortlink": _href(site, ticket_path(t)), "page_id": _page_block(site)["id"],
            "incident_updates": updates,
            "components": _affected(site, t.components)}


def _recent(site: Site) -> list[Ticket]:
    return sorted(site.tickets[Kind.INCIDENT], key=lambda t: ((site.updated(t) or site.now).timestamp(), t.id), reverse=True)


def _maintenance_json(site: Site, t: Ticket) -> dict[str, Any]:
    w = window(t)
    state = maintenance_state(t, site.now)
    th = site.versions(t)
    return {"id": t.id, "name": t.title, "status": str(state).replace("-", "_"), "impact": {"outage": "major", "degraded": "minor"}.get(str(t.get("impact")), "none"),
            "created_at": _iso(th.first_landed if th and th.versions else None), "updated_at": _iso(site.updated(t)),
            "started_at": _iso(w[0]) if w and w[0] <= site.now else None, "monitoring_at": None,
            "resolved_at": _iso(w[1]) if w and w[1] <= site.now else None,
            "scheduled_for": _iso(w[0]) if w else None, "scheduled_until": _iso(w[1]) if w else None,
            "shortlink": _href(site, ticket_path(t)), "page_id": _page_block(site)["id"], "incident_updates": [],
            "components": _affected(site, t.components)}


def api_files(site: Site) -> dict[str, str]:
    """``api/v2/`` summary, incidents, status and components (Statuspage public API v2 shapes)."""
    states = site.component_states()
    top = headline(site)
    open_ = [incident_json(site, t) for t in site.open_incidents()]
    maintenance = [_maintenance_json(site, m) for m in sorted(site.active_maintenance() + site.upcoming_maintenance(), key=lambda m: m.id)]
    summary = {"page": _page_block(site), "components": _component_json(site, states), "incidents": open_,
               "scheduled_maintenances": maintenance, "status": {"indicator": INDICATOR[top.state], "description": top.words}}
    incidents = {"page": _page_block(site), "incidents": [incident_json(site, t) for t in _recent(site)[:FEED_SIZE]]}
    return {"api/v2/summary.json": _json(summary), "api/v2/incidents.json": _json(incidents),
            "api/v2/status.json": _json({"page": summary["page"], "status": summary["status"]}),
            "api/v2/components.json": _json({"page": summary["page"], "components": summary["components"]})}


def _json(data: Any) -> str:
    """JSON with <, > and & as \\u escapes: the same values, inert if a widget pastes it into HTML."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def atom_feed(site: Site) -> str:
    """An Atom feed of the most recently changed incidents."""
    recent = _recent(site)[:FEED_SIZE]
    base = site.config.site.url.rstrip("/") + "/" if site.config.site.url else None
    entries = [{"ticket": t, "id": f"{base}{page_url(ticket_path(t), site.directory_urls)}" if base else f"urn:gitdesk:incident:{t.id}",
                "updated": _iso(site.updated(t)), "published": _iso(site.started(t)), "href": _href(site, ticket_path(t)),
                "summary": t.get("update") or _("%(severity)s incident, %(status)s") % {"severity": t.severity, "status": _(str(t.status))}}
               for t in recent]
    feed_id = base or f"urn:gitdesk:site:{site.scope.client_id or 'all'}"
    return render("feed.xml.j2", site=site, entries=entries, feed_id=feed_id, home=_href(site, "index.md"),
                  self_href=_href(site, "feed.xml"), updated=_iso(site.now))


def autodiscovery(page_url: str) -> str:
    """The ``<link rel="alternate">`` that lets feed readers find the Atom feed from any page (into ``<head>``).

    The link is relative: readers resolve it against the page, and Material's
    script fetches the sitemap of any absolute alternate's origin.
    """
    # ``page_url`` is MkDocs' URL of the page relative to the site root: each "/" is one folder down.
    href = "../" * page_url.count("/") + "feed.xml"
    return str(Markup('<link rel="alternate" type="application/atom+xml" title="Atom" href="{}">').format(href))


def _ics_text(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newline escaped; no control characters (TEXT excludes them)."""
    return without_controls(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return "\r\n ".join(out)


def _uid_domain(site: Site) -> str:
    """The domain UIDs are qualified with (RFC 5545 3.8.4.7): the site's host, else a reserved name."""
    host = urlsplit(site.config.site.url).hostname if site.config.site.url else None
    return host or "gitdesk.invalid"


def ical(site: Site) -> str:
    """An iCalendar file of the maintenance windows (stamped with the build's ``now``: reproducible).

    A withdrawn window stays, as ``STATUS:CANCELLED`` with a higher SEQUENCE,
    so calendars that imported it drop it instead of keeping a stale event.
    """
    def stamp(when: datetime) -> str:
        return when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gitdesk//status site//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + _ics_text(_("%(title)s — maintenance") % {"title": site.config.title})]
    domain = _uid_domain(site)
    for t in site.tickets[Kind.MAINTENANCE]:
        w = window(t)
        if not w:
            continue
        th = site.versions(t)
        # each landed change is a revision of the event
        sequence = max(len(th.versions) - 1, 0) if th else 0
        lines += ["BEGIN:VEVENT", f"UID:{t.id.lower()}@{domain}", f"DTSTAMP:{stamp(site.now)}", f"SEQUENCE:{sequence}",
                  f"DTSTART:{stamp(w[0])}", f"DTEND:{stamp(w[1])}", f"SUMMARY:{_ics_text(t.id + ': ' + t.title)}",
                  "STATUS:CANCELLED" if maintenance_withdrawn(t.get("status")) else "STATUS:CONFIRMED"]
        if t.components:
            names = {c.id: c.name for c in site.config.components}
            listed = ", ".join(names.get(c, c) for c in t.components)
            lines.append("DESCRIPTION:" + _ics_text(_("Components: %(names)s") % {"names": listed}))
        if site.config.site.url:
            lines.append(f"URL:{_href(site, ticket_path(t))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def badges(site: Site) -> dict[str, str]:
    """Status, uptime and compliance badges as SVG and shields.io endpoint JSON: the home page's headline figures, in the same words."""
    top = headline(site)
    out: dict[str, str] = {}
    for path, (label, message, tone) in _badge_values(site, top).items():
        out[path] = charts.badge(label, message, tone)
        # shields.io's endpoint badge: https://img.shields.io/endpoint?url=<this file's URL>
        out[path.removesuffix(".svg") + ".json"] = _json({"schemaVersion": 1, "label": label, "message": message,
                                                          "color": charts.BADGE_COLORS[tone].lstrip("#")})
    return out


def _badge_values(site: Site, top: Headline) -> dict[str, tuple[str, str, str]]:
    tone = {"operational": "good", "under_maintenance": "warn", "degraded_performance": "warn"}.get(top.state, "bad")
    target = site.config.uptime_for(site.scope.client_id).target / 100
    goal = site.config.policy_for(site.scope.client_id).min_compliance or 0.95
    tones = {"badges/status.svg": tone,
             "badges/uptime.svg": "none" if top.uptime is None else "good" if top.uptime >= target else "bad",
             "badges/compliance.svg": "none" if top.compliance is None else "good" if top.compliance >= goal else "bad"}
    texts = badge_texts(top.words, None if top.uptime is None else top.uptime_text,
                        None if top.compliance is None else top.compliance_text)
    return {path: (label, message, tones[path]) for path, (label, message) in texts.items()}
