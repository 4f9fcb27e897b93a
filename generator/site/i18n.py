"""The site's language: gettext catalogs (Babel) for every word the site itself writes.

Catalogs live in ``locale/<lang>/LC_MESSAGES/gitdesk.mo`` inside the package
(``make i18n`` extracts, updates and compiles them). A build renders in one
language: :func:`activate` selects it before any page is rendered, and both
templates (through ``jinja2.ext.i18n``) and Python code (:func:`gettext`,
:func:`ngettext`) read the active catalog. Ticket text is shown as written.
"""

from __future__ import annotations

import gettext as gettext_lib
from datetime import date
from functools import lru_cache
from importlib import resources

from babel.dates import format_date
from babel.support import Translations

#: languages with a catalog (English is the source language: no catalog needed)
LANGUAGES = ("en", "es")
DOMAIN = "gitdesk"

_active: gettext_lib.NullTranslations = gettext_lib.NullTranslations()
_language = "en"


@lru_cache(maxsize=None)
def translations(language: str) -> gettext_lib.NullTranslations:
    """The compiled catalog for ``language`` (English, or an unknown language, gives the source strings)."""
    if language == "en":
        return gettext_lib.NullTranslations()
    folder = resources.files("gitdesk.site").joinpath("locale")
    return Translations.load(str(folder), [language], DOMAIN)


def activate(language: str) -> None:
    """Render every following page in ``language``."""
    global _active, _language
    _active, _language = translations(language), language


def language() -> str:
    return _language


def gettext(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


_ = gettext


def month_label(year: int, month: int) -> str:
    """A short month for chart axes, in the active language: ``Nov 26``, ``nov 26``."""
    return format_date(date(year, month, 1), "MMM yy", locale=_language).replace(".", "")


def month_name(year: int, month: int) -> str:
    """A month as a heading: ``November 2026``, ``noviembre de 2026``."""
    return format_date(date(year, month, 1), "MMMM y", locale=_language)


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; translate it with :func:`gettext` where it is shown."""
    return message


#: Words that reach pages as data (statuses, kinds, impacts, component states), marked for extraction.
VOCABULARY = (
    N_("reported"),
    N_("triaged"),
    N_("investigating"),
    N_("waiting"),
    N_("identified"),
    N_("mitigated"),
    N_("monitoring"),
    N_("resolved"),
    N_("closed"),
    N_("deferred"),
    N_("cancelled"),
    N_("scheduled"),
    N_("in-progress"),
    N_("completed"),
    N_("proposed"),
    N_("accepted"),
    N_("planned"),
    N_("done"),
    N_("rejected"),
    N_("superseded"),
    N_("deprecated"),
    N_("incident"),
    N_("decision"),
    N_("backlog"),
    N_("maintenance"),
    N_("runbook"),
    N_("outage"),
    N_("degraded"),
    N_("none"),
    N_("ok"),
    N_("failed"),
    N_("response"),
    N_("mitigation"),
    N_("resolution"),
    N_("Operational"),
    N_("Under maintenance"),
    N_("Degraded performance"),
    N_("Partial outage"),
    N_("Major outage"),
    N_("no incident"),
    N_("severity"),
    N_("time saved"),
    N_("errors avoided"),
    N_("control gained"),
    N_("low"),
    N_("medium"),
    N_("high"),
    N_("level"),
)
