"""Notifications: events from history, delivery through Apprise, exactly-once state.

:mod:`.events` (pure: versions → events), :mod:`.audience` (channels and the
site's scope rules), :mod:`.messages` (subject, text and HTML), :mod:`.deliver`
(Apprise), :mod:`.state` (the refs that make it exactly once) and :mod:`.run`
(one run, in that order).
"""

from __future__ import annotations

from gitdesk.notify.run import Outcome, RunReport, notify

__all__ = ["Outcome", "RunReport", "notify"]
