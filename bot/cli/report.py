"""``pbj-helpdesk report --month YYYY-MM``: the monthly report as CSV + PNG, summary on screen.

Exit 0 only when both files were written; a missing database or a bad month is 2, a file that
cannot be written 1 (``bot.cli.main`` words the OS error).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.database import open_existing
from bot.cli.errors import EXIT_OK, UsageError
from bot.config import Settings
from bot.domain.report import MonthFigures, month_bounds, parse_month
from bot.domain.workcalendar import WorkCalendar
from bot.services.report import (
    month_figures,
    plain_text,
    render_message,
    report_paths,
    write_chart,
    write_csv,
)
from bot.texts import report as texts
from storage.db import utc_now


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """``pbj-helpdesk report --month YYYY-MM [--out DIR]``: CSV + PNG into DIR, summary on screen."""
    chosen = parse_month(str(args.month))
    if chosen is None:
        raise UsageError(texts.bad_month(str(args.month)))
    year, month = chosen
    calendar = WorkCalendar(settings.calendar, settings.tiers)
    start, _ = month_bounds(year, month, calendar.zone)
    if start > utc_now():
        raise UsageError(texts.future_month(str(args.month)))
    folder = Path(getattr(args, "out", None) or ".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(texts.out_not_a_folder(str(folder)))

    async def gather() -> MonthFigures:
        db = await open_existing(settings)
        try:
            return await month_figures(db, calendar, year, month)
        finally:
            await db.close()

    figures = asyncio.run(gather())
    csv_path, png_path = report_paths(folder, year, month)
    write_csv(figures, csv_path)
    write_chart(figures, png_path)
    print(plain_text(render_message(figures)))
    print(f"\nCSV: {csv_path}\nGrafik: {png_path}")
    return EXIT_OK

