"""The SLA page and the monthly reports in a real browser (Debian's headless Chromium), on the small demo's Spanish site.

The demo is a real Git repo with a year of back-dated history, so the charts carry
twelve months of real SLA figures and the reports real goals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.browser import chrome, needs_browser

pytestmark = needs_browser

#: Every text box of every chart, with the chart's own box, as the browser lays them out.
BOXES = """
return Array.from(document.querySelectorAll('svg.gd-chart-svg')).map(svg => {
  const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  return {name: svg.getAttribute('aria-label'), svg: box(svg.getBoundingClientRect()),
          texts: Array.from(svg.querySelectorAll('text')).map(t => ({text: t.textContent, ...box(t.getBoundingClientRect())}))};
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chrome() as driver:
        yield driver


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # half a pixel of slack: anti-aliased glyph boxes of neighbours may touch
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5 and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5


@pytest.mark.parametrize("width", [390, 1280])
def test_chart_labels_neither_overlap_nor_leave_the_chart(browser: Any, demo_sites: dict[str, Path], width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get((demo_sites["acme"] / "sla" / "index.html").as_uri())
    charts = browser.execute_script(BOXES)
    assert len(charts) == 3, [c["name"] for c in charts]
    for chart in charts:
        texts = chart["texts"]
        assert len(texts) >= 2 * 2, f"{chart['name']}: expected a label and a value for each of the demo's months, got {[t['text'] for t in texts]}"
        frame = chart["svg"]
        for t in texts:
            assert t["bottom"] - t["top"] >= 10, f"{chart['name']}: {t['text']!r} is {t['bottom'] - t['top']:.1f} px high at {width} px"
            inside = t["left"] >= frame["left"] - 0.5 and t["right"] <= frame["right"] + 0.5 and t["top"] >= frame["top"] - 0.5 \
                and t["bottom"] <= frame["bottom"] + 0.5
            assert inside, f"{chart['name']}: {t['text']!r} {t} leaves the chart {frame} at {width} px"
        clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1:] if _overlap(a, b)]
        assert clashes == [], f"{chart['name']}: overlapping labels at {width} px: {clashes}"
