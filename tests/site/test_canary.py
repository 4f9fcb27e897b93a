"""No byte of a client build may carry internal or another client's data.

Canaries are planted in the sample (sample.CANARIES): an internal ticket, an
``internal`` field, an assignee, a non-public runbook, another client's
incident and maintenance window, and commit subjects. Every output file is
scanned, compressed ones decompressed, with the scan of tests/security/desk.py
(one list of outputs: pages, search index, sitemap, feed, API, iCal, SVG).
"""

from __future__ import annotations

import pytest

from tests.security.desk import leaks as _leaks
from tests.security.desk import output_files

#: Text only acme's records carry: must not reach globex.
ACME_ONLY = ("Accounting export fails", "Accounting module down", "Export schema contract tests")


def test_client_build_contains_no_canary_anywhere(built_sites, sample) -> None:
    files = output_files(built_sites["acme"])  # fails if any output (tests/security/desk.OUTPUTS) is missing
    assert _leaks(files, sample.CANARIES.values()) == []


def test_other_clients_build_has_none_of_acmes_records(built_sites) -> None:
    files = output_files(built_sites["globex"])
    assert _leaks(files, ACME_ONLY) == []
    assert _leaks(files, ["CANARY7GLOBEX"]) != []  # globex sees its own records


def test_internal_build_has_every_canary_so_the_scan_can_fail(built_sites, sample) -> None:
    files = output_files(built_sites["internal"])
    missing = [name for name, canary in sample.CANARIES.items() if not _leaks(files, [canary]) and name != "commit subject"]
    assert missing == []


@pytest.mark.parametrize("client", ["acme", "globex"])
def test_bundle_for_client_carries_no_canary(bundle_for, sample, client: str) -> None:
    bundle = bundle_for("client", client)
    files = {path: content.encode() if isinstance(content, str) else content for path, content in bundle.files.items()}
    canaries = [c for c in sample.CANARIES.values() if not (client == "globex" and "GLOBEX" in c)]
    assert _leaks(files, canaries) == []
