"""Defects a reader notices at once: raw Python on the page, ids for names, bad plurals, unreadable colours."""

from __future__ import annotations

import colorsys
import re
from importlib import resources
from pathlib import Path

import pytest

from gitdesk.site import scope_for, site_bundle


def edited_bundle(tmp_path: Path, sample, edits: dict[str, tuple[str, str]], audience: str, client: str | None) -> dict:
    """The sample's bundle after replacing text in some of its files: {path: (old, new)}."""
    root = sample.write_repo(tmp_path)
    for path, (old, new) in edits.items():
        text = (root / path).read_text(encoding="utf-8")
        assert old in text
        (root / path).write_text(text.replace(old, new), encoding="utf-8")
    config, tickets, history = sample.load(root)
    return site_bundle(tickets, history, config, scope=scope_for(config, audience, client), now=sample.NOW,
                       compute=sample.fake_compute).files


def test_a_mapping_reads_as_a_definition_list_in_the_backlog_and_on_the_item(tmp_path: Path, sample) -> None:
    files = edited_bundle(tmp_path, sample, {"backlog/EVO-0001.md": (
        "client: acme\n", "client: acme\nimpact: {time_saved: low, errors_avoided: high}\n")}, "client", "acme")
    for page in ("backlog/index.md", "backlog/EVO-0001.md"):
        text = str(files[page])
        assert "{'" not in text and "time_saved" not in text
        assert "<dt>time saved</dt><dd>low</dd><dt>errors avoided</dt><dd>high</dd>" in text


def test_nested_internal_notes_read_as_nested_lists_on_the_internal_site(tmp_path: Path, sample) -> None:
    files = edited_bundle(tmp_path, sample, {"tickets/incidents/2026/INC-0001.md": (
        "internal:\n  note:", "internal:\n  contacts: {phone: '+34 600 000 000', owner: <b>ops</b>}\n  note:")},
        "internal", None)
    page = str(files["incidents/INC-0001.md"])
    assert "{'" not in page
    assert "<dt>phone</dt><dd>+34 600 000 000</dd><dt>owner</dt><dd>&lt;b&gt;ops&lt;/b&gt;</dd>" in page


@pytest.mark.parametrize(("reports", "words"), [(1, "reported 1 time<"), (3, "reported 3 times<")])
def test_report_count_has_the_right_plural(tmp_path: Path, sample, reports: int, words: str) -> None:
    files = edited_bundle(tmp_path, sample, {"tickets/incidents/2026/INC-0001.md": (
        "level: L2\n", f"level: L2\nreports: {reports}\n")}, "client", "acme")
    assert words in str(files["incidents/INC-0001.md"])


def test_clients_read_component_and_client_names_not_ids(bundle_for) -> None:
    files = bundle_for("client", "acme").files
    incident = str(files["incidents/INC-0001.md"])
    assert "components: Accounting module" in incident and "components: accounting" not in incident
    assert "client Acme Corp" in incident and "client acme" not in incident
    listing = str(files["history/2026-11.md"])
    assert '<option value="accounting">Accounting module</option>' in listing
    assert "<td>Accounting module</td>" in listing
    assert "Accounting module" in str(files["maintenance/index.md"])


def test_the_demo_backlog_and_search_index_show_no_python(demo_sites: dict[str, Path]) -> None:
    site = demo_sites["acme"]
    pages = [site / "backlog/index.html", *sorted((site / "backlog").glob("EVO-*.html")), site / "search/search_index.json"]
    assert len(pages) > 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "{'" not in text and "{&#39;" not in text and "time_saved" not in text, page.name
    assert 'class="gd-map"' in (site / "backlog/index.html").read_text(encoding="utf-8")


# --- colour contrast: WCAG 2.x relative luminance ----------------------------------


def luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def material_backgrounds() -> dict[str, str]:
    """Material's page background in its light ("default") and dark ("slate") schemes, read from its stylesheets."""
    import material

    sheets = Path(material.__file__).parent / "templates/assets/stylesheets"
    main = next(sheets.glob("main.*.min.css")).read_text(encoding="utf-8")
    palette = next(sheets.glob("palette.*.min.css")).read_text(encoding="utf-8")
    light = re.search(r"--md-default-bg-color:(#[0-9a-f]{3,6})", main)
    hue = re.search(r"--md-hue:(\d+)deg", main)
    dark = re.search(r"--md-default-bg-color:hsla\(var\(--md-hue\), ?(\d+)%, ?(\d+)%", palette)
    assert light and hue and dark
    white = light.group(1)
    r, g, b = colorsys.hls_to_rgb(int(hue.group(1)) / 360, int(dark.group(2)) / 100, int(dark.group(1)) / 100)
    return {"default": white if len(white) == 7 else "#" + "".join(c * 2 for c in white[1:]),
            "slate": "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))}


def our_colours() -> dict[str, dict[str, str]]:
    css = resources.files("gitdesk.site").joinpath("assets", "gitdesk.css").read_text(encoding="utf-8")
    blocks = {"default": re.search(r":root\s*{([^}]*)}", css), "slate": re.search(r'\[data-md-color-scheme="slate"\]\s*{([^}]*)}', css)}
    return {scheme: dict(re.findall(r"(--gd-[a-z]+):\s*(#[0-9a-f]{6})", block.group(1))) for scheme, block in blocks.items() if block}


def test_severity_badges_meet_wcag_aa_on_both_schemes() -> None:
    css = resources.files("gitdesk.site").joinpath("assets", "gitdesk.css").read_text(encoding="utf-8")
    text_colours = dict(re.findall(r"\.gd-sev-(p\d) \{ color: var\((--gd-[a-z]+)\)", css))
    assert {"p0", "p1"} <= set(text_colours)
    backgrounds, colours = material_backgrounds(), our_colours()
    for scheme, background in backgrounds.items():
        for severity, variable in text_colours.items():
            ratio = contrast(colours[scheme][variable], background)
            assert ratio >= 4.5, f"{severity.upper()} on {scheme}: {ratio:.2f}:1"


def test_badge_text_meets_wcag_aa() -> None:
    from gitdesk.site.charts import BADGE_COLORS

    for tone, colour in BADGE_COLORS.items():
        assert contrast("#ffffff", colour) >= 4.5, f"{tone}: {contrast('#ffffff', colour):.2f}:1"


def test_the_browser_tab_names_the_site_once_on_the_home_page(demo_sites: dict[str, Path]) -> None:
    """Material wrote "Acme ERP — estado del servicio - Acme ERP — estado del servicio": the home page is titled as the site."""
    def tab(page: str) -> str:
        found = re.search(r"<title>([^<]*)</title>", (demo_sites["acme"] / page).read_text(encoding="utf-8"))
        assert found, page
        return found.group(1)

    assert tab("index.html") == "Acme ERP — estado del servicio"
    assert tab("history/index.html") == "Histórico - Acme ERP — estado del servicio"
    assert tab("incidents/INC-0006.html").startswith("INC-0006: ") and tab("incidents/INC-0006.html").endswith(
        " - Acme ERP — estado del servicio")


def test_a_preventive_task_shows_its_last_run_failed_beside_its_last_ok_run(tmp_path: Path, sample) -> None:
    """The monthly restore test failed on 1 November: the page says so; it stays due from the last ok run (1 October)."""
    files = edited_bundle(tmp_path, sample, {"runbooks/monthly-backup-check.md": (
        "  - {at: 2026-10-01, result: ok, by: ana}\n",
        "  - {at: 2026-10-01, result: ok, by: ana}\n  - {at: '2026-11-02T10:00:00+01:00', result: failed, by: ana}\n")},
        "internal", None)
    row = next(line for line in str(files["maintenance/index.md"]).splitlines() if "monthly-backup-check" in line)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells[1:] == ["1 month", "2026-11-02 10:00 CET, failed", "2026-10-01 00:00 CEST", "2026-11-01 00:00 CET", "overdue"], cells
