"""Issue 10, findings 6, 7 and 9: config strings, CSV cells and XML/iCal text, each escaped for its format."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gitdesk.site.render import render
from tests.security import desk
from tests.security.test_ticket_text import live_markup

HOSTILE_TITLE = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'


def test_gitdesk_yml_title_is_inert_in_a_site_without_mkdocs_yml(tmp_path: Path) -> None:
    config = desk.sample.CONFIG.replace("title: Acme ERP — service status", f"title: '{HOSTILE_TITLE}'")
    repo = desk.make_repo(tmp_path / "repo", dict(desk.sample.FILES), config=config)
    site = tmp_path / "site"
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site))
    assert result.exit_code == 0, result.output
    for page in ("index.html", "incidents/INC-0001.html", "history/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert live_markup(html.replace('<script src="', "")) == [], page  # theme scripts load by src; none inline from the title
        assert "<script>alert(2)" not in html and "<img src=x" not in html, page
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title and "<" not in title.group(1) and "img src=x onerror=alert(1)" in title.group(1), page
    # The same title in the other formats, each escaped for its own.
    ET.fromstring((site / "feed.xml").read_bytes())
    assert "<script>" not in (site / "api/v2/summary.json").read_text(encoding="utf-8")



def test_a_client_name_in_gitdesk_yml_is_inert_on_the_incident_pages_that_name_it(tmp_path: Path) -> None:
    config = desk.sample.CONFIG.replace("{id: acme, name: Acme Corp,", "{id: acme, name: '<img src=x onerror=alert(1)>',")
    assert config != desk.sample.CONFIG
    repo = desk.make_repo(tmp_path / "repo", dict(desk.sample.FILES), config=config)
    site = tmp_path / "site"
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site))
    assert result.exit_code == 0, result.output
    html = (site / "incidents/INC-0001.html").read_text(encoding="utf-8")
    assert "client &lt;img src=x onerror=alert(1)&gt;" in html
    assert live_markup(html) == [] and "<img src=x" not in html

def test_generate_out_mkdocs_yml_keeps_the_title_plain(tmp_path: Path) -> None:
    import yaml

    config = desk.sample.CONFIG.replace("title: Acme ERP — service status", f"title: '{HOSTILE_TITLE}\nplugins: [evil]'")
    repo = desk.make_repo(tmp_path / "repo", dict(desk.sample.FILES), config=config)
    result = desk.run(repo, "generate", "--client", "acme", "--now", desk.NOW, "--out", str(tmp_path / "gen"))
    assert result.exit_code == 0, result.output
    mkdocs = yaml.safe_load((tmp_path / "gen/mkdocs.yml").read_text(encoding="utf-8"))
    assert mkdocs["plugins"] == ["search"] and "<" not in mkdocs["site_name"] and "onerror=alert(1)" in mkdocs["site_name"]


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|\" /C calc\"!A0", "-2+3", "@SUM(A1:A9)"]


def test_sla_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    files = {}
    for n, formula in enumerate(FORMULAS, start=1):
        files[f"tickets/incidents/2026/INC-000{n}.md"] = (
            f"---\nid: INC-000{n}\ntitle: t\nseverity: P2\nstatus: '{formula}'\ncomponents: [accounting]\nclient: '{formula}'\n---\n")
    repo = desk.make_repo(tmp_path / "repo", files)
    result = desk.run(repo, "sla", "--format", "csv", "--now", desk.NOW)
    assert result.exit_code in (0, 1), result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["client"] for row in rows} == {"'" + f for f in FORMULAS}  # read back: the text, made inert
    assert {row["status"] for row in rows} == {"'" + f for f in FORMULAS}
    live = [cell for row in rows for cell in row.values() if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
            and not re.fullmatch(r"-?\d+(\.\d+)?", cell)]
    assert live == []


def test_numbers_in_sla_csv_stay_numbers() -> None:
    from gitdesk.sla.report import csv_cell

    assert [csv_cell(v) for v in (-300, 12.5, True, "2026-11-02T09:00:00+00:00", "\tx", "\rx", "ok")] == \
        ["-300", "12.5", "true", "2026-11-02T09:00:00+00:00", "'\tx", "'\rx", "ok"]


def _xml_outputs(site: Path) -> list[Path]:
    return [site / "feed.xml", site / "sitemap.xml", *site.glob("badges/*.svg")]


@pytest.mark.parametrize("update", ["\\x01 still \\x1b[31m watching", "odd \\uffff \\ufffe watching"])
def test_every_xml_output_parses_whatever_an_update_holds(tmp_path: Path, update: str) -> None:
    files = dict(desk.sample.FILES)
    files["tickets/incidents/2026/INC-0009.md"] = (
        f'---\nid: INC-0009\ntitle: "Feed {update}"\nseverity: P2\nstatus: investigating\ncomponents: [accounting]\n'
        f'client: acme\nupdate: "{update}"\n---\n')
    repo = desk.make_repo(tmp_path / "repo", files)
    site = tmp_path / "site"
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site))
    if result.exit_code != 0:  # refused as invalid (control characters): says which file, and no traceback
        assert "Traceback" not in result.output
        return
    for path in _xml_outputs(site):
        ET.fromstring(path.read_bytes())  # a real XML parser: raises on any character XML refuses
    for page in site.rglob("*.html"):
        for svg in re.findall(r"<svg\b.*?</svg>", page.read_text(encoding="utf-8"), re.S):
            ET.fromstring(svg.replace("&nbsp;", " "))


@pytest.mark.parametrize("template,context", [
    ("badge.svg.j2", {"label": "x\x01<y>", "message": "m\x0b\ud800", "lw": 10, "rw": 10, "color": "#000"}),
    ("bars.svg.j2", {"label": "l\x02", "days": [("2026-11-01\x1f", "up")], "words": {"up": "u\x7f"}, "width": 10, "step": 2}),
    ("chart.svg.j2", {"title": "t\x03&", "bars": [], "width": 10, "height": 10, "base": 5}),
])
def test_svg_templates_escape_and_drop_what_xml_refuses(template: str, context: dict[str, object]) -> None:
    ET.fromstring(render(template, **context).encode("utf-8", "surrogatepass"))


def test_feed_from_hostile_config_and_commit_text_parses(tmp_path: Path) -> None:
    """The feed's title comes from gitdesk.yml: markup in it is text, and a bell escaped in YAML is refused as config."""
    config = desk.sample.CONFIG.replace("title: Acme ERP — service status", "title: 'Acme <b>&amp; co]]>'")
    repo = desk.make_repo(tmp_path / "repo", dict(desk.sample.FILES), config=config)
    site = tmp_path / "site"
    assert desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site)).exit_code == 0
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    title = feed.find("{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.text is not None and title.text.startswith("Acme <b>&amp; co]]>")


def _unfold(ics: str) -> list[str]:
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    return ics.replace("\r\n ", "").split("\r\n")[:-1]


def test_maintenance_ics_escapes_text_and_folds_at_75_octets(tmp_path: Path) -> None:
    files = dict(desk.sample.FILES)
    long_title = "Base; de datos, migración \\\\ " + "ñ" * 60
    files["tickets/maintenance/MNT-0001.md"] = files["tickets/maintenance/MNT-0001.md"].replace(
        "title: Database upgrade", f'title: "{long_title}"')
    # a ticket title is one line (GD015 refuses a line break in it); a component's name in gitdesk.yml may still hold one
    config = desk.sample.CONFIG.replace("{id: accounting, name: Accounting module,",
                                        '{id: accounting, name: "Accounting\\nEND:VEVENT\\nBEGIN:VEVENT",')
    assert config != desk.sample.CONFIG
    repo = desk.make_repo(tmp_path / "repo", files, config=config)
    site = tmp_path / "site"
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site))
    assert result.exit_code == 0, result.output
    raw = (site / "maintenance.ics").read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "a line longer than 75 octets"
    lines = _unfold(raw.decode("utf-8"))
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:MNT-0001: Base\\; de datos\\, migración \\\\ " + "ñ" * 60
    description = next(line for line in lines if line.startswith("DESCRIPTION:"))
    assert description.endswith("Accounting\\nEND:VEVENT\\nBEGIN:VEVENT")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "".join(lines))
