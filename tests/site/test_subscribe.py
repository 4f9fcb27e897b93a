"""The subscribe box says how each audience is notified, and never shows a channel's address or token."""

from __future__ import annotations

from pathlib import Path

from tests.security import desk
from tests.site import sample

#: the channels of tests/site/sample.py's desk: tokens and addresses no page may show
CHANNELS = sample.CONFIG.replace(
    "  - {id: acme, name: Acme Corp, components: [accounting]}\n",
    "  - {id: acme, name: Acme Corp, components: [accounting],\n"
    "     notify: ['mailto://ops:SECRETPASS1@mail.example.org?to=acme-it@example.org', 'slack://T0/B0/SECRETTOKEN2']}\n",
).replace(
    "  - {id: globex, name: Globex, components: [orders]}\n",
    "  - {id: globex, name: Globex, components: [orders], notify: ['tgram://SECRETBOT3/globex-chat']}\n",
) + "notify: ['json://hooks.example.org/SECRETHOOK4']\n"

SECRETS = ("SECRETPASS1", "acme-it@example.org", "SECRETTOKEN2", "SECRETBOT3", "SECRETHOOK4", "mail.example.org")


def _build(tmp_path: Path, *args: str) -> dict[str, bytes]:
    repo = desk.make_repo(tmp_path / "desk", {}, config=CHANNELS)
    out = tmp_path / "site"
    result = desk.run(repo, "build", *args, "--out", str(out))
    assert result.exit_code == 0, result.output
    return desk.output_files(out, ())


def test_a_client_reads_its_own_channel_kinds_and_no_address(tmp_path: Path) -> None:
    files = _build(tmp_path, "--client", "acme")
    home = files["index.html"].decode()
    assert "Notifications go out by Slack, e-mail" in home
    assert "Telegram" not in home and "webhook" not in home  # globex's and the internal channels
    assert desk.leaks(files, SECRETS) == []


def test_the_internal_site_names_the_internal_channels(tmp_path: Path) -> None:
    home = _build(tmp_path, "--audience", "internal")["index.html"].decode()
    assert "Notifications go out by webhook" in home and "SECRETHOOK4" not in home
