"""Thin PTB callbacks: parse the update, call the core, render with bot.texts."""

from __future__ import annotations

from telegram.ext import Application

# Handler groups: lower runs first; in each group only the first matching handler runs.
# Guards stop unwanted updates before anything else sees them; everything else shares the main
# group, registered in priority order (the filing conversation first, the catch-alls last).
GUARD_GROUP = -10
MAIN_GROUP = 0


def register(application: Application) -> None:  # type: ignore[type-arg]
    from handlers import citizen, common, errors, filing, followup, guard, layanan, paket, staff

    guard.register(application)
    filing.register(application)  # first in the main group: its steps own the citizen's text
    staff.register(application)
    followup.register(application)
    citizen.register(application)
    paket.register(application)
    layanan.register(application)
    common.register(application)
    errors.register(application)
