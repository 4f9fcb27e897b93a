"""`gitdesk publish`: every audience's site from one read of the repo, and an nginx config that guards each.

The output folder, ``DIR``::

    internal/             the internal site        (basic auth: site.access.internal_htpasswd)
    <client-id>/          one site per client      (basic auth: clients[].access.htpasswd)
    _feeds/<token>/       each client's feed.xml and maintenance.ics at a capability URL (no auth)
    _nginx/               htpasswd copies, pid, logs, temp folders: never served
    nginx.conf            ``nginx -p DIR -c nginx.conf``

Folder names starting with ``_`` cannot collide with a client: client ids start
with a letter or digit (the config schema), and ``internal`` is refused as one.
nginx reads the htpasswd files and the site files per request, so republishing
into the same ``DIR`` takes effect without a reload; a new client or a changed
``--listen`` needs ``nginx -p DIR -s reload``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import re
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from datetime import datetime
from typing import Iterable, Mapping

from gitdesk.adapters.mkdocs_build import build_site
from gitdesk.adapters.output import atomic_folder
from gitdesk.adapters.policy import checked
from gitdesk.config import CONFIG_FILE, Config, load_config
from gitdesk.errors import ConfigError, GitdeskError
from gitdesk.pipeline import SiteOptions, Sources, read_sources
from gitdesk.site import Audience, scope_for
from gitdesk.site.scope import INTERNAL_FOLDER

FEED_SECRET_ENV = "GITDESK_FEED_SECRET"
#: Shorter secrets are refused: the capability URLs are only as strong as the secret.
MIN_SECRET_LENGTH = 32
#: the internal site's folder (a client's is its id), as notify links to it
INTERNAL = INTERNAL_FOLDER
FEEDS = "_feeds"
PRIVATE = "_nginx"
CONF = "nginx.conf"
#: What each client's capability URL serves (both are files of the client's own site).
FEED_FILES = ("feed.xml", "maintenance.ics")
DEFAULT_LISTEN = "127.0.0.1:8080"
#: The first line of every nginx.conf we write: how a later publish knows DIR is ours to replace.
MARKER = "# written by gitdesk publish"

#: htpasswd hash formats nginx verifies (crypt(3) on glibc/libxcrypt, or nginx itself); never plain text.
_HASHES = ("$2y$", "$2a$", "$2b$", "{SHA}", "{SSHA}", "$apr1$", "$5$", "$6$")
#: Material varies its inline scope script by the page's base URL only: ``new URL("../..",location)``.
_SCOPE_URL = re.compile(r'new URL\("[^"\\<]*",location\)')
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.S | re.I)

_TYPES = {
    "text/html": "html htm", "text/css": "css", "application/javascript": "js", "application/json": "json map",
    "application/xml": "xml", "text/calendar": "ics", "image/svg+xml": "svg", "image/png": "png",
    "image/x-icon": "ico", "image/jpeg": "jpg jpeg", "image/webp": "webp", "font/woff2": "woff2", "font/woff": "woff",
    "text/plain": "txt", "text/csv": "csv", "application/gzip": "gz", "application/manifest+json": "webmanifest",
}
#: Text nginx sends gzipped (HTML always is): Material's stylesheet and script, which hold up the first paint,
#: shrink to a fifth; the search index to a tenth.
GZIP_TYPES = "text/css application/javascript application/json application/xml application/atom+xml image/svg+xml text/calendar"


@dataclass(frozen=True)
class Listen:
    """Where nginx listens: ``HOST:PORT`` (``[::1]:8080`` for IPv6)."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Listen:
        """Parse ``--listen``; a GitdeskError (exit 2) says what a valid value looks like."""
        match = re.fullmatch(r"\[([0-9a-fA-F:.]+)\]:(\d{1,5})|([A-Za-z0-9.-]+):(\d{1,5})", text.strip())
        hint = "e.g. --listen 127.0.0.1:8080, --listen 0.0.0.0:80 or --listen [::1]:8080"
        if not match:
            raise GitdeskError(f"--listen {text!r} is not HOST:PORT", hint=hint)
        host, port = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        if match.group(1):
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                raise GitdeskError(f"--listen {text!r}: {host!r} is not an IPv6 address", hint=hint) from None
        if not 0 < int(port) < 65536:
            raise GitdeskError(f"--listen {text!r}: the port must be between 1 and 65535", hint=hint)
        return cls(host, int(port))

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}/"


@dataclass(frozen=True)
class Access:
    """One published site and who may read it."""

    #: the folder and URL path segment: a client id, or ``internal``
    name: str
    audience: Audience
    client: str | None
    htpasswd: Path
    #: the gitdesk.yml key that named the htpasswd file, for messages
    key: str


@dataclass(frozen=True)
class PublishedSite:
    name: str
    url: str
    #: capability URLs of the feed and calendar; empty for internal, or without a feed secret
    feeds: tuple[str, ...]


@dataclass(frozen=True)
class PublishResult:
    out: Path
    sites: tuple[PublishedSite, ...]
    #: no GITDESK_FEED_SECRET: feeds and calendars are served behind basic auth only
    feeds_need_auth: bool
    #: inline scripts the theme did not write (the CSP blocks them), as "site/page"
    blocked_scripts: tuple[str, ...]
    seconds: float
    #: tickets left out under ``keep_going``, repo-relative
    left_out: tuple[str, ...] = ()


# --- inputs -------------------------------------------------------------------------------------------------------

def feed_secret(environ: Mapping[str, str]) -> bytes | None:
    """The capability-URL secret from ``GITDESK_FEED_SECRET``; None when unset or empty; exit 2 when too short."""
    value = environ.get(FEED_SECRET_ENV, "")
    if not value:
        return None
    if len(value) < MIN_SECRET_LENGTH:
        raise GitdeskError(f"{FEED_SECRET_ENV} has {len(value)} characters; capability URLs need at least {MIN_SECRET_LENGTH}",
                           hint=f"set it to a random value, e.g. `export {FEED_SECRET_ENV}=$(openssl rand -hex 32)`")
    return value.encode("utf-8")


def capability_token(secret: bytes, client_id: str) -> str:
    """The unguessable path segment of a client's feed URLs: HMAC-SHA256 of the client id, 128 bits in hex.

    A different secret gives different tokens, so rotating it revokes every earlier URL.
    """
    return hmac.new(secret, b"gitdesk-feed-v1\0" + client_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class AccessSpec:
    """A site ``publish`` builds and the htpasswd file gitdesk.yml names for it (None: not set)."""

    name: str
    audience: Audience
    client: str | None
    configured: str | None
    #: the gitdesk.yml key, and who the site is for, for messages
    key: str
    who: str


def access_specs(config: Config) -> list[AccessSpec]:
    """Every site ``publish`` builds, internal first, as gitdesk.yml declares its access."""
    specs = [AccessSpec(INTERNAL, Audience.INTERNAL, None, config.site.internal_htpasswd, "site.access.internal_htpasswd", "the internal site")]
    for index, client in enumerate(config.clients):
        specs.append(AccessSpec(client.id, Audience.CLIENT, client.id, client.htpasswd, f"clients[{index}].access.htpasswd", f"client {client.id!r}"))
    return specs


def resolve_access(spec: AccessSpec, repo: Path) -> Access:
    """The checked htpasswd file of one site; ConfigError (exit 2) naming the client and key when it is unusable."""
    if not spec.configured:
        raise ConfigError(f"{CONFIG_FILE}: {spec.key} is not set, so {spec.who} would have no access control",
                          hint=f"create the file with `htpasswd -cB access/{spec.name}.htpasswd USER` and name it in {spec.key}")
    path = Path(spec.configured).expanduser()
    path = path if path.is_absolute() else repo / path
    check_htpasswd(path, key=spec.key, who=spec.who)
    return Access(spec.name, spec.audience, spec.client, path, spec.key)


def access_list(config: Config, repo: Path) -> list[Access]:
    """Every site ``publish`` builds (internal first) with its checked htpasswd file; stops at the first problem."""
    return [resolve_access(spec, repo) for spec in access_specs(config)]


def check_htpasswd(path: Path, *, key: str, who: str) -> None:
    """Refuse (exit 2) an htpasswd file nginx could not use: unreadable, empty, plain text or a malformed line."""
    where = f"{CONFIG_FILE}: {key} ({who})"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: {path} does not exist", hint="create it with `htpasswd -cB FILE USER`") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not readable UTF-8 text"
        raise ConfigError(f"{where}: cannot read {path}: {reason}", hint="make the file readable by the user who runs gitdesk") from None
    users = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        user, colon, hashed = line.partition(":")
        if not colon or not user or not hashed.startswith(_HASHES):
            raise ConfigError(f"{where}: {path}:{number} is not a 'user:hash' line with a bcrypt or SHA hash",
                              hint="write entries with `htpasswd -B FILE USER` (bcrypt); plain-text passwords are refused")
        users += 1
    if not users:
        raise ConfigError(f"{where}: {path} has no user", hint="add one with `htpasswd -B FILE USER`")


def _prepare_out(out: Path) -> None:
    """Refuse to replace a non-empty folder that an earlier publish did not write (a typo must not wipe it)."""
    if not out.is_dir() or not any(out.iterdir()):
        return
    conf = out / CONF
    if not conf.is_file() or not conf.read_text(encoding="utf-8", errors="replace").startswith(MARKER):
        raise GitdeskError(f"{out} is not empty and was not written by gitdesk publish",
                           hint="pick a new or empty folder, or the folder of an earlier publish")


# --- the build ----------------------------------------------------------------------------------------------------

def publish(repo: Path, out: Path, *, listen: Listen, now: datetime | None, environ: Mapping[str, str],
            keep_going: bool = False) -> PublishResult:
    """Build the internal site and every client's site from one read of the repo into ``out``, with its nginx.conf.

    ``now`` is a datetime or None (the current time). The previous ``out`` stays
    until the new one is complete; a failure leaves it untouched. All or
    nothing, as ``build``: a ticket that fails to load or validate, or a
    refused docs file, raises BuildRefused (exit 1) unless ``keep_going``,
    which leaves them out of every site (listed in ``left_out``).
    """
    started = time.perf_counter()
    config = load_config(repo)
    sites = access_list(config, repo)
    secret = feed_secret(environ)
    _prepare_out(out)
    base = (config.site.url or listen.url).rstrip("/") + "/"
    sources = checked(read_sources(repo, now=now, config=config), repo=repo, keep_going=keep_going)
    published = []
    with atomic_folder(out, repo) as fresh:
        for site in sites:
            url = scope_for(config, site.audience, site.client).published_url(base)
            own = replace(sources, config=replace(config, site=replace(config.site, url=url)))
            build_audience(own, repo=repo, audience=site.audience, client=site.client, out=fresh / site.name,
                           keep_going=keep_going)
            feeds: tuple[str, ...] = ()
            if secret is not None and site.client is not None:
                feeds = _write_capabilities(fresh, site.name, capability_token(secret, site.client), base)
            published.append(PublishedSite(site.name, url, feeds))
        hashes, blocked = _theme_script_hashes(fresh, [s.name for s in sites])
        private = fresh / PRIVATE
        (private / "htpasswd").mkdir(parents=True)
        for site in sites:
            copy = private / "htpasswd" / site.name
            shutil.copyfile(site.htpasswd, copy)
            os.chmod(copy, 0o644)  # nginx started as root reads them as its worker user (nobody); the folder is never served
        (fresh / CONF).write_text(nginx_conf(sites=[s.name for s in sites], listen=listen, script_hashes=hashes), encoding="utf-8")
        _carry_state(out, fresh)
    return PublishResult(out.resolve(), tuple(published), secret is None, tuple(blocked), time.perf_counter() - started,
                         tuple(sources.skipped))


def build_audience(sources: Sources, *, repo: Path, audience: Audience, client: str | None, out: Path,
                   keep_going: bool = False) -> None:
    """Build one audience's site into ``out`` with MkDocs from already-read (and checked) sources."""
    build_site(SiteOptions(repo=repo, audience=audience, client=client, now=sources.now, sources=sources), out,
               keep_going=keep_going)


def _write_capabilities(fresh: Path, name: str, token: str, base: str) -> tuple[str, ...]:
    folder = fresh / FEEDS / token
    folder.mkdir(parents=True)
    urls = []
    for file in FEED_FILES:
        source = fresh / name / file
        if source.is_file():
            shutil.copyfile(source, folder / file)
            urls.append(f"{base}{FEEDS}/{token}/{file}")
    return tuple(urls)


def _carry_state(out: Path, fresh: Path) -> None:
    """Move a running nginx's pid file, logs and temp folders into the new DIR, so `-s reload` still finds it.

    Renaming keeps the files open in nginx valid: it goes on logging into them.
    """
    old = out / PRIVATE
    new = fresh / PRIVATE
    for name in ("nginx.pid", "logs", "temp"):
        if (old / name).exists() and not (old / name).is_symlink():
            os.rename(old / name, new / name)
    for name in ("logs", "temp"):
        (new / name).mkdir(exist_ok=True)


def _theme_script_hashes(fresh: Path, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """CSP hashes of the theme's inline scripts, and the pages holding any other inline script.

    Material writes a few inline scripts; they vary by page depth only. A
    script is allowed when it equals, up to that depth, one on the site's
    404 page, which holds no ticket text.
    """
    allowed: set[str] = set()
    blocked: list[str] = []
    for name in names:
        site = fresh / name
        not_found = site / "404.html"
        theme = {_SCOPE_URL.sub("", s) for s in _INLINE_SCRIPT.findall(not_found.read_text(encoding="utf-8"))} if not_found.is_file() else set()
        for page in sorted(site.rglob("*.html")):
            for script in _INLINE_SCRIPT.findall(page.read_text(encoding="utf-8", errors="replace")):
                if _SCOPE_URL.sub("", script) in theme:
                    allowed.add(script)
                else:
                    blocked.append(f"{name}/{page.relative_to(site).as_posix()}")
    hashes = sorted("sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") for s in allowed)
    return hashes, sorted(set(blocked))


# --- nginx.conf ---------------------------------------------------------------------------------------------------

def content_security_policy(script_hashes: Iterable[str]) -> str:
    """The site's CSP: same-origin everything, inline scripts only by hash, no framing, no plugins."""
    scripts = " ".join(["'self'", *(f"'{h}'" for h in script_hashes)])
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def nginx_conf(*, sites: list[str], listen: Listen, script_hashes: Iterable[str]) -> str:
    """A complete nginx.conf serving ``sites`` from the folder it sits in (``nginx -p DIR -c nginx.conf``).

    Pure: every path is relative to the prefix, so the folder can move.
    ``sites`` are folder names that the config schema restricts to
    ``[a-z0-9_-]``: nothing in them needs quoting.
    """
    for name in sites:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise ValueError(f"{name!r} cannot be a site folder")
    types = "".join(f"        {mime} {exts};\n" for mime, exts in _TYPES.items())
    headers = {
        "Content-Security-Policy": content_security_policy(script_hashes),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "X-Robots-Tag": "noindex, nofollow",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    header_lines = "".join(f'        add_header {key} "{value}" always;\n' for key, value in headers.items())
    locations = "".join(_site_location(name) for name in sites)
    return f"""{MARKER}. Do not edit: publish rewrites it.
# Run:    nginx -p DIR -c nginx.conf [-e {PRIVATE}/logs/error.log] [-g 'daemon off;']
# Reload: nginx -p DIR -c nginx.conf -s reload   (needed only for a new client or --listen)
# Every path below is relative to DIR (the -p prefix).
worker_processes 1;
pid {PRIVATE}/nginx.pid;
error_log {PRIVATE}/logs/error.log warn;

events {{
    worker_connections 512;
}}

http {{
    types {{
{types}    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css text/plain text/calendar text/csv application/javascript application/json application/xml application/atom+xml image/svg+xml;
    access_log {PRIVATE}/logs/access.log;
    client_body_temp_path {PRIVATE}/temp/client_body;
    proxy_temp_path {PRIVATE}/temp/proxy;
    fastcgi_temp_path {PRIVATE}/temp/fastcgi;
    uwsgi_temp_path {PRIVATE}/temp/uwsgi;
    scgi_temp_path {PRIVATE}/temp/scgi;
    sendfile on;
    gzip on;
    gzip_types {GZIP_TYPES};
    server_tokens off;
    autoindex off;
    disable_symlinks on;
    absolute_redirect off;
    client_max_body_size 1k;

    server {{
        listen {listen.address};
        server_name _;
        root .;
        # Security headers for every response (no location below adds its own, so all inherit these).
{header_lines}
        # Nothing outside the published folders: not nginx.conf, not {PRIVATE}/, no list of clients.
        location / {{
            return 404;
        }}

        # Capability URLs: a client's feed and calendar, for readers that cannot log in. Unknown tokens: 404.
        location ~ "^/{FEEDS}/[0-9a-f]{{32}}/feed\\.xml$" {{
            types {{ }}
            default_type application/atom+xml;
        }}
        location ~ "^/{FEEDS}/[0-9a-f]{{32}}/maintenance\\.ics$" {{
        }}
{locations}    }}
}}
"""


def _site_location(name: str) -> str:
    realm = "gitdesk internal" if name == INTERNAL else f"gitdesk {name}"
    return f"""
        location = /{name} {{
            return 301 /{name}/;
        }}
        location /{name}/ {{
            auth_basic "{realm}";
            auth_basic_user_file {PRIVATE}/htpasswd/{name};
            error_page 404 /{name}/404.html;
            location = /{name}/feed.xml {{
                types {{ }}
                default_type application/atom+xml;
            }}
        }}
"""
