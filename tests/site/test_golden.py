"""Golden output: the sample's client bundle, file by file.

A change to a page shows here as a diff. After checking the diff is intended,
refresh the expected files with ``GITDESK_UPDATE_GOLDEN=1 pytest tests/site/test_golden.py``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
CASES = {"acme": ("client", "acme"), "internal": ("internal", None)}


@pytest.mark.parametrize("case", CASES)
def test_bundle_matches_golden_files(bundle_for, case: str) -> None:
    bundle = bundle_for(*CASES[case])
    folder = GOLDEN / case
    actual = {path: content if isinstance(content, str) else content.decode() for path, content in bundle.files.items()
              if not path.startswith("assets/")}  # the shipped CSS/JS are copied as they are
    if os.environ.get("GITDESK_UPDATE_GOLDEN"):
        for old in folder.rglob("*") if folder.exists() else []:
            if old.is_file():
                old.unlink()
        for path, text in actual.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(text.encode("utf-8"))
    expected = {str(p.relative_to(folder)): p.read_bytes().decode("utf-8") for p in sorted(folder.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected), "the set of files changed"
    for path in sorted(expected):
        if actual[path] != expected[path]:
            diff = "".join(difflib.unified_diff(expected[path].splitlines(True), actual[path].splitlines(True), f"golden/{path}", "actual", n=2))
            pytest.fail(f"{path} differs from its golden file:\n{diff[:4000]}")


def test_bundle_is_reproducible(sample_inputs, sample) -> None:
    from gitdesk.site import scope_for, site_bundle

    config, tickets, history = sample_inputs
    make = lambda: site_bundle(tickets, history, config, scope=scope_for(config, "client", "acme"), now=sample.NOW,  # noqa: E731
                               compute=sample.fake_compute).files
    assert make() == make()
