"""Thin PTB callbacks: parse the update, call the core, render with bot.texts."""

from __future__ import annotations

from telegram.ext import Application


def register(application: Application) -> None:  # type: ignore[type-arg]
    from handlers import (
        albums,
        citizen,
        common,
        errors,
        filing,
        followup,
        guard,
        layanan,
        paket,
        rating,
        recorded,
        report,
        staff,
        target,
    )

    guard.register(application)
    filing.register(application)  # first in the main group: its steps own the citizen's text
    staff.register(application)
    target.register(application)
    recorded.register(application)
    report.register(application)
    rating.register(application)
    followup.register(application)
    citizen.register(application)
    paket.register(application)
    layanan.register(application)
    common.register(application)
    errors.register(application)
    albums.register(application)  # finishes albums a stop interrupted
