"""``/laporan [YYYY-MM]`` (staff chat): the monthly report as a message, a CSV and a chart."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from telegram import InputFile, Update
from telegram.ext import (
    Application,
    CommandHandler,
)

from bot.domain.report import default_month, parse_month
from bot.services.report import month_figures, render_message, report_paths, write_chart, write_csv
from bot.texts import report as report_texts
from handlers.groups import MAIN_GROUP
from handlers.util import (
    Context,
    StaffHandler,
    answer,
    command_remainder,
    staff_only,
)

log = logging.getLogger(__name__)

Handler = StaffHandler

def _report_files(figures: Any, year: int, month: int) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    """Writes the CSV and the chart into a temporary folder and reads them back (a thread)."""
    with tempfile.TemporaryDirectory(prefix="laporan-") as folder:
        csv_path, png_path = report_paths(Path(folder), year, month)
        write_csv(figures, csv_path)
        write_chart(figures, png_path)
        return (csv_path.name, csv_path.read_bytes()), (png_path.name, png_path.read_bytes())


async def report_command(update: Update, context: Context) -> None:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    desk = context.desk
    now = desk.clock()
    args = command_remainder(message).split()
    if len(args) > 1:
        await answer(update, context, report_texts.REPORT_USAGE)
        return
    if args:
        chosen = parse_month(args[0])
        if chosen is None:
            await answer(update, context, report_texts.report_bad_month(args[0]))
            return
    else:
        chosen = default_month(now.astimezone(desk.zone).date())
    year, month = chosen
    if dt.datetime(year, month, 1, tzinfo=desk.zone) > now:
        await answer(update, context, report_texts.report_future_month(year, month))
        return
    figures = await month_figures(desk.db, desk.calendar, year, month, now=now)
    await answer(update, context, render_message(figures))
    (csv_name, csv_bytes), (png_name, png_bytes) = await asyncio.to_thread(_report_files, figures, year, month)
    await context.bot.send_document(chat.id, InputFile(csv_bytes, filename=csv_name),
                                    caption=report_texts.csv_caption(year, month), parse_mode="HTML")
    await context.bot.send_document(chat.id, InputFile(png_bytes, filename=png_name),
                                    caption=report_texts.chart_caption(year, month), parse_mode="HTML")


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("laporan", staff_only(report_command)), MAIN_GROUP)
