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


def _month_reports(site: Path) -> list[Path]:
    return sorted(p for p in (site / "sla").glob("*.html") if p.name != "index.html")


def _print(browser: Any, page: Path) -> list[str]:
    """The page printed by Chromium on A4, as the text of each PDF page."""
    import base64
    import io

    from pypdf import PdfReader

    browser.set_window_size(1280, 900)
    browser.get(page.as_uri())
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True})
    return [p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(pdf["data"]))).pages]


def test_each_monthly_report_prints_on_one_a4_page(browser: Any, demo_sites: dict[str, Path]) -> None:
    reports = _month_reports(demo_sites["acme"])
    assert reports, "the demo has SLA figures, so it has monthly reports"
    for report in reports:
        pages = _print(browser, report)
        assert len(pages) == 1, f"{report.name} prints on {len(pages)} A4 pages"
        assert all(text.strip() for text in pages), f"{report.name} prints a blank page"


def _cells(html: str, classes: str) -> list[list[str]]:
    import re

    table = re.search(rf'<table class="{classes}">(.*?)</table>', html, re.S)
    assert table, f"no table of class {classes!r}"
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S) if "<td>" in row]


def test_monthly_report_names_who_and_when_and_says_whether_each_goal_was_met(demo_sites: dict[str, Path]) -> None:
    import re

    report = (demo_sites["acme"] / "sla" / "2026-10.html").read_text(encoding="utf-8")
    who = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", report.split('class="gd-report-who"')[1].split("</dl>")[0]))
    assert who == {"Servicio": "Acme ERP — estado del servicio", "Cliente": "Acme Corp", "Periodo": "octubre 2026"}
    goals = _cells(report, "gd-table gd-report-goals")
    # the demo's policy asks 90 % compliance: October's P1 breach (INC-0006) leaves 12 of 13 targets met
    assert goals[0] == ["Cumplimiento del SLA", "90%", "92.3%", "cumplido"]
    # then the month's uptime of each of acme's six components against the goal: billing's October outage misses it
    assert [row[0] for row in goals[1:]] == [f"Disponibilidad: {name}" for name in (
        "Módulo contable v3.2", "Panel de operaciones — listado de pedidos", "Dashboard", "Facturación", "Informes",
        "Acceso e inicio de sesión")]
    assert all(row[1] == "99.8%" for row in goals[1:])
    assert goals[4] == ["Disponibilidad: Facturación", "99.8%", "99.785%", "incumplido"]
    current = _cells((demo_sites["acme"] / "sla" / "2026-11.html").read_text(encoding="utf-8"), "gd-table gd-report-goals")
    assert current[1] == ["Disponibilidad: Módulo contable v3.2", "99.8%", "100.000%", "cumplido"]
    severity = _cells(report.split('class="gd-sla-severity"')[1], "gd-table")
    assert severity and all(row[2] != "—" and row[-1] in {"cumplido", "incumplido"} for row in severity), severity
    assert any(row[-1] == "incumplido" for row in severity), "October's breached P1 resolution is reported as missed"
    internal = (demo_sites["internal"] / "sla" / "2026-10.html").read_text(encoding="utf-8")
    assert "<dt>Cliente</dt><dd>todos los clientes (interno)</dd>" in internal
