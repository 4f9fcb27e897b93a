"""The published sites behind a real nginx: each client's credentials open its own folder and nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from publish_testkit import NGINX, OTHER_SECRET, USERS, Server, free_port, needs_nginx, nginx, publish, sample

pytestmark = needs_nginx

ACME, GLOBEX, STAFF = USERS["acme"], USERS["globex"], USERS["internal"]
#: what a client reads: pages, the search index, the API, the feed and the calendar
OWN_FILES = ("", "index.html", "history/index.html", "search/search_index.json", "api/v2/summary.json", "feed.xml", "maintenance.ics")


def feed_urls(stdout: str, site: str) -> list[str]:
    """The capability URLs `publish` printed under ``site:``, as paths."""
    lines = stdout.splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"{site}: ")))
    urls = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        urls.append(urlsplit(line.strip()).path)
    return urls


@pytest.mark.parametrize("site", ["acme", "globex", "internal"])
@pytest.mark.parametrize("file", OWN_FILES)
def test_no_credentials_get_401(server: Server, site: str, file: str) -> None:
    status, headers, _ = server.get(f"/{site}/{file}")
    assert status == 401
    assert headers["www-authenticate"].startswith("Basic")


def test_a_wrong_password_gets_401(server: Server) -> None:
    assert server.get("/acme/", auth=(ACME[0], "not-the-password"))[0] == 401
    assert server.get("/acme/", auth=GLOBEX)[0] == 401


@pytest.mark.parametrize("file", OWN_FILES)
def test_a_client_reads_its_own_pages_search_api_feed_and_calendar(server: Server, file: str) -> None:
    status, _, body = server.get(f"/acme/{file}", auth=ACME)
    assert status == 200
    assert body == (server.out / "acme" / (file or "index.html")).read_bytes()
    assert sample.CANARIES["other client"].encode() not in body


def test_each_site_opens_with_its_own_credentials(server: Server) -> None:
    # acme's file holds a bcrypt entry (when htpasswd is installed), globex's and internal's SHA entries
    assert server.get("/globex/", auth=GLOBEX)[0] == 200
    assert server.get("/internal/", auth=STAFF)[0] == 200


@pytest.mark.parametrize("site", ["globex", "internal"])
@pytest.mark.parametrize("file", OWN_FILES)
def test_a_client_reads_nothing_of_another_client_or_internal(server: Server, site: str, file: str) -> None:
    assert server.get(f"/{site}/{file}", auth=ACME)[0] == 401


CROSSINGS = [
    "/acme/../globex/index.html",
    "/acme/%2e%2e/globex/index.html",
    "/acme/%2E%2E/globex/index.html",
    "/acme/.%2e/globex/index.html",
    "/acme/..%2fglobex/index.html",
    "/acme/%2e%2e%2fglobex%2findex.html",
    "/acme%2f..%2fglobex/index.html",
    "/acme/..%2f..%2finternal/index.html",
    "/acme//../internal/",
    "/acme/%252e%252e/globex/index.html",
    "/acme/..\\globex\\index.html",
    "/acme/..;/globex/index.html",
    "/acme/../nginx.conf",
    "/acme/..%2fnginx.conf",
    "/acme/../_nginx/htpasswd/acme",
    "/acme/%2e%2e/_nginx/htpasswd/globex",
    "/acme/..%2f..%2f..%2fetc/passwd",
    "/_feeds/../globex/index.html",
    "/_feeds/%2e%2e/internal/index.html",
]


@pytest.mark.parametrize("path", CROSSINGS)
def test_dot_dot_and_encoded_paths_never_cross_folders(server: Server, path: str) -> None:
    status, _, body = server.get(path, auth=ACME)
    assert status != 200, f"{path} answered 200"
    for secret in (b"{SHA}", b"$2y$", sample.CANARIES["other client"].encode(), b"worker_processes"):
        assert secret not in body


@pytest.mark.parametrize("path", ["/", "/nginx.conf", "/_nginx/htpasswd/acme", "/_nginx/logs/access.log", "/_feeds/", "/index.html"])
def test_nothing_outside_the_site_folders_is_served(server: Server, path: str) -> None:
    assert server.get(path)[0] == 404
    assert server.get(path, auth=ACME)[0] == 404


def test_no_directory_listings(server: Server) -> None:
    status, _, body = server.get("/acme/incidents/", auth=ACME)
    assert status in (403, 404)
    assert b"INC-0001" not in body
    token_folder = feed_urls(server.stdout, "acme")[0].rsplit("/", 1)[0] + "/"
    assert server.get(token_folder)[0] == 404


def test_security_headers_on_pages_and_on_401(server: Server) -> None:
    for status, headers, _ in (server.get("/acme/", auth=ACME), server.get("/acme/")):
        assert status in (200, 401)
        csp = headers["content-security-policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"


def test_capability_urls_serve_a_clients_feed_and_calendar_without_auth(server: Server) -> None:
    urls = feed_urls(server.stdout, "acme")
    assert [u.rsplit("/", 1)[1] for u in urls] == ["feed.xml", "maintenance.ics"]
    feed_status, feed_headers, feed = server.get(urls[0])
    assert feed_status == 200 and feed_headers["content-type"].startswith("application/atom+xml")
    assert feed == server.get("/acme/feed.xml", auth=ACME)[2]
    calendar_status, calendar_headers, calendar = server.get(urls[1])
    assert calendar_status == 200 and calendar_headers["content-type"].startswith("text/calendar")
    assert calendar == server.get("/acme/maintenance.ics", auth=ACME)[2]
    assert feed_urls(server.stdout, "globex")[0] != urls[0]
    assert sample.CANARIES["other client"].encode() not in feed


def test_an_unknown_token_gets_404(server: Server) -> None:
    token = feed_urls(server.stdout, "acme")[0].split("/")[2]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert server.get(f"/_feeds/{forged}/feed.xml")[0] == 404
    assert server.get(f"/_feeds/{token}/index.html")[0] == 404


def test_rotating_the_secret_revokes_the_capability_urls(own_desk: Path, tmp_path: Path) -> None:
    from publish_testkit import OTHER_SECRET

    out, port = tmp_path / "out", free_port()
    assert publish(own_desk, out, port)[0] == 0
    with nginx(out, port):
        first = Server(out, port, publish(own_desk, out, port)[1])  # republished into the running server's folder
        old = feed_urls(first.stdout, "acme")
        assert first.get(old[0])[0] == 200
        code, stdout, _ = publish(own_desk, out, port, secret=OTHER_SECRET)
        assert code == 0
        new = feed_urls(stdout, "acme")
        assert new != old
        assert [first.get(url)[0] for url in old] == [404, 404]
        assert [first.get(url)[0] for url in new] == [200, 200]
        # no reload was needed, and the sites still answer behind auth
        assert first.get("/acme/", auth=ACME)[0] == 200
        # the running nginx's pid file moved into the new folder: a reload still finds it
        reload = subprocess.run([NGINX, "-p", str(out), "-c", "nginx.conf", "-e", "_nginx/logs/error.log", "-s", "reload"],
                                capture_output=True, text=True)
        assert reload.returncode == 0, reload.stderr
        assert first.get("/acme/", auth=ACME)[0] == 200


def test_without_a_secret_feeds_are_behind_auth_only(own_desk: Path, tmp_path: Path) -> None:
    out, port = tmp_path / "out", free_port()
    code, stdout, stderr = publish(own_desk, out, port, secret=None)
    assert code == 0
    assert "GITDESK_FEED_SECRET is not set" in stderr
    assert feed_urls(stdout, "acme") == []
    with nginx(out, port):
        server = Server(out, port, stdout)
        assert server.get("/acme/feed.xml")[0] == 401
        assert server.get("/acme/feed.xml", auth=ACME)[0] == 200


def test_the_published_folder_runs_where_it_is_moved(own_desk: Path, tmp_path: Path) -> None:
    out, port = tmp_path / "out", free_port()
    assert publish(own_desk, out, port)[0] == 0
    moved = tmp_path / "elsewhere"
    out.rename(moved)
    with nginx(moved, port):
        assert Server(moved, port, "").get("/globex/", auth=GLOBEX)[0] == 200


def test_a_desk_from_init_with_two_clients_serves_each_only_its_own(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from publish_testkit import git, run, sha_entry

    repo = tmp_path / "desk"
    assert run(tmp_path, "init", str(repo))[0] == 0
    (repo / "access").mkdir()
    for name, user in (("acme", "alice"), ("norte", "nina"), ("internal", "sam")):
        (repo / "access" / f"{name}.htpasswd").write_text(sha_entry(user, f"{user}-pw"), encoding="utf-8")
    config = (repo / "gitdesk.yml").read_text(encoding="utf-8")
    (repo / "gitdesk.yml").write_text(config + (
        "site: {url: 'https://status.example.org/', access: {internal_htpasswd: access/internal.htpasswd}}\n"
        "clients:\n"
        "  - {id: acme, name: Acme, access: {htpasswd: access/acme.htpasswd}}\n"
        "  - {id: norte, name: Norte, access: {htpasswd: access/norte.htpasswd}}\n"), encoding="utf-8")
    for client in ("acme", "norte"):
        code, stdout, stderr = run(repo, "new", "incident", "--title", f"ONLY{client.upper()} exports fail", "--severity", "P2",
                                   "--component", "accounting", "--client", client)
        assert code == 0, stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two clients", when=datetime(2026, 11, 2, 9, tzinfo=timezone.utc))
    out, port = tmp_path / "out", free_port()
    code, stdout, stderr = publish(repo, out, port)
    assert code == 0, stderr
    with nginx(out, port):
        server = Server(out, port, stdout)
        for client, user, other in (("acme", "alice", "norte"), ("norte", "nina", "acme")):
            status, _, index = server.get(f"/{client}/search/search_index.json", auth=(user, f"{user}-pw"))
            assert status == 200
            assert f"ONLY{client.upper()}".encode() in index and f"ONLY{other.upper()}".encode() not in index
            assert server.get(f"/{other}/", auth=(user, f"{user}-pw"))[0] == 401
        status, _, internal = server.get("/internal/search/search_index.json", auth=("sam", "sam-pw"))
        assert status == 200 and b"ONLYACME" in internal and b"ONLYNORTE" in internal
