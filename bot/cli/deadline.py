"""``pbj-helpdesk deadline``: the legal deadline of a complaint received at a given moment."""

from __future__ import annotations

import argparse
import datetime as dt

from bot.cli.errors import EXIT_OK, UsageError
from bot.config import Settings


def parse_received(text: str, settings: Settings) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--received {text!r} bukan waktu ISO 8601 yang sah (contoh: 2026-12-23T10:00 atau "
            "2026-12-23T10:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.calendar.zone)
    return moment


def cmd_deadline(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.workcalendar import WorkCalendar
    from bot.texts import deadline as deadline_texts
    from bot.texts.labels import parse_tier

    try:
        tier = parse_tier(args.tier)
    except ValueError as exc:
        raise UsageError(f"--tier: {exc}") from None
    received = parse_received(args.received, settings)
    if not 2000 <= received.year <= 2100:
        raise UsageError("--received: tahun harus antara 2000 dan 2100")
    calendar = WorkCalendar(settings.calendar, settings.tiers)
    zone = calendar.zone
    if args.explain:
        explanation = calendar.explain(tier, received)
        print("\n".join(deadline_texts.explanation(received, explanation, zone)))
        deadline = explanation.deadline
    else:
        deadline = calendar.deadline(tier, received)
    print(deadline.astimezone(zone).isoformat(timespec="minutes"))
    return EXIT_OK
