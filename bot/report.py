"""Monthly complaint report: one query layer (:func:`month_figures`) and three renderers.

Definitions (all in the calendar's zone, WITA by default):

* **Population**: complaints *received* in the month (``received_at`` in [1st 00:00, next
  1st 00:00)). Counts by tier, channel and status, timeliness, answer times, ratings, top
  packages, the weekly chart and the CSV rows all describe this population.
* **Status** is the status at the moment the report is made ("status kini").
* **Answered** = ``first_answer_at``, or ``closed_at`` for a complaint closed without a reply.
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

import argparse
import asyncio
import csv
import datetime as dt
import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.models import Channel, Status
from bot.texts import report as texts
from bot.tiers import Tier
from bot.workcalendar import WorkCalendar, WorkingSpan
from storage.db import Database, from_db_time, to_db_time, utc_now

TOP_PACKAGES = 5
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class TicketRow:
    code: str
    received_at: dt.datetime
    channel: Channel
    tier: Tier
    status: Status
    deadline_at: dt.datetime
    first_answer_at: dt.datetime | None
    closed_at: dt.datetime | None
    rating: int | None
    package_code: str | None
    # Office hours from receipt to the answer; None while unanswered.
    answer_hours: float | None

    @property
    def answered_at(self) -> dt.datetime | None:
        return self.first_answer_at or self.closed_at

    @property
    def on_time(self) -> bool | None:
        """True/False once answered; None while unanswered."""
        answered = self.answered_at
        return None if answered is None else answered <= self.deadline_at


@dataclass(frozen=True)
class Timeliness:
    on_time: int = 0
    late: int = 0
    unanswered: int = 0
    # Unanswered and already past the deadline when the report was made.
    unanswered_overdue: int = 0

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


@dataclass(frozen=True)
class WeekFigures:
    iso_year: int
    iso_week: int
    start: dt.date  # first day of the week inside the month
    end: dt.date  # last day of the week inside the month
    received_by_tier: dict[Tier, int]
    answered: int
    on_time: int

    @property
    def received(self) -> int:
        return sum(self.received_by_tier.values())

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.answered if self.answered else None


@dataclass(frozen=True)
class MonthFigures:
    year: int
    month: int
    zone: ZoneInfo
    start: dt.datetime
    end: dt.datetime
    generated_at: dt.datetime
    as_of: dt.datetime
    day_length: dt.timedelta
    rows: tuple[TicketRow, ...]
    by_tier: dict[Tier, int]
    by_channel: dict[Channel, int]
    by_status: dict[Status, int]
    timeliness: dict[Tier, Timeliness]
    overall: Timeliness
    answer_hours: tuple[float, ...]  # sorted
    median_answer_hours: float | None
    p90_answer_hours: float | None
    overdue_open: tuple[str, ...]  # codes, earliest deadline first
    rating_count: int
    rating_average: float | None
    top_packages: tuple[tuple[str, int], ...]
    weeks: tuple[WeekFigures, ...] = field(default_factory=tuple)

    @property
    def received(self) -> int:
        return len(self.rows)

    def describe_hours(self, hours: float | None) -> str | None:
        """Office hours as working days of the calendar: '1 hari kerja 2 jam'."""
        if hours is None:
            return None
        return WorkingSpan(dt.timedelta(hours=hours), self.day_length).describe()


def percentile(sorted_values: tuple[float, ...] | list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (PERCENTILE.INC); None for no values."""
    if not sorted_values:
        return None
    position = q * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (position - low) * (sorted_values[high] - sorted_values[low])


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=zone)
    following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, following


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
    records = await db.fetchall(
        "SELECT code, received_at, channel, tier, status, deadline_at, first_answer_at, closed_at,"
        " rating, package_code FROM tickets WHERE received_at >= ? AND received_at < ?"
        " ORDER BY received_at, id",
        (to_db_time(start), to_db_time(end)),
    )
    rows: list[TicketRow] = []
    for record in records:
        received = from_db_time(record["received_at"])
        first = from_db_time(record["first_answer_at"])
        closed = from_db_time(record["closed_at"])
        assert received is not None
        answered = first or closed
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
    timeliness = {tier: _timeliness([r for r in rows if r.tier is tier], now) for tier in Tier}
    overall = _timeliness(rows, now)
    hours_list = tuple(sorted(r.answer_hours for r in rows if r.answer_hours is not None))
    ratings = [r.rating for r in rows if r.rating is not None]
    packages = Counter(r.package_code for r in rows if r.package_code)
    top = tuple(sorted(packages.items(), key=lambda item: (-item[1], item[0]))[:TOP_PACKAGES])

    return MonthFigures(
        year=year, month=month, zone=zone, start=start, end=end, generated_at=now, as_of=as_of,
        day_length=calendar.day_length, rows=tuple(rows), by_tier=by_tier, by_channel=by_channel,
        by_status=by_status, timeliness=timeliness, overall=overall, answer_hours=hours_list,
        median_answer_hours=percentile(hours_list, 0.5), p90_answer_hours=percentile(hours_list, 0.9),
        overdue_open=await _overdue_open(db, as_of),
        rating_count=len(ratings),
        rating_average=(sum(ratings) / len(ratings)) if ratings else None,
        top_packages=top,
        weeks=_weeks(rows, start, end, zone),
    )


def _timeliness(rows: list[TicketRow], now: dt.datetime) -> Timeliness:
    on_time = sum(1 for r in rows if r.on_time is True)
    late = sum(1 for r in rows if r.on_time is False)
    unanswered = [r for r in rows if r.on_time is None]
    return Timeliness(on_time, late, len(unanswered), sum(1 for r in unanswered if r.deadline_at < now))


async def _overdue_open(db: Database, as_of: dt.datetime) -> tuple[str, ...]:
    """Codes of complaints past their deadline and neither answered nor closed at ``as_of``."""
    moment = to_db_time(as_of)
    unanswered = "(first_answer_at IS NULL OR first_answer_at > :as_of)"
    common = f"deadline_at < :as_of AND received_at < :as_of AND {unanswered}"
    # Open now: the partial index on deadlines of open tickets.
    still_open = await db.fetchall(
        f"SELECT code, deadline_at, id FROM tickets WHERE status <> 'selesai' AND {common}",
        {"as_of": moment},
    )
    # Closed only after as_of (a past month): the index on closed_at.
    closed_later = await db.fetchall(
        f"SELECT code, deadline_at, id FROM tickets WHERE closed_at > :as_of AND {common}",
        {"as_of": moment},
    )
    found = {(r["deadline_at"], r["id"], r["code"]) for r in [*still_open, *closed_later]}
    return tuple(code for _, _, code in sorted(found))


def _weeks(rows: list[TicketRow], start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> tuple[WeekFigures, ...]:
    first_day, last_day = start.date(), (end - dt.timedelta(days=1)).date()
    weeks: list[WeekFigures] = []
    day = first_day
    while day <= last_day:
        week_end = min(last_day, day + dt.timedelta(days=6 - day.weekday()))
        iso = day.isocalendar()
        inside = [r for r in rows if day <= r.received_at.astimezone(zone).date() <= week_end]
        weeks.append(WeekFigures(
            iso_year=iso.year, iso_week=iso.week, start=day, end=week_end,
            received_by_tier={tier: sum(1 for r in inside if r.tier is tier) for tier in Tier},
            answered=sum(1 for r in inside if r.on_time is not None),
            on_time=sum(1 for r in inside if r.on_time is True),
        ))
        day = week_end + dt.timedelta(days=1)
    return tuple(weeks)


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
            r.code, _local(r.received_at, zone), r.channel.label, r.tier.label, r.status.label,
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


def write_chart(figures: MonthFigures, path: Path) -> ChartData:
    """PNG: complaints received per tier per ISO week (stacked) and the on-time share (line).

    Uses matplotlib's object API with the Agg canvas (no pyplot, no display, thread-safe
    enough to run in ``asyncio.to_thread``). Returns the data it plotted.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    data = chart_data(figures)
    figure = Figure(figsize=(9, 5), dpi=110)
    FigureCanvasAgg(figure)
    axis = figure.add_subplot(1, 1, 1)
    positions = list(range(len(data.labels)))
    bottom = [0] * len(positions)
    for tier in Tier:
        heights = list(data.received[tier])
        axis.bar(positions, heights, bottom=bottom, color=_TIER_COLOURS[tier],
                 label=texts.SHORT_TIER_LABELS[tier], width=0.6)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axis.set_xticks(positions, list(data.labels))
    axis.set_ylabel(texts.CHART_RECEIVED_AXIS)
    axis.set_xlabel(texts.CHART_WEEK_AXIS)
    axis.set_ylim(0, max([*bottom, 1]) * 1.25)
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))

    share_axis = axis.twinx()
    share_values = [math.nan if v is None else v for v in data.on_time_percent]
    share_axis.plot(positions, share_values, color="#023047", marker="o", linewidth=2,
                    label=texts.CHART_SHARE_LEGEND)
    share_axis.set_ylim(0, 105)
    share_axis.set_ylabel(texts.CHART_SHARE_AXIS)

    handles, labels = axis.get_legend_handles_labels()
    share_handles, share_labels = share_axis.get_legend_handles_labels()
    axis.legend(handles + share_handles, labels + share_labels, loc="upper left", fontsize=8, ncol=3)
    figure.suptitle(texts.chart_title(figures.year, figures.month), fontsize=11)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return data


# --- CLI ---------------------------------------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    from bot.cli import UsageError

    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise UsageError(texts.bad_month(text))
    return int(match.group(1)), int(match.group(2))


def report_paths(folder: Path, year: int, month: int) -> tuple[Path, Path]:
    stem = f"laporan-{year:04d}-{month:02d}"
    return folder / f"{stem}.csv", folder / f"{stem}.png"


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    """``pbj-helpdesk report --month YYYY-MM [--out DIR]``: CSV + PNG into DIR, summary on screen."""
    from bot.cli import UsageError

    year, month = parse_month(str(args.month))
    calendar = WorkCalendar(settings.calendar, settings.tiers)
    start, _ = month_bounds(year, month, calendar.zone)
    if start > utc_now():
        raise UsageError(texts.future_month(str(args.month)))
    folder = Path(getattr(args, "out", None) or ".")
    if folder.exists() and not folder.is_dir():
        raise UsageError(texts.out_not_a_folder(str(folder)))

    async def gather() -> MonthFigures:
        db = await Database.open(settings.storage.database)
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
    return 0

