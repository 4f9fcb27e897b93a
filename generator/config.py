"""gitdesk.yml: the service's components, calendars, SLA policy, clients and site settings."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from dateutil import rrule

from gitdesk.load import schema, yamlsafe
from gitdesk.errors import ConfigError
from gitdesk.model import Diagnostic, parse_time

CONFIG_FILE = "gitdesk.yml"
ALWAYS = "always"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TARGET_NAMES = ("response", "mitigation", "resolution")

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def _invalid(key: str, message: str) -> ConfigError:
    """A problem at ``key`` (dotted) of gitdesk.yml; :func:`read_config` adds the line."""
    return ConfigError(message, file=CONFIG_FILE, key=key)


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
    #: when it entered service (``since``); its uptime counts from here, else from the desk's first record
    since: datetime | None = None


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
    #: clocks that started before it are history: reported, never failing `sla check` (set by `gitdesk import`)
    since: datetime | None = None
    #: wall-clock seconds a committer time may precede its witness note before the note's time counts (gitdesk.yml only)
    witness_tolerance: int = 15 * 60


@dataclass(frozen=True)
class UptimePolicy:
    target: float = 99.8
    notice: int = 48 * 3600
    windows: tuple[int, ...] = (30, 90)


#: ``service_review.every`` -> (dateutil frequency, interval)
REVIEW_EVERY = {"weekly": (rrule.WEEKLY, 1), "fortnightly": (rrule.WEEKLY, 2),
                "monthly": (rrule.MONTHLY, 1), "quarterly": (rrule.MONTHLY, 3)}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
#: without ``from``: a Monday, and January (quarters start in January, April, July, October)
_REVIEW_EPOCH = date(2001, 1, 1)
_REVIEW_DAY = re.compile(r"(?:(?:first|second|third|fourth|last) )?(?:mon|tue|wed|thu|fri|sat|sun)|last|[1-9]|1[0-9]|2[0-8]")


@dataclass(frozen=True)
class ServiceReview:
    """``service_review``: when provider and client review the service together (the status page shows the next one).

    ``day`` is a weekday (``fri``) for weekly and fortnightly reviews; a day of
    the month (``15``, ``last``) or a weekday of the month (``first mon``,
    ``last fri``) for monthly and quarterly ones. ``start`` (``from``) fixes the
    weeks or months a fortnightly or quarterly review falls in.
    """

    every: str
    day: str
    at: time | None = None
    start: date | None = None

    def next_after(self, now: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
        """The first review at or after ``now`` (a review without ``at`` lasts its whole local day), aware in ``zone``."""
        frequency, interval = REVIEW_EVERY[self.every]
        words = self.day.split()
        if words[-1] in WEEKDAYS:
            weekday = rrule.weekday(WEEKDAYS.index(words[-1]))
            rule = {"byweekday": weekday(_ORDINALS[words[0]]) if len(words) == 2 else weekday}
        else:
            rule = {"bymonthday": -1 if self.day == "last" else int(self.day)}
        start = datetime.combine(self.start or _REVIEW_EPOCH, self.at or time(0))
        local = now.astimezone(zone).replace(tzinfo=None)
        # a date-only review is still "next" for the rest of its day
        after = local if self.at is not None else datetime.combine(local.date(), time(0))
        found: datetime = rrule.rrule(frequency, interval=interval, dtstart=start, **rule).after(after, inc=True)
        return found.replace(tzinfo=zone)


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    components: tuple[str, ...] = ()
    sla: SlaPolicy | None = None
    uptime: UptimePolicy | None = None
    #: ``access.htpasswd``: who may read this client's published site (as written: relative to the repo or absolute)
    htpasswd: str | None = None
    #: ``notify``: Apprise URLs (``${VAR}`` unexpanded) that receive this client's events
    notify: tuple[str, ...] = ()
    service_review: ServiceReview | None = None


@dataclass(frozen=True)
class SiteSettings:
    url: str | None = None
    logo: str | None = None
    history_months: int = 24
    page_size: int = 50
    #: ``access.internal_htpasswd``: who may read the published internal site
    internal_htpasswd: str | None = None
    #: the language of every word the site writes (``en``, ``es``)
    language: str = "en"


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
    #: top-level ``notify``: Apprise URLs (``${VAR}`` unexpanded) that receive the internal audience's events
    notify: tuple[str, ...] = ()
    service_review: ServiceReview | None = None

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

    def review_for(self, client_id: str | None) -> ServiceReview | None:
        """The review cadence of a client's service (its own, else the service's); None when none is set."""
        for client in self.clients:
            if client.id == client_id and client.service_review is not None:
                return client.service_review
        return self.service_review

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
    return read_config(text.replace("\r\n", "\n"))


def read_config(text: str) -> Config:
    """Parse gitdesk.yml text into a Config; raise :class:`ConfigError` with line and key (every schema problem in ``more``)."""
    hint = "`gitdesk schema` exports the format for your editor"
    try:
        loaded = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise ConfigError(exc.message, file=CONFIG_FILE, line=exc.line + 1, hint=hint) from None
    raw = loaded.value
    if not isinstance(raw, dict):
        raise ConfigError("gitdesk.yml must be a mapping of settings", file=CONFIG_FILE, line=1, hint=hint)

    def line_of(key: str | None) -> int:
        top = re.split(r"[.\[]", key)[0] if key else None
        return loaded.key_positions.get(top, (0, 0))[0] + 1 if top else 1

    problems = [ConfigError(problem.message, file=CONFIG_FILE, line=line_of(_dotted(problem.path)), key=_dotted(problem.path))
                for problem in schema.check("config", raw)]
    if problems:
        raise ConfigError(problems[0].message, file=CONFIG_FILE, line=problems[0].line, key=problems[0].key,
                          hint=hint, more=problems[1:])
    try:
        return _build(raw)
    except ConfigError as exc:
        raise ConfigError(exc.message, file=CONFIG_FILE, line=line_of(exc.key), key=exc.key, hint=exc.hint) from None


def parse_config(text: str) -> tuple[list[Diagnostic], Config | None]:
    """Parse gitdesk.yml text; return the problems (as diagnostics) and, if there were none, the Config."""
    try:
        return [], read_config(text)
    except ConfigError as exc:
        return [Diagnostic(CONFIG_FILE, error.line or 1, 1, "GD020", f"{error.key}: {error.message}" if error.key else error.message)
                for error in (exc, *exc.more)], None


def _dotted(path: tuple[str | int, ...] | list[str | int]) -> str | None:
    """A schema path as gitdesk.yml's users write keys: ``clients[0].name``."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
    return text or None


def _zone(name: str, where: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _invalid(where, f"unknown time zone {name!r}; use an IANA name like Europe/Madrid") from None
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
        key = f"calendars.{name}.hours.{day}"
        for span in raw.get("hours", {}).get(day, []):
            try:
                start_text, end_text = span.split("-")
                start, end = _hhmm(start_text), _hhmm(end_text)
            except ValueError:
                raise _invalid(key, f"{span!r} is not a time range like 09:00-14:00") from None
            if end <= start:
                raise _invalid(key, f"{span!r} ends before it starts")
            spans.append((start, end))
        spans.sort()
        for (_, end_a), (start_b, _) in zip(spans, spans[1:]):
            if start_b < end_a:
                raise _invalid(key, "ranges overlap")
        if spans:
            hours[index] = tuple(spans)
    if not hours:
        raise _invalid(f"calendars.{name}", "no working hours; add hours such as `mon: [09:00-17:00]`")
    holidays = raw.get("holidays") or {}
    country = holidays.get("country")
    if country:
        import holidays as holidays_lib

        # Without years the library computes no dates; it still refuses an unknown country or subdivision.
        try:
            holidays_lib.country_holidays(country, subdiv=holidays.get("subdiv"))
        except NotImplementedError as exc:
            raise _invalid(f"calendars.{name}.holidays", f"{exc}; use an ISO 3166 code such as ES, with subdiv such as MD") from None
    try:
        extra = tuple(date.fromisoformat(d) for d in raw.get("extra_holidays", []))
    except ValueError as exc:
        raise _invalid(f"calendars.{name}.extra_holidays", f"{exc}; write dates as YYYY-MM-DD") from None
    return CalendarSpec(name, tz, hours, country, holidays.get("subdiv"), extra)


def _policy(raw: dict[str, Any], base: SlaPolicy, calendars: set[str], where: str) -> SlaPolicy:
    targets = dict(base.targets)
    for severity, spec in (raw.get("targets") or {}).items():
        calendar = spec.get("calendar", targets.get(severity, TargetSpec(ALWAYS)).calendar)
        if calendar not in calendars:
            raise _invalid(f"{where}.targets.{severity}.calendar", f"unknown calendar {calendar!r}; known: {', '.join(sorted(calendars))}")
        targets[severity] = TargetSpec(
            calendar, *(_duration(spec, name, f"{where}.targets.{severity}.{name}") for name in TARGET_NAMES))
    return replace(
        base,
        clock=raw.get("clock", base.clock),
        pause_statuses=tuple(raw.get("pause_statuses", base.pause_statuses)),
        at_risk=float(raw.get("at_risk", base.at_risk)),
        min_compliance=raw.get("min_compliance", base.min_compliance),
        targets=targets,
    )


def _duration(raw: dict[str, Any], name: str, key: str) -> int | None:
    if name not in raw:
        return None
    try:
        return parse_duration(raw[name])
    except ValueError as exc:
        raise _invalid(key, str(exc)) from None


def _uptime(raw: dict[str, Any] | None, base: UptimePolicy, where: str) -> UptimePolicy:
    if not raw:
        return base
    notice = _duration(raw, "notice", f"{where}.notice")
    return UptimePolicy(
        target=float(raw.get("target", base.target)),
        notice=base.notice if notice is None else notice,
        windows=tuple(raw.get("windows", base.windows)),
    )


def _review(raw: dict[str, Any] | None, where: str) -> ServiceReview | None:
    """``service_review`` (already schema-checked): its ``day`` must suit ``every``."""
    if not raw:
        return None
    every, on = raw["every"], str(raw["day"]).strip().lower()
    weekly = REVIEW_EVERY[every][0] == rrule.WEEKLY
    if not _REVIEW_DAY.fullmatch(on):
        raise _invalid(f"{where}.day", f"{on!r} is not a review day: write a weekday (fri), a day of the month from 1 to 28, "
                                       "`last`, or a weekday of the month (first mon, last fri)")
    if weekly and on not in WEEKDAYS:
        raise _invalid(f"{where}.day", f"a {every} review falls on a weekday: write `day: fri` (mon … sun), not {on!r}")
    if not weekly and on in WEEKDAYS:
        raise _invalid(f"{where}.day", f"a {every} review needs a day of the month: write `day: {on}` as `first {on}`, "
                                      f"`last {on}`, a day such as `15`, or `last`")
    if every == "fortnightly" and not raw.get("from"):
        raise _invalid(where, "a fortnightly review needs `from: YYYY-MM-DD`, the date of one review, to tell its weeks")
    start = date.fromisoformat(str(raw["from"])) if raw.get("from") else None
    if weekly and start is not None and WEEKDAYS[start.weekday()] != on:
        raise _invalid(f"{where}.from", f"{start} is a {WEEKDAYS[start.weekday()]}, not a {on}: give the date of one review")
    at = _hhmm(raw["at"]) if raw.get("at") else None
    return ServiceReview(every, on, at, start)


def _moment(value: Any, tz: str, key: str) -> datetime:
    """A time with offset, or a bare date meaning midnight in the service's zone (the schema checked the shape)."""
    text = str(value)
    try:
        return parse_time(text) or datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(tz))
    except ValueError as exc:
        raise _invalid(key, f"{text!r} is not a real date or time ({exc}); write YYYY-MM-DD or a time with offset") from None


def _build(raw: dict[str, Any]) -> Config:
    tz = _zone(raw.get("timezone", "UTC"), "timezone")
    calendars = {name: _calendar(name, spec, tz) for name, spec in (raw.get("calendars") or {}).items()}
    if ALWAYS in calendars:
        raise _invalid("calendars.always", "this calendar is built in (24/7); pick another name")
    names = set(calendars) | {ALWAYS}
    has_business = "business" in calendars
    default_targets = {
        sev: spec if (spec.calendar == ALWAYS or has_business) else replace(spec, calendar=ALWAYS)
        for sev, spec in DEFAULT_TARGETS.items()
    }
    sla_raw = raw.get("sla") or {}
    base = SlaPolicy(targets={} if "targets" in sla_raw else default_targets)
    sla = _policy(sla_raw, base, names, "sla")
    tolerance = _duration(sla_raw, "witness_tolerance", "sla.witness_tolerance")
    if tolerance is not None:
        sla = replace(sla, witness_tolerance=tolerance)
    if sla_raw.get("since"):
        sla = replace(sla, since=_moment(sla_raw["since"], tz, "sla.since"))
    uptime = _uptime(raw.get("uptime"), UptimePolicy(), "uptime")
    components = tuple(Component(c["id"], c["name"], c.get("group"), c.get("description"),
                                 _moment(c["since"], tz, f"components[{index}].since") if c.get("since") else None)
                       for index, c in enumerate(raw.get("components", [])))
    seen: set[str] = set()
    for component in components:
        if component.id in seen:
            raise _invalid("components", f"component {component.id!r} is declared twice")
        seen.add(component.id)
    clients: list[Client] = []
    for index, entry in enumerate(raw.get("clients", [])):
        where = f"clients[{index}]"
        unknown = [c for c in entry.get("components", []) if c not in seen]
        if unknown:
            raise _invalid(f"{where}.components", f"client {entry['id']!r} lists unknown components: {', '.join(unknown)}")
        if entry["id"] in {c.id for c in clients}:
            raise _invalid(f"{where}.id", f"client id {entry['id']!r} is declared twice")
        clients.append(
            Client(
                entry["id"], entry["name"], tuple(entry.get("components", [])),
                _policy(entry["sla"], sla, names, f"{where}.sla") if entry.get("sla") else None,
                _uptime(entry.get("uptime"), uptime, f"{where}.uptime") if entry.get("uptime") else None,
                (entry.get("access") or {}).get("htpasswd"),
                tuple(entry.get("notify", ())),
                _review(entry.get("service_review"), f"{where}.service_review"),
            )
        )
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
                          (site.get("access") or {}).get("internal_htpasswd"), site.get("language", "en")),
        notify=tuple(raw.get("notify", ())),
        service_review=_review(raw.get("service_review"), "service_review"),
    )
