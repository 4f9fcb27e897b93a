"""The demo's vocabulary: the service, its people, and what goes wrong in it.

Plain data for :mod:`gitdesk.demo`, kept apart so the synthesizer reads as
logic. Wording follows the service seeds (``Error exportación contabilidad``,
``Filtro lento en listado pedidos``, ``Mejora dashboard``...): the tickets of a
Madrid team maintaining an ERP, so their text is Spanish.
"""

from __future__ import annotations

from dataclasses import dataclass

TITLE = "Acme ERP — estado del servicio"

#: (id, name, group)
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("accounting", "Módulo contable v3.2", "ERP"),
    ("orders", "Panel de operaciones — listado de pedidos", "ERP"),
    ("dashboard", "Dashboard", "ERP"),
    ("billing", "Facturación", "ERP"),
    ("reports", "Informes", "ERP"),
    ("auth", "Acceso e inicio de sesión", "Plataforma"),
    ("integrations", "Integraciones (banco, almacén)", "Plataforma"),
    ("api", "API pública", "Plataforma"),
)

#: (id, name, components, share of incidents)
CLIENTS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("acme", "Acme Corp", ("accounting", "orders", "dashboard", "billing", "reports", "auth"), 0.62),
    ("norte", "Norte Logística", ("orders", "dashboard", "integrations", "api", "auth"), 0.38),
)


@dataclass(frozen=True)
class Person:
    name: str
    login: str
    level: str = "L1"

    @property
    def ident(self) -> str:
        return f"{self.name} <{self.login}@example.org>"


TEAM: tuple[Person, ...] = (
    Person("Ana García", "ana.garcia", "L1"),
    Person("Luis Moreno", "luis.moreno", "L1"),
    Person("Marta Ruiz", "marta.ruiz", "L2"),
    Person("Jorge Santos", "jorge.santos", "L2"),
    Person("Elena Vidal", "elena.vidal", "L3"),
    Person("Pablo Ortega", "pablo.ortega", "L3"),
)
MANAGER = Person("Irene Campos", "irene.campos", "L3")
#: GitHub's committer on merge commits, as in a real hosted repo
MERGER = "GitHub <noreply@github.com>"

REPORTERS: dict[str, tuple[str, ...]] = {
    "acme": ("Carmen López (Acme)", "Raúl Díaz (Acme)", "Lucía Romero (Acme)"),
    "norte": ("Sofía Navarro (Norte)", "Iván Gil (Norte)"),
}

#: severity -> component -> incident titles (P0/P1/P2 are faults; P3 lives in THEMES)
FAULTS: dict[str, dict[str, tuple[str, ...]]] = {
    "P0": {
        "auth": ("Login caído: nadie puede acceder al ERP",),
        "billing": ("Facturación bloqueada: no se emiten facturas",),
        "orders": ("Panel de operaciones no carga (error 500)",),
        "api": ("API pública devuelve 503 en todas las llamadas",),
        "accounting": ("Módulo contable no guarda asientos tras actualizar una dependencia",),
    },
    "P1": {
        "accounting": ("Error exportación contabilidad", "Descuadre en el cierre mensual del módulo contable",
                       "Asientos duplicados al importar extractos"),
        "orders": ("Los pedidos nuevos no aparecen en el listado", "Error al confirmar pedidos con descuento"),
        "dashboard": ("Dashboard muestra las ventas del día a cero",),
        "billing": ("Facturas con IVA mal calculado", "El envío de facturas por correo falla"),
        "reports": ("El informe de ventas mensual no se genera",),
        "auth": ("Usuarios bloqueados tras cambiar la contraseña",),
        "integrations": ("Sincronización con el almacén detenida", "La conciliación bancaria no importa movimientos"),
        "api": ("La API de pedidos rechaza peticiones válidas (400)",),
    },
    "P2": {
        "accounting": ("Exportación a Excel del libro mayor tarda minutos", "Redondeo incorrecto en el informe de IVA trimestral",
                       "Error intermitente al adjuntar facturas de proveedor"),
        "orders": ("Filtro lento en listado pedidos", "La paginación del listado de pedidos salta registros",
                   "La búsqueda por cliente no encuentra nombres con acentos"),
        "dashboard": ("El gráfico de ventas no refresca hasta recargar", "Los widgets del dashboard tardan en cargar"),
        "billing": ("PDF de factura con caracteres especiales rotos", "Numeración de facturas rectificativas desordenada"),
        "reports": ("Informe de márgenes con totales descuadrados", "La exportación CSV de informes corta filas largas"),
        "auth": ("La sesión caduca antes de tiempo", "El enlace de recuperación de contraseña expira enseguida"),
        "integrations": ("Webhook del transportista falla de forma intermitente", "Stock desincronizado en artículos con variantes"),
        "api": ("Timeouts intermitentes en /api/v1/orders", "La paginación de la API devuelve duplicados"),
    },
}


@dataclass(frozen=True)
class Theme:
    """A minor request (P3) and the backlog item it becomes when deferred."""

    component: str
    incident: str
    item: str
    category: str
    effort: str
    #: time_saved, errors_avoided, control_gained
    impact: tuple[str, str, str]


THEMES: tuple[Theme, ...] = (
    Theme("dashboard", "Mejora dashboard: filtros por estado", "Dashboard: filtros por estado", "ux", "S", ("medium", "low", "medium")),
    Theme("dashboard", "Poder guardar vistas personalizadas del dashboard", "Dashboard: vistas guardadas por usuario", "ux", "M", ("medium", "none", "low")),
    Theme("dashboard", "Añadir comparativa con el mes anterior en el dashboard", "Dashboard: comparativa mensual", "reports", "S", ("low", "none", "high")),
    Theme("dashboard", "El dashboard no se ve bien en la tablet del almacén", "Dashboard adaptable a tablet", "ux", "M", ("low", "low", "medium")),
    Theme("orders", "Exportar el listado de pedidos a Excel", "Listado de pedidos: exportación a Excel", "ux", "S", ("high", "low", "low")),
    Theme("orders", "Filtrar pedidos por transportista", "Listado de pedidos: filtro por transportista", "ux", "XS", ("medium", "low", "low")),
    Theme("orders", "Avisar cuando un pedido lleva más de 48h sin preparar", "Alerta de pedidos retenidos más de 48h", "automation", "M", ("medium", "high", "high")),
    Theme("orders", "Cambiar el estado de varios pedidos a la vez", "Cambio de estado masivo de pedidos", "automation", "M", ("high", "medium", "low")),
    Theme("orders", "Validar el código postal al crear pedidos", "Validación de código postal en pedidos", "fix", "XS", ("low", "high", "low")),
    Theme("accounting", "Plantilla de exportación contable para la nueva gestoría", "Contabilidad: plantilla de exportación configurable", "integration", "M", ("high", "medium", "medium")),
    Theme("accounting", "Recordar el último ejercicio abierto en contabilidad", "Contabilidad: recordar ejercicio de trabajo", "ux", "XS", ("low", "low", "none")),
    Theme("accounting", "Avisar de asientos descuadrados antes del cierre", "Contabilidad: validación previa al cierre", "fix", "S", ("medium", "high", "high")),
    Theme("accounting", "Conciliación automática de pagos con tarjeta", "Conciliación automática de cobros con tarjeta", "automation", "L", ("high", "medium", "medium")),
    Theme("billing", "Enviar facturas en lote a final de mes", "Facturación: envío en lote programado", "automation", "M", ("high", "low", "medium")),
    Theme("billing", "Añadir el logo nuevo en las facturas", "Facturación: plantilla con la nueva imagen", "ux", "XS", ("none", "none", "low")),
    Theme("billing", "Recordatorio automático de facturas vencidas", "Facturación: recordatorios de impago", "automation", "M", ("high", "medium", "high")),
    Theme("billing", "Factura electrónica en formato Facturae", "Facturación: exportación Facturae", "integration", "L", ("medium", "medium", "high")),
    Theme("reports", "Informe de pedidos por comercial", "Informe de ventas por comercial", "reports", "S", ("medium", "none", "high")),
    Theme("reports", "Programar el envío semanal del informe de márgenes", "Informes programados por correo", "automation", "M", ("high", "none", "medium")),
    Theme("reports", "Informe de devoluciones por motivo", "Informe de devoluciones por motivo", "reports", "S", ("low", "low", "high")),
    Theme("reports", "Exportar informes a PDF con cabecera de empresa", "Informes: exportación a PDF", "reports", "S", ("medium", "none", "low")),
    Theme("auth", "Iniciar sesión con la cuenta corporativa de Microsoft", "Acceso con SSO corporativo", "integration", "L", ("medium", "medium", "high")),
    Theme("auth", "Que los jefes de equipo puedan desbloquear usuarios", "Desbloqueo de usuarios delegado", "automation", "S", ("medium", "low", "medium")),
    Theme("auth", "Mostrar el último acceso de cada usuario", "Registro visible de últimos accesos", "preventive", "S", ("none", "low", "high")),
    Theme("integrations", "Sincronizar también las devoluciones con el almacén", "Almacén: sincronizar devoluciones", "integration", "M", ("high", "high", "medium")),
    Theme("integrations", "Importar extractos del segundo banco", "Conciliación: segundo banco", "integration", "M", ("high", "medium", "medium")),
    Theme("integrations", "Reintentar automáticamente los envíos fallidos al transportista", "Reintentos automáticos al transportista", "automation", "S", ("medium", "high", "medium")),
    Theme("integrations", "Panel con el estado de las integraciones", "Panel de estado de integraciones", "preventive", "M", ("low", "medium", "high")),
    Theme("api", "Documentar los códigos de error de la API", "API: catálogo de errores documentado", "fix", "XS", ("low", "medium", "low")),
    Theme("api", "Webhook cuando cambia el estado de un pedido", "API: webhooks de estado de pedido", "integration", "M", ("high", "low", "medium")),
    Theme("api", "Claves de API por entorno (pruebas y producción)", "API: claves separadas por entorno", "preventive", "S", ("none", "high", "high")),
    Theme("orders", "Nuevo módulo de inventario por ubicaciones", "Módulo de inventario por ubicaciones", "integration", "XL", ("high", "medium", "high")),
    Theme("dashboard", "Ver en el dashboard los pedidos pendientes de facturar", "Dashboard: pedidos pendientes de facturar", "reports", "S", ("medium", "medium", "high")),
    Theme("dashboard", "Elegir el rango de fechas por defecto del dashboard", "Dashboard: rango de fechas configurable", "ux", "XS", ("low", "none", "low")),
    Theme("orders", "Ver el historial de cambios de un pedido", "Pedidos: historial de cambios visible", "ux", "S", ("low", "medium", "high")),
    Theme("orders", "Imprimir etiquetas de envío desde el listado", "Pedidos: impresión de etiquetas desde el listado", "automation", "M", ("high", "low", "low")),
    Theme("orders", "Duplicar un pedido anterior del mismo cliente", "Pedidos: duplicar pedido", "ux", "XS", ("medium", "low", "none")),
    Theme("orders", "Notas internas en los pedidos", "Pedidos: notas internas", "ux", "XS", ("low", "low", "medium")),
    Theme("accounting", "Adjuntar el PDF de la factura al asiento", "Contabilidad: adjuntos en asientos", "ux", "S", ("medium", "low", "medium")),
    Theme("accounting", "Exportar el modelo 347 desde el módulo contable", "Contabilidad: exportación del modelo 347", "reports", "M", ("high", "medium", "medium")),
    Theme("accounting", "Buscar asientos por importe exacto", "Contabilidad: búsqueda por importe", "ux", "XS", ("medium", "none", "low")),
    Theme("billing", "Enviar copia de la factura al comercial", "Facturación: copia al comercial", "automation", "XS", ("low", "none", "low")),
    Theme("billing", "Facturas en inglés para clientes extranjeros", "Facturación: plantilla en inglés", "ux", "S", ("medium", "low", "none")),
    Theme("billing", "Avisar si una factura supera el límite de crédito", "Facturación: aviso de límite de crédito", "fix", "S", ("low", "high", "high")),
    Theme("reports", "Informe de stock inmovilizado", "Informe de stock inmovilizado", "reports", "S", ("low", "none", "high")),
    Theme("reports", "Gráfico de evolución de márgenes por familia", "Informe de márgenes por familia", "reports", "M", ("medium", "none", "high")),
    Theme("reports", "Guardar filtros favoritos en los informes", "Informes: filtros favoritos", "ux", "XS", ("medium", "none", "none")),
    Theme("auth", "Cerrar la sesión de un usuario desde administración", "Cierre remoto de sesiones", "preventive", "S", ("none", "medium", "high")),
    Theme("auth", "Política de contraseñas configurable", "Política de contraseñas configurable", "preventive", "S", ("none", "medium", "medium")),
    Theme("integrations", "Importar tarifas del proveedor desde su Excel", "Importación de tarifas de proveedor", "integration", "M", ("high", "medium", "low")),
    Theme("integrations", "Avisar si la sincronización con el almacén se retrasa", "Alerta de retraso en la sincronización", "preventive", "S", ("low", "high", "high")),
    Theme("api", "Filtrar pedidos por fecha de modificación en la API", "API: filtro por fecha de modificación", "integration", "S", ("medium", "low", "low")),
    Theme("api", "Límite de peticiones visible en las cabeceras", "API: cabeceras de cuota", "fix", "XS", ("none", "medium", "medium")),
)

#: Items the team proposes itself (preventive work, automation): (component, title, category, effort, impact)
PLANNED: tuple[tuple[str, str, str, str, tuple[str, str, str]], ...] = (
    ("auth", "Alertas de disco, CPU y memoria en producción", "preventive", "S", ("low", "high", "high")),
    ("api", "Renovación automática de certificados TLS", "preventive", "XS", ("low", "high", "medium")),
    ("accounting", "Restauración de copias automatizada en staging", "preventive", "M", ("medium", "high", "high")),
    ("orders", "Actualizar el framework web a la versión LTS", "preventive", "L", ("none", "medium", "medium")),
    ("reports", "Informe mensual de SLA automático para el cliente", "reports", "M", ("high", "none", "high")),
    ("auth", "Revisión de permisos de administradores", "preventive", "S", ("none", "medium", "high")),
    ("integrations", "Registro estructurado de llamadas a integraciones", "preventive", "M", ("medium", "medium", "high")),
    ("orders", "Índices en la tabla de pedidos para filtros frecuentes", "fix", "S", ("high", "low", "low")),
    ("billing", "Pruebas de regresión del cálculo de IVA", "preventive", "M", ("low", "high", "medium")),
    ("accounting", "Pruebas de regresión de la exportación contable", "preventive", "M", ("low", "high", "medium")),
    ("dashboard", "Caché de consultas del dashboard", "fix", "M", ("medium", "low", "low")),
    ("api", "Límite de peticiones por cliente en la API", "preventive", "S", ("none", "high", "high")),
    ("integrations", "Cola de reintentos para el conector bancario", "automation", "M", ("medium", "high", "medium")),
    ("auth", "Doble factor para cuentas de administración", "preventive", "S", ("none", "high", "high")),
    ("reports", "Archivar informes de más de dos años", "automation", "S", ("low", "none", "medium")),
    ("billing", "Monitorizar la cola de envío de facturas", "preventive", "S", ("low", "high", "high")),
    ("orders", "Despliegues sin parada del panel de operaciones", "automation", "L", ("medium", "medium", "medium")),
    ("accounting", "Migrar el módulo contable a la versión 3.3", "fix", "XL", ("medium", "medium", "medium")),
    ("api", "Entorno de pruebas público para integradores", "integration", "M", ("medium", "medium", "low")),
    ("dashboard", "Medir tiempos de carga reales de usuarios", "preventive", "S", ("none", "low", "high")),
    ("integrations", "Comprobación diaria de la sincronización de stock", "automation", "S", ("medium", "high", "high")),
    ("auth", "Caducidad de sesiones configurable por cliente", "ux", "S", ("low", "low", "medium")),
    ("billing", "Guía de cierre mensual para el equipo del cliente", "fix", "XS", ("medium", "medium", "low")),
    ("orders", "Limpieza de pedidos de prueba en producción", "preventive", "XS", ("none", "medium", "low")),
    ("reports", "Exportación de datos para el auditor anual", "reports", "M", ("high", "low", "high")),
    ("accounting", "Avisos de vencimiento de modelos fiscales", "automation", "S", ("medium", "high", "medium")),
    ("api", "Versionado de la API y calendario de retirada", "preventive", "S", ("none", "medium", "high")),
    ("integrations", "Sustituir el FTP del almacén por SFTP", "preventive", "M", ("none", "medium", "high")),
    ("dashboard", "Modo oscuro en el panel", "ux", "S", ("none", "none", "none")),
    ("orders", "Atajos de teclado en el listado de pedidos", "ux", "XS", ("low", "none", "none")),
    ("billing", "Conciliar cobros de facturas con el extracto bancario", "automation", "M", ("high", "medium", "high")),
    ("reports", "Cuadro de mando de incidencias para la dirección", "reports", "S", ("low", "none", "high")),
    ("auth", "Revisión trimestral de accesos de usuarios dados de baja", "preventive", "XS", ("none", "medium", "high")),
    ("api", "Pruebas de carga de la API antes de cada campaña", "preventive", "S", ("none", "high", "medium")),
    ("accounting", "Cierre contable mensual asistido", "automation", "M", ("high", "high", "medium")),
    ("orders", "Detección de pedidos duplicados al importar", "fix", "S", ("medium", "high", "medium")),
    ("integrations", "Alertas de certificados caducados en conectores", "preventive", "XS", ("none", "high", "medium")),
    ("dashboard", "Indicadores de servicio en el dashboard del cliente", "reports", "S", ("low", "none", "high")),
)

#: Decisions (ADR): (title, context, decision, consequences, components)
DECISIONS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Clasificar incidencias en cuatro severidades (P0–P3)",
     "Cada cliente llamaba urgente a cosas distintas.",
     "Usamos P0 (sistema caído), P1 (función clave afectada), P2 (error molesto o intermitente) y P3 (ajuste menor o evolutivo).",
     "Los objetivos de SLA se fijan por severidad y se revisan cada trimestre.", ()),
    ("Soporte en cuatro niveles (L1–L4)",
     "Las incidencias llegaban directamente a los desarrolladores.",
     "L1 atiende y clasifica, L2 diagnostica, L3 corrige en código, L4 es soporte externo del proveedor.",
     "Cada escalado queda registrado en el campo level del ticket.", ()),
    ("Horario de servicio: lunes a viernes 09:00–14:00 y 15:00–18:00",
     "El contrato no incluye guardias 24/7.",
     "P1–P3 cuentan en horario laborable de Madrid; solo P0 cuenta 24/7.",
     "Los festivos nacionales y de Madrid, y el 24 y 31 de diciembre, no cuentan.", ()),
    ("Los cambios en producción pasan por pull request",
     "Hubo cambios directos sin revisión.",
     "Todo cambio de código o de tickets entra por pull request con una revisión.",
     "Solo las incidencias P0 en curso admiten commits directos.", ()),
    ("Desplegar primero en staging con datos anonimizados",
     "Dos errores solo aparecían con datos reales.",
     "Staging se refresca cada semana con una copia anonimizada de producción.",
     "Las pruebas de reproducción se hacen en staging antes de tocar producción.", ("accounting", "orders")),
    ("Postmortem obligatorio en P0 y P1",
     "Las causas de incidencias graves se perdían.",
     "Toda P0 o P1 resuelta lleva causa raíz, resolución y prevención.",
     "gitdesk valida que estén antes de cerrar.", ()),
    ("Actualización mensual de dependencias",
     "Las dependencias acumulaban parches de seguridad pendientes.",
     "Primer martes de cada mes se revisan y actualizan dependencias compatibles.",
     "Las actualizaciones mayores se planifican en el backlog.", ()),
    ("Las mejoras se priorizan por impacto y esfuerzo",
     "El backlog se ordenaba por quién insistía más.",
     "Cada evolutivo declara tiempo ahorrado, errores evitados y control ganado, más una talla de esfuerzo.",
     "La prioridad se calcula; no se escribe a mano.", ()),
    ("Los P3 pasan al backlog evolutivo",
     "Los ajustes menores competían con las incidencias reales.",
     "Un P3 que es una mejora se difiere al backlog con su incidencia como origen.",
     "La incidencia queda como deferred y enlaza el evolutivo.", ()),
    ("El conector bancario se mantiene con el proveedor (L4)",
     "El conector es un producto de terceros.",
     "Los fallos del conector se escalan a L4 con el proveedor.",
     "Sus tiempos de respuesta pueden provocar incumplimientos; se documentan en breach_reason.", ("integrations",)),
    ("PostgreSQL como base de datos única",
     "Había datos en PostgreSQL y en ficheros sueltos.",
     "Todo dato operativo vive en PostgreSQL.",
     "Los ficheros del almacén se importan a tablas.", ()),
    ("Registro de cambios visible para el cliente",
     "El cliente no sabía qué se había desplegado.",
     "Cada despliegue publica una nota en la página de estado.",
     "Las notas internas van en el campo internal y no se publican.", ()),
    ("Retirar la exportación contable en formato TXT",
     "La gestoría ya solo acepta CSV.",
     "La exportación TXT deja de mantenerse.",
     "Se avisa con un mes de antelación.", ("accounting",)),
    ("Monitorización con comprobaciones cada minuto",
     "Una caída nocturna se detectó por la mañana.",
     "Comprobaciones HTTP cada minuto con alerta al móvil de guardia en P0.",
     "Las alertas abren una incidencia P0 si el fallo dura más de 3 minutos.", ("auth", "api")),
    ("Cifrado de copias en reposo",
     "Las copias se guardaban sin cifrar.",
     "Las copias se cifran con una clave gestionada fuera del servidor.",
     "La prueba de restauración comprueba también el descifrado.", ()),
    ("Un único canal de entrada de incidencias",
     "Llegaban por teléfono, correo y mensajería.",
     "Toda incidencia se registra como ticket; las llamadas las registra L1 con reported_at.",
     "El SLA cuenta desde la llamada, no desde el registro.", ()),
    ("Tokens de API con caducidad de 90 días",
     "Había tokens sin caducidad en uso.",
     "Los tokens caducan a los 90 días y se avisa 15 días antes.",
     "Los integradores renuevan con el nuevo endpoint.", ("api",)),
    ("Informe mensual de servicio el primer lunes de mes",
     "El cliente pedía cifras sueltas.",
     "Cada primer lunes se envía el informe mensual de SLA, disponibilidad y backlog.",
     "Se genera desde la página de SLA imprimible.", ()),
    ("Registros de aplicación durante 30 días",
     "Los logs ocupaban demasiado disco.",
     "Se guardan 30 días en caliente y 12 meses comprimidos.",
     "La revisión quincenal de logs usa la ventana caliente.", ()),
    ("Pruebas automáticas obligatorias en cálculos fiscales",
     "Un cambio de IVA rompió facturas.",
     "Todo cambio en cálculos fiscales lleva pruebas de regresión.",
     "Los cambios sin pruebas no se aprueban.", ("billing", "accounting")),
    ("Usar el formato Facturae para factura electrónica",
     "La administración exige factura electrónica.",
     "Adoptamos Facturae 3.2.2.",
     "Se planifica como evolutivo con presupuesto aparte.", ("billing",)),
    ("Dependencias fijadas con fichero de bloqueo",
     "Dos despliegues instalaron versiones distintas.",
     "Todas las dependencias se fijan con fichero de bloqueo.",
     "La actualización mensual regenera el bloqueo.", ()),
    ("Sincronización con el almacén cada 5 minutos",
     "La sincronización horaria generaba roturas de stock.",
     "Se sincroniza cada 5 minutos con reintentos.",
     "Más carga en el conector; se vigila en la monitorización.", ("integrations",)),
    ("Rechazar guardias 24/7 sin contrato",
     "Un cliente pidió atención nocturna de P1.",
     "Sin contrato específico solo P0 tiene atención 24/7.",
     "Se ofrece presupuesto aparte para guardias.", ()),
    ("Evitar despliegues en cierre de mes",
     "Un despliegue el día 31 bloqueó el cierre contable.",
     "No se despliega en los dos últimos días laborables del mes salvo P0.",
     "La ventana de mantenimiento se mueve si cae en cierre.", ("accounting",)),
    ("Un responsable por incidencia",
     "Incidencias sin dueño quedaban paradas.",
     "Cada incidencia tiene un assignee desde el triaje.",
     "El escalado cambia el assignee y el nivel.", ()),
    ("Pruebas de carga antes de campañas",
     "La campaña de primavera ralentizó el panel.",
     "Antes de cada campaña se hace una prueba de carga en staging.",
     "Se reserva una semana en el plan trimestral.", ("orders",)),
    ("No usar la cuenta de administrador compartida",
     "Varias personas usaban la misma cuenta.",
     "Cada persona tiene su cuenta con permisos mínimos.",
     "La cuenta compartida se desactiva.", ("auth",)),
    ("Tiempo de retención de pedidos cancelados",
     "Los pedidos cancelados llenaban el listado.",
     "Los cancelados se archivan a los 6 meses.",
     "El listado de pedidos filtra archivados por defecto.", ("orders",)),
    ("Revisión trimestral del backlog con el cliente",
     "El cliente no veía en qué se trabajaba.",
     "Cada trimestre se revisa el backlog y se fijan los objetivos del siguiente.",
     "El campo target del evolutivo refleja el trimestre acordado.", ()),
    ("Usar colas para envíos de correo",
     "Los envíos síncronos bloqueaban la facturación.",
     "Los correos salen por una cola con reintentos.",
     "Un fallo del proveedor de correo ya no bloquea la facturación.", ("billing",)),
    ("Sustituir informes en hoja de cálculo por informes en el ERP",
     "Los informes se hacían a mano cada mes.",
     "Los informes recurrentes se construyen dentro del ERP.",
     "Se priorizan en el backlog como categoría reports.", ("reports",)),
)

DECISIONS += (
    ("Las incidencias de seguridad se tratan como P1 como mínimo",
     "Un aviso de seguridad se clasificó como P3 y esperó una semana.",
     "Toda incidencia con impacto de seguridad entra como P1 o superior.",
     "L3 revisa cada caso el mismo día.", ("auth", "api")),
    ("Estados de incidencia publicados al cliente",
     "El cliente preguntaba por teléfono en qué punto estaba cada incidencia.",
     "Cada cambio de estado lleva una línea pública en update; las notas internas van aparte.",
     "La página de estado muestra la cronología de cada incidencia.", ()),
    ("Un entorno de staging por cliente",
     "Las pruebas de un cliente pisaban los datos de otro en staging.",
     "Cada cliente tiene su staging con sus propios datos anonimizados.",
     "Más coste de infraestructura; se incluye en la renovación del contrato.", ("orders", "integrations")),
)

#: The supersede chains: each tuple is one chain, oldest first (indices are filled in by the demo).
WINDOW_CHAIN: tuple[tuple[str, str, str, str], ...] = (
    ("Ventana de mantenimiento: jueves de 22:00 a 23:00",
     "Los despliegues se hacían a cualquier hora.",
     "Los cambios con parada se hacen los jueves de 22:00 a 23:00 con aviso de 48 horas.",
     "Las paradas fuera de ventana cuentan como indisponibilidad."),
    ("Ventana de mantenimiento: martes de 21:00 a 23:00",
     "Una hora no bastaba para las migraciones y el jueves coincidía con la preparación semanal de rutas.",
     "La ventana pasa a los martes de 21:00 a 23:00, con aviso de 48 horas.",
     "Se actualiza la página de estado y el runbook de despliegue."),
    ("Ventanas de mantenimiento con aviso mínimo de 72 horas",
     "La migración de facturación se anunció con menos de 48 horas y su parada contó como indisponibilidad.",
     "Las ventanas se anuncian con al menos 72 horas; si no, se aplazan.",
     "Margen de un día sobre el aviso contractual de 48 horas."),
)
BACKUP_CHAIN: tuple[tuple[str, str, str, str], ...] = (
    ("Copias de seguridad diarias a las 02:00",
     "No había una política de copias escrita.",
     "Copia completa diaria a las 02:00 con retención de 14 días.",
     "La prueba de restauración semanal usa la copia más reciente."),
    ("Copias cada 6 horas con retención de 30 días",
     "Una restauración habría perdido casi un día de pedidos.",
     "Copia incremental cada 6 horas y completa diaria, con 30 días de retención.",
     "Más espacio en el almacenamiento de copias; la prueba semanal restaura una incremental."),
)

#: Regular maintenance windows: (title, components)
WINDOWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Actualización de PostgreSQL", ("accounting", "billing")),
    ("Actualización mensual de dependencias", ("orders", "dashboard")),
    ("Renovación de certificados", ("auth", "api")),
    ("Migración del servidor de informes", ("reports",)),
    ("Actualización del framework web", ("orders",)),
    ("Ampliación de disco de la base de datos", ("accounting",)),
    ("Cambio de proveedor de correo", ("billing",)),
    ("Parche de seguridad del sistema operativo", ("auth",)),
    ("Actualización del conector bancario", ("integrations",)),
)

P0_CAUSES: dict[str, tuple[str, str, str]] = {
    "auth": ("El certificado del proveedor de identidad caducó y no había alerta de caducidad.",
             "Se renovó el certificado y se reinició el servicio de sesiones.",
             "Alerta de caducidad de certificados a 30 días (EVO) y revisión en el runbook de dependencias."),
    "billing": ("Un bloqueo en la tabla de numeración de facturas dejó las transacciones en espera.",
                "Se liberó el bloqueo y se añadió un tiempo máximo a la transacción.",
                "Prueba de carga del cierre de facturación y alerta de transacciones largas."),
    "orders": ("Una migración añadió una columna sin valor por defecto y el listado fallaba al leerla.",
               "Se aplicó el valor por defecto y se volvió a desplegar.",
               "Las migraciones se prueban con una copia de producción en staging."),
    "api": ("El balanceador perdió los nodos de la API tras un cambio de configuración.",
            "Se restauró la configuración anterior del balanceador.",
            "Los cambios del balanceador pasan por pull request y se validan en staging."),
    "accounting": ("Un cambio de versión de la librería de fechas cambió el formato de los asientos.",
                   "Se fijó la versión anterior y se corrigió el formato en el guardado.",
                   "Dependencias fijadas con fichero de bloqueo y pruebas de regresión del guardado."),
}

CAUSES: tuple[tuple[str, str, str], ...] = (
    ("Una consulta sin índice tras el crecimiento de la tabla.", "Se añadió el índice y se optimizó la consulta.",
     "Revisión mensual de consultas lentas en la revisión de logs."),
    ("Un cambio de formato del proveedor externo no estaba contemplado.", "Se adaptó el conector al nuevo formato.",
     "Pruebas de contrato con el proveedor en cada actualización."),
    ("Un caso límite de redondeo no cubierto por las pruebas.", "Se corrigió el cálculo y se añadieron pruebas.",
     "Pruebas de regresión obligatorias en cálculos fiscales."),
    ("Una caché no se invalidaba al cambiar el estado.", "Se invalidó la caché en cada cambio de estado.",
     "Pruebas de integración del flujo de estados."),
    ("Un despliegue incluyó una configuración de staging.", "Se restauró la configuración de producción.",
     "Comprobación automática de configuración antes de desplegar."),
    ("Un proceso nocturno agotó las conexiones a la base de datos.", "Se limitó el pool del proceso nocturno.",
     "Alerta de conexiones y límite por proceso."),
    ("Datos de entrada con un carácter no válido rompían la importación.", "Se sanean los datos al importar.",
     "Validación de entrada y mensajes de error claros al usuario."),
)

BREACH_REASONS: tuple[str, ...] = (
    "La corrección dependía del proveedor del conector (L4), que respondió al día siguiente.",
    "Hubo que esperar a la ventana de mantenimiento para aplicar el cambio en base de datos.",
    "Coincidió con otra P0 en curso y el equipo L3 estaba dedicado a ella.",
    "El error solo se reproducía con datos del cliente y tardamos en conseguir una copia anonimizada.",
    "La incidencia se registró en una cola equivocada y no se atendió hasta el día siguiente.",
)

UPDATES: dict[str, tuple[str, ...]] = {
    "reported": ("Recibida la incidencia; la revisamos en breve.", "Registrada la llamada del cliente."),
    "triaged": ("Clasificada y asignada; empezamos el análisis.", "Confirmado el alcance; se asigna al equipo."),
    "investigating": ("Estamos reproduciendo el error en staging.", "Analizando logs y últimos despliegues.",
                      "Revisando el caso con los datos del cliente."),
    "identified": ("Causa identificada; preparando la corrección.", "Localizado el origen del error; corrección en curso."),
    "mitigated": ("Aplicada una solución temporal; el servicio funciona.", "Mitigado: el cliente puede seguir trabajando."),
    "monitoring": ("Corrección desplegada; vigilamos que no se repita.",),
    "waiting": ("Esperando datos del cliente para reproducirlo.", "Pendiente de que el cliente valide la corrección en su entorno."),
    "resolved": ("Corrección desplegada y verificada con el cliente.", "Resuelto; el cliente confirma que funciona."),
    "closed": ("Cerrada tras una semana sin repeticiones.",),
    "deferred": ("Es una mejora: pasa al backlog evolutivo.",),
    "cancelled": ("Duplicada de otra incidencia abierta.",),
}

#: one line of what the reporter saw, by severity
SYMPTOMS: dict[str, tuple[str, ...]] = {
    "P0": ("Nadie puede trabajar: la aplicación no responde en ningún puesto.",
           "Todas las peticiones fallan desde hace unos minutos.",),
    "P1": ("Ocurre en todos los puestos de la oficina central; hay una alternativa manual pero es lenta.",
           "Bloquea el trabajo del departamento de administración.",
           "El error aparece siempre al repetir los pasos; adjuntamos captura."),
    "P2": ("Pasa algunas veces al día; recargando la página suele funcionar.",
           "Molesta pero se puede seguir trabajando.",
           "Lo han notado dos usuarios desde ayer; adjuntamos captura.",
           "Solo ocurre con algunos registros antiguos."),
    "P3": ("No es urgente; sería una mejora para el día a día.",
           "Lo piden varios usuarios del equipo.",
           "Ahorraría tiempo en el cierre de cada semana."),
}

INTERNAL_NOTES: tuple[str, ...] = (
    "El cliente llamó al móvil de guardia; registrar en la próxima revisión.",
    "Revisar si entra en el contrato o va con presupuesto aparte.",
    "El contacto del cliente pidió no mencionar al proveedor en la página pública.",
    "Horas dedicadas por encima de lo estimado; comentar en la reunión mensual.",
    "Posible patrón con incidencias anteriores del mismo módulo.",
)

#: Runbook procedures: the preventive ones (stories.PREVENTIVE runs them) and the rest: (slug, title, components, body, public)
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
