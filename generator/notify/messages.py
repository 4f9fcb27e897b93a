"""Messages: a subject, a text body and an HTML body per event (or per digest). Pure.

Every word gitdesk itself writes goes through :func:`say`, the one place the
site's language (``site.language``) plugs in. Ticket text is shown as
written, but always escaped in HTML and kept to one line in a subject (a line
break there would start a new mail header).
"""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from gitdesk.notify.events import Event, EventKind
from gitdesk.site.i18n import translations
from gitdesk.site.pages import ticket_path
from gitdesk.site.render import page_url

#: more events than this for one channel in one run become one digest message
DIGEST_ABOVE = 10

_EN: dict[str, str] = {
    "event.incident-opened": "{id} opened",
    "event.status-changed": "{id} is now {status}",
    "event.update-posted": "{id} updated",
    "event.resolved": "{id} resolved",
    "event.reopened": "{id} reopened",
    "event.maintenance-announced": "{id} maintenance announced",
    "event.maintenance-changed": "{id} maintenance changed",
    "event.maintenance-cancelled": "{id} maintenance cancelled",
    "event.maintenance-starting": "{id} maintenance starts soon",
    "event.sla-at-risk": "{id} {target} SLA at risk",
    "event.sla-breached": "{id} {target} SLA breached",
    "subject": "[{audience}] {what}: {title}",
    "audience.internal": "internal",
    "digest.subject": "[{audience}] {count} updates",
    "label.status": "Status",
    "label.previous": "Previous status",
    "label.severity": "Severity",
    "label.window": "Window",
    "label.update": "Latest update",
    "label.link": "Details",
    "footer": "Sent by gitdesk for {audience}.",
}
_ES: dict[str, str] = {
    "event.incident-opened": "{id} abierta",
    "event.status-changed": "{id} pasa a {status}",
    "event.update-posted": "{id} actualizada",
    "event.resolved": "{id} resuelta",
    "event.reopened": "{id} reabierta",
    "event.maintenance-announced": "{id} mantenimiento anunciado",
    "event.maintenance-changed": "{id} mantenimiento modificado",
    "event.maintenance-cancelled": "{id} mantenimiento cancelado",
    "event.maintenance-starting": "{id} el mantenimiento empieza pronto",
    "event.sla-at-risk": "{id} SLA de {target} en riesgo",
    "event.sla-breached": "{id} SLA de {target} incumplido",
    "subject": "[{audience}] {what}: {title}",
    "audience.internal": "interno",
    "digest.subject": "[{audience}] {count} novedades",
    "label.status": "Estado",
    "label.previous": "Estado anterior",
    "label.severity": "Severidad",
    "label.window": "Ventana",
    "label.update": "Última actualización",
    "label.link": "Detalles",
    "footer": "Enviado por gitdesk para {audience}.",
}
_LANGUAGES = {"en": _EN, "es": _ES}


def say(key: str, /, *, language: str = "en", **values: object) -> str:
    """The UI string ``key`` in ``language`` (English when missing), with ``values`` filled in.

    Status and target words among ``values`` are the site's vocabulary, translated
    by the site's catalog, so a message and the page it links to use the same words.
    """
    table = _LANGUAGES.get(language, _EN)
    words = translations(language)
    shown = {k: words.gettext(v) if k in _VOCABULARY_VALUES and isinstance(v, str) and v else v for k, v in values.items()}
    return table.get(key, _EN[key]).format(**shown)


#: ``say`` values that are vocabulary words (statuses, clock targets), not ticket text
_VOCABULARY_VALUES = frozenset({"status", "target"})


class Tone(enum.StrEnum):
    """How a channel may colour the message (Apprise's notify types)."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    FAILURE = "failure"


_TONES = {EventKind.RESOLVED: Tone.SUCCESS, EventKind.INCIDENT_OPENED: Tone.WARNING, EventKind.REOPENED: Tone.WARNING,
          EventKind.SLA_AT_RISK: Tone.WARNING, EventKind.SLA_BREACHED: Tone.FAILURE}


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    tone: Tone = Tone.INFO


@dataclass(frozen=True)
class Context:
    """Who the message is for and where the site lives."""

    #: the client's name, or "" for the internal audience
    audience: str
    #: the address of this audience's own site (``gitdesk publish``'s folder under gitdesk.yml's ``site.url``)
    site_url: str | None = None
    language: str = "en"

    def say(self, key: str, /, **values: object) -> str:
        return say(key, language=self.language, **values)

    @property
    def who(self) -> str:
        return self.audience or self.say("audience.internal")


_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """``text`` on one line, control characters and line breaks folded into spaces."""
    return _SPACE.sub(" ", "".join(c if c.isprintable() else " " for c in text)).strip()


def link(event: Event, site_url: str | None) -> str | None:
    """The absolute URL of the ticket's page on the site, when ``site.url`` is set."""
    if not site_url or not site_url.startswith(("https://", "http://")):
        return None
    return site_url.rstrip("/") + "/" + page_url(ticket_path(event.ticket), False)


def headline(event: Event, context: Context) -> str:
    """What happened, to what: ``INC-0042 resolved``."""
    return one_line(context.say(f"event.{event.kind.value}", id=event.ticket.id, status=event.ticket.status or "",
                                target=event.target or ""))


def _facts(event: Event, context: Context) -> list[tuple[str, str]]:
    facts = []
    status = event.ticket.status
    words = translations(context.language)
    if status:
        facts.append((context.say("label.status"), words.gettext(status)))
    if event.previous_status and event.previous_status != status:
        facts.append((context.say("label.previous"), words.gettext(event.previous_status)))
    if event.ticket.severity:
        facts.append((context.say("label.severity"), event.ticket.severity))
    starts, ends = event.ticket.get("starts_at"), event.ticket.get("ends_at")
    if starts and ends:
        facts.append((context.say("label.window"), f"{starts} – {ends}"))
    return [(label, one_line(str(value))) for label, value in facts]


def render(event: Event, context: Context) -> Message:
    """One event as a message: subject (what, to what, for whom), text and HTML bodies."""
    subject = context.say("subject", audience=one_line(context.who), what=headline(event, context), title=one_line(event.ticket.title))
    return Message(subject, _text([event], context), _html([event], context), _TONES.get(event.kind, Tone.INFO))


def render_digest(events: Sequence[Event], context: Context) -> Message:
    """Many events for one channel as one message, each with its headline, update and link."""
    subject = context.say("digest.subject", audience=one_line(context.who), count=len(events))
    worst = max((_TONES.get(e.kind, Tone.INFO) for e in events), key=list(Tone).index, default=Tone.INFO)
    return Message(subject, _text(events, context), _html(events, context), worst)


def messages(events: Sequence[Event], context: Context) -> list[tuple[list[Event], Message]]:
    """The messages for one channel: one per event, or one digest above :data:`DIGEST_ABOVE` events."""
    if len(events) > DIGEST_ABOVE:
        return [(list(events), render_digest(events, context))]
    return [([event], render(event, context)) for event in events]


def _text(events: Iterable[Event], context: Context) -> str:
    blocks = []
    for event in events:
        lines = [f"{headline(event, context)}: {one_line(event.ticket.title)}"]
        lines += [f"{label}: {value}" for label, value in _facts(event, context)]
        if event.update:
            lines.append(f"{context.say('label.update')}: {event.update.strip()}")
        url = link(event, context.site_url)
        if url:
            lines.append(f"{context.say('label.link')}: {url}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n\n-- \n" + context.say("footer", audience=one_line(context.who)) + "\n"


def _html(events: Iterable[Event], context: Context) -> str:
    # one labelled line per fact and the link spelled out: the text part Apprise derives from it reads like _text
    e = html.escape
    parts = []
    for event in events:
        lines = [f"<strong>{e(label)}:</strong> {e(value)}" for label, value in _facts(event, context)]
        if event.update:
            lines.append(f"<strong>{e(context.say('label.update'))}:</strong> {e(event.update.strip())}")
        url = link(event, context.site_url)
        if url:
            lines.append(f"<strong>{e(context.say('label.link'))}:</strong> <a href=\"{e(url)}\">{e(url)}</a>")
        block = f"<h2>{e(headline(event, context))}: {e(one_line(event.ticket.title))}</h2>"
        parts.append(block + "".join(f"<p>{line}</p>" for line in lines))
    footer = f"<p><small>{e(context.say('footer', audience=one_line(context.who)))}</small></p>"
    return "<html><body>" + "<hr>".join(parts) + footer + "</body></html>"
