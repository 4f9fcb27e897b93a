"""gitdesk.yml: the service's components, calendars, SLA policy, clients and site settings."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from gitdesk.load import schema, yamlsafe
from gitdesk.errors import ConfigError
from gitdesk.model import Diagnostic

CONFIG_FILE = "gitdesk.yml"
ALWAYS = "always"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TARGET_NAMES = ("response", "mitigation", "resolution")

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> int:
    """Seconds of counted time in ``Nm``, ``Nh`` or ``NhMm``; ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not a duration like 15m, 4h or 1h30m")
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    group: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class CalendarSpec:
    """Working hours in a time zone, minus public and extra holidays."""

    name: str
    timezone: str
    #: weekday (0 = Monday) -> [(start, end)] local times, sorted, non-overlapping
    hours: dict[int, tuple[tuple[time, time], ...]]
    holidays_country: str | None = None
    holidays_subdiv: str | None = None
    extra_holidays: tuple[date, ...] = ()

    @property
    def always(self) -> bool:
        return self.name == ALWAYS


@dataclass(frozen=True)
class TargetSpec:
    """One severity's targets, in seconds of counted time on ``calendar``."""

    calendar: str
    response: int | None = None
    mitigation: int | None = None
    resolution: int | None = None

    def seconds(self, name: str) -> int | None:
        return getattr(self, name)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SlaPolicy:
    clock: str = "landed"
    pause_statuses: tuple[str, ...] = ("waiting",)
    at_risk: float = 0.75
    min_compliance: float | None = None
    targets: dict[str, TargetSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class UptimePolicy:
    target: float = 99.8
    notice: int = 48 * 3600
    windows: tuple[int, ...] = (30, 90)


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    components: tuple[str, ...] = ()
    sla: SlaPolicy | None = None
    uptime: UptimePolicy | None = None
    #: ``access.htpasswd``: who may read this client's published site (as written: relative to the repo or absolute)
    htpasswd: str | None = None


@dataclass(frozen=True)
class SiteSettings:
    url: str | None = None
    logo: str | None = None
    history_months: int = 24
    page_size: int = 50
    #: ``access.internal_htpasswd``: who may read the published internal site
    internal_htpasswd: str | None = None


@dataclass(frozen=True)
class Config:
    """The whole of gitdesk.yml, typed. Build it with :func:`load_config`."""

    title: str
    timezone: str = "UTC"
    repo_url: str | None = None
    branch: str = "main"
    default_visibility: str = "public"
    components: tuple[Component, ...] = ()
    calendars: dict[str, CalendarSpec] = field(default_factory=dict)
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    uptime: UptimePolicy = field(default_factory=UptimePolicy)
    clients: tuple[Client, ...] = ()
    site: SiteSettings = field(default_factory=SiteSettings)

    @property
    def component_ids(self) -> set[str]:
        return {c.id for c in self.components}

    @property
    def client_ids(self) -> set[str]:
        return {c.id for c in self.clients}

    def client(self, client_id: str) -> Client:
        for client in self.clients:
            if client.id == client_id:
                return client
        known = ", ".join(sorted(self.client_ids)) or "none declared"
        raise ConfigError(f"unknown client {client_id!r}", hint=f"clients in {CONFIG_FILE}: {known}")

    def policy_for(self, client_id: str | None) -> SlaPolicy:
        """The SLA policy that applies to a client's tickets (client overrides win)."""
        if client_id is None:
            return self.sla
        for client in self.clients:
            if client.id == client_id and client.sla is not None:
                return client.sla
        return self.sla

    def uptime_for(self, client_id: str | None) -> UptimePolicy:
        for client in self.clients:
            if client.id == client_id and client.uptime is not None:
                return client.uptime
        return self.uptime

    def calendar(self, name: str) -> CalendarSpec:
        if name == ALWAYS:
            return CalendarSpec(ALWAYS, "UTC", {d: ((time(0), time(0)),) for d in range(7)})
        return self.calendars[name]


DEFAULT_TARGETS: dict[str, TargetSpec] = {
    "P0": TargetSpec(ALWAYS, 15 * 60, 3600, 4 * 3600),
    "P1": TargetSpec("business", 3600, None, 8 * 3600),
    "P2": TargetSpec("business", 4 * 3600, None, 40 * 3600),
    "P3": TargetSpec("business", 16 * 3600, None, None),
}


def load_config(repo: Path) -> Config:
    """Read and check ``repo/gitdesk.yml``; raise :class:`ConfigError` (exit 2) with file:line on any problem."""
    path = repo / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            f"no {CONFIG_FILE} in {repo}",
            hint="run gitdesk inside a gitdesk repo, pass --repo PATH, or create one with `gitdesk init`",
        )
    if path.is_symlink():
        raise ConfigError(f"{CONFIG_FILE}: symbolic links are refused")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{CONFIG_FILE}: not valid UTF-8") from None
    diagnostics, config = parse_config(text.replace("\r\n", "\n"))
    if config is None:
        lines = "\n".join(f"{d.file}:{d.line}:{d.column}: {d.code} {d.message}" for d in diagnostics)
        raise ConfigError(f"{CONFIG_FILE} is not valid:\n{lines}", hint="fix the lines above; `gitdesk schema` exports the format for your editor")
    return config


def parse_config(text: str) -> tuple[list[Diagnostic], Config | None]:
    """Parse gitdesk.yml text; return the problems and, if there were none, the Config."""
    try:
        loaded = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        return [Diagnostic(CONFIG_FILE, exc.line + 1, exc.column + 1, exc.code, exc.message)], None
    raw = loaded.value
    if not isinstance(raw, dict):
        return [Diagnostic(CONFIG_FILE, 1, 1, "GD004", "gitdesk.yml must be a mapping of settings")], None
    problems = []
    for problem in schema.check("config", raw):
        top = str(problem.path[0]) if problem.path else None
        line, col = loaded.key_positions.get(top, (0, 0)) if top else (0, 0)
        problems.append(Diagnostic(CONFIG_FILE, line + 1, col + 1, problem.code, problem.message))
    if problems:
        return problems, None
    try:
        config = _build(raw)
    except (ValueError, KeyError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        top = str(exc.args[1]) if len(exc.args) > 1 else None
        line, col = loaded.key_positions.get(top, (0, 0)) if top else (0, 0)
        return [Diagnostic(CONFIG_FILE, line + 1, col + 1, "GD020", str(message))], None
    return [], config


def _zone(name: str, where: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} in {where}; use an IANA name like Europe/Madrid", where.split(".")[0]) from None
    return name


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    if int(hours) == 24 and int(minutes) == 0:
        return time(23, 59, 59, 999999)
    return time(int(hours), int(minutes))


def _calendar(name: str, raw: dict[str, Any], default_tz: str) -> CalendarSpec:
    tz = _zone(raw.get("timezone", default_tz), f"calendars.{name}.timezone")
    hours: dict[int, tuple[tuple[time, time], ...]] = {}
    for index, day in enumerate(WEEKDAYS):
        spans = []
        for span in raw.get("hours", {}).get(day, []):
            start_text, end_text = span.split("-")
            try:
                start, end = _hhmm(start_text), _hhmm(end_text)
            except ValueError:
                raise ValueError(f"calendars.{name}.hours.{day}: {span!r} is not a time range like 09:00-14:00", "calendars") from None
            if end <= start:
                raise ValueError(f"calendars.{name}.hours.{day}: {span!r} ends before it starts", "calendars")
            spans.append((start, end))
        spans.sort()
        for (_, end_a), (start_b, _) in zip(spans, spans[1:]):
            if start_b < end_a:
                raise ValueError(f"calendars.{name}.hours.{day}: ranges overlap", "calendars")
        if spans:
            hours[index] = tuple(spans)
    if not hours:
        raise ValueError(f"calendars.{name} has no working hours", "calendars")
    holidays = raw.get("holidays") or {}
    country = holidays.get("country")
    if country:
        import holidays as holidays_lib

        try:
            holidays_lib.country_holidays(country, subdiv=holidays.get("subdiv"), years=2026)
        except NotImplementedError:
            raise ValueError(f"calendars.{name}.holidays: unknown country {country!r}", "calendars") from None
        except Exception as exc:  # the library raises plain errors for a bad subdivision
            raise ValueError(f"calendars.{name}.holidays: {exc}", "calendars") from None
    extra = tuple(date.fromisoformat(d) for d in raw.get("extra_holidays", []))
    return CalendarSpec(name, tz, hours, country, holidays.get("subdiv"), extra)


def _policy(raw: dict[str, Any], base: SlaPolicy, calendars: set[str]) -> SlaPolicy:
    targets = dict(base.targets)
    for severity, spec in (raw.get("targets") or {}).items():
        calendar = spec.get("calendar", targets.get(severity, TargetSpec(ALWAYS)).calendar)
        if calendar not in calendars:
            raise ValueError(f"sla.targets.{severity}.calendar: unknown calendar {calendar!r}; known: {', '.join(sorted(calendars))}", "sla")
        targets[severity] = TargetSpec(
            calendar,
            *(parse_duration(spec[name]) if name in spec else None for name in TARGET_NAMES),
        )
    return replace(
        base,
        clock=raw.get("clock", base.clock),
        pause_statuses=tuple(raw.get("pause_statuses", base.pause_statuses)),
        at_risk=float(raw.get("at_risk", base.at_risk)),
        min_compliance=raw.get("min_compliance", base.min_compliance),
        targets=targets,
    )


def _uptime(raw: dict[str, Any] | None, base: UptimePolicy) -> UptimePolicy:
    if not raw:
        return base
    return UptimePolicy(
        target=float(raw.get("target", base.target)),
        notice=parse_duration(raw["notice"]) if "notice" in raw else base.notice,
        windows=tuple(raw.get("windows", base.windows)),
    )


def _build(raw: dict[str, Any]) -> Config:
    tz = _zone(raw.get("timezone", "UTC"), "timezone")
    calendars = {name: _calendar(name, spec, tz) for name, spec in (raw.get("calendars") or {}).items()}
    if ALWAYS in calendars:
        raise ValueError("calendars.always is built in (24/7); pick another name", "calendars")
    names = set(calendars) | {ALWAYS}
    has_business = "business" in calendars
    default_targets = {
        sev: spec if (spec.calendar == ALWAYS or has_business) else replace(spec, calendar=ALWAYS)
        for sev, spec in DEFAULT_TARGETS.items()
    }
    sla_raw = raw.get("sla") or {}
    base = SlaPolicy(targets={} if "targets" in sla_raw else default_targets)
    sla = _policy(sla_raw, base, names)
    uptime = _uptime(raw.get("uptime"), UptimePolicy())
    components = tuple(Component(c["id"], c["name"], c.get("group"), c.get("description")) for c in raw.get("components", []))
    seen: set[str] = set()
    for component in components:
        if component.id in seen:
            raise ValueError(f"component {component.id!r} is declared twice", "components")
        seen.add(component.id)
    clients = []
    for entry in raw.get("clients", []):
        unknown = [c for c in entry.get("components", []) if c not in seen]
        if unknown:
            raise ValueError(f"client {entry['id']!r} lists unknown components: {', '.join(unknown)}", "clients")
        clients.append(
            Client(
                entry["id"], entry["name"], tuple(entry.get("components", [])),
                _policy(entry["sla"], sla, names) if entry.get("sla") else None,
                _uptime(entry.get("uptime"), uptime) if entry.get("uptime") else None,
                (entry.get("access") or {}).get("htpasswd"),
            )
        )
    if len({c.id for c in clients}) != len(clients):
        raise ValueError("a client id is declared twice", "clients")
    site = raw.get("site") or {}
    return Config(
        title=raw["title"],
        timezone=tz,
        repo_url=(raw.get("repo_url") or None),
        branch=raw.get("branch", "main"),
        default_visibility=raw.get("default_visibility", "public"),
        components=components,
        calendars=calendars,
        sla=sla,
        uptime=uptime,
        clients=tuple(clients),
        site=SiteSettings(site.get("url"), site.get("logo"), site.get("history_months", 24), site.get("page_size", 50),
                          (site.get("access") or {}).get("internal_htpasswd")),
    )
