"""`gitdesk publish` without a server: what it writes, what it refuses, and that it reads the repo once."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from publish_testkit import SECRET, publish, run


def test_publish_writes_every_site_and_prints_their_urls(desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = publish(desk, out, 8088)
    assert code == 0, stderr
    for site in ("internal", "acme", "globex"):
        assert (out / site / "index.html").is_file()
        assert f"{site}: https://status.example.org/{site}/" in stdout
    assert re.search(r"^  https://status\.example\.org/_feeds/[0-9a-f]{32}/feed\.xml$", stdout, re.M)
    conf = (out / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 127.0.0.1:8088;" in conf
    assert "pid _nginx/nginx.pid;" in conf
    # each client's site knows its own address: feeds and the sitemap link there
    assert "https://status.example.org/acme/" in (out / "acme" / "feed.xml").read_text(encoding="utf-8")


def test_the_repo_is_read_once_for_all_sites(desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gitdesk.pipeline

    calls = {"history": 0, "tickets": 0}
    real_history, real_load = gitdesk.pipeline.read_history, gitdesk.pipeline.load_repo

    def counted_history(*args, **kwargs):  # the real function, counted
        calls["history"] += 1
        return real_history(*args, **kwargs)

    def counted_load(*args, **kwargs):
        calls["tickets"] += 1
        return real_load(*args, **kwargs)

    monkeypatch.setattr(gitdesk.pipeline, "read_history", counted_history)
    monkeypatch.setattr(gitdesk.pipeline, "load_repo", counted_load)
    assert publish(desk, tmp_path / "out", 8088)[0] == 0
    assert calls == {"history": 1, "tickets": 1}


def _set_access(repo: Path, client_line_start: str, value: str) -> None:
    config = (repo / "gitdesk.yml").read_text(encoding="utf-8")
    config = re.sub(rf"(- \{{id: {client_line_start}, access: \{{htpasswd: )[^}}]+", lambda m: m.group(1) + value, config)
    (repo / "gitdesk.yml").write_text(config, encoding="utf-8")


def test_a_missing_htpasswd_file_exits_2_naming_the_client_and_key_and_keeps_the_old_folder(own_desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert publish(own_desk, out, 8088)[0] == 0
    before = (out / "nginx.conf").read_text(encoding="utf-8")
    _set_access(own_desk, "globex", "access/nope.htpasswd")
    code, _, stderr = publish(own_desk, out, 8088)
    assert code == 2
    assert "clients[1].access.htpasswd" in stderr and "'globex'" in stderr and "nope.htpasswd does not exist" in stderr
    assert "Traceback" not in stderr
    assert (out / "nginx.conf").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: an unreadable file cannot be made")
def test_an_unreadable_htpasswd_file_exits_2(own_desk: Path, tmp_path: Path) -> None:
    (own_desk / "access" / "globex.htpasswd").chmod(0)
    code, _, stderr = publish(own_desk, tmp_path / "out", 8088)
    assert code == 2 and "clients[1].access.htpasswd" in stderr and "cannot read" in stderr


@pytest.mark.parametrize("content, expected", [
    ("gina:plain-text-password\n", "access/globex.htpasswd:1 is not a 'user:hash' line"),
    ("# only a comment\n\n", "has no user"),
    ("gina:{PLAIN}secret\n", "plain-text passwords are refused"),
])
def test_an_htpasswd_file_nginx_cannot_use_exits_2(own_desk: Path, tmp_path: Path, content: str, expected: str) -> None:
    (own_desk / "access" / "globex.htpasswd").write_text(content, encoding="utf-8")
    code, _, stderr = publish(own_desk, tmp_path / "out", 8088)
    assert code == 2
    assert expected in stderr and "clients[1].access.htpasswd" in stderr


def test_a_client_without_an_access_file_exits_2(own_desk: Path, tmp_path: Path) -> None:
    config = (own_desk / "gitdesk.yml").read_text(encoding="utf-8")
    config = re.sub(r"access: \{htpasswd: access/globex.htpasswd\}, ", "", config)
    (own_desk / "gitdesk.yml").write_text(config, encoding="utf-8")
    code, _, stderr = publish(own_desk, tmp_path / "out", 8088)
    assert code == 2
    assert "clients[1].access.htpasswd is not set" in stderr and "htpasswd -cB" in stderr


@pytest.mark.parametrize("client_id", ["internal", "Acme", "acme corp", "../acme", "_feeds", "a" * 64])
def test_a_client_id_that_cannot_be_a_folder_and_url_segment_is_refused_by_validate(own_desk: Path, client_id: str) -> None:
    config = (own_desk / "gitdesk.yml").read_text(encoding="utf-8")
    (own_desk / "gitdesk.yml").write_text(config.replace("- {id: globex,", f"- {{id: {client_id!r},"), encoding="utf-8")
    code, _, stderr = run(own_desk, "validate")
    assert code == 2
    assert "clients[1].id" in stderr and "URL path segment" in stderr


def test_a_short_secret_exits_2(desk: Path, tmp_path: Path) -> None:
    code, _, stderr = run(desk, "publish", "--out", str(tmp_path / "out"), secret="too-short")
    assert code == 2 and "GITDESK_FEED_SECRET" in stderr and "openssl rand" in stderr


@pytest.mark.parametrize("listen", ["8080", "localhost", "127.0.0.1:0", "127.0.0.1:70000", "[nothost]:80"])
def test_a_bad_listen_address_exits_2(desk: Path, tmp_path: Path, listen: str) -> None:
    code, _, stderr = run(desk, "publish", "--out", str(tmp_path / "out"), "--listen", listen)
    assert code == 2 and "--listen" in stderr


def test_publish_refuses_to_replace_a_folder_it_did_not_write(desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work", encoding="utf-8")
    code, _, stderr = publish(desk, out, 8088)
    assert code == 2 and "was not written by gitdesk publish" in stderr
    assert (out / "thesis.tex").read_text(encoding="utf-8") == "years of work"


def test_a_failing_build_keeps_the_previous_folder(own_desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert publish(own_desk, out, 8088)[0] == 0
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    (own_desk / "docs").mkdir(exist_ok=True)
    (own_desk / "mkdocs.yml").write_text("site_name: x\nplugins: [search]\n", encoding="utf-8")
    code, _, stderr = publish(own_desk, out, 8088)
    assert code == 2 and "gitdesk plugin" in stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]


def test_theme_scripts_are_allowed_by_hash_and_nothing_else(desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = publish(desk, out, 8088)
    assert code == 0 and "inline scripts the theme did not write" not in stderr
    conf = (out / "nginx.conf").read_text(encoding="utf-8")
    script_src = re.search(r"script-src ([^;]+);", conf)
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src.group(1)
    assert re.search(r"'sha256-[A-Za-z0-9+/]{43}='", script_src.group(1))


def test_same_secret_same_urls_another_secret_other_urls(desk: Path, tmp_path: Path) -> None:
    from gitdesk.adapters.publish import capability_token

    assert capability_token(SECRET.encode(), "acme") == capability_token(SECRET.encode(), "acme")
    assert capability_token(SECRET.encode(), "acme") != capability_token(SECRET.encode(), "globex")
    assert capability_token(SECRET.encode(), "acme") != capability_token(b"another secret of enough length 0123", "acme")
