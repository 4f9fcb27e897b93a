"""Postmortems are not owed for incidents the source had already resolved before sla.since."""

from __future__ import annotations

import re
from pathlib import Path

from tests.importers.conftest import Commit, build_source, import_into, validate

HUGO = "title: Acme Status\ntimeZone: UTC\n"
POST = "---\ntitle: Outage\ndate: 2026-03-02 09:00\nresolved: true\nresolvedWhen: 2026-03-02 11:00\nseverity: down\n---\n"


def _desk(tmp_path: Path, dest: Path) -> Path:
    src = build_source(tmp_path / "src", [
        Commit("2026-03-02T12:00:00+00:00", {"config.yml": HUGO, "content/issues/outage.md": POST})])
    assert import_into("cstate", src, dest).code == 0
    return dest / "gitdesk.yml"


def _set_since(config: Path, value: str) -> None:
    config.write_text(re.sub(r'since: "[^"]*"', f'since: "{value}"', config.read_text()))


def test_an_imported_p0_resolved_before_sla_since_passes_without_a_postmortem(tmp_path: Path, dest: Path) -> None:
    _desk(tmp_path, dest)
    code, report = validate(dest)
    assert code == 0 and not report["errors"]


def test_the_postmortem_is_owed_when_the_declared_resolution_is_after_sla_since(tmp_path: Path, dest: Path) -> None:
    _set_since(_desk(tmp_path, dest), "2026-03-01T00:00:00+00:00")
    code, report = validate(dest)
    assert code == 1 and [e["code"] for e in report["errors"]] == ["GD300"]


def test_without_sla_since_every_resolved_p0_owes_a_postmortem(tmp_path: Path, dest: Path) -> None:
    config = _desk(tmp_path, dest)
    config.write_text(re.sub(r"\n  since: .*", "", config.read_text()))
    code, report = validate(dest)
    assert code == 1 and [e["code"] for e in report["errors"]] == ["GD300"]
