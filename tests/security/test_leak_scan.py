"""A client build holds nothing internal and nothing of another client, in any file it writes.

The desk (tests/security/desk.py) is a real Git repo with two clients,
internal tickets of every kind, ``internal:`` notes and canaries in every
field. Every file of ``gitdesk build`` and ``gitdesk generate --out`` is
scanned (see ``desk.OUTPUTS``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security import desk


@pytest.fixture(scope="module")
def canary_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return desk.canary_repo(tmp_path_factory.mktemp("canary-desk"))


@pytest.mark.parametrize("client", ["acme", "globex"])
def test_client_build_carries_no_other_clients_or_internal_canary(canary_repo: Path, tmp_path: Path, client: str) -> None:
    result = desk.run(canary_repo, "build", "--client", client, "--now", desk.NOW, "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    files = desk.output_files(tmp_path / "site")
    assert desk.leaks(files, desk.canaries_hidden_from(client).values()) == []


@pytest.mark.parametrize("client", ["acme", "globex"])
def test_generate_out_carries_no_other_clients_or_internal_canary(canary_repo: Path, tmp_path: Path, client: str) -> None:
    result = desk.run(canary_repo, "generate", "--client", client, "--now", desk.NOW, "--out", str(tmp_path / "gen"))
    assert result.exit_code == 0, result.output
    files = desk.output_files(tmp_path / "gen", desk.GENERATE_OUTPUTS)
    assert desk.leaks(files, desk.canaries_hidden_from(client).values()) == []


def test_the_scan_can_fail_internal_build_shows_every_canary(canary_repo: Path, tmp_path: Path) -> None:
    result = desk.run(canary_repo, "build", "--audience", "internal", "--now", desk.NOW, "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    files = desk.output_files(tmp_path / "site")
    # Internal notes, commit subjects and reporters are not shown even internally; every record is.
    shown = {name: c for name, c in desk.canaries_hidden_from("acme").items()
             if name not in ("commit subject", "internal note on a public ticket", "reporter", "internal field", "assignee")}
    assert [name for name, c in shown.items() if not desk.leaks(files, [c])] == []


def test_the_scan_refuses_a_build_missing_an_output(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    with pytest.raises(AssertionError, match="feed"):
        desk.output_files(tmp_path)
