"""The Markdown pages of the site: status, incidents, history, SLA, backlog, decisions, maintenance, runbooks."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from typing import Any, Callable, Iterator, Sequence

from markupsafe import Markup, escape

from gitdesk import parallel
from gitdesk.model import Kind, Ticket
from gitdesk.sla import Stats, TargetName, combined_compliance, compliance
from gitdesk.sla.uptime import SERIES_DAYS
from gitdesk.site import charts, home, i18n
from gitdesk.site.i18n import N_, ngettext
from gitdesk.site.i18n import gettext as _
from gitdesk.site.render import environment, format_duration, format_percent, markdown_html, relative_url, render
from gitdesk.site.render_cache import RenderCache
from gitdesk.site.views import ComponentState, Site, maintenance_state, preventive, window

#: Where each kind's pages live in the bundle.
FOLDERS = {Kind.INCIDENT: "incidents", Kind.DECISION: "decisions", Kind.BACKLOG: "backlog",
           Kind.MAINTENANCE: "maintenance", Kind.RUNBOOK: "runbooks"}
POSTMORTEM = (("root_cause", N_("Root cause")), ("resolution", N_("Resolution")), ("prevention", N_("Prevention")))
SEVERITIES = ("P0", "P1", "P2", "P3")


@dataclass(frozen=True)
class NavItem:
    title: str
    path: str


#: a rendered page: (path, Markdown, the render cache key to keep it under, or None)
Rendered = tuple[str, str, "str | None"]


#: The words for the service's overall state. The banner, the status badge and
#: summary.json's description all use these, so no two places disagree.
OVERALL_WORDS = {
    "operational": N_("All systems operational"),
    "under_maintenance": ComponentState.LABELS["under_maintenance"],
    "degraded_performance": ComponentState.LABELS["degraded_performance"],
    "partial_outage": ComponentState.LABELS["partial_outage"],
    "major_outage": ComponentState.LABELS["major_outage"],
}


@dataclass(frozen=True)
class Headline:
    """The figures a reader takes away from the home page, each computed once.

    The card, the badges and ``api/v2/summary.json`` all read these, and they
    come straight from the SLA report, so they equal what ``gitdesk sla`` says
    for the same tickets.
    """

    state: str
    words: str
    #: met / (met + breached) over every target of every incident (``gitdesk sla``'s "Overall compliance")
    compliance: float | None
    #: the lowest component's uptime over :attr:`uptime_days`
    uptime: float | None
    uptime_days: int

    @property
    def compliance_text(self) -> str:
        return format_percent(self.compliance, 1)

    @property
    def uptime_text(self) -> str:
        return format_percent(self.uptime, 2)


def uptime_days(site: Site) -> int:
    """The uptime window the site quotes: the bars' 90 days when measured, else the longest window."""
    measured = {days for windows in site.report.uptime.values() for days in windows}
    return SERIES_DAYS if SERIES_DAYS in measured or not measured else max(measured)


def headline(site: Site) -> Headline:
    """State, compliance and uptime as the whole site states them."""
    state = site.overall()[0]
    days = uptime_days(site)
    lowest = min((w[days].uptime for w in site.report.uptime.values() if days in w), default=None)
    return Headline(state, _(OVERALL_WORDS[state]), compliance(site.report), lowest, days)


def ticket_path(ticket: Ticket) -> str:
    return f"{FOLDERS[ticket.kind]}/{ticket.id}.md"


def _page(site: Site, path: str, template: str, **context: Any) -> tuple[str, str]:
    link = partial(relative_url, path, directory_urls=site.directory_urls)
    return path, render(template, site=site, link=link, path_of=ticket_path, names=partial(component_names, site),
                        client_name=partial(client_name, site), **context)


def component_names(site: Site, ids: Sequence[str]) -> str:
    """Components as their readers know them: the names from gitdesk.yml (an unknown id stays as written)."""
    known = {c.id: c.name for c in site.config.components}
    return ", ".join(known.get(c, c) for c in ids)


def client_name(site: Site, client_id: str) -> str:
    """A client as gitdesk.yml names it ("Acme Corp", not "acme"); an unknown id stays as written."""
    return next((c.name for c in site.config.clients if c.id == client_id), client_id)


def show_value(value: Any) -> str | Markup:
    """A front-matter value as a reader should see it: lists joined, mappings as a definition list.

    Keys and values are escaped here; the Markup result is inserted as it is.
    """
    if isinstance(value, dict):
        # keys and one-word values (the impact scale) are vocabulary; anything longer is shown as written
        items = Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(_(str(k).replace("_", " ")),
                                                                        _(v) if isinstance(v, str) and v.isalpha() else show_value(v))
                                for k, v in value.items())
        return Markup('<dl class="gd-map">{}</dl>').format(items)
    if isinstance(value, list):
        shown = [show_value(v) for v in value]
        return Markup(", ").join(shown) if any(isinstance(v, Markup) for v in shown) else ", ".join(str(v) for v in shown)
    return "" if value is None else str(value)


def _related(site: Site, ticket: Ticket, keys: Sequence[str] = ("related",)) -> list[dict[str, Any]]:
    """Linked records the audience may see; ids of hidden records are dropped, not shown bare."""
    ids: list[str] = []
    for key in keys:
        value = ticket.get(key)
        for item in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
            if isinstance(item, str) and item in site.by_id and item not in ids and item != ticket.id:
                ids.append(item)
    # Backlog items and incidents point back at each other through `origin`/`related`.
    for other in site.tickets[Kind.BACKLOG] if ticket.kind is Kind.INCIDENT else []:
        if ticket.id in (other.get("origin") or []) and other.id not in ids:
            ids.append(other.id)
    return [{"ticket": site.by_id[i], "path": ticket_path(site.by_id[i])} for i in ids]


def _internal_notes(site: Site, ticket: Ticket) -> list[tuple[str, str | Markup]]:
    notes = ticket.get("internal") if site.scope.internal else None
    return [(str(k), show_value(v)) for k, v in notes.items()] if isinstance(notes, dict) else []


# --- ticket pages -----------------------------------------------------------------


def incident_page(site: Site, t: Ticket) -> tuple[str, str]:
    return _page(site, ticket_path(t), "incident.md.j2", **_incident_views(site, t), **_incident_markup(t))


def _incident_views(site: Site, t: Ticket) -> dict[str, Any]:
    """What incident.md.j2 reads besides ``site`` and the ticket's rendered Markdown (the render cache's key)."""
    return {"t": t, "resolved": site.resolved_at(t), "clocks": site.clock_lines(t), "timeline": site.timeline(t),
            "related": _related(site, t), "internal_notes": _internal_notes(site, t)}


def _incident_markup(t: Ticket) -> dict[str, Any]:
    postmortem = [(_(label), Markup(markdown_html(str(t.get(key))))) for key, label in POSTMORTEM if t.get(key)]
    return {"body": Markup(markdown_html(t.body)), "postmortem": postmortem}


FACT_LABELS = {"status": N_("Status"), "date": N_("Date"), "deciders": N_("Deciders"), "components": N_("Components"),
               "category": N_("Category"), "impact": N_("Impact"), "effort": N_("Effort"), "target": N_("Target"),
               "coverage": N_("Coverage"), "update": N_("Update"), "owner": N_("Owner"), "last_reviewed": N_("Last reviewed"),
               "every": N_("Every")}


#: fact keys whose values come from a schema enum, so they are translated
ENUMERATED = frozenset({"status", "impact", "category", "coverage"})

#: Backlog values a client reads (schema enums of backlog.schema.json), marked for extraction.
BACKLOG_WORDS = (N_("automation"), N_("ux"), N_("reports"), N_("integration"), N_("preventive"), N_("fix"),
                 N_("included"), N_("separate-estimate"), N_("out-of-scope"), N_("notes"))

#: Effort is a T-shirt size; a letter alone says little to a client, so each is spelled out.
EFFORT = {"XS": N_("XS (very small)"), "S": N_("S (small)"), "M": N_("M (medium)"), "L": N_("L (large)"), "XL": N_("XL (very large)")}


_EVERY = re.compile(r"^([1-9][0-9]*) (day|week|month|year)s?$")


def show_every(value: object) -> str:
    """A preventive runbook's ``every`` ("2 weeks") in the site's language; anything else as written."""
    found = _EVERY.match(str(value))
    if found is None:
        return str(value)
    n, unit = int(found.group(1)), found.group(2)
    words = (ngettext("%(num)s day", "%(num)s days", n) if unit == "day" else
             ngettext("%(num)s week", "%(num)s weeks", n) if unit == "week" else
             ngettext("%(num)s month", "%(num)s months", n) if unit == "month" else
             ngettext("%(num)s year", "%(num)s years", n))
    return words % {"num": n}


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def show_quarter(value: object) -> str:
    """A backlog ``target`` quarter ("2026-Q4") in the site's language ("2026-T4"); anything else as written."""
    found = _QUARTER.match(str(value))
    return _("%(year)s-Q%(quarter)s") % {"year": found.group(1), "quarter": found.group(2)} if found else str(value)


def _never(shown: object) -> str:
    # views.preventive says "never" for a runbook with no (ok) run
    return _("never") if shown == "never" else str(shown)


def _facts(site: Site, t: Ticket) -> list[tuple[str, str | Markup]]:
    def show(key: str) -> str | Markup:
        if key == "components":
            return component_names(site, t.components)
        if key == "every":
            return show_every(t.get(key))
        if key == "target":
            return show_quarter(t.get(key))
        value = t.get(key)
        if key == "effort" and isinstance(value, str) and value in EFFORT:
            return _(EFFORT[value])
        # enumerated values are the site's vocabulary; free text stays as written
        return _(value) if key in ENUMERATED and isinstance(value, str) and value else show_value(value)

    keys = {
        Kind.DECISION: ("status", "date", "deciders", "components"),
        Kind.BACKLOG: ("status", "category", "impact", "effort", "target", "coverage", "components"),
        Kind.MAINTENANCE: ("status", "impact", "components", "update"),
        Kind.RUNBOOK: ("owner", "components", "last_reviewed", "every"),
    }[t.kind]
    facts = [(_(FACT_LABELS[k]), show(k)) for k in keys if t.get(k) not in (None, "", [], {})]
    if t.kind is Kind.MAINTENANCE and (w := window(t)):
        facts[:0] = [(_("Starts"), site.clock.show(w[0])), (_("Ends"), site.clock.show(w[1]))]
    if t.kind is Kind.RUNBOOK and (p := preventive(site, t)):
        facts += [(_("Last run"), _never(p["last_run"])), (_("Last ok run"), _never(p["last_ok"])), (_("Next due"), str(p["next_due"])),
                  (_("Overdue"), _("yes") if p["overdue"] else _("no"))]
    return facts


def _chain(site: Site, t: Ticket) -> list[dict[str, Any]]:
    """The decision's supersede chain, oldest first, through visible decisions only."""
    if t.kind is not Kind.DECISION or not (t.get("supersedes") or t.get("superseded_by")):
        return []
    def step(ticket: Ticket, key: str) -> Ticket | None:
        value = ticket.get(key)
        value = value[0] if isinstance(value, list) and value else value
        found = site.by_id.get(value) if isinstance(value, str) else None
        return found if found is not None and found.kind is Kind.DECISION else None
    chain, seen = [t], {t.id}
    while (older := step(chain[0], "supersedes")) and older.id not in seen:
        chain.insert(0, older)
        seen.add(older.id)
    while (newer := step(chain[-1], "superseded_by")) and newer.id not in seen:
        chain.append(newer)
        seen.add(newer.id)
    return [{"ticket": d, "path": ticket_path(d)} for d in chain]


def record_page(site: Site, t: Ticket) -> tuple[str, str]:
    return _page(site, ticket_path(t), "record.md.j2", **_record_views(site, t), body=Markup(markdown_html(t.body)))


def _record_views(site: Site, t: Ticket) -> dict[str, Any]:
    """What record.md.j2 reads besides ``site`` and the ticket's rendered Markdown (the render cache's key)."""
    keys = ("related", "origin") if t.kind is Kind.BACKLOG else ("related",)
    runs = [r for r in t.get("runs") or [] if isinstance(r, dict)] if t.kind is Kind.RUNBOOK else []
    return {"t": t, "facts": _facts(site, t), "chain": _chain(site, t), "runs": runs, "related": _related(site, t, keys),
            "internal_notes": _internal_notes(site, t)}


# --- listings ---------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]


def status_page(site: Site) -> tuple[str, str]:
    """The home page (:mod:`gitdesk.site.home`), from the headline every badge and summary.json also state."""
    top = headline(site)
    return _page(site, "index.md", "status.md.j2", **home.status_context(
        site, state=top.state, words=top.words, uptime=top.uptime, uptime_text=top.uptime_text, uptime_days=top.uptime_days,
        compliance_text=top.compliance_text, path_of=ticket_path, names=partial(component_names, site)))


def history_pages(site: Site, keep: Keeper | None = None) -> Iterator[Rendered]:
    """The history index and each month's listing pages; with ``keep``, a month page whose rows did not change is kept."""
    keep = keep or Keeper()
    by_month: dict[str, list[Ticket]] = defaultdict(list)
    for t in site.tickets[Kind.INCIDENT]:
        started = site.started(t)
        by_month[site.month(started) if started else "undated"].append(t)
    months = []
    for month in sorted(by_month, reverse=True):
        items = sorted(by_month[month], key=lambda t: ((site.started(t) or site.now).timestamp(), t.id), reverse=True)
        counts = Counter(t.severity for t in items)
        months.append({"month": month, "path": f"history/{month}.md", "total": len(items), "by_severity": counts})
        # (value the rows carry, text the reader sees)
        filters = [("severity", _("Severity"), [(v, v) for v in sorted({t.severity for t in items if t.severity})]),
                   ("components", _("Component"), [(c, component_names(site, [c])) for c in sorted({c for t in items for c in t.components})]),
                   ("status", _("Status"), [(v, _(v)) for v in sorted({t.status for t in items if t.status})])]
        chunks = _chunks(items, site.config.site.page_size)
        paths = [(n, f"history/{month}.md" if n == 1 else f"history/{month}-p{n}.md") for n in range(1, len(chunks) + 1)]
        for (number, path), chunk in zip(paths, chunks):
            # the rows read each incident's start from ``site`` (incident_rows): part of the key
            yield keep.page(site, path, "listing.md.j2", reads=[site.started(t) for t in chunk], title=_("Incidents in %(month)s") % {"month": month},
                        intro=ngettext("%(num)s incident.", "%(num)s incidents.", len(items)) % {"num": len(items)},
                        filters=filters, pages=paths, current=number, incidents=chunk, rows=[], headers=[])
    yield keep.page(site, "history/index.md", "history.md.j2", title=_("History"), months=months)


def sla_pages(site: Site, keep: Keeper | None = None) -> Iterator[Rendered]:
    """The SLA overview and each month's report; with ``keep``, a page whose figures did not change is kept."""
    keep = keep or Keeper()
    report = site.report
    severity_rows = []
    for sev in SEVERITIES:
        for name, stats in sorted(report.by_severity.get(sev, {}).items(), key=lambda kv: list(TargetName).index(kv[0])):
            severity_rows.append({"severity": sev, "target": name.value, "stats": stats, "goal": _goal(site, sev, name.value)})
    month_rows: list[dict[str, Any]] = []
    # a month with no incident still has a report: its uptime
    for month in sorted(set(report.by_month) | set(report.uptime_by_month)):
        targets = report.by_month.get(month, {})
        all_stats = [s for by_target in targets.values() for s in by_target.values()]
        month_rows.append({"month": month, "path": f"sla/{month}.md", "compliance": combined_compliance(all_stats),
                           "mtta": _mean([t.get(TargetName.RESPONSE) for t in targets.values()]),
                           "mttr": _mean([t.get(TargetName.RESOLUTION) for t in targets.values()]),
                           "breached": sum(s.breached for s in all_stats)})
    recent = month_rows[-12:]
    chart_list = [
        charts.bar_chart(_("SLA compliance per month"), [(charts.month_label(r["month"]), r["compliance"]) for r in recent], text=lambda v: f"{v * 100:.0f}%",
                         tone=lambda v: "none" if v >= 0.95 else "degraded" if v >= 0.8 else "outage", ceiling=1.0),
        charts.bar_chart(_("Mean time to resolve (MTTR) per month"), [(charts.month_label(r["month"]), r["mttr"]) for r in recent], text=format_duration),
        charts.bar_chart(_("Mean time to acknowledge (MTTA) per month"), [(charts.month_label(r["month"]), r["mtta"]) for r in recent], text=format_duration),
    ]
    breaches = _breaches(site)
    uptime_rows = [{"name": name, "days": u.days, "uptime": f"{u.uptime * 100:.3f}%", "outage": u.outage_seconds,
                    "degraded": u.degraded_seconds, "maintenance": u.maintenance_seconds, "left": u.budget_left_seconds}
                   for cid, name in site.components for _, u in sorted(report.uptime.get(cid, {}).items())]
    # a client's figures leave out its internal incidents (counting them would reveal them): say so where they are stated
    note = None if site.scope.internal else _("These figures count the incidents published on this site.")
    # The overview's uptime rows move with every ``now``: it is rendered each build, not keyed (a key costs as much).
    yield _fresh(_page(site, "sla/index.md", "sla.md.j2", title=_("SLA"), printable=False, audience_note=note, severity_rows=severity_rows,
                month_rows=list(reversed(month_rows)), charts=chart_list, breaches=breaches, uptime_rows=uptime_rows,
                escalations=sorted(report.escalations.items())))
    for row in month_rows:
        month = row["month"]
        rows = [{"severity": sev, "target": name.value, "stats": stats, "goal": _goal(site, sev, name.value),
                 "result": _result(site, stats)}
                for sev in SEVERITIES for name, stats in report.by_month.get(month, {}).get(sev, {}).items()]
        yield keep.page(site, row["path"], "sla.md.j2", title=_("SLA report — %(month)s") % {"month": month}, printable=True,
                    audience_note=note, severity_rows=rows,
                    month_rows=[], charts=[], breaches=[b for b in breaches if b["month"] == month], uptime_rows=[], escalations=[],
                    report=_month_report(site, month, row))


def _goal(site: Site, severity: str, target: str) -> str:
    spec = site.config.policy_for(site.scope.client_id).targets.get(severity)
    seconds = spec.seconds(target) if spec else None
    return format_duration(seconds) if seconds is not None else "—"


def _verdict(met: bool | None) -> str:
    return _("no data") if met is None else _("met") if met else _("missed")


def _result(site: Site, stats: Stats) -> str:
    """A target's goal for the month: at least ``min_compliance`` of its clocks within target, else every one."""
    if stats.met + stats.breached == 0:
        return _verdict(None)
    floor = site.config.policy_for(site.scope.client_id).min_compliance
    return _verdict(stats.breached == 0 if floor is None or stats.compliance is None else stats.compliance >= floor)


def _month_report(site: Site, month: str, row: dict[str, Any]) -> dict[str, Any]:
    """Who and what a monthly report covers, and its goals: compliance, and each component's uptime that month."""
    client = site.scope.client
    year, number = (int(part) for part in month.split("-"))
    floor = site.config.policy_for(site.scope.client_id).min_compliance
    measured = row["compliance"]
    compliance_met = None if measured is None else measured >= floor if floor is not None else row["breached"] == 0
    return {"service": site.config.title,
            "client": client.name if client else _("all clients (internal)"),
            "period": i18n.month_name(year, number),
            "compliance_goal": format_percent(floor, 0) if floor is not None else _("every target met"),
            "compliance": format_percent(measured), "compliance_result": _verdict(compliance_met),
            "uptime_goal": f"{site.config.uptime_for(site.scope.client_id).target:g}%",
            **_month_uptime(site, month)}


def _month_uptime(site: Site, month: str) -> dict[str, Any]:
    """Each component's uptime over the month, as ``gitdesk sla`` computes it (``summary.uptime_by_month``), against the goal.

    ``uptime_rows``: one per component measured that month. A component
    measured over part of the month (it started later, or the month is still
    running) says which part; when every component has the same part, it is
    said once (``uptime_span``).
    """
    measured = site.report.uptime_by_month.get(month, {})
    year, number = (int(part) for part in month.split("-"))
    begins = datetime.combine(date(year, number, 1), time(0), site.clock.zone)
    ends = datetime.combine(date(year + number // 12, number % 12 + 1, 1), time(0), site.clock.zone)
    rows = []
    for cid, name in site.components:
        u = measured.get(cid)
        if u is None or u.start is None or u.end is None:
            continue
        whole = u.start <= begins and u.end >= ends
        rows.append({"component": cid, "name": name, "uptime": format_percent(u.uptime, 3),
                     "span": None if whole else _("from %(start)s to %(end)s") % {"start": site.clock.show(u.start), "end": site.clock.show(u.end)},
                     "result": _verdict(u.met)})
    spans = {row["span"] for row in rows}
    if len(spans) == 1 and len(rows) > 1:
        return {"uptime_rows": [{**row, "span": None} for row in rows], "uptime_span": spans.pop()}
    return {"uptime_rows": rows, "uptime_span": None}


def _mean(stats: Sequence[Stats | None]) -> float | None:
    """Mean across severities, weighted by how many clocks each mean covers."""
    pairs = [(s.mean_seconds, s.met + s.breached) for s in stats if s is not None and s.mean_seconds is not None]
    weight = sum(n for _, n in pairs)
    return sum(m * n for m, n in pairs) / weight if weight else None


def _breaches(site: Site) -> list[dict[str, Any]]:
    found = []
    for ticket_id, clocks in sorted(site.sla.items()):
        ticket = site.by_id[ticket_id]
        for name, clock in clocks.targets.items():
            if clock.breached or clock.ever_breached:
                started = clock.started_at or site.started(ticket)
                found.append({"ticket": ticket, "path": ticket_path(ticket), "target": name.value, "elapsed": clock.elapsed_seconds,
                              "goal": clock.target_seconds, "reason": ticket.get("breach_reason"),
                              "month": site.month(started) if started else ""})
    return found


def _rows(site: Site, tickets: Sequence[Ticket], cells: Callable[[Ticket], list[str]]) -> list[dict[str, Any]]:
    return [{"ticket": t, "path": ticket_path(t), "cells": cells(t)} for t in tickets]


def backlog_page(site: Site) -> tuple[str, str]:
    items = site.tickets[Kind.BACKLOG]
    order = ("in-progress", "planned", "accepted", "proposed", "done", "rejected")
    def cells(t: Ticket) -> list[str | Markup]:
        origin = [i for i in t.get("origin") or [] if i in site.by_id]
        category = t.get("category")
        return [_(category) if isinstance(category, str) and category else "", show_quarter(t.get("target") or ""), show_value(t.get("impact")),
                ", ".join(origin)]
    headers = [_("Item"), _("Category"), _("Quarter"), _("Impact"), _("Origin incidents")]
    sections = [{"heading": _(status).replace("-", " ").capitalize(), "headers": headers,
                 "rows": _rows(site, [t for t in items if t.status == status], cells)} for status in order
                if any(t.status == status for t in items)]
    quarters = Counter(str(t.get("target")) for t in items if t.get("target"))
    sections.append({"heading": _("By quarter"), "headers": [_("Quarter"), _("Items")], "rows": [{"cells": [show_quarter(q), str(n)]} for q, n in sorted(quarters.items())]})
    months = sorted(site.report.backlog_throughput)[-12:]
    sections.append({"heading": _("Throughput"), "note": _("Items done per month (when the change landed)."),
                     "chart": charts.bar_chart(_("Backlog items done per month"), [(charts.month_label(m), float(site.report.backlog_throughput[m])) for m in months],
                                               text=lambda v: str(int(v)))})
    return _page(site, "backlog/index.md", "sections.md.j2", title=_("Backlog"), intro=_("Evolution items by status and quarter."), sections=sections)


def decisions_page(site: Site) -> tuple[str, str]:
    def cells(t: Ticket) -> list[str]:
        links = [_("supersedes %(id)s") % {"id": t.get("supersedes")} if t.get("supersedes") in site.by_id else "",
                 _("superseded by %(id)s") % {"id": t.get("superseded_by")} if t.get("superseded_by") in site.by_id else ""]
        return [_(t.status) if t.status else "", str(t.get("date") or ""), "; ".join(x for x in links if x)]
    sections = [{"heading": _("Decision log"), "headers": [_("Decision"), _("Status"), _("Date"), _("Chain")], "rows": _rows(site, site.tickets[Kind.DECISION], cells)}]
    return _page(site, "decisions/index.md", "sections.md.j2", title=_("Decisions"), intro="", sections=sections)


def maintenance_page(site: Site) -> tuple[str, str]:
    def cells(t: Ticket) -> list[str]:
        w = window(t)
        return [site.clock.show(w[0]) if w else "—", site.clock.show(w[1]) if w else "—", _(str(maintenance_state(t, site.now))),
                component_names(site, t.components)]
    windows = sorted(site.tickets[Kind.MAINTENANCE], key=lambda t: ((w := window(t)) and w[0].timestamp()) or 0, reverse=True)
    upcoming = [t for t in windows if (w := window(t)) and w[1] > site.now]
    past = [t for t in windows if t not in upcoming]
    tasks = [(t, p) for t in site.tickets[Kind.RUNBOOK] if (p := preventive(site, t))]
    headers = [_("Window"), _("Starts"), _("Ends"), _("Status"), _("Components")]
    sections = [
        {"heading": _("Scheduled windows"), "headers": headers, "rows": _rows(site, list(reversed(upcoming)), cells), "empty": _("No maintenance scheduled.")},
        {"heading": _("Past windows"), "headers": headers, "rows": _rows(site, past[:site.config.site.page_size], cells), "empty": _("None yet.")},
        {"heading": _("Preventive tasks"), "headers": [_("Task"), _("Every"), _("Last run"), _("Last ok run"), _("Next due"), _("State")],
         "rows": [{"ticket": t, "path": ticket_path(t), "cells": [show_every(p["every"]), _never(p["last_run"]), _never(p["last_ok"]),
                                                                    str(p["next_due"]), _("overdue") if p["overdue"] else _("on schedule")]}
                  for t, p in tasks],
         "empty": _("No preventive tasks published.")},
    ]
    return _page(site, "maintenance/index.md", "sections.md.j2", title=_("Maintenance"), intro="", sections=sections)


def runbooks_page(site: Site) -> tuple[str, str]:
    sections = [{"heading": _("Runbooks"), "headers": [_("Runbook"), _("Owner"), _("Last reviewed"), _("Components")],
                 "rows": _rows(site, site.tickets[Kind.RUNBOOK], lambda t: [str(t.get("owner") or ""), str(t.get("last_reviewed") or ""), component_names(site, t.components)])}]
    return _page(site, "runbooks/index.md", "sections.md.j2", title=_("Runbooks"), intro="", sections=sections)


#: Below this many ticket pages, forking workers costs more than it saves.
PARALLEL_PAGES = 500


def all_pages(site: Site, *, cache: RenderCache | None = None) -> tuple[dict[str, str], list[NavItem]]:
    """Every Markdown page, and the small nav that links the listings (ticket pages stay out).

    With ``cache``, a ticket page whose inputs are those of a page it holds is
    not rendered again (see :mod:`gitdesk.site.render_cache`), nor are the
    history and SLA pages whose inputs did not change; the result is the same text.
    """
    nav = [NavItem(_("Status"), "index.md"), NavItem(_("History"), "history/index.md"), NavItem(_("SLA"), "sla/index.md"),
           NavItem(_("Backlog"), "backlog/index.md"), NavItem(_("Decisions"), "decisions/index.md"), NavItem(_("Maintenance"), "maintenance/index.md")]
    footer = str(environment().get_template("macros.j2").module.footer(site)) if cache is not None else ""  # type: ignore[attr-defined]
    # Everything every kept page reads from ``site`` besides its own views: one audience's pages are never another's.
    shared = cache.key(site.config, site.scope, site.directory_urls, site.history.branch) if cache is not None else None
    keep = Keeper(cache, shared, footer)
    jobs: list[Callable[[], list[Rendered]]] = [
        lambda: [_fresh(status_page(site))], lambda: list(history_pages(site, keep)), lambda: list(sla_pages(site, keep)),
        lambda: [_fresh(backlog_page(site)), _fresh(decisions_page(site)), _fresh(maintenance_page(site))],
    ]
    if site.tickets[Kind.RUNBOOK]:
        jobs.append(lambda: [_fresh(runbooks_page(site))])
        nav.append(NavItem(_("Runbooks"), "runbooks/index.md"))
    kept: dict[str, str] = {}
    keys: dict[str, str] = {}
    for kind, tickets in site.tickets.items():
        render_one = incident_page if kind is Kind.INCIDENT else record_page
        for t in tickets:
            key = _page_key(cache, shared, site, t) if cache is not None and shared is not None else None
            text = cache.get(key, footer) if cache is not None and key is not None else None
            if text is not None:
                kept[ticket_path(t)] = text
                continue
            if key is not None:
                keys[ticket_path(t)] = key
            jobs.append(partial(_one_page, render_one, site, t))
    # Rendering is pure and per page: at 10,000 tickets it is most of gitdesk's own build time.
    rendered = parallel.run_all(jobs, min_jobs=PARALLEL_PAGES)
    markdown = {path: text for part in rendered for path, text, _key in part}
    if cache is not None:
        # kept here, not in the job: a job may run in a forked worker
        keys.update((path, key) for part in rendered for path, _text, key in part if key is not None)
        for path, key in keys.items():
            cache.put(key, markdown[path], footer)
    markdown.update(kept)
    return markdown, nav


def _fresh(page: tuple[str, str]) -> Rendered:
    """A page with no key of its own to keep it under (the home page and short listings read the whole site)."""
    return page[0], page[1], None


@dataclass(frozen=True)
class Keeper:
    """Listing pages kept in a render cache between builds, like ticket pages (:mod:`gitdesk.site.render_cache`).

    A page's key is everything its template reads: its path, template and
    context, what it reads from ``site`` beyond them (``reads``), and the
    site-wide ``shared`` key (config, scope, URL style, branch). The footer is
    left out of the key and replaced, as on ticket pages. Without a cache every
    page is rendered.
    """

    cache: RenderCache | None = None
    shared: str | None = None
    footer: str = ""

    def page(self, site: Site, path: str, template: str, *, reads: object = (), **context: Any) -> Rendered:
        """``path`` rendered from ``template`` and ``context`` (see :func:`_page`), or kept from an earlier build."""
        key = self.cache.key(self.shared, path, template, context, reads) if self.cache is not None and self.shared else None
        text = self.cache.get(key, self.footer) if self.cache is not None and key is not None else None
        if text is not None:
            return path, text, None
        return (*_page(site, path, template, **context), key)


def _page_key(cache: RenderCache, shared: str, site: Site, t: Ticket) -> str | None:
    """The render cache key of ``t``'s page: its views, its start time (the template asks ``site``), path and template."""
    if t.kind is Kind.INCIDENT:
        return cache.key(shared, ticket_path(t), "incident.md.j2", _incident_views(site, t), site.started(t))
    return cache.key(shared, ticket_path(t), "record.md.j2", _record_views(site, t))


def _one_page(render_one: Callable[[Site, Ticket], tuple[str, str]], site: Site, t: Ticket) -> list[Rendered]:
    return [_fresh(render_one(site, t))]
