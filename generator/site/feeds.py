"""Machine-readable outputs: Atom feed, Statuspage-shaped API, iCal, badges."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from gitdesk.model import IncidentStatus, Kind, MaintenanceStatus, Ticket, maintenance_withdrawn
from gitdesk.site import charts
from gitdesk.site.pages import Headline, headline, ticket_path
from gitdesk.site.render import page_url, render
from gitdesk.site.views import Site, incident_state, window

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


def _component_json(site: Site, states: dict[str, str]) -> list[dict[str, Any]]:
    groups = {c.id: c.group for c in site.config.components}
    return [{"id": cid, "name": name, "status": states[cid], "position": index + 1, "group": False,
             "group_id": groups.get(cid), "only_show_if_degraded": False, "showcase": True, "page_id": _page_block(site)["id"],
             "description": None, "created_at": None, "updated_at": _iso(site.now)}
            for index, (cid, name) in enumerate(site.components)]


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
            "components": [{"id": c, "name": dict(site.components).get(c, c)} for c in t.components]}


def _recent(site: Site) -> list[Ticket]:
    return sorted(site.tickets[Kind.INCIDENT], key=lambda t: ((site.updated(t) or site.now).timestamp(), t.id), reverse=True)


def _maintenance_json(site: Site, t: Ticket) -> dict[str, Any]:
    w = window(t)
    state = t.get("status") or (MaintenanceStatus.COMPLETED if w and w[1] <= site.now else
                                MaintenanceStatus.IN_PROGRESS if w and w[0] <= site.now else MaintenanceStatus.SCHEDULED)
    return {"id": t.id, "name": t.title, "status": str(state).replace("-", "_"), "impact": {"outage": "major", "degraded": "minor"}.get(str(t.get("impact")), "none"),
            "scheduled_for": _iso(w[0]) if w else None, "scheduled_until": _iso(w[1]) if w else None,
            "shortlink": _href(site, ticket_path(t)), "incident_updates": [],
            "components": [{"id": c, "name": dict(site.components).get(c, c)} for c in t.components]}


def api_files(site: Site) -> dict[str, str]:
    """``api/v2/summary.json`` and ``api/v2/incidents.json`` (Statuspage public API shapes)."""
    states = site.component_states()
    top = headline(site)
    open_ = [incident_json(site, t) for t in site.open_incidents()]
    maintenance = [_maintenance_json(site, m) for m in sorted(site.active_maintenance() + site.upcoming_maintenance(), key=lambda m: m.id)]
    summary = {"page": _page_block(site), "components": _component_json(site, states), "incidents": open_,
               "scheduled_maintenances": maintenance, "status": {"indicator": INDICATOR[top.state], "description": top.words}}
    incidents = {"page": _page_block(site), "incidents": [incident_json(site, t) for t in _recent(site)[:FEED_SIZE]]}
    return {"api/v2/summary.json": _json(summary), "api/v2/incidents.json": _json(incidents)}


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
                "summary": t.get("update") or f"{t.severity} incident, {t.status}"} for t in recent]
    feed_id = base or f"urn:gitdesk:site:{site.scope.client_id or 'all'}"
    return render("feed.xml.j2", site=site, entries=entries, feed_id=feed_id, base_url=base, updated=_iso(site.now))


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


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


def ical(site: Site) -> str:
    """An iCalendar file of the maintenance windows (stamped with the build's ``now``: reproducible)."""
    def stamp(when: datetime) -> str:
        return when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//gitdesk//status site//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_ics_text(site.config.title + ' — maintenance')}"]
    for t in site.tickets[Kind.MAINTENANCE]:
        w = window(t)
        if not w or maintenance_withdrawn(t.get("status")):
            continue
        lines += ["BEGIN:VEVENT", f"UID:{t.id}@{site.scope.client_id or 'gitdesk'}", f"DTSTAMP:{stamp(site.now)}",
                  f"DTSTART:{stamp(w[0])}", f"DTEND:{stamp(w[1])}", f"SUMMARY:{_ics_text(t.id + ': ' + t.title)}"]
        if t.components:
            lines.append(f"DESCRIPTION:{_ics_text('Components: ' + ', '.join(t.components))}")
        if site.config.site.url:
            lines.append(f"URL:{_href(site, ticket_path(t))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def badges(site: Site) -> dict[str, str]:
    """Status, uptime and compliance badges: the home page's headline figures, in the same words."""
    top = headline(site)
    return {path: charts.badge(label, message, tone) for path, (label, message, tone) in _badge_values(site, top).items()}


def _badge_values(site: Site, top: Headline) -> dict[str, tuple[str, str, str]]:
    tone = {"operational": "good", "under_maintenance": "warn", "degraded_performance": "warn"}.get(top.state, "bad")
    target = site.config.uptime_for(site.scope.client_id).target / 100
    goal = site.config.policy_for(site.scope.client_id).min_compliance or 0.95
    return {
        "badges/status.svg": ("status", top.words, tone),
        "badges/uptime.svg": ("uptime", top.uptime_text if top.uptime is not None else "no data",
                              "none" if top.uptime is None else "good" if top.uptime >= target else "bad"),
        "badges/compliance.svg": ("SLA", top.compliance_text if top.compliance is not None else "no data",
                                  "none" if top.compliance is None else "good" if top.compliance >= goal else "bad"),
    }
