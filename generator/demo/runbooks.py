"""Runbooks: procedures in the first commit; preventive ones log each run as a landed commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from gitdesk.demo import vocab
from gitdesk.demo.render import iso, render
from gitdesk.demo.timeline import HOUR, MADRID, Edit, Ref, Style, Timeline
from gitdesk.demo.vocab import Person
from gitdesk.model import Kind


class RunbookPlanner:
    """Writes the runbook files of the first commit and lands the preventive runs after it."""

    def __init__(self, timeline: Timeline) -> None:
        self.tl = timeline
        #: path -> file text, for the first commit
        self.files: dict[str, str] = {}

    def plan(self) -> dict[str, str]:
        """Plan every runbook; return the files the first commit holds."""
        tl = self.tl
        l2 = [p for p in vocab.TEAM if p.level == "L2"]
        origin = (tl.start - timedelta(days=120)).date()
        broken = tl.frac(0.55)
        self.preventive("backup-restore-test", "Prueba semanal de restauración de copias", "1 week",
                        self.every(_weekday_on_or_after(0, origin), timedelta(weeks=1)), ["accounting", "billing"], l2[1],
                        RESTORE_BODY,
                        failed=lambda m: ("La copia de las 02:00 estaba incompleta; se repite con la de las 08:00 y se abre incidencia interna."
                                          if m <= broken < m + timedelta(weeks=1) else None))
        self.preventive("log-review", "Revisión quincenal de logs y errores recurrentes", "2 weeks",
                        self.every(_weekday_on_or_after(2, origin), timedelta(weeks=2)), ["orders", "api", "integrations"],
                        l2[0], LOG_BODY)
        # Monthly dependency updates (first Tuesday): October's run failed and November's has not
        # happened, so the runbook is overdue at the end of the story.
        firsts = [date(origin.year + (origin.month - 1 + n) // 12, (origin.month - 1 + n) % 12 + 1, 1) for n in range(18)]
        self.preventive("dependency-updates", "Actualización mensual de dependencias", "1 month",
                        [_weekday_on_or_after(1, d) for d in firsts if d < tl.end.date()], [c[0] for c in vocab.COMPONENTS],
                        l2[1], DEPS_BODY, stop=datetime(2026, 11, 1, tzinfo=MADRID),
                        failed=lambda m: ("La nueva versión del ORM rompe la exportación contable; se revierte y se planifica."
                                          if (m.year, m.month) == (2026, 10) else None),
                        internal="Octubre falló por el ORM; noviembre pendiente de la ventana del día 24.")
        for slug, title, components, body, public in STATIC_RUNBOOKS:
            fields: dict[str, Any] = {"title": title, "components": components, "owner": "elena.vidal",
                                      "last_reviewed": (tl.start - timedelta(days=30)).date().isoformat()}
            if public:
                fields["visibility"] = "public"
            self.files[f"runbooks/{slug}.md"] = render(Kind.RUNBOOK, fields, body)
        return self.files

    def preventive(self, slug: str, title: str, every: str, schedule: list[datetime], components: list[str],
                   owner: Person, body: str, *, failed: Callable[[datetime], str | None] = lambda _: None,
                   stop: datetime | None = None, internal: str | None = None) -> None:
        """Runs before the story are in the first commit; each later run lands as its own commit."""
        tl, rng = self.tl, self.tl.rng
        ref = Ref(Kind.RUNBOOK, slug)
        reviewed = (tl.start - timedelta(days=20)).date().isoformat()
        before = [{"at": iso(m), "result": "ok", "by": owner.login} for m in schedule if m < tl.start]
        fields: dict[str, Any] = {"title": title, "components": components, "owner": owner.login,
                                  "last_reviewed": reviewed, "every": every, "runs": before[-3:]}
        if internal:
            fields["internal"] = {"notes": internal}
        self.files[ref.path] = render(Kind.RUNBOOK, fields, body)
        l2 = [p for p in vocab.TEAM if p.level == "L2"]
        for moment in schedule:
            if moment < tl.start or (stop is not None and moment >= stop):
                continue
            at = tl.business.add_working(moment, rng.uniform(0, 1.5 * HOUR))
            who = rng.choice(l2)
            run: dict[str, Any] = {"at": iso(at), "result": "ok", "by": who.login}
            note = failed(moment)
            if note:
                run.update(result="failed", notes=note)
            tl.land(at + timedelta(minutes=rng.uniform(20, 50)),
                    f"{slug}: run {at.date().isoformat()} {run['result']}", [Edit(ref, append={"runs": run})], who,
                    style=Style.DIRECT if rng.random() < 0.7 else Style.SQUASH, lead_minutes=10)

    def every(self, first: datetime, step: timedelta) -> list[datetime]:
        """``first`` and each ``step`` after it, up to the end of the story."""
        moments = [first]
        while moments[-1] + step <= self.tl.end:
            moments.append(moments[-1] + step)
        return moments


def _weekday_on_or_after(weekday: int, day: date) -> datetime:
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(10), MADRID)


RESTORE_BODY = """\
1. Tomar la copia más reciente del almacenamiento de copias.
2. Restaurarla en el servidor de staging (`restore.sh --latest --target staging`).
3. Comprobar que el último asiento contable y la última factura coinciden con producción.
4. Anotar el resultado en `runs`.
"""
LOG_BODY = """\
1. Revisar los errores más frecuentes de las dos últimas semanas.
2. Abrir una incidencia P3 o un evolutivo por cada patrón nuevo.
3. Anotar el resultado en `runs`.
"""
DEPS_BODY = """\
1. Listar dependencias con parches pendientes.
2. Actualizar las compatibles en una rama y pasar las pruebas.
3. Desplegar en la ventana de mantenimiento.
4. Las actualizaciones mayores van al backlog como evolutivo.
"""
STATIC_RUNBOOKS: tuple[tuple[str, str, list[str], str, bool], ...] = (
    ("report-an-incident", "Cómo reportar una incidencia", ["auth", "orders", "accounting"],
     "1. Escriba a soporte indicando qué ocurre, a quién afecta y desde cuándo.\n"
     "2. Adjunte capturas o el mensaje de error.\n3. Si el sistema está caído (P0), llame además al teléfono de guardia.\n", True),
    ("rollback-release", "Volver a la versión anterior", ["orders", "accounting", "billing"],
     "1. Identificar la última versión estable.\n2. Desplegarla con `deploy.sh --version`.\n3. Avisar en la incidencia.\n", False),
    ("restore-ledger-export", "Reprocesar una exportación contable fallida", ["accounting"],
     "1. Localizar el lote fallido en el registro.\n2. Relanzar con `export-ledger --batch`.\n3. Confirmar con la gestoría.\n", False),
    ("rotate-credentials", "Rotación de credenciales", ["auth", "api", "integrations"],
     "1. Generar credenciales nuevas.\n2. Actualizar el almacén de secretos.\n3. Revocar las antiguas.\n", False),
)
