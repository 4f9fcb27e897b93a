"""The stories every demo tells, whatever its size, as data (docs/demo.md walks through them).

Each story is placed counting back from the end of the story (:data:`~gitdesk.demo.timeline.END`),
so the same texts and timings come out in the small demo and the full one.
:func:`gitdesk.demo.plan.tell` lands them in this order, on the stage's own
random stream: tuning the random part of the story leaves their people and
times as they were (ids follow landing order, so those are fixed per size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Union

from gitdesk.demo import vocab
from gitdesk.demo.timeline import HOUR, MADRID, Style, Timeline


@dataclass(frozen=True)
class WorkingDay:
    """``days`` before the end, at ``at``, moved forward to the next working day if needed."""

    days: int
    at: time

    def moment(self, tl: Timeline, anchor: datetime) -> datetime:
        """The time this names on ``tl`` (``anchor`` is unused: the day counts back from the end)."""
        return tl.workday_at(tl.end - timedelta(days=self.days), self.at.hour, self.at.minute)


@dataclass(frozen=True)
class CalendarDay:
    """``days`` before the end, at ``at``, whatever the calendar says (outages keep no office hours)."""

    days: int
    at: time

    def moment(self, tl: Timeline, anchor: datetime) -> datetime:
        """The time this names on ``tl`` (``anchor`` is unused: the day counts back from the end)."""
        return datetime.combine((tl.end - timedelta(days=self.days)).date(), self.at, MADRID)


@dataclass(frozen=True)
class WorkingHoursLeft:
    """The moment that leaves exactly ``hours`` working hours before the end."""

    hours: float

    def moment(self, tl: Timeline, anchor: datetime) -> datetime:
        """The time this names on ``tl`` (``anchor`` is unused: it counts back from the end)."""
        day = tl.end.date()
        while tl.business.working_seconds(datetime.combine(day, time(0), MADRID), tl.end) < self.hours * HOUR:
            day -= timedelta(days=1)
        midnight = datetime.combine(day, time(0), MADRID)
        return tl.business.add_working(midnight, tl.business.working_seconds(midnight, tl.end) - self.hours * HOUR)


@dataclass(frozen=True)
class WorkingHoursAfter:
    """``hours`` of working time after the incident opened."""

    hours: float

    def moment(self, tl: Timeline, anchor: datetime) -> datetime:
        """``hours`` of working time after ``anchor``."""
        return tl.business.add_working(anchor, self.hours * HOUR)


@dataclass(frozen=True)
class MinutesAfter:
    """``minutes`` of wall time after the incident opened (or, for an incident, after what caused it)."""

    minutes: float

    def moment(self, tl: Timeline, anchor: datetime) -> datetime:
        """``minutes`` of wall time after ``anchor``."""
        return anchor + timedelta(minutes=self.minutes)


Opened = Union[WorkingDay, CalendarDay, WorkingHoursLeft, MinutesAfter]
When = Union[WorkingDay, CalendarDay, WorkingHoursAfter, MinutesAfter]


@dataclass(frozen=True)
class Step:
    """One later change of a scripted incident.

    ``who`` is ``"first"`` (the engineer who took the ticket) or a support level
    of the story's ``team``; ``escalate`` hands the ticket to that person.
    Without ``update``, a stock update for the status is picked.
    """

    at: When
    status: str
    who: str = "first"
    escalate: bool = False
    update: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    style: Style | None = None


@dataclass(frozen=True)
class ScriptedIncident:
    """An incident whose every change is written out.

    ``author`` is the level of whoever takes it first; ``team`` are the levels
    of the people drawn to work on it, in order, once it has landed.
    """

    opened: Opened
    severity: str
    client: str
    component: str
    title: str
    steps: tuple[Step, ...]
    impact: str = "none"
    status: str = "reported"
    level: str = "L1"
    author: str = "L1"
    team: tuple[str, ...] = ()
    #: minutes the problem began before the ticket landed
    started_before: float | None = None
    #: minutes the phone call came before the ticket landed (its SLA start)
    phone_minutes: float | None = None
    reporter: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outage:
    """A P0 (system down), planned like a random one: L1 → L2 → L3, and L4 when it breaches."""

    opened: CalendarDay
    client: str
    component: str
    title: str
    breach: bool = False


@dataclass(frozen=True)
class Fault:
    """A P1/P2, planned like a random one, with the twists the story needs fixed.

    ``upgrade_at`` lands it one severity lower and raises it that share of the way
    through; ``hours`` fixes its working time to resolution.
    """

    opened: WorkingDay
    severity: str
    client: str
    component: str
    title: str
    breach: bool = False
    waiting: bool = False
    reopen: bool = False
    phone: bool = False
    mitigate: bool | None = None
    reports: int = 1
    upgrade_at: float | None = None
    hours: float | None = None


@dataclass(frozen=True)
class DeferredRequest:
    """A P3 whose theme (vocab.THEMES, by incident title) is deferred to a backlog item ``target``\\ ed for a quarter."""

    opened: WorkingDay
    client: str
    theme: str
    decided: WorkingDay
    target: str


@dataclass(frozen=True)
class LateWindow:
    """A maintenance window announced with less notice than the contract asks, and the incident it caused.

    It opens on the Tuesday on or after ``days`` before the end; the decision
    answering it is proposed ``answered_after`` days later.
    """

    days: int
    minutes: int
    title: str
    components: tuple[str, ...]
    impact: str
    notice: timedelta
    incident: ScriptedIncident
    answered_after: int


Story = Union[LateWindow, Outage, Fault, ScriptedIncident, DeferredRequest]

STORIES: tuple[Story, ...] = (
    # The window announced too late: its outage counts against uptime, and a P1 records it.
    LateWindow(
        days=46, minutes=90, title="Migración de la base de datos de facturación", components=("billing",),
        impact="outage", notice=timedelta(hours=28, minutes=30), answered_after=3,
        incident=ScriptedIncident(
            MinutesAfter(6), "P1", "acme", "billing", "Facturación no disponible durante la migración",
            impact="outage", started_before=6, level="L3", author="L3", team=("L3",), status="investigating",
            phone_minutes=3,
            steps=(Step(MinutesAfter(90), "resolved", "L3", style=Style.SQUASH, extra={
                "root_cause": "La ventana se anunció con 28 horas de antelación, por debajo de las 48 horas del contrato.",
                "resolution": "La migración terminó a las 22:30 y se verificó la emisión de facturas.",
                "prevention": "Las ventanas se anuncian con al menos 72 horas (decisión de ventanas actualizada).",
            }),),
        ),
    ),
    # P0: login down, L1 → L2 → L3, mitigated within the hour.
    Outage(CalendarDay(40, time(11, 20)), "acme", "auth", "Login caído: nadie puede acceder al ERP"),
    # P0 over its mitigation target, escalated to L4, with its reason.
    Outage(CalendarDay(52, time(7, 40)), "norte", "api", "API pública devuelve 503 en todas las llamadas", breach=True),
    # P1 over its resolution target, with its reason.
    Fault(WorkingDay(33, time(10, 5)), "P1", "acme", "accounting", "Descuadre en el cierre mensual del módulo contable",
          breach=True, phone=True),
    # P1 reopened after the client saw it again.
    Fault(WorkingDay(26, time(9, 40)), "P1", "acme", "billing", "Facturas duplicadas al reintentar el envío",
          reopen=True, mitigate=True),
    # P2 paused while waiting on the client.
    Fault(WorkingDay(19, time(12, 15)), "P2", "acme", "reports", "Informe de márgenes con totales descuadrados",
          waiting=True, reports=2),
    # P2 raised to P1 once its impact was clear.
    Fault(WorkingDay(12, time(9, 30)), "P1", "norte", "integrations", "Pedidos sin sincronizar con el almacén",
          phone=True, upgrade_at=0.15),
    # This month's P1s for the first client, so its status page shows a mean P1 resolution near 4 h.
    Fault(WorkingDay(10, time(10, 20)), "P1", "acme", "auth", "Usuarios bloqueados tras cambiar la contraseña",
          phone=True, hours=3.6),
    Fault(WorkingDay(5, time(9, 50)), "P1", "acme", "billing", "El envío de facturas por correo falla",
          hours=4.4, mitigate=True),
    # Out of scope: a third-party SaaS problem carries no SLA.
    ScriptedIncident(
        WorkingDay(15, time(16, 10)), "P2", "norte", "integrations", "Las campañas del SaaS de marketing no se envían",
        extra={"coverage": "out-of-scope"},
        steps=(Step(WorkingDay(14, time(10, 0)), "closed",
                    update="Fuera del alcance del contrato: es un problema del proveedor del SaaS; se le deriva."),),
    ),
    # An internal-only alert: never on a client site, only on the internal one.
    ScriptedIncident(
        WorkingDay(23, time(9, 5)), "P2", "acme", "billing", "Alerta de disco lleno en el servidor de copias",
        extra={"visibility": "internal",
               "internal": {"notes": "Ampliado el volumen de copias de 500 GB a 1 TB; coste a repercutir."}},
        reporter="monitorización", team=("L2",),
        steps=(Step(WorkingHoursAfter(0.5), "investigating", "L2", escalate=True),
               Step(WorkingHoursAfter(3), "resolved", "L2", update="Volumen ampliado; las copias de la noche se completan.")),
    ),
    # The queue at the end of the story, as in the seeds: a P1 in progress for 2 h, a P2 reported ×3,
    # a P2 waiting on the client, a P2 at risk and a P3 deferred.
    ScriptedIncident(
        CalendarDay(0, time(15, 35)), "P1", "acme", "accounting", "Error exportación contabilidad",
        impact="degraded", started_before=30, reporter="Carmen López (Acme)", team=("L2",),
        steps=(Step(MinutesAfter(18), "investigating", "L2", escalate=True,
                    update="Reproducido en staging: falla la exportación del libro diario en v3.2."),),
    ),
    ScriptedIncident(
        CalendarDay(1, time(16, 5)), "P2", "norte", "orders", "Filtro lento en listado pedidos", impact="degraded",
        steps=(Step(WorkingHoursAfter(1.2), "triaged"),
               Step(WorkingHoursAfter(2.5), "triaged", extra={"reports": 3},
                    update="Otros dos usuarios lo reportan: el filtro por fecha tarda más de 20 segundos.")),
    ),
    ScriptedIncident(
        WorkingDay(6, time(10, 45)), "P2", "norte", "dashboard", "Los widgets del dashboard tardan en cargar",
        steps=(Step(WorkingHoursAfter(1.5), "investigating"),
               Step(WorkingHoursAfter(6), "waiting",
                    update="Necesitamos una captura de la consola del navegador del cliente.")),
    ),
    # A P2 at risk: 31 of its 40 working hours used when the story ends (the at-risk share is 75 %).
    ScriptedIncident(
        WorkingHoursLeft(31), "P2", "norte", "integrations", "Stock desincronizado en artículos con variantes",
        impact="degraded", team=("L2",),
        steps=(Step(WorkingHoursAfter(1), "triaged"),
               Step(WorkingHoursAfter(3), "investigating", "L2", escalate=True),
               Step(WorkingHoursAfter(20), "identified", "L2",
                    update="Reproducido: el conector del almacén ignora las variantes; la corrección toca el conector.")),
    ),
    DeferredRequest(WorkingDay(4, time(11, 0)), "acme", "Mejora dashboard: filtros por estado",
                    decided=WorkingDay(3, time(12, 30)), target="2027-Q2"),
)

#: P3 themes the stories defer to a queued backlog item: theme's incident title -> target quarter.
#: Random incidents leave them alone, so the queue at the end reads as docs/demo.md tells it.
QUEUED_THEMES: dict[str, str] = {s.theme: s.target for s in STORIES if isinstance(s, DeferredRequest)}


@dataclass(frozen=True)
class DecisionChain:
    """Decisions each superseding the one before, oldest first.

    ``shares`` place them through the story; ``None`` marks the decision that
    answers the late window (:class:`LateWindow`), proposed when it says.
    """

    links: tuple[tuple[str, str, str, str], ...]
    shares: tuple[float | None, ...]


#: The window chain ends in the answer to the late window: Thursday → Tuesday → 72 h notice.
DECISION_CHAINS: tuple[DecisionChain, ...] = (
    DecisionChain(vocab.WINDOW_CHAIN, (0.01, 0.45, None)),
    DecisionChain(vocab.BACKUP_CHAIN, (0.05, 0.6)),
)
#: indices into vocab.DECISIONS: load tests and spreadsheet reports turned down, the
#: 5-minute warehouse sync retired by webhooks, the on-call refusal kept internal (commercial)
REJECTED_DECISIONS = (26, 31)
DEPRECATED_DECISION = 22
INTERNAL_DECISION = 23


@dataclass(frozen=True)
class UpcomingWindow:
    """The window still ahead when the story ends: it opens on the first Tuesday after it."""

    title: str
    components: tuple[str, ...]
    impact: str
    minutes: int
    announced: WorkingDay


UPCOMING_WINDOW = UpcomingWindow("Actualización del módulo contable a v3.2.1", ("accounting",), "degraded", 60,
                                 announced=WorkingDay(2, time(11, 20)))
#: index of the regular window that is cancelled instead of held
CANCELLED_WINDOW = 3


@dataclass(frozen=True)
class FailedRun:
    """The run due in the period holding this moment fails, with ``note``.

    ``share`` places the moment through the story; ``on`` names a day.
    """

    note: str
    share: float | None = None
    on: date | None = None

    def moment(self, tl: Timeline) -> datetime:
        """The moment on ``tl``."""
        if self.on is not None:
            return datetime.combine(self.on, time(12), MADRID)
        assert self.share is not None, "a failed run has a share or a day"
        return tl.frac(self.share)


@dataclass(frozen=True)
class PreventiveRunbook:
    """A preventive runbook: due on ``weekday`` (0 = Monday) every ``every`` (weeks, or months from the 1st)."""

    slug: str
    title: str
    every: str
    weekday: int
    components: tuple[str, ...]
    #: login of the L2 who owns it
    owner: str
    body: str
    fails: FailedRun | None = None
    #: no run from this moment on: the runbook is overdue at the end
    stop: datetime | None = None
    internal: str | None = None


PREVENTIVE: tuple[PreventiveRunbook, ...] = (
    PreventiveRunbook("backup-restore-test", "Prueba semanal de restauración de copias", "1 week", 0,
                      ("accounting", "billing"), "jorge.santos", vocab.RESTORE_BODY,
                      fails=FailedRun("La copia de las 02:00 estaba incompleta; se repite con la de las 08:00 y se abre "
                                      "incidencia interna.", share=0.55)),
    PreventiveRunbook("log-review", "Revisión quincenal de logs y errores recurrentes", "2 weeks", 2,
                      ("orders", "api", "integrations"), "marta.ruiz", vocab.LOG_BODY),
    # Monthly dependency updates (first Tuesday): October's run failed and November's has not
    # happened, so the runbook is overdue at the end of the story.
    PreventiveRunbook("dependency-updates", "Actualización mensual de dependencias", "1 month", 1,
                      tuple(c[0] for c in vocab.COMPONENTS), "jorge.santos", vocab.DEPS_BODY,
                      fails=FailedRun("La nueva versión del ORM rompe la exportación contable; se revierte y se planifica.",
                                      on=date(2026, 10, 15)),
                      stop=datetime(2026, 11, 1, tzinfo=MADRID),
                      internal="Octubre falló por el ORM; noviembre pendiente de la ventana del día 24."),
)
