"""The deadline watch's scheduled jobs (PTB JobQueue).

A repeating deadline sweep every ``watch.check_interval_minutes``; the morning digest as a chain of
``run_once`` jobs, each scheduling the next at the next office opening of the work calendar
(``run_daily`` is avoided on purpose: its day numbers start on Sunday, a classic off-by-one); one
catch-up digest shortly after start. The digest is idempotent per date, and the sweep job calls it
too, so a broken chain (a misfired job) costs at most one sweep interval. Every few hours the update
journal and the delivered outbox rows are pruned, so a bot that runs for months without a restart
keeps a small database. Jobs never raise: failures are logged with the error's type only.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from typing import Any

from telegram.ext import Application

from bot.delivery.context import Desk, HelpdeskContext
from bot.delivery.journal import prune_journal
from bot.services.watch import DeadlineWatch
from storage.db import Database
from storage.outbox import prune_sent

log = logging.getLogger(__name__)

Context = HelpdeskContext

SWEEP_JOB = "deadline_sweep"
DIGEST_JOB = "morning_digest"
CATCH_UP_JOB = "morning_digest_catch_up"
PRUNE_JOB = "prune_records"
PRUNE_INTERVAL = dt.timedelta(hours=6)
# The catch-up digest runs this long after start: late enough that start-up work is done.
CATCH_UP_DELAY = dt.timedelta(seconds=60)
# A job delayed by a busy event loop still runs (APScheduler's default grace is one second).
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": 3600, "coalesce": True}


def _log_failure(what: str, error: BaseException) -> None:
    # Only the error's type and the frames: messages can quote personal data.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("%s failed error=%s\n%s", what, type(error).__name__, frames)


async def _run_sweep(desk: Desk) -> None:
    try:
        await desk.watch.sweep()
    except Exception as error:
        _log_failure("deadline sweep", error)
    if desk.settings.watch.morning_digest:
        # Safety net for the digest chain: idempotent per date, None before opening.
        await _run_digest(desk)


async def _run_digest(desk: Desk) -> None:
    try:
        await desk.watch.morning_digest()
    except Exception as error:
        _log_failure("morning digest", error)


def schedule_next_digest(application: Application) -> None:  # type: ignore[type-arg]
    """One ``run_once`` at the next office opening; the job schedules its successor."""
    desk: Desk = application.desk  # type: ignore[attr-defined]
    queue = application.job_queue
    if queue is None:
        return
    for job in queue.get_jobs_by_name(DIGEST_JOB):
        job.schedule_removal()
    now = desk.clock()
    # A delay rather than the moment itself: the desk's clock (not the wall clock) decides
    # when the office opens, which keeps a test clock or a sandbox clock consistent.
    delay = max(desk.watch.next_digest_at(now) - now, dt.timedelta(seconds=1))
    queue.run_once(_digest_job, when=delay, name=DIGEST_JOB, job_kwargs=JOB_KWARGS)


async def _sweep_job(context: Context) -> None:
    await _run_sweep(context.desk)


async def _digest_job(context: Context) -> None:
    try:
        await _run_digest(context.desk)
    finally:
        try:
            schedule_next_digest(context.application)
        except Exception as error:
            _log_failure("scheduling the next digest", error)


async def _catch_up_job(context: Context) -> None:
    await _run_digest(context.desk)


async def prune_records(db: Database, now: dt.datetime | None = None) -> tuple[int, int]:
    """Drops finished journal entries and delivered outbox rows past their keeping time."""
    pruned_journal = await prune_journal(db, now=now)
    pruned_outbox = await prune_sent(db, now=now)
    if pruned_journal or pruned_outbox:
        log.info("pruned old records journal=%s outbox=%s", pruned_journal, pruned_outbox)
    return pruned_journal, pruned_outbox


async def _prune_job(context: Context) -> None:
    desk = context.desk
    try:
        await prune_records(desk.db, now=desk.clock())
    except Exception as error:
        _log_failure("pruning the journal and outbox", error)


def schedule_watch(application: Application) -> DeadlineWatch:  # type: ignore[type-arg]
    desk: Desk = application.desk  # type: ignore[attr-defined]
    watch = desk.watch
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): deadline watch is off")
        return watch
    interval = dt.timedelta(minutes=desk.settings.watch.check_interval_minutes)
    queue.run_repeating(_sweep_job, interval=interval, name=SWEEP_JOB, job_kwargs=JOB_KWARGS)
    queue.run_repeating(_prune_job, interval=PRUNE_INTERVAL, first=PRUNE_INTERVAL, name=PRUNE_JOB,
                        job_kwargs=JOB_KWARGS)
    if desk.settings.watch.morning_digest:
        schedule_next_digest(application)
        queue.run_once(_catch_up_job, when=CATCH_UP_DELAY, name=CATCH_UP_JOB, job_kwargs=JOB_KWARGS)
    return watch


# --- SPSE sync ------------------------------------------------------------------------------------

SPSE_JOB = "spse_sync"
# The first scheduled sync waits until start-up is over.
SPSE_FIRST_DELAY = dt.timedelta(minutes=2)
SPSE_SKIP_KEY = "spse_skip_runs"
SPSE_MAX_SKIP = 7


async def _run_spse_sync(desk: Desk) -> None:
    """The scheduled sync: office hours only; after failures, runs are skipped (1, 3, 7 of them)."""
    spse = desk.spse
    if spse is None or not spse.enabled:
        return
    now = desk.clock()
    hours = desk.calendar.office_hours_on(now.astimezone(desk.zone).date())
    if hours is None or not hours[0] <= now <= hours[1]:
        return
    skip = int(desk.extras.get(SPSE_SKIP_KEY, 0))
    if skip > 0:
        desk.extras[SPSE_SKIP_KEY] = skip - 1
        return
    try:
        report = await spse.sync("jadwal")
    except Exception as error:
        _log_failure("spse sync", error)
        return
    if not report.ok and not report.skipped:
        desk.extras[SPSE_SKIP_KEY] = min(2 ** (spse.failures - 1) - 1, SPSE_MAX_SKIP)


async def _spse_job(context: Context) -> None:
    await _run_spse_sync(context.desk)


def schedule_spse(application: Application) -> None:  # type: ignore[type-arg]
    desk: Desk = application.desk  # type: ignore[attr-defined]
    queue = application.job_queue
    if desk.spse is None or not desk.spse.enabled:
        return
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue] missing): SPSE sync is off")
        return
    interval = dt.timedelta(minutes=desk.settings.spse.sync_interval_minutes)
    queue.run_repeating(_spse_job, interval=interval, first=SPSE_FIRST_DELAY, name=SPSE_JOB,
                        job_kwargs=JOB_KWARGS)
