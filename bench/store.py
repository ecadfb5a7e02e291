"""The ticket store at ten years of complaints: fill once, then time the queries the bot runs.

Fill (cached in ``bench/out/``, keyed by size, schema version and FILL_VERSION): tickets
2017–2026 with 2–4 history rows each, a realistic mix of tier, channel and status (most
closed, about 1.5 % open, spread over the last four months), attachments, message links, the
year counters, 10,000 packages with their kode RUP and stage history, and the deadline alerts
a watch running all along would have written.

How it is written: the SQL and parameters come from the project's own write functions
(``storage.tickets.insert_ticket``, ``add_event``, ``update_fields``;
``storage.packages.insert_package``, ``replace_rup_codes``, ``add_entry``), called against a
*capturing* connection that records each statement instead of running it; the recorded
statements are then run with ``executemany`` in large transactions on a plain ``sqlite3``
connection (journal off during the fill only). Codes are made with ``format_ticket_code``,
the same function ``next_code`` uses, and the counters are set to the last sequence of each
year; afterwards the real ``next_code`` is called (and rolled back) to check they agree.
The deadline alerts come from running the real ``DeadlineWatch.sweep`` once, uncapped.

Timing: each query through the project's own async API on a copy of the cached file, warm,
median of many repeats with varied arguments. ``EXPLAIN QUERY PLAN`` of every statement a call
runs (captured with SQLite's trace callback) shows which index it uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from bench.updates import Row, bench_settings

FILL_VERSION = 3
YEARS = range(2017, 2027)
PER_YEAR_LIMIT = 99_999  # ADU-YYYY-NNNNN: five digits of sequence per year
WITA = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=WITA)  # fixed "today" of the filled store
OPEN_SHARE = 0.015
OPEN_WINDOW_DAYS = 120
STAFF_CHAT = -4000000001
PACKAGES = 10_000
INTERACTIVE_TARGET_MS = 10.0
BATCH_TARGET_S = 1.0
OUT = Path(__file__).resolve().parent / "out"

_INSERT_TABLE = re.compile(r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)", re.IGNORECASE)
_ROWID_TABLES = ("tickets", "ticket_events", "attachments", "packages", "package_stages")


# --------------------------------------------------------------------------- capturing connection


class _Cursor:
    def __init__(self, lastrowid: int | None) -> None:
        self.lastrowid = lastrowid
        self.rowcount = 1

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def fetchone(self) -> None:
        return None

    async def fetchall(self) -> list[Any]:
        return []


class _Result:
    """What ``conn.execute`` returns: awaitable and an async context manager, like aiosqlite's."""

    def __init__(self, cursor: _Cursor) -> None:
        self.cursor = cursor

    def __await__(self) -> Any:
        return _value(self.cursor).__await__()

    async def __aenter__(self) -> _Cursor:
        return self.cursor

    async def __aexit__(self, *exc: object) -> None:
        return None


async def _value(value: Any) -> Any:
    return value


class Capture:
    """Records statements per SQL text (in order of first use); predicts rowids of a fresh file."""

    def __init__(self) -> None:
        self.batches: dict[str, list[tuple[Any, ...]]] = {}
        self.next_id = dict.fromkeys(_ROWID_TABLES, 1)

    def execute(self, sql: str, params: Any = ()) -> _Result:
        self.batches.setdefault(sql, []).append(tuple(params))
        match = _INSERT_TABLE.match(sql)
        rowid = None
        if match and match.group(1) in self.next_id:
            rowid = self.next_id[match.group(1)]
            self.next_id[match.group(1)] += 1
        return _Result(_Cursor(rowid))

    async def executemany(self, sql: str, seq: Any) -> _Cursor:
        for params in seq:
            self.execute(sql, params)
        return _Cursor(None)

    def flush(self, conn: sqlite3.Connection) -> None:
        for sql, rows in self.batches.items():
            if sql.lstrip().upper().startswith("DELETE"):
                continue  # replace_rup_codes clears a fresh package's codes: nothing to delete
            conn.executemany(sql, rows)
        self.batches.clear()


def drive(coro: Coroutine[Any, Any, Any]) -> Any:
    """Runs a coroutine that never really suspends (it only awaits the capture)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise RuntimeError("the capturing connection does not suspend")


# --------------------------------------------------------------------------- synthetic content

_FIRST = ("Budi", "Sari", "Andi", "Rina", "Dewi", "Agus", "Siti", "Yusuf", "Maria", "Hendra", "Nur",
          "Rahmat", "Fitri", "Joko", "Ayu", "Bambang", "Wati", "Irfan", "Lina", "Taufik")
_LAST = ("Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Pratama", "Nugroho", "Siregar",
         "Kurniawan", "Rahman", "Susanto", "Gunawan", "Halim", "Tanjung", "Lubis", None)
_PLACES = ("Tanjung Selor", "Tarakan", "Malinau", "Nunukan", "Tana Tidung", "Sebatik", "Bulungan")
_SENTENCES = (
    "Kapan jadwal pembukaan penawaran paket {what} di {place}?",
    "Mohon penjelasan mengapa dokumen kualifikasi kami dinyatakan tidak lengkap pada paket {what}.",
    "Apakah HPS paket {what} boleh dirahasiakan sebelum pembukaan penawaran?",
    "Petugas layanan di {place} meminta kami datang berulang kali untuk verifikasi berkas.",
    "Kami menduga spesifikasi teknis paket {what} mengarah ke satu merek tertentu.",
    "Masa sanggah paket {what} sudah lewat tetapi pengumuman pemenang belum diperbarui di SPSE.",
    "Aplikasi SPSE tidak dapat diakses saat batas akhir unggah penawaran paket {what}.",
    "Mohon informasi persyaratan SBU untuk pekerjaan {what} tahun anggaran ini.",
    "Ada pihak yang mengaku dapat mengatur pemenang paket {what} dengan imbalan.",
    "Berapa lama proses evaluasi penawaran untuk paket {what} biasanya berlangsung?",
    "Kontrak paket {what} ditandatangani tetapi pekerjaan di {place} belum dimulai.",
    "Kami belum menerima undangan pembuktian kualifikasi padahal peringkat pertama.",
)
_WHAT = ("jalan lingkar", "jembatan", "gedung sekolah", "alat kesehatan", "rehabilitasi puskesmas",
         "air bersih", "drainase kota", "kendaraan dinas", "obat dan BMHP", "jaringan internet")
_KINDS = (("pertanyaan", 0.55), ("aturan", 0.25), ("layanan", 0.15), ("pelanggaran", 0.05))
_CHANNELS = (("telegram", 0.70), ("tatap_muka", 0.10), ("telepon", 0.10), ("email", 0.07),
             ("kotak_pengaduan", 0.03))
_REPLIES = (
    "Terima kasih. Jadwal lengkap dapat dilihat pada SPSE LPSE Kalimantan Utara.",
    "Berdasarkan Perpres 16/2018 jo. 12/2021, hal tersebut telah kami teruskan ke Pokmil.",
    "Keluhan Anda telah kami sampaikan kepada kepala bagian untuk ditindaklanjuti.",
    "Laporan Anda sedang kami klarifikasi bersama APIP sesuai prosedur.",
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


def _description(rng: random.Random) -> str:
    parts = [rng.choice(_SENTENCES).format(what=rng.choice(_WHAT), place=rng.choice(_PLACES))
             for _ in range(rng.choice((1, 1, 2, 2, 3)))]
    return " ".join(parts)


def _year_counts(total: int) -> dict[int, int]:
    """Mildly growing over the years, never above the five-digit sequence of one year."""
    weights = {year: 1.0 + 0.08 * i for i, year in enumerate(YEARS)}
    scale = sum(weights.values())
    counts = {year: min(PER_YEAR_LIMIT, int(total * w / scale)) for year, w in weights.items()}
    short = min(total, PER_YEAR_LIMIT * len(YEARS)) - sum(counts.values())
    for year in reversed(YEARS):  # hand what a full year could not take to the others
        room = PER_YEAR_LIMIT - counts[year]
        give = min(room, short)
        counts[year] += give
        short -= give
    return counts


# --------------------------------------------------------------------------- the fill


def cache_path(total: int) -> Path:
    from storage.db import migrations

    digest = hashlib.sha1("".join(sql for _v, _n, sql in migrations()).encode()).hexdigest()[:8]
    return OUT / f"store-{total}-schema{len(migrations())}-{digest}-fill{FILL_VERSION}.sqlite3"


async def _create_schema(path: Path) -> None:
    from storage.db import Database

    db = await Database.open(path)
    await db.close()


def fill(path: Path, total: int, seed: int = 2017) -> dict[str, Any]:
    """Writes the store to ``path`` (which must not exist); returns facts about it."""
    from bot.config import CalendarConfig, TiersConfig
    from bot.domain.classifier import Classifier
    from bot.domain.tickets import Actor, Attachment, Channel, EventKind, NewComplaint, format_ticket_code
    from bot.domain.tiers import MatterKind, Tier
    from bot.domain.workcalendar import WorkCalendar
    from bot.texts import classify as classify_texts
    from storage import tickets as repo

    began = time.perf_counter()
    asyncio.run(_create_schema(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA temp_store=MEMORY")
    rng = random.Random(seed)
    calendar = WorkCalendar(CalendarConfig(), TiersConfig())
    classifier = Classifier()
    kinds = {k: MatterKind(k) for k, _ in _KINDS}
    reasons: dict[str, tuple[Tier, str]] = {}
    for key, kind in kinds.items():
        result = classifier.classify(kind, _SENTENCES[0].format(what="jalan", place="Tarakan"))
        reasons[key] = (result.tier, classify_texts.reason(result))
    capture = Capture()
    cap: Any = capture  # stands in for an aiosqlite connection
    package_codes = _fill_packages(conn, capture, rng, total) if _has_table(conn, "packages") else []

    counts = _year_counts(total)
    telegram_citizens = max(10, int(total * 0.45))
    heavy = [8_000_000_000 + i for i in range(10)]
    message_ids: dict[int, int] = {}
    link_sql = "INSERT OR IGNORE INTO message_links (chat_id, message_id, ticket_id) VALUES (?, ?, ?)"
    staff_actor = Actor.staff(5_000_001, "Rina Petugas")
    now_ts = NOW.timestamp()
    open_count = 0
    ticket_id = 0

    def link(chat_id: int, tid: int) -> None:
        message_ids[chat_id] = message_ids.get(chat_id, 0) + 1
        capture.execute(link_sql, (chat_id, message_ids[chat_id], tid))

    for year in YEARS:
        n = counts[year]
        start = dt.datetime(year, 1, 1, tzinfo=WITA).timestamp()
        end = min(dt.datetime(year + 1, 1, 1, tzinfo=WITA).timestamp(), now_ts - 3600)
        stamps = sorted(rng.uniform(start, end) for _ in range(n))
        ages = [(now_ts - s) / 86400 for s in stamps]
        recent = sum(math.exp(-a / 40) for a in ages if a < OPEN_WINDOW_DAYS)
        open_scale = (OPEN_SHARE * total / recent) if recent else 0.0
        for seq, (stamp, age) in enumerate(zip(stamps, ages, strict=True), start=1):
            ticket_id += 1
            received = dt.datetime.fromtimestamp(stamp, WITA)
            kind_key = _pick(rng, _KINDS)
            tier, reason = reasons[kind_key]
            channel = _pick(rng, _CHANNELS)
            telegram = channel == "telegram"
            if telegram:
                user = rng.choice(heavy) if rng.random() < 0.002 else 100_000_000 + rng.randrange(telegram_citizens)
            else:
                user = None
            attachments: tuple[Attachment, ...] = ()
            if rng.random() < 0.15:
                attachments = tuple(
                    Attachment(kind="photo", file_id=f"AgACAgUAAxkBAAI{ticket_id:x}{i}",
                               file_unique_id=f"AQAD{ticket_id:x}{i}", file_size=rng.randrange(40_000, 900_000))
                    for i in range(rng.choice((1, 1, 2))))
            complaint = NewComplaint(
                name=f"{rng.choice(_FIRST)} {rng.choice(_LAST) or ''}".strip(),
                contact=f"+628{rng.randrange(10**9, 10**10)}", channel=Channel(channel), matter_kind=kinds[kind_key],
                package_code=rng.choice(package_codes) if package_codes and rng.random() < 0.2 else None,
                description=_description(rng), citizen_user_id=user, citizen_chat_id=user,
                confidential=kind_key == "pelanggaran" and rng.random() < 0.3, attachments=attachments,
            )
            deadline = calendar.deadline(tier, received)
            code = format_ticket_code(year, seq)
            drive(repo.insert_ticket(
                cap, complaint, code=code, year=year, seq=seq, tier=tier, tier_reason=reason,
                received_at=received, deadline_at=deadline, idempotency_key=None,
            ))
            filer = Actor.citizen(user, complaint.name) if telegram else staff_actor
            drive(repo.add_event(cap, ticket_id, EventKind.FILED, filer, received,
                                 {"tier": tier.value, "reason": reason, "channel": channel}, attachments))
            link(STAFF_CHAT, ticket_id)
            if user is not None:
                link(user, ticket_id)
            # Where the ticket stands now.
            is_open = age < OPEN_WINDOW_DAYS and rng.random() < open_scale * math.exp(-age / 40)
            allowance = (deadline - received).total_seconds()
            answered_at = received + dt.timedelta(seconds=allowance * rng.uniform(0.1, 1.25))
            fields: dict[str, Any] = {}
            events: list[tuple[EventKind, dt.datetime, dict[str, Any]]] = []
            if is_open:
                open_count += 1
                state = _pick(rng, (("baru", 0.4), ("diproses", 0.35), ("dijawab", 0.25)))
                if state == "dijawab" and answered_at >= NOW:
                    state = "diproses"
                if state == "baru":
                    events.append((EventKind.CITIZEN_MESSAGE, received + dt.timedelta(minutes=7),
                                   {"text": "Tambahan keterangan lokasi."}))
                else:
                    events.append((EventKind.STATUS_CHANGED, received + (answered_at - received) / 3,
                                   {"from": "baru", "to": "diproses"}))
                    fields["status"] = "diproses"
                if state == "dijawab":
                    events.append((EventKind.STAFF_REPLY, answered_at, {"text": rng.choice(_REPLIES)}))
                    fields.update(status="dijawab", first_answer_at=answered_at)
            else:
                answered_at = min(answered_at, NOW - dt.timedelta(hours=2))
                closed_at = min(answered_at + dt.timedelta(hours=rng.uniform(0.5, 240)), NOW - dt.timedelta(hours=1))
                if rng.random() < 0.3:
                    events.append((EventKind.STATUS_CHANGED, received + (answered_at - received) / 3,
                                   {"from": "baru", "to": "diproses"}))
                events.append((EventKind.STAFF_REPLY, answered_at, {"text": rng.choice(_REPLIES)}))
                events.append((EventKind.CLOSED, closed_at, {"note": ""}))
                fields.update(status="selesai", first_answer_at=answered_at, closed_at=closed_at)
                if user is not None and len(events) < 4 and rng.random() < 0.35:
                    rated = closed_at + dt.timedelta(hours=rng.uniform(0.1, 48))
                    rating = rng.choice((3, 4, 4, 5, 5, 5, 2, 1))
                    events.append((EventKind.RATED, rated, {"rating": rating, "comment": None}))
                    fields.update(rating=rating, rated_at=rated)
            for event_kind, at, data in events:
                by_citizen = event_kind in (EventKind.CITIZEN_MESSAGE, EventKind.RATED)
                actor = Actor.citizen(user) if by_citizen else staff_actor
                drive(repo.add_event(cap, ticket_id, event_kind, actor, at, data))
                link(STAFF_CHAT, ticket_id)
                if user is not None and not by_citizen:
                    link(user, ticket_id)
            if fields:
                drive(repo.update_fields(cap, ticket_id, **fields))
            if ticket_id % 20_000 == 0:
                _commit(conn, capture)
        _commit(conn, capture)
        conn.execute(
            "INSERT INTO ticket_counters (year, last_seq) VALUES (?, ?)"
            " ON CONFLICT (year) DO UPDATE SET last_seq = excluded.last_seq", (year, n))
    filled = conn.execute("SELECT COUNT(*), MAX(id) FROM tickets").fetchone()
    if filled != (ticket_id, ticket_id):
        raise RuntimeError(f"rowid prediction broke: {filled} vs {ticket_id}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    alerts = asyncio.run(_settle_watch(path, counts))
    return {"tickets": ticket_id, "open": open_count, "packages": len(package_codes), "alerts": alerts,
            "fill_seconds": round(time.perf_counter() - began, 1)}


def _commit(conn: sqlite3.Connection, capture: Capture) -> None:
    conn.execute("BEGIN")
    capture.flush(conn)
    conn.execute("COMMIT")


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _fill_packages(conn: sqlite3.Connection, capture: Capture, rng: random.Random, total: int) -> list[str]:
    from storage import packages as repo

    cap: Any = capture  # stands in for an aiosqlite connection
    codes: list[str] = []
    spse = ("pengumuman", "evaluasi", "pembuktian_kualifikasi", "masa_sanggah", "kontrak")
    count = min(PACKAGES, max(100, total // 100))
    for i in range(count):
        year = 2017 + i * len(YEARS) // count
        code = f"{10_000_000_000 + i * 7919 % 9_000_000_000 + i}"
        created = dt.datetime(year, 1, 15, tzinfo=WITA) + dt.timedelta(days=rng.uniform(0, 300))
        created = min(created, NOW - dt.timedelta(days=1))
        stage = 6 if year < 2026 else rng.randint(1, 6)
        fields: dict[str, Any] = {
            "name": f"{rng.choice(_WHAT).capitalize()} {rng.choice(_PLACES)} paket {i}",
            "work_unit": f"Dinas {rng.choice(('PUPR-Perkim', 'Kesehatan', 'Pendidikan', 'Perhubungan'))}",
            "fiscal_year": year, "procurement_type": "Pekerjaan Konstruksi", "selection_method": "Tender",
            "pagu_sen": rng.randrange(10**11, 10**13), "stage": stage,
            "spse_stage": rng.choice(spse) if stage == 5 else None,
            "outcome": "selesai" if stage == 6 else None,
        }
        package_id = drive(repo.insert_package(cap, code, fields, created))
        drive(repo.replace_rup_codes(cap, package_id, [f"{20_000_000 + i * 3 + k}" for k in range(rng.choice((1, 1, 2)))]))
        for step in range(rng.choice((2, 3, 4))):
            st = min(stage, step + 1) if step < 3 else stage
            drive(repo.add_entry(
                cap, package_id, at=created + dt.timedelta(days=10 * step), kind="stage", stage=st,
                spse=fields["spse_stage"] if st == 5 else None, outcome=fields["outcome"] if st == 6 else None,
                actor_kind="import", actor_id=None, actor_name="Impor CSV", note=None, document=None,
                source="paket.csv",
            ))
        codes.append(code)
    _commit(conn, capture)
    return codes


async def _settle_watch(path: Path, counts: dict[int, int]) -> int:
    """Steady state: the alerts a watch running all along would have written by NOW."""
    from bot.delivery.app import build_desk
    from storage import tickets as repo
    from storage.db import Database

    db = await Database.open(path)
    try:
        settings = bench_settings(path.parent, STAFF_CHAT)
        desk = await build_desk(settings, db, lambda: NOW)
        for year, n in counts.items():  # the real next_code must continue where the fill stopped
            await db.conn.execute("BEGIN IMMEDIATE")
            try:
                code, seq = await repo.next_code(db.conn, year)
            except OverflowError:  # a full year: ADU-YYYY-99999 was the last code
                code, seq = "none left", PER_YEAR_LIMIT + 1
            finally:
                await db.conn.rollback()
            if n and seq != n + 1:
                raise RuntimeError(f"counter of {year} is off: next {code}, filled {n}")
        try:
            from bot.services.watch import DeadlineWatch
        except ImportError:
            return 0
        watch = DeadlineWatch(db, desk.calendar, settings.watch, lambda: STAFF_CHAT, lambda: NOW,
                              max_alerts_per_sweep=10**9)
        alerts = len(await watch.sweep(NOW))
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM outbox")  # history of sends is not part of the fill
        return alerts
    finally:
        await db.close()


def ensure_store(total: int) -> tuple[Path, dict[str, Any], bool]:
    """The cached store for ``total`` tickets, building it if needed; (path, facts, was_cached)."""
    OUT.mkdir(parents=True, exist_ok=True)
    target = cache_path(total)
    facts_file = target.with_suffix(".json")
    if target.exists() and facts_file.exists():
        return target, json.loads(facts_file.read_text()), True
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=OUT) as tmp:
        building = Path(tmp) / target.name
        facts = fill(building, total)
        for suffix in ("-wal", "-shm"):
            Path(str(building) + suffix).unlink(missing_ok=True)
        os.replace(building, target)
    facts_file.write_text(json.dumps(facts))
    return target, facts, False


# --------------------------------------------------------------------------- the measurements


async def _median(call: Callable[[int], Awaitable[Any]], repeats: int, warm: int = 3) -> float:
    for i in range(warm):
        await call(i)
    timings = []
    for i in range(repeats):
        began = time.perf_counter()
        await call(i)
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


async def _plans(db: Any, plan_conn: sqlite3.Connection, call: Callable[[], Awaitable[Any]]) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT the call ran."""
    seen: list[str] = []
    await db.conn.set_trace_callback(seen.append)
    try:
        await call()
    finally:
        await db.conn.set_trace_callback(None)
    out: list[str] = []
    for sql in dict.fromkeys(seen):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        steps = [row[3] for row in plan_conn.execute("EXPLAIN QUERY PLAN " + sql)]
        out.append("; ".join(steps))
    return out


async def measure(path: Path, total: int, quick: bool) -> tuple[list[Row], list[str]]:
    from bot.delivery.app import build_desk
    from storage.db import Database

    rows: list[Row] = []
    notes: list[str] = []
    repeats = 30 if quick else 300
    batch_repeats = 3 if quick else 11
    with tempfile.TemporaryDirectory(prefix="bench-store-run-") as tmp:
        copy = Path(tmp) / "helpdesk.sqlite3"
        shutil.copyfile(path, copy)
        db = await Database.open(copy)
        plan_conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            desk = await build_desk(bench_settings(Path(tmp), STAFF_CHAT), db, lambda: NOW)
            rng = random.Random(5)
            count = int(await db.fetchval("SELECT COUNT(*) FROM tickets"))
            codes = [r[0] for r in await db.fetchall(
                "SELECT code FROM tickets WHERE id IN (" + ",".join(str(rng.randint(1, count)) for _ in range(200)) + ")")]
            citizens = [r[0] for r in await db.fetchall(
                "SELECT citizen_user_id FROM tickets WHERE citizen_user_id IS NOT NULL AND id IN ("
                + ",".join(str(rng.randint(1, count)) for _ in range(400)) + ")")]
            heavy = await db.fetchone(
                "SELECT citizen_user_id, COUNT(*) FROM tickets WHERE citizen_user_id >= 8000000000"
                " GROUP BY citizen_user_id ORDER BY 2 DESC LIMIT 1")
            last_staff = int(await db.fetchval(
                "SELECT MAX(message_id) FROM message_links WHERE chat_id = ?", (STAFF_CHAT,)) or 1)
            links = [(STAFF_CHAT, rng.randint(1, last_staff)) for _ in range(200)]
            tickets = desk.tickets
            cases: list[tuple[str, Callable[[int], Awaitable[Any]], bool]] = [
                ("/daftar: open_overview(limit=50)", lambda i: tickets.open_overview(NOW, 50), True),
                ("/status: citizen_tickets(limit=20)", lambda i: tickets.citizen_tickets(citizens[i % len(citizens)], 20), True),
            ]
            if heavy:
                cases.append((f"/status, heaviest citizen ({heavy[1]} tickets)",
                              lambda i: tickets.citizen_tickets(heavy[0], 20), True))
            cases += [
                ("code lookup: get(code)", lambda i: tickets.get(codes[i % len(codes)]), True),
                ("ticket_for_message(chat, msg)", lambda i: tickets.ticket_for_message(*links[i % len(links)]), True),
                ("ticket history: history(ticket)", lambda i: _history(tickets, codes[i % len(codes)]), True),
            ]
            try:
                from bot.services.watch import DeadlineWatch

                watch = DeadlineWatch(db, desk.calendar, desk.settings.watch, lambda: STAFF_CHAT, lambda: NOW)
                candidates = len(await watch.candidates(NOW))
                cases.append((f"deadline sweep, steady state ({candidates} candidates)",
                              lambda i: watch.sweep(NOW), False))
            except ImportError:
                notes.append("bot/watch.py missing: no sweep timing")
            try:
                from bot.services.report import month_figures

                cases.append(("month report: month_figures(2026-10)",
                              lambda i: month_figures(db, desk.calendar, 2026, 10, now=NOW), False))
                cases.append(("month report, old month (2019-03)",
                              lambda i: month_figures(db, desk.calendar, 2019, 3, now=NOW), False))
            except ImportError:
                notes.append("bot/report.py missing: no report timing")
            for name, call, interactive in cases:
                plans = await _plans(db, plan_conn, functools.partial(call, 0))
                seconds = await _median(call, repeats if interactive else batch_repeats)
                if interactive:
                    ms = seconds * 1000
                    rows.append(Row("store", name, ms, "ms", f"< {INTERACTIVE_TARGET_MS:g} ms",
                                    ms / INTERACTIVE_TARGET_MS, ms < INTERACTIVE_TARGET_MS))
                else:
                    rows.append(Row("store", name, seconds, "s", f"< {BATCH_TARGET_S:g} s",
                                    seconds / BATCH_TARGET_S, seconds < BATCH_TARGET_S))
                for plan in plans:
                    flag = "  <-- full scan" if re.search(r"\bSCAN (t|tickets|m|message_links|ticket_events)\b(?! USING)", plan) else ""
                    notes.append(f"{name}: {plan}{flag}")
        finally:
            plan_conn.close()
            await db.close()
    return rows, notes


async def _history(tickets: Any, code: str) -> Any:
    ticket = await tickets.get(code)
    return await tickets.history(ticket)


def _sizes(path: Path) -> list[tuple[str, int]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        rows = []
    finally:
        conn.close()
    return [(str(name), int(size)) for name, size in rows]


def run(total: int = 1_000_000, quick: bool = False) -> tuple[list[Row], list[str]]:
    path, facts, cached = ensure_store(total)
    size = path.stat().st_size
    tickets = int(facts["tickets"])
    rows = [
        Row("store", f"tickets filled (2017–2026){' (cached)' if cached else ''}", tickets, "tickets",
            f"asked {total:,}; ≤99,999/year" if tickets < total else f"asked {total:,}"),
        Row("store", "open tickets / packages / alerts", f"{facts['open']}/{facts['packages']}/{facts['alerts']}", ""),
        Row("store", "fill time (when built)", facts["fill_seconds"], "s"),
        Row("store", "database size per ticket", round(size / max(tickets, 1)), "B/ticket",
            f"{size / 2**20:,.0f} MiB in all"),
    ]
    measured, notes = asyncio.run(measure(path, total, quick))
    biggest = ", ".join(f"{name} {bytes_ / max(tickets, 1):.0f}" for name, bytes_ in _sizes(path)[:8])
    notes.insert(0, f"bytes per ticket by table/index: {biggest}")
    return rows + measured, notes


if __name__ == "__main__":
    result, plan_notes = run(20_000, quick=True)
    for row in result:
        print(row)
    for note in plan_notes:
        print(note)
