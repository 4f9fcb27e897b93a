"""Issue 10, finding 1: no script from a ticket title, whatever characters it holds.

A title with U+007F or a C1 control used to break the generated page's YAML
header; MkDocs swallowed the error and rendered the header as Markdown, so a
link in the title went live. Three layers now stop it: control characters are
a validation error, the header always parses, and a header that does not
parse is a build error.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml


from gitdesk.site.render import environment
from tests.security import desk

PAYLOAD = "[x](javascript:alert(2)) [y](#){: autofocus onfocus=alert(document.domain) }"
MKDOCS_WITH_ATTR_LIST = """\
site_name: Desk
docs_dir: docs
use_directory_urls: false
theme: {name: material, font: false}
markdown_extensions: [attr_list, md_in_html]
plugins: [search, gitdesk]
"""

#: One record of each kind, ``{title}`` a double-quoted YAML scalar body.
RECORDS = {
    "incident": ("tickets/incidents/2026/INC-0001.md", 'id: INC-0001\ntitle: "{title}"\nseverity: P2\nstatus: investigating\ncomponents: [accounting]\nclient: acme\n'),
    "decision": ("tickets/decisions/DEC-0001.md", 'id: DEC-0001\ntitle: "{title}"\nstatus: accepted\ndate: 2026-10-01\n'),
    "backlog": ("backlog/EVO-0001.md", 'id: EVO-0001\ntitle: "{title}"\nstatus: planned\ncategory: preventive\nclient: acme\n'),
    "maintenance": ("tickets/maintenance/MNT-0001.md", 'id: MNT-0001\ntitle: "{title}"\nstarts_at: 2026-11-28T22:00:00+01:00\n'
                    "ends_at: 2026-11-29T01:00:00+01:00\ncomponents: [accounting]\n"),
    "runbook": ("runbooks/restart.md", 'title: "{title}"\nvisibility: public\nowner: ops\n'),
}


def _md(fields: str, body: str = "Body.\n") -> str:
    return f"---\n{fields}---\n{body}"


class _Live(HTMLParser):
    """What a browser would act on: script URLs and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or name == "autofocus" or re.match(r"\s*(javascript|data|vbscript):", value or "", re.I):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str) -> list[str]:
    parser = _Live()
    parser.feed(html)
    return parser.found


def _diagnostics(out: str) -> list[dict[str, object]]:
    report = json.loads(out)
    return [*report["errors"], *report["warnings"]]


def _every_record(escaped_title: str) -> dict[str, str]:
    return {path: _md(fields.format(title=escaped_title)) for path, fields in RECORDS.values()}


@pytest.mark.parametrize("char", ["\\x7f", "\\x85", "\\x9b", "\\x01", "\\e"])
@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_control_character_in_a_title_is_a_validation_error_with_line(tmp_path: Path, kind: str, char: str) -> None:
    path, fields = RECORDS[kind]
    repo = desk.make_repo(tmp_path / "repo", {path: _md(fields.format(title=f"Broken{char} {PAYLOAD}"))})
    result = desk.run(repo, "validate", "--format", "json", "--no-history")
    assert result.exit_code == 1, result.output
    found = [d for d in _diagnostics(result.stdout) if d["code"] == "GD015"]
    title_line = fields.split("\n").index(next(line for line in fields.split("\n") if line.startswith("title:"))) + 2
    assert [(d["file"], d["line"]) for d in found] == [(path, title_line)]
    assert "control character" in found[0]["message"] and "remove" in found[0]["message"]


def test_control_character_in_a_body_is_an_error_but_tab_and_newline_are_not(tmp_path: Path) -> None:
    path, fields = RECORDS["incident"]
    body = "\n\nTab\tis fine.\n\nEscape \x1b[31m is not.\n"  # leading blank lines: the line number still counts them
    repo = desk.make_repo(tmp_path / "repo", {path: _md(fields.format(title="Fine"), body)})
    result = desk.run(repo, "validate", "--format", "json", "--no-history")
    assert result.exit_code == 1
    found = [(d["line"], d["code"]) for d in _diagnostics(result.stdout)]
    assert found == [(len(fields.split("\n")) + 6, "GD015")]  # the body's fifth line; the tab is fine



@pytest.mark.parametrize(("key", "written", "what"), [
    ("title", 'title: "Billing down\\nBcc: attacker@example.org"', "a line break"),
    ("title", "title: |\n  Billing down", "a line break"),  # a block scalar keeps its final line break
    ("update", 'update: "Fixed\\tthen reopened"', "a tab"),
])
def test_a_line_break_or_tab_in_a_one_line_field_is_an_error_at_its_line(tmp_path: Path, key: str, written: str,
                                                                          what: str) -> None:
    """Titles and updates become mail subjects, feed and calendar titles: one line (tab and newline stay fine in bodies)."""
    path, fields = RECORDS["incident"]
    text = fields.format(title="Fine")
    text = re.sub(r"(?m)^title: .*$", lambda _: written, text) if key == "title" else text + written + "\n"
    repo = desk.make_repo(tmp_path / "repo", {path: _md(text, "Body\twith a tab,\nand lines.\n")})
    result = desk.run(repo, "validate", "--format", "json", "--no-history")
    assert result.exit_code == 1, result.output
    found = [d for d in _diagnostics(result.stdout) if d["code"] == "GD015"]
    line = text.split("\n").index(written.split("\n")[0]) + 2
    assert [(d["file"], d["line"]) for d in found] == [(path, line)], found
    assert f"'{key}' contains {what}" in found[0]["message"] and "one line" in found[0]["message"]

def test_control_character_in_a_nested_update_names_its_line(tmp_path: Path) -> None:
    path, fields = RECORDS["incident"]
    nested = fields.format(title="Fine") + 'internal:\n  note: "bell\\a"\n'
    repo = desk.make_repo(tmp_path / "repo", {path: _md(nested)})
    result = desk.run(repo, "validate", "--format", "json", "--no-history")
    found = [(d["line"], d["code"], d["message"]) for d in _diagnostics(result.stdout) if d["code"] == "GD015"]
    assert [(line, code) for line, code, _ in found] == [(nested.count("\n") + 1, "GD015")]
    assert "internal.note" in found[0][2] and "U+0007" in found[0][2]


def test_control_character_in_gitdesk_yml_is_a_config_error(tmp_path: Path) -> None:
    config = desk.sample.CONFIG.replace("title: Acme ERP — service status", 'title: "Acme\\x7f [x](javascript:alert(1))"')
    repo = desk.make_repo(tmp_path / "repo", {}, config=config)
    result = desk.run(repo, "validate")
    assert result.exit_code == 2
    assert "gitdesk.yml:1" in result.output and "control character" in result.output


def _built_html(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


@pytest.mark.parametrize("escaped", ["\\x7f", "\\x85", "\\uffff", "\\ufffe", "\\u2028---\\u2029", "\\\"\\\\\\n---\\n"])
def test_hostile_titles_of_every_kind_never_become_live_markup(tmp_path: Path, escaped: str) -> None:
    repo = desk.make_repo(tmp_path / "repo", _every_record(f"T{escaped} {PAYLOAD}"), mkdocs=MKDOCS_WITH_ATTR_LIST)
    site = tmp_path / "site"
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site))
    # Refused (the title is invalid) or built; either way nothing in the output runs.
    if result.exit_code == 0:
        pages = _built_html(site)
        assert {p: live_markup(html) for p, html in pages.items() if live_markup(html)} == {}
        assert not [p for p, html in pages.items() if "<h1>---" in html or "<h2>title:" in html or "title: \"" in html]
    else:
        assert result.exit_code in (1, 2) and "Traceback" not in result.output
    gen = tmp_path / "gen"
    result = desk.run(repo, "generate", "--client", "acme", "--now", desk.NOW, "--out", str(gen))
    if result.exit_code == 0:
        for page in gen.glob("docs/**/*.md"):
            text = page.read_text(encoding="utf-8")
            header = re.match(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", text, re.S)  # MkDocs' own front-matter rule
            assert header and isinstance(yaml.safe_load(header.group(1)).get("title"), str), page


def test_titles_that_pass_validation_still_get_a_parsing_header(tmp_path: Path) -> None:
    """U+FFFF passes the control-character check; the header writer must still emit YAML that parses."""
    repo = desk.make_repo(tmp_path / "repo", _every_record(f"Odd\\uffff {PAYLOAD}"), mkdocs=MKDOCS_WITH_ATTR_LIST)
    site = tmp_path / "site"
    result = desk.run(repo, "build", "--client", "acme", "--now", desk.NOW, "--out", str(site))
    assert result.exit_code == 0, result.output
    page = (site / "incidents/INC-0001.html").read_text(encoding="utf-8")
    assert live_markup(page[page.index("<article"):page.index("</article>")]) == []
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and title.group(1).startswith("INC-0001: Odd")


HOSTILE_CHARS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]] + ["\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", '"', "\\", "'", ":", "#"]


@pytest.mark.parametrize("char", HOSTILE_CHARS, ids=lambda c: f"U+{ord(c):04X}")
def test_page_header_always_parses_whatever_the_title(char: str) -> None:
    front = environment().from_string('{% import "macros.j2" as m %}{{ m.front(t) }}').render(t=f"a{char}b\n---\n{PAYLOAD}")
    header = re.match(r"^\s*-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", front, re.S)
    assert header is not None
    title = yaml.safe_load(header.group(1))["title"]
    assert title.startswith("a") and title.endswith(PAYLOAD) and "<" not in title


def test_a_generated_page_whose_header_does_not_parse_is_a_build_error() -> None:
    from mkdocs.exceptions import PluginError

    from gitdesk.adapters.mkdocs_plugin import check_front_matter

    check_front_matter("incidents/INC-0001.md", '---\ntitle: "ok"\n---\nbody\n')  # parses: no error
    with pytest.raises(PluginError, match="incidents/INC-0001.md"):
        check_front_matter("incidents/INC-0001.md", '---\ntitle: "a\x7f"\n---\n[x](javascript:alert(2))\n')
    with pytest.raises(PluginError, match="front matter"):
        check_front_matter("status.md", "---\ntitle: [unclosed\n---\n")
