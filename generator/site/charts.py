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
    """A labelled bar chart, one horizontal bar per point; ``points`` are (label, value) with None for no data.

    Each row holds its label, its bar and its value side by side, and the columns
    are as wide as their longest text, so no two labels can overlap or leave the
    chart at any width: the SVG scales as a whole.
    """
    no_data = _("no data")
    rows = [(label, no_data if value is None else text(value), value) for label, value in points]
    label_w = max((_text_width(label, LABEL_SIZE) for label, _shown, _value in rows), default=0.0) + GAP
    value_w = max((_text_width(shown, LABEL_SIZE) for _label, shown, _value in rows), default=0.0) + GAP
    span = max(CHART_WIDTH - label_w - value_w, 40.0)
    width = label_w + span + value_w
    known = [value for _label, _shown, value in rows if value is not None]
    peak = ceiling if ceiling is not None else max(known, default=0.0)
    bars = []
    for index, (label, shown, value) in enumerate(rows):
        length = 0.0 if value is None or peak <= 0 else span * min(value / peak, 1.0)
        bars.append({"y": ROW * index, "w": round(length, 1), "label": label, "tone": "neutral" if value is None else tone(value),
                     "text": shown, "value_x": round(label_w + length + GAP / 2, 1)})
    return Markup(render("chart.svg.j2", title=title, width=round(width, 1), height=ROW * max(len(rows), 1) + 4,
                         bar_x=round(label_w, 1), row=ROW, size=LABEL_SIZE, bars=bars))


#: The chart's drawing width and text size; the page scales both alike, so text stays
#: at about LABEL_SIZE px on a phone (a 390 px screen shows about 360 px of chart).
CHART_WIDTH, LABEL_SIZE, ROW, GAP = 360.0, 12, 22, 8.0


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width: sans-serif digits and letters average under 0.62 em."""
    return 0.62 * size * len(text)


def month_label(month: str) -> str:
    """``2026-11`` → ``Nov 26`` (``nov 26`` in Spanish): short enough for twelve bars side by side on a phone."""
    year, number = month.split("-")
    return i18n.month_label(int(year), int(number))


def badge_size(label: str, message: str) -> tuple[int, int]:
    """The width and height in pixels of :func:`badge`'s SVG for this label and message."""
    # Verdana 11px averages about 7 px per character; good enough for a badge.
    return 20 + 7 * (len(label) + len(message)), 20


def badge(label: str, message: str, tone: str) -> str:
    """A shields-style SVG badge; the message says the state in words."""
    lw = 10 + 7 * len(label)
    return render("badge.svg.j2", label=label, message=message, lw=lw, rw=badge_size(label, message)[0] - lw, color=BADGE_COLORS[tone])
