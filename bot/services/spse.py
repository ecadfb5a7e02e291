"""SPSE: the client of the LPSE's public pages, the sync of its packages, and live lookups.

The client is written on ``httpx`` rather than ``pyproc`` (the maintained SPSE client), for
concrete reasons found in pyproc 0.3.3: ``Lpse.get_paket`` passes ``verify=False`` on every list
request, so TLS verification cannot be turned on for the main endpoint whatever the session
says; the host is fixed to ``https://spse.inaproc.id`` in the constructor; responses are read
whole with no size bound; its stacked ``backoff`` decorators retry up to nine times per page,
"not found" included, which defeats request spacing and makes "SPSE is down" slow to tell; and
its parsers raise AttributeError on an unexpected page. The requests made here are pyproc's
(token cookie from ``GET /{lpse}/lelang``, DataTables form with ``authenticityToken`` on
``POST /{lpse}/dt/lelang`` and ``/dt/pl``, the announcement, schedule and winner pages), and the
page parsing (:mod:`bot.domain.spse`) reads the same tables its parsers read.

One :class:`SpseClient` is one LPSE session: its cookies and token are reused for every request
of a sync, requests are spaced (``request_interval_seconds``), transient failures are retried
with exponential backoff, and a response larger than ``max_response_mb`` is refused. HTML pages
are parsed in a worker thread so the bot's event loop keeps serving chats.

:class:`SpseService` syncs: it fetches everything first and writes only when every list came
through, so a failed sync leaves the data as it was. Each package change is then one
transaction: the package row, its SPSE row, the history entry (source SPSE) and the outbox
notices to its followers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
import httpx

from bot.config import SpseConfig
from bot.domain.packages import ActorKind, EntryKind, Outcome, Package, SpseStage, Stage, StageState, to_sen
from bot.domain.spse import (
    Announcement,
    ListedPackage,
    ScheduleRow,
    SpseFormatError,
    SpseKind,
    SpseView,
    StageNews,
    StageReading,
    StateValues,
    SyncReport,
    Winner,
    current_and_next,
    page_says_error,
    page_says_not_found,
    parse_announcement,
    parse_list_page,
    parse_schedule,
    parse_winner,
    read_stage,
    state_from_spse,
)
from bot.services.packages import notify_followers
from bot.texts import paket as paket_texts
from bot.texts import spse as texts
from bot.texts.format import WITA
from storage import packages as repo
from storage import spse as spse_repo
from storage.db import Database, from_db_time, to_db_time, utc_now
from storage.outbox import enqueue, text_message

log = logging.getLogger(__name__)

USER_AGENT = "pbj-helpdesk (Biro PBJ Kaltara; +https://spse.inaproc.id)"
ACTOR_NAME = "SPSE"
OUTBOX_PURPOSE_SYNC = "spse_sync"
# A 'running' sync older than this died with its process and no longer blocks the next one.
SYNC_LEASE = dt.timedelta(hours=2)
# A code SPSE did not know is not asked again for this long (people retry; SPSE need not hear it).
NEGATIVE_CACHE = dt.timedelta(minutes=10)
MAX_PAGES = 200  # per list and year: 100,000 rows at the default page size
VIEW_CACHE_SECONDS = 60.0
VIEW_CACHE_SIZE = 50_000
_TOKEN_COOKIE = re.compile(r"___AT=([A-Za-z0-9]+)")
_TOKEN_PAGE = re.compile(r"authenticityToken\s*=\s*['\"]([0-9a-zA-Z]+)['\"]")
# Steps (and outcomes) at which SPSE shows a winner.
WINNER_STEPS = {"pengumuman_pemenang", "masa_sanggah", "sppbj", "kontrak"}

# Unknown stage texts are logged once per process, not once per package per sync.
_unknown_logged: set[str] = set()


# --- errors ---------------------------------------------------------------------------------------


class SpseError(Exception):
    """Something about SPSE; the subclasses say what."""


class SpseUnavailable(SpseError):
    """SPSE cannot be reached or answers with errors (after the retries)."""


class SpseNotFound(SpseError):
    """SPSE says the page (package) does not exist."""


class SpseRefused(SpseError):
    """A response refused: too large, or not what SPSE sends (garbage, wrong JSON)."""


class _TokenRejected(SpseError):
    pass


# --- the client -----------------------------------------------------------------------------------


class SpseClient:
    """One session with one LPSE. Use as ``async with SpseClient(config) as client``."""

    def __init__(
        self,
        config: SpseConfig,
        *,
        retries: int | None = None,
        timeout: float | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.root = f"{config.base_url}/{config.lpse}"
        self.retries = config.retries if retries is None else retries
        self.max_bytes = int(config.max_response_mb * 1024 * 1024)
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout or config.timeout_seconds),
            verify=True,  # pyproc's default is False; a public procurement record deserves TLS
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT, "Accept-Language": "id"},
            transport=transport,
        )
        self.requests = 0
        self._token: str | None = None
        self._last_request: float | None = None
        self._pace_lock = asyncio.Lock()

    async def __aenter__(self) -> SpseClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.aclose()

    # --- transport ------------------------------------------------------------------------------

    async def _pace(self) -> None:
        async with self._pace_lock:
            interval = self.config.request_interval_seconds
            if self._last_request is not None and interval > 0:
                wait = self._last_request + interval - time.monotonic()
                if wait > 0:
                    await self._sleep(wait)
            self._last_request = time.monotonic()

    async def _once(self, method: str, path: str, data: dict[str, Any] | None,
                    headers: dict[str, str] | None) -> tuple[int, bytes]:
        await self._pace()
        self.requests += 1
        async with self._client.stream(method, f"{self.root}{path}", data=data, headers=headers) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise SpseRefused(f"response of {int(declared)} bytes (limit {self.max_bytes})")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise SpseRefused(f"response larger than {self.max_bytes} bytes")
            return response.status_code, bytes(body)

    async def _request(self, method: str, path: str, *, data: dict[str, Any] | None = None,
                       headers: dict[str, str] | None = None, html: bool = True) -> bytes:
        attempt = 0
        while True:
            reason: str
            try:
                status, body = await self._once(method, path, data, headers)
            except httpx.TimeoutException:
                reason = "timeout"
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}"
            else:
                if status == 404 or (html and status < 400 and page_says_not_found(body)):
                    raise SpseNotFound(path)
                if status in (401, 403, 419):
                    raise _TokenRejected(f"HTTP {status}")
                if status == 429 or status >= 500 or (html and page_says_error(body)):
                    reason = f"HTTP {status}" if status != 200 else "halaman error SPSE"
                elif status >= 400:
                    raise SpseUnavailable(f"HTTP {status} for {path}")
                else:
                    return body
            if attempt >= self.retries:
                raise SpseUnavailable(f"{reason} for {path}")
            delay = min(self.config.backoff_seconds * (2 ** attempt), 60.0)
            attempt += 1
            log.info("spse retry path=%s reason=%s attempt=%s delay=%.1fs", path, reason, attempt, delay)
            if delay > 0:
                await self._sleep(delay)

    async def _ensure_token(self, *, fresh: bool = False) -> str:
        if self._token and not fresh:
            return self._token
        body = await self._request("GET", "/lelang")
        token = None
        for name, value in self._client.cookies.items():
            if name.upper().endswith("SESSION"):
                match = _TOKEN_COOKIE.search(value)
                if match:
                    token = match.group(1)
        if token is None:
            match = _TOKEN_PAGE.search(body[:500_000].decode("utf-8", errors="replace"))
            token = match.group(1) if match else None
        if token is None:
            raise SpseRefused("no authenticity token in the LPSE's page")
        self._token = token
        return token

    # --- lists ----------------------------------------------------------------------------------

    async def _list_request(self, kind: SpseKind, year: int | None, start: int, length: int,
                            search: str = "") -> bytes:
        for fresh in (False, True):
            token = await self._ensure_token(fresh=fresh)
            form: dict[str, Any] = {
                "draw": 1, "start": start, "length": length, "search[value]": search,
                "search[regex]": "false", "order[0][column]": 0, "order[0][dir]": "desc",
                "authenticityToken": token,
            }
            if year is not None:
                form["tahun"] = year
            for column in range(5):
                form[f"columns[{column}][data]"] = column
            headers = {"X-Requested-With": "XMLHttpRequest", "Referer": f"{self.root}/lelang"}
            try:
                return await self._request("POST", f"/dt/{kind.list_path}", data=form, headers=headers, html=False)
            except _TokenRejected:
                if fresh:
                    raise SpseUnavailable("the LPSE refused its own session token") from None
        raise AssertionError("unreachable")

    async def list_packages(self, kind: SpseKind, year: int) -> list[ListedPackage]:
        """Every package of ``kind`` and budget ``year``, page after page."""
        size = self.config.page_size
        found: list[ListedPackage] = []
        seen: set[str] = set()
        for page_number in range(MAX_PAGES):
            body = await self._list_request(kind, year, page_number * size, size)
            try:
                page = parse_list_page(body, kind)
            except SpseFormatError as exc:
                raise SpseRefused(f"{kind.list_path} {year}: {exc}") from None
            new = [row for row in page.rows if row.code not in seen]
            if page.skipped:
                log.warning("spse list rows skipped kind=%s year=%s skipped=%s", kind, year, page.skipped)
            seen.update(row.code for row in new)
            found.extend(new)
            # Fewer rows than asked is the last page; a page of nothing new is a server ignoring
            # `start` (it would send the same page forever).
            if page.received < size or not new:
                return found
        raise SpseRefused(f"{kind.list_path} {year}: more than {MAX_PAGES} pages")

    async def search(self, kind: SpseKind, text: str, year: int | None = None) -> list[ListedPackage]:
        body = await self._list_request(kind, year, 0, 10, search=text)
        try:
            return parse_list_page(body, kind).rows
        except SpseFormatError as exc:
            raise SpseRefused(str(exc)) from None

    # --- pages ----------------------------------------------------------------------------------

    async def _page(self, path: str, parse: Callable[[bytes], Any]) -> Any:
        body = await self._request("GET", path)
        try:
            return await asyncio.to_thread(parse, body)
        except SpseFormatError as exc:
            raise SpseRefused(f"{path}: {exc}") from None

    async def announcement(self, kind: SpseKind, code: str) -> Announcement:
        path = f"/lelang/{code}/pengumumanlelang" if kind is SpseKind.TENDER else f"/nontender/{code}/pengumumanpl"
        result: Announcement = await self._page(path, parse_announcement)
        return result

    async def schedule(self, kind: SpseKind, code: str) -> list[ScheduleRow]:
        path = f"/lelang/{code}/jadwal" if kind is SpseKind.TENDER else f"/nontender/{code}/jadwal"
        result: list[ScheduleRow] = await self._page(path, parse_schedule)
        return result

    async def winner(self, kind: SpseKind, code: str) -> Winner | None:
        path = f"/evaluasi/{code}/pemenang" if kind is SpseKind.TENDER else f"/evaluasinontender/{code}/pemenang"
        try:
            result: Winner | None = await self._page(path, parse_winner)
        except SpseNotFound:
            return None
        return result


# --- cached rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StoredView:
    """A package's SPSE row, parsed once for the view cache."""

    kind: SpseKind
    stage_text: str
    stage_known: bool
    agency: str | None
    labels: tuple[str, ...]
    retender: bool
    hps_text: str | None
    schedule: list[ScheduleRow]
    seen_at: dt.datetime

    @classmethod
    def of_row(cls, row: Any) -> _StoredView:
        seen = from_db_time(row["seen_at"])
        assert seen is not None
        return cls(
            kind=SpseKind(row["kind"]), stage_text=row["stage_text"], stage_known=read_stage(row["stage_text"]).known,
            agency=row["agency"], labels=tuple(label for label in (row["labels"] or "").split("; ") if label),
            retender=bool(row["is_retender"]), hps_text=row["hps_text"], schedule=_schedule_of(row["schedule"]),
            seen_at=seen,
        )


@dataclass
class _Details:
    announcement: Announcement | None = None
    schedule: list[ScheduleRow] | None = None
    winner: Winner | None = None
    winner_checked: bool = False


@dataclass
class _Applied:
    created: bool = False
    updated: bool = False
    news: StageNews | None = None
    schedule_changed: bool = False
    winner_new: bool = False
    notices: int = 0


def _state_values(state: StageState) -> StateValues:
    return StateValues(int(state.stage), state.spse.value if state.spse else None,
                       state.outcome.value if state.outcome else None)


def _to_state(values: StateValues) -> StageState:
    return StageState(Stage(values.stage), SpseStage(values.step) if values.step else None,
                      Outcome(values.outcome) if values.outcome else None)


def _note_unknown(text: str) -> None:
    if text and text not in _unknown_logged:
        _unknown_logged.add(text)
        log.warning("spse stage text not recognised, kept verbatim text=%r", text)


def _winner_bearing(reading: StageReading) -> bool:
    return reading.step in WINNER_STEPS or reading.outcome == "selesai"


def _schedule_json(rows: Sequence[ScheduleRow]) -> str:
    return json.dumps([row.to_json() for row in rows], ensure_ascii=False)


def _schedule_of(text: str | None) -> list[ScheduleRow]:
    if not text:
        return []
    try:
        return [ScheduleRow.from_json(item) for item in json.loads(text)]
    except (ValueError, TypeError, IndexError):
        return []


def _nothing_new(row: ListedPackage, details: _Details, package_row: Any, spse_row: Any) -> bool:
    """True when the list row and the fetched pages would change nothing stored."""
    if spse_row is None or details.announcement is not None or details.schedule is not None:
        return False
    if details.winner_checked:
        return False
    stored = (spse_row["kind"], spse_row["stage_text"], spse_row["agency"], spse_row["labels"],
              bool(spse_row["is_retender"]), spse_row["qualification"], spse_row["evaluation_method"],
              spse_row["hps_text"])
    listed = (str(row.kind), row.stage_text, row.agency or None, "; ".join(row.labels) or None, row.retender,
              row.qualification, row.evaluation_method, row.hps_text)
    if stored != listed or package_row["name"] != row.name:
        return False
    pairs = ((row.procurement_type, package_row["procurement_type"]),
             (row.selection_method, package_row["selection_method"]),
             (row.fiscal_year, package_row["fiscal_year"]),
             (to_sen(row.contract_value), package_row["contract_sen"]))
    return all(new is None or new == old for new, old in pairs)


def _listed_from_announcement(kind: SpseKind, code: str, announcement: Announcement) -> ListedPackage:
    return ListedPackage(
        code=code, kind=kind, name=announcement.name or code, labels=announcement.labels,
        agency=announcement.agency or "", stage_text=announcement.stage_text or "", hps_text=None,
        qualification=None, selection_method=announcement.selection_method, evaluation_method=None,
        procurement_type=announcement.procurement_type, fiscal_year=announcement.fiscal_year,
        contract_value=None,
    )


# --- the service ----------------------------------------------------------------------------------


class SpseService:
    def __init__(
        self,
        db: Database,
        config: SpseConfig,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        zone: ZoneInfo = WITA,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.zone = zone
        self._transport = transport
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[SyncReport] | None = None
        self._not_found: dict[str, dt.datetime] = {}
        self._views: dict[int, tuple[float, _StoredView | None]] = {}
        self.failures = 0  # consecutive failed syncs (the scheduled job backs off on them)

    @property
    def enabled(self) -> bool:
        return self.config.enabled

    @property
    def source(self) -> str:
        return f"SPSE {self.config.lpse}"

    def client(self, *, lookup: bool = False) -> SpseClient:
        if lookup:
            return SpseClient(self.config, retries=0, timeout=self.config.lookup_timeout_seconds,
                              transport=self._transport)
        return SpseClient(self.config, transport=self._transport)

    # --- reading --------------------------------------------------------------------------------

    async def view(self, package: Package) -> SpseView | None:
        """The SPSE part of a status view; None for a package SPSE never showed.

        Rows are cached for :data:`VIEW_CACHE_SECONDS` (every /paket would otherwise pay one more
        query); this process's syncs and lookups drop the cache, a sync run by another process
        (``pbj-helpdesk spse sync``) shows here within that time.
        """
        moment = time.monotonic()
        cached = self._views.get(package.id)
        if cached is not None and moment - cached[0] < VIEW_CACHE_SECONDS:
            stored = cached[1]
        else:
            row = await spse_repo.row_of(self.db, package.id)
            stored = None if row is None else _StoredView.of_row(row)
            if len(self._views) >= VIEW_CACHE_SIZE:
                self._views.clear()
            self._views[package.id] = (moment, stored)
        if stored is None:
            return None
        now = self.clock().astimezone(self.zone).replace(tzinfo=None)
        current, following = current_and_next(stored.schedule, stored.stage_text, now)
        return SpseView(
            kind=stored.kind, stage_text=stored.stage_text, stage_known=stored.stage_known, agency=stored.agency,
            labels=stored.labels, retender=stored.retender, hps_text=stored.hps_text, current=current,
            following=following, seen_at=stored.seen_at,
        )

    async def sync_status(self) -> tuple[Any, Any]:
        """The last successful and the last failed sync rows (None when there was none)."""
        return await spse_repo.last_run(self.db, "ok"), await spse_repo.last_run(self.db, "failed")

    # --- syncing --------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def start_sync(self, trigger: str, *, report_to: int | None = None) -> asyncio.Task[SyncReport]:
        """Runs :meth:`sync` in the background (staff /sinkron); the summary goes via the outbox."""
        task = asyncio.create_task(self.sync(trigger, report_to=report_to), name="spse-sync")
        self._task = task
        return task

    async def shutdown(self, timeout: float = 5.0) -> None:
        """Stops a background sync (bot shutdown): it is given ``timeout`` seconds, then cancelled."""
        task = self._task
        if task is None or task.done():
            return
        await asyncio.wait({task}, timeout=timeout)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def wait(self) -> SyncReport | None:
        """Waits for the background sync started last (tests, shutdown)."""
        task = self._task
        return None if task is None else await task

    async def sync(self, trigger: str, *, report_to: int | None = None) -> SyncReport:
        """One sync; never two at once (in this process, or beside another process's)."""
        report = SyncReport(trigger, self.clock())
        if self._lock.locked():
            report.skipped = True
            return report
        async with self._lock:
            now = self.clock()
            async with self.db.transaction() as conn:
                run_id = await spse_repo.start_run(conn, now, trigger, now - SYNC_LEASE)
            if run_id is None:
                report.skipped = True
                return report
            try:
                await self._sync(report)
            except asyncio.CancelledError:
                # Shut down mid-sync: close the run so the next start is not blocked by it.
                report.error = "dibatalkan (bot berhenti)"
                with contextlib.suppress(Exception):
                    async with self.db.transaction() as conn:
                        await spse_repo.finish_run(conn, run_id, self.clock(), ok=False,
                                                   counts=report.counts(), error=report.error)
                raise
            except (SpseError, OSError, httpx.HTTPError) as exc:
                report.error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning("spse sync failed trigger=%s requests=%s error=%s", trigger, report.requests,
                            report.error)
            except Exception as exc:
                report.error = f"{type(exc).__name__}: {exc}"[:500]
                log.exception("spse sync crashed trigger=%s", trigger)
            else:
                report.ok = True
            report.finished_at = self.clock()
            self.failures = 0 if report.ok else self.failures + 1
            async with self.db.transaction() as conn:
                await spse_repo.finish_run(conn, run_id, report.finished_at, ok=report.ok,
                                           counts=report.counts(), error=report.error)
                if report_to is not None:
                    await enqueue(conn, text_message(report_to, texts.sync_report(report, zone=self.zone),
                                                     purpose=OUTBOX_PURPOSE_SYNC))
            if report.ok:
                log.info("spse sync done trigger=%s listed=%s created=%s updated=%s stage_changes=%s "
                         "notices=%s requests=%s deferred=%s", trigger, report.listed, report.created,
                         report.updated, len(report.stage_changes), report.notices, report.requests,
                         report.deferred)
            return report

    async def _sync(self, report: SyncReport) -> None:
        today = self.clock().astimezone(self.zone).date()
        years = self.config.sync_years(today)
        client = self.client()
        try:
            # 1. Every list first: a sync that cannot read them all changes nothing.
            listed: dict[str, tuple[ListedPackage, int]] = {}
            try:
                for year in years:
                    for kind in (SpseKind.TENDER, SpseKind.NON_TENDER):
                        for row in await client.list_packages(kind, year):
                            listed.setdefault(row.code, (row, year))
            finally:
                report.requests = client.requests
            report.listed = len(listed)
            existing = await repo.packages_by_codes(self.db, listed)
            spse_rows = await spse_repo.rows_of(self.db, [row["id"] for row in existing.values()])

            # 2. Detail pages, most useful first, within the budget.
            details: dict[str, _Details] = {code: _Details() for code in listed}
            plan = self._plan(listed, existing, spse_rows)
            budget = self.config.max_detail_requests
            try:
                for what, code in plan:
                    if budget <= 0:
                        report.deferred += 1
                        continue
                    budget -= 1
                    row, _ = listed[code]
                    try:
                        await self._fetch_detail(client, what, row, details[code])
                    except (SpseNotFound, SpseRefused) as exc:
                        report.detail_failures += 1
                        log.warning("spse page skipped code=%s page=%s error=%s", code, what, exc)
            finally:
                report.requests = client.requests
        finally:
            await client.close()

        # 3. Writes: one transaction per package.
        now = self.clock()
        unchanged: list[int] = []
        for code, (row, year) in listed.items():
            old = existing.get(code)
            if old is not None and _nothing_new(row, details[code], old, spse_rows.get(old["id"])):
                unchanged.append(old["id"])  # the common case: no transaction, only "seen" below
                continue
            applied = await self._apply(row, details[code], year, now)
            if applied.created:
                report.created += 1
            elif applied.updated or applied.news or applied.schedule_changed or applied.winner_new:
                report.updated += 1
            elif old is not None:
                unchanged.append(old["id"])
            if applied.news is not None:
                report.stage_changes.append(applied.news)
            report.schedule_changes += int(applied.schedule_changed)
            report.winners += int(applied.winner_new)
            report.notices += applied.notices
        report.unchanged = len(unchanged)
        if unchanged:
            async with self.db.transaction() as conn:
                await spse_repo.mark_seen(conn, unchanged, now)
        self._views.clear()
        report.unknown_texts = sorted({row.stage_text for row, _ in listed.values()
                                       if row.stage_text and not read_stage(row.stage_text).known})

    def _plan(self, listed: dict[str, tuple[ListedPackage, int]], existing: dict[str, Any],
              spse_rows: dict[int, Any]) -> list[tuple[str, str]]:
        now = self.clock()
        stale = now - dt.timedelta(hours=self.config.schedule_refresh_hours)
        first: list[tuple[str, str]] = []
        later: list[tuple[str, str]] = []
        for code, (row, _) in listed.items():
            package = existing.get(code)
            spse = spse_rows.get(package["id"]) if package is not None else None
            reading = read_stage(row.stage_text)
            changed = spse is None or spse["stage_text"] != row.stage_text
            if spse is None or spse["announcement_at"] is None:
                first.append(("announcement", code))
            if reading.in_progress:
                schedule_at = from_db_time(spse["schedule_at"]) if spse is not None else None
                if changed or schedule_at is None:
                    first.append(("schedule", code))
                elif schedule_at < stale:
                    later.append(("schedule", code))
            has_winner = package is not None and package["winner"]
            if _winner_bearing(reading) and not has_winner and row.kind is SpseKind.TENDER:
                if changed and spse is not None:
                    first.append(("winner", code))
                elif spse is None or spse["winner_checked_at"] is None:
                    later.append(("winner", code))
        return first + later

    async def _fetch_detail(self, client: SpseClient, what: str, row: ListedPackage, into: _Details) -> None:
        if what == "announcement":
            into.announcement = await client.announcement(row.kind, row.code)
        elif what == "schedule":
            into.schedule = await client.schedule(row.kind, row.code)
        else:
            into.winner = await client.winner(row.kind, row.code)
            into.winner_checked = True

    async def _apply(self, row: ListedPackage, details: _Details, year: int, now: dt.datetime) -> _Applied:
        """Creates or updates one package from SPSE: one transaction with history and notices."""
        result = _Applied()
        announcement = details.announcement
        async with self.db.transaction() as conn:
            package_row = await repo.package_by_code(conn, row.code)
            spse_row = await spse_repo.row_of(conn, package_row["id"]) if package_row is not None else None
            fields: dict[str, Any] = {
                "name": row.name or (announcement.name if announcement else None),
                "procurement_type": row.procurement_type or (announcement.procurement_type if announcement else None),
                "selection_method": row.selection_method or (announcement.selection_method if announcement else None),
                "fiscal_year": row.fiscal_year or (announcement.fiscal_year if announcement else None) or year,
                "contract_sen": to_sen(row.contract_value),
                "winner": details.winner.name[:300] if details.winner else None,
            }
            if announcement is not None:
                fields["work_unit"] = announcement.work_unit or None
                fields["hps_sen"] = to_sen(announcement.hps)
                fields["pagu_sen"] = to_sen(announcement.pagu)
            fields = {key: value for key, value in fields.items() if value is not None}

            reading = read_stage(row.stage_text)
            if not reading.known:
                _note_unknown(row.stage_text)
            text_changed = spse_row is None or spse_row["stage_text"] != row.stage_text
            before = repo.state_of_row(package_row) if package_row is not None else None
            after = before
            if text_changed:
                target = state_from_spse(reading, _state_values(before) if before is not None else None)
                if target is not None:
                    after = _to_state(target)

            if package_row is None:
                assert after is not None
                fields.setdefault("work_unit", row.agency or "-")
                fields.update({"stage": int(after.stage), "spse_stage": after.spse, "outcome": after.outcome,
                               "is_public": 1})
                fields["work_unit"] = fields["work_unit"] or row.agency or "-"
                package_id = await repo.insert_package(conn, row.code, fields, now)
                result.created = True
                await repo.add_entry(
                    conn, package_id, at=now, kind=EntryKind.STAGE, stage=after.stage, spse=after.spse,
                    outcome=after.outcome, actor_kind=ActorKind.SYSTEM, actor_id=None, actor_name=ACTOR_NAME,
                    note=texts.history_note(row.stage_text), document=None, source=self.source,
                )
                result.news = StageNews(row.code, row.name, None, after, row.stage_text)
            else:
                package_id = package_row["id"]
                changed = [key for key, value in fields.items() if package_row[key] != value]
                if changed:
                    await repo.update_package(conn, package_id, {key: fields[key] for key in changed}, now)
                    result.updated = True
                    state = after or before
                    assert state is not None
                    await repo.add_entry(
                        conn, package_id, at=now, kind=EntryKind.DATA, stage=state.stage, spse=state.spse,
                        outcome=state.outcome, actor_kind=ActorKind.SYSTEM, actor_id=None,
                        actor_name=ACTOR_NAME, note=paket_texts.data_change_note(changed, None),
                        document=None, source=self.source,
                    )
                if after is not None and after != before:
                    await repo.update_state(conn, package_id, after.stage, after.spse, after.outcome, now)
                    await repo.add_entry(
                        conn, package_id, at=now, kind=EntryKind.STAGE, stage=after.stage, spse=after.spse,
                        outcome=after.outcome, actor_kind=ActorKind.SYSTEM, actor_id=None,
                        actor_name=ACTOR_NAME, note=texts.history_note(row.stage_text), document=None,
                        source=self.source,
                    )
                    result.news = StageNews(row.code, row.name, before, after, row.stage_text)
                result.winner_new = "winner" in changed

            if announcement is not None and announcement.rup_codes:
                await repo.replace_rup_codes(conn, package_id, announcement.rup_codes)
                if result.created and row.retender:
                    await self._link_retender(conn, package_id, row.code, announcement.rup_codes, now)

            spse_fields: dict[str, Any] = {
                "kind": str(row.kind), "stage_text": row.stage_text, "agency": row.agency or None,
                "labels": "; ".join(row.labels) or None, "is_retender": int(row.retender),
                "qualification": row.qualification, "evaluation_method": row.evaluation_method,
                "hps_text": row.hps_text, "seen_at": to_db_time(now),
            }
            if announcement is not None:
                spse_fields["announcement_at"] = to_db_time(now)
                if announcement.agency and not row.agency:
                    spse_fields["agency"] = announcement.agency
            old_schedule = _schedule_of(spse_row["schedule"]) if spse_row is not None else []
            if details.schedule is not None:
                spse_fields["schedule"] = _schedule_json(details.schedule)
                spse_fields["schedule_at"] = to_db_time(now)
                result.schedule_changed = bool(old_schedule) and (
                    [r.key() for r in old_schedule] != [r.key() for r in details.schedule])
            if details.winner_checked:
                spse_fields["winner_checked_at"] = to_db_time(now)
            await spse_repo.upsert(conn, package_id, spse_fields, now)

            if not result.created and (result.news or result.schedule_changed or result.winner_new):
                package = await repo.load_package(conn, row.code)
                assert package is not None
                schedule = details.schedule if details.schedule is not None else old_schedule
                local_now = now.astimezone(self.zone).replace(tzinfo=None)
                current, following = current_and_next(schedule, row.stage_text, local_now)
                html = texts.sync_notice(
                    package, before=result.news.before if result.news else None,
                    stage_text=row.stage_text, stage_changed=result.news is not None,
                    schedule_changed=result.schedule_changed, current=current, following=following,
                    winner=details.winner if result.winner_new else None, zone=self.zone,
                )
                result.notices = await notify_followers(conn, package, html)
        self._views.pop(package_id, None)
        return result

    async def _link_retender(self, conn: aiosqlite.Connection, package_id: int, code: str,
                             rup_codes: Sequence[str], now: dt.datetime) -> None:
        """A re-tender names the tender it repeats by the same kode RUP: link them, move followers."""
        for rup in rup_codes:
            for candidate in await repo.packages_by_code_or_rup(conn, rup, include_private=True):
                if candidate["code"] == code or candidate["retendered_as_code"] is not None:
                    continue
                if candidate["id"] == package_id:
                    continue
                await repo.set_retender_of(conn, package_id, candidate["id"], now)
                await repo.copy_followers(conn, candidate["id"], package_id, now)
                return

    # --- live lookup ----------------------------------------------------------------------------

    async def lookup(self, code: str) -> list[Package]:
        """A code nobody synced: asked of SPSE now (kode tender, else kode RUP), stored if found.

        Returns [] when SPSE does not know it; raises :class:`SpseUnavailable` when SPSE cannot
        be asked (unreachable, errors, or slower than ``lookup_timeout_seconds`` in all).
        """
        if not self.enabled:
            return []
        now = self.clock()
        asked = self._not_found.get(code)
        if asked is not None and now - asked < NEGATIVE_CACHE:
            return []
        try:
            async with asyncio.timeout(self.config.lookup_timeout_seconds):
                async with self.client(lookup=True) as client:
                    found = await self._lookup_on(client, code)
        except TimeoutError:
            raise SpseUnavailable("lookup timed out") from None
        except SpseRefused as exc:
            raise SpseUnavailable(str(exc)) from None
        if not found:
            if len(self._not_found) > 10_000:
                self._not_found.clear()
            self._not_found[code] = now
            return []
        packages: list[Package] = []
        for row, details in found:
            await self._apply(row, details, row.fiscal_year or now.year, self.clock())
            package = await repo.load_package(self.db, row.code)
            if package is not None and package.public:
                packages.append(package)
        return packages

    async def _lookup_on(self, client: SpseClient, code: str) -> list[tuple[ListedPackage, _Details]]:
        for kind in (SpseKind.TENDER, SpseKind.NON_TENDER):
            try:
                announcement = await client.announcement(kind, code)
            except SpseNotFound:
                continue
            if announcement.code not in (None, code):
                continue
            return [await self._with_schedule(client, _listed_from_announcement(kind, code, announcement),
                                              announcement)]
        # Perhaps a kode RUP: SPSE's list search, then the candidates' announcements.
        found: list[tuple[ListedPackage, _Details]] = []
        for kind in (SpseKind.TENDER, SpseKind.NON_TENDER):
            for row in (await client.search(kind, code))[:3]:
                try:
                    announcement = await client.announcement(kind, row.code)
                except SpseNotFound:
                    continue
                if code in announcement.rup_codes:
                    found.append(await self._with_schedule(client, row, announcement))
        return found

    async def _with_schedule(self, client: SpseClient, row: ListedPackage,
                             announcement: Announcement) -> tuple[ListedPackage, _Details]:
        details = _Details(announcement=announcement)
        if read_stage(row.stage_text).in_progress:
            with contextlib.suppress(SpseNotFound, SpseRefused):
                details.schedule = await client.schedule(row.kind, row.code)
        return row, details

