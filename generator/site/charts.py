"""Charts as inline SVG, drawn at build time.

Colours come from CSS classes (``gd-fill-*``, defined in gitdesk.css for
Material's light and dark palettes) and every bar carries a text label, so no
state is told by colour alone.
"""

from __future__ import annotations

from typing import Callable, Sequence

from markupsafe import Markup

from gitdesk.site import i18n
from gitdesk.site.i18n import N_
from gitdesk.site.i18n import gettext as _
from gitdesk.site.render import render

DAY_WORDS = {"none": N_("no incident"), "degraded": N_("degraded"), "outage": N_("outage"),
             "no_data": N_("no data (before the desk's first record)")}

#: Badge colours (standalone SVG files cannot see the page's palette).
BADGE_COLORS = {"good": "#2e7d32", "warn": "#9a5b00", "bad": "#c62828", "none": "#616161"}


def uptime_bars(days: Sequence[tuple[str, str]], label: str) -> Markup:
    """One bar per day, oldest first; each bar's tooltip says the day and its state."""
    step = 8
    words = {state: _(word) for state, word in DAY_WORDS.items()}
    return Markup(render("bars.svg.j2", days=days, step=step, width=step * len(days), label=label, words=words))


def bar_chart(title: str, points: Sequence[tuple[str, float | None]], *, text: Callable[[float], str],
              tone: Callable[[float], str] = lambda _: "neutral", ceiling: float | None = None) -> Markup:
    """A labelled vertical bar chart; ``points`` are (label, value) with None for no data."""
    # A narrow canvas keeps labels legible when a phone scales the chart down.
    width, height, base, top = 480, 200, 168, 36
    known = [v for _, v in points if v is not None]
    peak = ceiling if ceiling is not None else max(known, default=0.0)
    slot = width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        if value is None:
            continue
        h = 0.0 if peak <= 0 else (base - top) * (value / peak)
        w = min(slot * 0.7, 56.0)
        bars.append({"x": round(index * slot + (slot - w) / 2, 1), "w": round(w, 1), "y": round(base - h, 1),
                     "h": round(h, 1), "label": label, "text": text(value), "tone": tone(value)})
    return Markup(render("chart.svg.j2", title=title, width=width, height=height, base=base, bars=bars))


def month_label(month: str) -> str:
    """``2026-11`` → ``Nov 26`` (``nov 26`` in Spanish): short enough for twelve bars side by side on a phone."""
    year, number = month.split("-")
    return i18n.month_label(int(year), int(number))


def badge(label: str, message: str, tone: str) -> str:
    """A shields-style SVG badge; the message says the state in words."""
    # Verdana 11px averages about 7 px per character; good enough for a badge.
    lw, rw = 10 + 7 * len(label), 10 + 7 * len(message)
    return render("badge.svg.j2", label=label, message=message, lw=lw, rw=rw, color=BADGE_COLORS[tone])
