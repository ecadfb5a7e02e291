"""Monthly complaint report: one query layer (:func:`month_figures`) and three renderers.

Definitions (all in the calendar's zone, WITA by default):

* **Population**: complaints *received* in the month (``received_at`` in [1st 00:00, next
  1st 00:00)). Counts by tier, channel and status, timeliness, answer times, ratings, top
  packages, the weekly chart and the CSV rows all describe this population.
* **Status** is the status at the moment the report is made ("status kini").
* **Answered** = ``first_answer_at``. A complaint closed without any answer (possible only in data
  from before closing required one) counts as unanswered, never as answered on time.
  **On time** = answered at or before ``deadline_at``. Every answer known when the report is
  made counts, so a December complaint answered on 4 January is judged by its deadline;
  re-running a report later can only move complaints from "belum dijawab" to answered.
  The share on time is ``on_time / answered``; unanswered complaints are listed apart (and
  how many of them are already past their deadline).
* **Time to first answer** is office time on the work calendar between receipt and answer
  (``WorkCalendar.working_time_between``), in hours and as working days of the calendar's
  usual day length. Median and 90th percentile use linear interpolation between ranks
  (Excel's PERCENTILE.INC / PERSENTIL.INC): p = v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋+1] − v[⌊h⌋]),
  h = q·(n − 1).
* **Overdue, not answered** (``overdue_open``) is a snapshot at ``as_of`` = the end of the
  month or now, whichever is earlier, over *all* complaints (a backlog from earlier months
  included): received before ``as_of``, deadline before ``as_of``, not closed and not
  answered by ``as_of``. "Not closed by as_of" uses ``closed_at``; a complaint that was
  closed before ``as_of`` and reopened later has lost that closing time and counts as open.
* **Satisfaction**: average and count of the ratings of the population.
* **Top packages**: the 5 package codes most complained about (ties by code).

The CSV is UTF-8 with a BOM and ``;`` as separator, which is what Excel with Indonesian
regional settings (decimal comma) opens correctly by double-click; times are local
``YYYY-MM-DD HH:MM``; tier, channel and status are their Indonesian labels.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.report import (
    TOP_PACKAGES,
    MonthFigures,
    TicketRow,
    month_bounds,
    percentile,
    timeliness_of,
    weeks_of,
)
from bot.domain.tickets import Channel, Status
from bot.domain.tiers import Tier
from bot.domain.workcalendar import WorkCalendar
from bot.texts import report as texts
from bot.texts.labels import channel_label, status_label, tier_label
from storage import report as repo
from storage.db import Database, from_db_time, utc_now


async def month_figures(
    db: Database,
    calendar: WorkCalendar,
    year: int,
    month: int,
    *,
    now: dt.datetime | None = None,
) -> MonthFigures:
    """Every number of the monthly report, from two indexed queries (see module docstring)."""
    now = now or utc_now()
    zone = calendar.zone
    start, end = month_bounds(year, month, zone)
    as_of = min(end, now)
    records = await repo.tickets_received_between(db, start, end)
    rows: list[TicketRow] = []
    for record in records:
        received = from_db_time(record["received_at"])
        first = from_db_time(record["first_answer_at"])
        closed = from_db_time(record["closed_at"])
        assert received is not None
        answered = first  # closing without an answer is not an answer (issue #13)
        hours = None if answered is None else calendar.working_time_between(received, answered).hours
        deadline = from_db_time(record["deadline_at"])
        assert deadline is not None
        rows.append(TicketRow(
            code=record["code"], received_at=received, channel=Channel(record["channel"]),
            tier=Tier(record["tier"]), status=Status(record["status"]), deadline_at=deadline,
            first_answer_at=first, closed_at=closed, rating=record["rating"],
            package_code=record["package_code"], answer_hours=hours,
        ))

    by_tier = {tier: sum(1 for r in rows if r.tier is tier) for tier in Tier}
    by_channel = {channel: sum(1 for r in rows if r.channel is channel) for channel in Channel}
    by_status = {status: sum(1 for r in rows if r.status is status) for status in Status}
    timeliness = {tier: timeliness_of([r for r in rows if r.tier is tier], now) for tier in Tier}
    overall = timeliness_of(rows, now)
    hours_list = tuple(sorted(r.answer_hours for r in rows if r.answer_hours is not None))
    ratings = [r.rating for r in rows if r.rating is not None]
    packages = Counter(r.package_code for r in rows if r.package_code)
    top = tuple(sorted(packages.items(), key=lambda item: (-item[1], item[0]))[:TOP_PACKAGES])

    return MonthFigures(
        year=year, month=month, zone=zone, start=start, end=end, generated_at=now, as_of=as_of,
        day_length=calendar.day_length, rows=tuple(rows), by_tier=by_tier, by_channel=by_channel,
        by_status=by_status, timeliness=timeliness, overall=overall, answer_hours=hours_list,
        median_answer_hours=percentile(hours_list, 0.5), p90_answer_hours=percentile(hours_list, 0.9),
        overdue_open=await repo.overdue_open_codes(db, as_of),
        rating_count=len(ratings),
        rating_average=(sum(ratings) / len(ratings)) if ratings else None,
        top_packages=top,
        weeks=weeks_of(rows, start, end, zone),
    )


# --- renderers ---------------------------------------------------------------------------------


def render_message(figures: MonthFigures) -> str:
    """The report as Telegram HTML (a few hundred characters to about 2 000)."""
    return texts.month_message(figures)


def plain_text(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def _local(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def csv_rows(figures: MonthFigures) -> list[list[str]]:
    """The CSV's cells, header first (what :func:`write_csv` writes)."""
    zone = figures.zone
    out = [list(texts.CSV_COLUMNS)]
    for r in figures.rows:
        on_time = "" if r.on_time is None else (texts.YES if r.on_time else texts.NO)
        out.append([
            r.code, _local(r.received_at, zone), channel_label(r.channel), tier_label(r.tier), status_label(r.status),
            _local(r.deadline_at, zone), _local(r.first_answer_at, zone), _local(r.closed_at, zone),
            on_time, "" if r.rating is None else str(r.rating), r.package_code or "",
        ])
    return out


def write_csv(figures: MonthFigures, path: Path) -> Path:
    """One row per complaint; UTF-8 with BOM and ';' for Excel with Indonesian settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerows(csv_rows(figures))
    return path


@dataclass(frozen=True)
class ChartData:
    """What the chart shows: one stacked bar per ISO week, one series per tier, the share line."""

    labels: tuple[str, ...]
    received: dict[Tier, tuple[int, ...]]
    on_time_percent: tuple[float | None, ...]


def chart_data(figures: MonthFigures) -> ChartData:
    weeks = figures.weeks
    return ChartData(
        labels=tuple(texts.week_label(w.iso_week, w.start, w.end) for w in weeks),
        received={tier: tuple(w.received_by_tier[tier] for w in weeks) for tier in Tier},
        on_time_percent=tuple(None if w.share_on_time is None else w.share_on_time * 100 for w in weeks),
    )


_TIER_COLOURS = {
    Tier.RINGAN: "#8ecae6",
    Tier.NORMATIF: "#219ebc",
    Tier.TIDAK_BERKADAR: "#ffb703",
    Tier.BERKADAR: "#d62828",
}


def build_chart(figures: MonthFigures) -> tuple[Any, ChartData]:
    """The chart as a matplotlib Figure (Agg canvas) and the data it plots.

    Received complaints per tier per ISO week (stacked) and the on-time share (line). The legend
    sits below the plot area, outside it, so it never covers a bar or a point.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    data = chart_data(figures)
    figure = Figure(figsize=(9, 5), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axis = figure.add_subplot(1, 1, 1)
    positions = list(range(len(data.labels)))
    bottom = [0] * len(positions)
    for tier in Tier:
        heights = list(data.received[tier])
        axis.bar(positions, heights, bottom=bottom, color=_TIER_COLOURS[tier],
                 label=tier_label(tier), width=0.6)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axis.set_xticks(positions, list(data.labels))
    axis.set_ylabel(texts.CHART_RECEIVED_AXIS)
    axis.set_xlabel(texts.CHART_WEEK_AXIS)
    axis.set_ylim(0, max([*bottom, 1]) * 1.1)
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))

    share_axis = axis.twinx()
    share_values = [math.nan if v is None else v for v in data.on_time_percent]
    share_axis.plot(positions, share_values, color="#023047", marker="o", linewidth=2,
                    label=texts.CHART_SHARE_LEGEND)
    share_axis.set_ylim(0, 105)
    share_axis.set_ylabel(texts.CHART_SHARE_AXIS)

    handles, labels = axis.get_legend_handles_labels()
    share_handles, share_labels = share_axis.get_legend_handles_labels()
    figure.legend(handles + share_handles, labels + share_labels, loc="outside lower center",
                  fontsize=8, ncol=len(labels) + len(share_labels), frameon=False)
    figure.suptitle(texts.chart_title(figures.year, figures.month), fontsize=11)
    return figure, data


def write_chart(figures: MonthFigures, path: Path) -> ChartData:
    """Writes :func:`build_chart` as PNG; returns the data it plotted (thread-safe enough for
    ``asyncio.to_thread``: matplotlib's object API with the Agg canvas, no pyplot)."""
    figure, data = build_chart(figures)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return data


def report_paths(folder: Path, year: int, month: int) -> tuple[Path, Path]:
    stem = f"laporan-{year:04d}-{month:02d}"
    return folder / f"{stem}.csv", folder / f"{stem}.png"
