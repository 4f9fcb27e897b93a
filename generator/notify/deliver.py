"""Delivery through Apprise: one URL, one message, a yes or a no.

Apprise speaks e-mail, Slack, Teams, webhooks and about a hundred more; gitdesk
writes no sender of its own. ``${VAR}`` placeholders in a channel's URL are
read from the environment here, at the last moment, so a secret never reaches
gitdesk.yml, the delivery log or the output.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from gitdesk.errors import GitdeskError
from gitdesk.notify.messages import Message

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ChannelError(GitdeskError):
    """A channel that cannot be used as configured (a missing variable, a URL Apprise does not know)."""


def expand(template: str, env: Mapping[str, str], *, where: str) -> str:
    """``template`` with each ``${VAR}`` replaced from ``env``; ChannelError naming the first missing one."""
    missing = [name for name in _PLACEHOLDER.findall(template) if name not in env]
    if missing:
        raise ChannelError(f"gitdesk.yml {where}: the environment variable {missing[0]} is not set, so nothing is sent on this channel",
                           hint=f"set {missing[0]} (in CI: a secret or protected variable); see docs/notify.md")
    return _PLACEHOLDER.sub(lambda m: env[m.group(1)], template)


def scheme(template: str) -> str:
    """The URL's scheme for display (``mailto``), never its secrets."""
    head = template.split("://", 1)[0]
    return head if "://" in template and re.fullmatch(r"[a-z][a-z0-9+.-]*", head) else "?"


def _apprise() -> Any:
    import apprise  # imported on use: `gitdesk --help` and the other commands never pay for Apprise's plugins

    return apprise


def check(url: str, *, where: str) -> Any:
    """The Apprise service for ``url``; ChannelError when Apprise does not understand it."""
    apprise = _apprise()
    service = apprise.Apprise.instantiate(url, asset=apprise.AppriseAsset(storage_mode="memory"))
    if service is None:
        raise ChannelError(f"gitdesk.yml {where}: Apprise does not accept this {scheme(url)}:// URL",
                           hint="check it against https://appriseit.com/services/ (with its ${VAR} values filled in)")
    return service


def _prefers_html(service: Any) -> bool:
    formats = service.notify_format
    first = formats[0] if isinstance(formats, (tuple, list)) else formats
    return str(getattr(first, "value", first)) == "html"


def send(url: str, message: Message, *, where: str = "a notify URL") -> bool:
    """Send ``message`` to ``url``; True when Apprise reports it delivered.

    E-mail and other HTML channels get the HTML body (Apprise adds the text
    part); chat and webhooks get the text body.
    """
    apprise = _apprise()
    service = check(url, where=where)
    html = _prefers_html(service)
    result = service.notify(body=message.html if html else message.text, title=message.subject,
                            notify_type=apprise.NotifyType(message.tone.value),
                            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT)
    return bool(result)
