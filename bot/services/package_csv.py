"""Import and export of packages as CSV, the format staff keep in Excel.

Import is all-or-nothing: every row is validated first and any problem aborts the whole file,
with every bad row reported by line number, so a half-imported list can never mislead people
asking about their package. It is an upsert by ``kode``; a row that matches the database
changes nothing (no history, no notices), so re-sending the same file is harmless.

Format decisions:

* Encoding: UTF-8, with or without BOM. Anything else (cp1252 from old Excel) is refused with
  instructions, not decoded by guess: a wrong guess would silently corrupt names.
* Separator: ``,``, ``;`` (Indonesian Excel's default) or tab, detected from the header line.
* Export: ``,``-separated UTF-8 with BOM. Excel opens it with the right characters; Excel set to
  an Indonesian region (list separator ``;``) shows one column on double-click, so there use
  Data → From Text/CSV, or pass ``delimiter=";"``. Amounts are written plainly
  (``1250000000``, ``1250000000,50``) and read back exactly.
* An outcome (``batal``…) is written without its stage number; re-imported into the same
  database the stage is kept, into an empty one the outcome's usual stage is assumed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from bot.services.packages import (
    YEAR_MAX,
    YEAR_MIN,
    ActorKind,
    EntryKind,
    Outcome,
    PackageError,
    SpseStage,
    StageChange,
    StageChoice,
    StageState,
    load_packages,
    notify_followers,
    parse_code,
    parse_rupiah,
    parse_stage,
    state_of_row,
    to_sen,
)
from bot.texts import paket as texts
from bot.texts.format import WITA, esc
from storage import packages as repo
from storage.db import Database, utc_now

if TYPE_CHECKING:
    pass

COLUMNS = (
    "kode", "kode_rup", "nama_paket", "satuan_kerja", "tahun_anggaran", "jenis_pengadaan",
    "metode_pemilihan", "pagu", "hps", "tahap", "tahap_spse", "pokmil", "pemenang",
    "nilai_kontrak", "catatan", "publik", "tender_ulang_dari",
)
REQUIRED_COLUMNS = ("kode", "nama_paket", "satuan_kerja", "tahun_anggaran", "tahap")
# Header spellings seen in SPSE/SIRUP exports and hand-made sheets.
COLUMN_ALIASES = {
    "kode_paket": "kode", "kode_tender": "kode", "nama": "nama_paket", "opd": "satuan_kerja",
    "satker": "satuan_kerja", "tahun": "tahun_anggaran", "ta": "tahun_anggaran",
    "jenis": "jenis_pengadaan", "metode": "metode_pemilihan", "tahapan": "tahap",
    "nilai_hps": "hps", "nilai_pagu": "pagu",
}
MAX_ROWS = 20_000
TEXT_LIMITS = {"nama_paket": 500, "satuan_kerja": 200, "jenis_pengadaan": 100,
               "metode_pemilihan": 100, "pokmil": 200, "pemenang": 300, "catatan": 1000}
DEMO_FILE = "demo_packages.csv"
_TRUE = {"ya", "y", "1", "true", "benar", "publik"}
_FALSE = {"tidak", "t", "n", "0", "false", "salah", "no"}


@dataclass(frozen=True)
class RowProblem:
    """One reason a file was refused. ``line`` is the file's line number (0 = the whole file);
    ``message`` is Telegram HTML (file content in it is escaped)."""

    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    file_name: str
    rows: int = 0
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0
    stage_changes: int = 0
    notices: int = 0
    problems: tuple[RowProblem, ...] = ()
    delimiter: str = ","

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self, *, limit: int | None = texts.REPORT_PROBLEM_LIMIT) -> str:
        """Telegram HTML; ``limit`` caps the listed problems (None: all of them)."""
        return texts.render_import_report(self, limit=limit)


# --- one row ---------------------------------------------------------------------------------------


def _text(value: Any, column: str, *, required: bool = False) -> str | None:
    text = " ".join(str(value or "").split())  # Excel cells often carry stray line breaks
    if not text:
        if required:
            raise ValueError(texts.CSV_REQUIRED)
        return None
    limit = TEXT_LIMITS.get(column)
    if limit is not None and len(text) > limit:
        raise ValueError(texts.csv_too_long(limit))
    return text


def _domain(call: Any, *args: Any) -> Any:
    """Domain parsers raise PackageError; pydantic collects ValueError — same message."""
    try:
        return call(*args)
    except PackageError as exc:
        raise ValueError(str(exc)) from None


class CsvRow(BaseModel):
    """One data row, validated; messages are Indonesian and name the column."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    kode: str
    kode_rup: tuple[str, ...] = ()
    nama_paket: str
    satuan_kerja: str
    tahun_anggaran: int
    jenis_pengadaan: str | None = None
    metode_pemilihan: str | None = None
    pagu: Decimal | None = None
    hps: Decimal | None = None
    tahap: StageChoice
    tahap_spse: SpseStage | None = None
    pokmil: str | None = None
    pemenang: str | None = None
    nilai_kontrak: Decimal | None = None
    catatan: str | None = None
    publik: bool | None = None
    tender_ulang_dari: str | None = None

    @field_validator("kode", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        _text(value, "kode", required=True)
        return str(_domain(parse_code, str(value)))

    @field_validator("kode_rup", mode="before")
    @classmethod
    def _rup(cls, value: Any) -> tuple[str, ...]:
        # Several codes in one cell: ";" as the brief asks, "," or spaces as people also type.
        parts = str(value or "").replace(",", ";").replace(" ", ";").split(";")
        codes = [_domain(parse_code, part) for part in parts if part.strip()]
        return tuple(dict.fromkeys(codes))

    @field_validator("tender_ulang_dari", mode="before")
    @classmethod
    def _previous(cls, value: Any) -> str | None:
        text = _text(value, "tender_ulang_dari")
        return None if text is None else str(_domain(parse_code, text))

    @field_validator("nama_paket", "satuan_kerja", mode="before")
    @classmethod
    def _required_text(cls, value: Any, info: Any) -> str | None:
        return _text(value, info.field_name, required=True)

    @field_validator("jenis_pengadaan", "metode_pemilihan", "pokmil", "pemenang", "catatan",
                     mode="before")
    @classmethod
    def _optional_text(cls, value: Any, info: Any) -> str | None:
        return _text(value, info.field_name)

    @field_validator("tahun_anggaran", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int:
        text = _text(value, "tahun_anggaran", required=True) or ""
        if not (text.isascii() and text.isdigit()):
            raise ValueError(texts.csv_year_unreadable(text))
        year = int(text)
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValueError(texts.csv_year_out_of_range(year, YEAR_MIN, YEAR_MAX))
        return year

    @field_validator("pagu", "hps", "nilai_kontrak", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal | None:
        return _domain(parse_rupiah, str(value or ""))  # type: ignore[no-any-return]

    @field_validator("tahap", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> StageChoice:
        text = _text(value, "tahap", required=True) or ""
        return _domain(parse_stage, text)  # type: ignore[no-any-return]

    @field_validator("tahap_spse", mode="before")
    @classmethod
    def _spse(cls, value: Any) -> SpseStage | None:
        text = _text(value, "tahap_spse")
        if text is None:
            return None
        choice: StageChoice = _domain(parse_stage, text)
        if choice.spse is None:
            raise ValueError(texts.stage_unknown(text))
        return choice.spse

    @field_validator("publik", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool | None:
        text = (_text(value, "publik") or "").lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(texts.csv_bad_flag(text))

    @model_validator(mode="after")
    def _consistent(self) -> CsvRow:
        spse = self.tahap_spse
        if spse is not None and self.tahap.spse is not None and spse != self.tahap.spse:
            raise ValueError(texts.csv_spse_conflict(self.tahap.label, spse.label))
        if spse is not None and self.tahap.stage is not None and int(self.tahap.stage) != 5:
            raise ValueError(texts.CSV_SPSE_OUTSIDE_STAGE5)
        if spse is not None and self.tahap.outcome is Outcome.COMPLETED:
            raise ValueError(texts.CSV_SPSE_SELESAI)
        if self.tender_ulang_dari is not None and self.tender_ulang_dari == self.kode:
            raise ValueError(texts.CSV_RETENDER_SELF)
        return self

    @property
    def choice(self) -> StageChoice:
        spse = self.tahap_spse or self.tahap.spse
        if self.tahap.outcome is not None:
            return StageChoice.of_outcome(self.tahap.outcome, spse)
        assert self.tahap.stage is not None
        return StageChoice(stage=self.tahap.stage, spse=spse)


@dataclass
class _ParsedFile:
    delimiter: str = ","
    columns: tuple[str, ...] = ()
    rows: list[tuple[int, CsvRow]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    read: int = 0
    codes: set[str] = field(default_factory=set)  # every kode cell, valid or not


def _header_name(raw: str) -> str:
    name = "_".join(raw.strip().strip('"').lower().replace("-", " ").split())
    return COLUMN_ALIASES.get(name, name)


def _detect_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _problems_of(error: ValidationError, line: int) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] != "value_error":
            message = esc(message)  # pydantic's own wording, not ours: make it HTML-safe
        location = [str(part) for part in item["loc"]]
        text = texts.csv_column(location[0], message) if location else message
        problems.append(RowProblem(line, text))
    return problems


def parse_file(data: bytes) -> _ParsedFile:
    """Decodes and validates a whole file without touching the database."""
    parsed = _ParsedFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        parsed.problems.append(RowProblem(0, texts.csv_not_utf8(line)))
        return parsed
    if not text.strip():
        parsed.problems.append(RowProblem(0, texts.CSV_EMPTY_FILE))
        return parsed
    parsed.delimiter = _detect_delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=parsed.delimiter)

    header: list[str] | None = None
    header_line = 0
    seen_codes: dict[str, int] = {}
    line_after = 0  # csv counts physical lines; a quoted cell may span several
    for cells in reader:
        line = line_after + 1
        line_after = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and Excel's trailing ";;;;"
        if header is None:
            header, header_line = [_header_name(cell) for cell in cells], line
            parsed.problems += _header_problems(header, header_line)
            if parsed.problems:
                return parsed
            parsed.columns = tuple(name for name in header if name)
            continue
        parsed.read += 1
        if parsed.read > MAX_ROWS:
            parsed.problems.append(RowProblem(line, texts.csv_too_many_rows(MAX_ROWS)))
            return parsed
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            parsed.problems.append(RowProblem(line, texts.CSV_EXTRA_CELLS))
            continue
        values = {name: cells[index] if index < len(cells) else ""
                  for index, name in enumerate(header) if name}
        parsed.codes.add(values.get("kode", "").strip())
        try:
            row = CsvRow.model_validate(values)
        except ValidationError as exc:
            parsed.problems += _problems_of(exc, line)
            continue
        first = seen_codes.setdefault(row.kode, line)
        if first != line:
            parsed.problems.append(RowProblem(line, texts.csv_column(
                "kode", texts.csv_duplicate_code(row.kode, first))))
            continue
        parsed.rows.append((line, row))
    if header is None:
        parsed.problems.append(RowProblem(0, texts.CSV_EMPTY_FILE))
    return parsed


def _header_problems(header: list[str], line: int) -> list[RowProblem]:
    problems: list[RowProblem] = []
    named = [name for name in header if name]
    unknown = [name for name in dict.fromkeys(named) if name not in COLUMNS]
    if unknown:
        problems.append(RowProblem(line, texts.csv_unknown_columns(unknown, COLUMNS)))
    duplicated = [name for name in dict.fromkeys(named) if named.count(name) > 1]
    if duplicated:
        problems.append(RowProblem(line, texts.csv_duplicate_columns(duplicated)))
    missing = [name for name in REQUIRED_COLUMNS if name not in named]
    if missing:
        problems.append(RowProblem(line, texts.csv_missing_columns(missing)))
    return problems


# --- applying a file ---------------------------------------------------------------------------------


def _desired_fields(row: CsvRow, columns: Sequence[str], current: StageState | None) -> dict[str, Any]:
    """Package columns this row sets. Columns absent from the file leave the stored value alone."""
    state = row.choice.resolve(current, keep_spse="tahap_spse" not in columns)
    fields: dict[str, Any] = {
        "name": row.nama_paket,
        "work_unit": row.satuan_kerja,
        "fiscal_year": row.tahun_anggaran,
        "stage": int(state.stage),
        "spse_stage": state.spse.value if state.spse else None,
        "outcome": state.outcome.value if state.outcome else None,
    }
    optional = {
        "jenis_pengadaan": ("procurement_type", row.jenis_pengadaan),
        "metode_pemilihan": ("selection_method", row.metode_pemilihan),
        "pagu": ("pagu_sen", to_sen(row.pagu)),
        "hps": ("hps_sen", to_sen(row.hps)),
        "pokmil": ("pokmil", row.pokmil),
        "pemenang": ("winner", row.pemenang),
        "nilai_kontrak": ("contract_sen", to_sen(row.nilai_kontrak)),
    }
    for column, (name, value) in optional.items():
        if column in columns:
            fields[name] = value
    # An empty "publik" cell keeps what staff decided; a new package is public unless told.
    if row.publik is not None:
        fields["is_public"] = int(row.publik)
    elif current is None:
        fields["is_public"] = 1
    return fields


async def import_csv(db: Database, path: Path | str, *, zone: ZoneInfo = WITA) -> ImportReport:
    """Imports a CSV file (see the module docs); the report says what happened or what is wrong."""
    path = Path(path)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ImportReport(path.name, problems=(RowProblem(0, texts.csv_unreadable(str(path), reason)),))
    return await import_csv_data(db, data, file_name=path.name, zone=zone)


async def import_demo(db: Database, *, zone: ZoneInfo = WITA) -> ImportReport:
    """Loads the invented demo packages shipped with the bot (names start with "[DEMO]")."""
    data = (resources.files("bot") / "data" / DEMO_FILE).read_bytes()
    return await import_csv_data(db, data, file_name=DEMO_FILE, zone=zone)


async def import_csv_data(
    db: Database, data: bytes, *, file_name: str, zone: ZoneInfo = WITA,
) -> ImportReport:
    """Imports CSV bytes, e.g. a document sent to the bot; ``file_name`` goes into the history.

    ``zone`` is the time zone of the times in follower notices ([calendar] timezone).
    """
    parsed = parse_file(data)
    if parsed.problems and not parsed.columns:
        # Unreadable file or header: there are no rows to check any further.
        return ImportReport(file_name, rows=parsed.read, problems=tuple(parsed.problems),
                            delimiter=parsed.delimiter)
    async with db.transaction() as conn:
        return await _apply(conn, parsed, file_name, zone)


async def _apply(conn: Any, parsed: _ParsedFile, file_name: str, zone: ZoneInfo) -> ImportReport:
    rows = parsed.rows
    columns = parsed.columns
    mentioned = {row.kode for _, row in rows} | {row.tender_ulang_dari for _, row in rows
                                                  if row.tender_ulang_dari}
    existing = await repo.packages_by_codes(conn, mentioned)
    rups = await repo.rup_codes_of(conn, [row["id"] for row in existing.values()])

    # Links are checked even when some rows were bad, so that the report lists every bad row.
    link_problems = (_link_problems(rows, existing, await repo.retender_links(conn), parsed.codes)
                     if "tender_ulang_dari" in columns else [])
    problems = sorted([*parsed.problems, *link_problems], key=lambda problem: problem.line)
    if problems:
        # Nothing was written yet; leaving the transaction commits an empty one.
        return ImportReport(file_name, rows=parsed.read, problems=tuple(problems),
                            delimiter=parsed.delimiter)

    now = utc_now()
    created: list[str] = []
    updated: list[str] = []
    ids: dict[str, int] = {code: row["id"] for code, row in existing.items()}
    stage_changed: dict[str, tuple[StageState, StageState]] = {}
    for _line, row in rows:
        stored = existing.get(row.kode)
        before = state_of_row(stored) if stored is not None else None
        fields = _desired_fields(row, columns, before)
        after = StageState.from_json({"stage": fields["stage"], "spse": fields["spse_stage"],
                                      "outcome": fields["outcome"]})
        if stored is None:
            package_id = await repo.insert_package(conn, row.kode, fields, now)
            ids[row.kode] = package_id
            await repo.replace_rup_codes(conn, package_id, row.kode_rup)
            await _history(conn, package_id, EntryKind.STAGE, after, row.catatan, file_name, now)
            created.append(row.kode)
            continue
        changed = [name for name, value in fields.items() if stored[name] != value]
        new_rups = "kode_rup" in columns and set(row.kode_rup) != set(rups.get(stored["id"], ()))
        if not changed and not new_rups:
            continue
        if changed:
            await repo.update_package(conn, stored["id"], {name: fields[name] for name in changed}, now)
        if new_rups:
            await repo.replace_rup_codes(conn, stored["id"], row.kode_rup)
        data_fields = [name for name in changed if name not in ("stage", "spse_stage", "outcome")]
        if new_rups:
            data_fields.append("rup")
        assert before is not None
        kind = EntryKind.STAGE if after != before else EntryKind.DATA
        if after != before:
            stage_changed[row.kode] = (before, after)
        note = texts.data_change_note(data_fields, row.catatan) or None
        await _history(conn, stored["id"], kind, after, note, file_name, now)
        updated.append(row.kode)

    # Links last: a re-tender may point at a package created a few rows further down. Old links
    # are cleared before new ones are set, so that moving a link never trips the unique index.
    newly_linked: list[str] = []
    if "tender_ulang_dari" in columns:
        relinks: list[tuple[CsvRow, int | None]] = []
        for _line, row in rows:
            stored = existing.get(row.kode)
            previous_id = ids[row.tender_ulang_dari] if row.tender_ulang_dari else None
            current_id = stored["retender_of"] if stored is not None else None
            if current_id != previous_id:
                relinks.append((row, previous_id))
                if current_id is not None:
                    await repo.set_retender_of(conn, ids[row.kode], None, now)
        for row, previous_id in relinks:
            if previous_id is None:
                continue
            await repo.set_retender_of(conn, ids[row.kode], previous_id, now)
            # As with a staff re-tender, followers move along to the new code.
            await repo.copy_followers(conn, previous_id, ids[row.kode], now)
            assert row.tender_ulang_dari is not None
            newly_linked.append(row.tender_ulang_dari)
        for row, _previous_id in relinks:
            stored = existing.get(row.kode)
            if stored is not None and row.kode not in updated:
                # Only the link changed: still an import change worth a history line.
                await _history(conn, stored["id"], EntryKind.DATA, state_of_row(stored),
                               texts.data_change_note(["retender_of"], row.catatan), file_name, now)
                updated.append(row.kode)

    notices = 0
    to_notify = list(dict.fromkeys([*stage_changed, *newly_linked]))
    refreshed = await repo.packages_by_codes(conn, to_notify)
    for package in await load_packages(conn, list(refreshed.values())):
        before, after = stage_changed.get(package.code, (package.state, package.state))
        change = StageChange(package.code, True, before, after, 0, new_code=package.retendered_as)
        notices += await notify_followers(conn, package, texts.stage_notice(package, change, zone=zone))

    return ImportReport(
        file_name, rows=parsed.read, created=tuple(created), updated=tuple(updated),
        unchanged=len(rows) - len(created) - len(updated), stage_changes=len(stage_changed),
        notices=notices, delimiter=parsed.delimiter,
    )


async def _history(conn: Any, package_id: int, kind: EntryKind, state: StageState, note: str | None,
                   file_name: str, now: Any) -> None:
    await repo.add_entry(
        conn, package_id, at=now, kind=kind, stage=state.stage,
        spse=state.spse.value if state.spse else None,
        outcome=state.outcome.value if state.outcome else None,
        actor_kind=ActorKind.IMPORT, actor_id=None, actor_name=texts.IMPORT_ACTOR_NAME,
        note=note, document=("; ".join(state.documents) or None) if kind is EntryKind.STAGE else None,
        source=file_name,
    )


def _link_problems(rows: list[tuple[int, CsvRow]], existing: dict[str, Any],
                   links: dict[str, str], codes_in_file: set[str]) -> list[RowProblem]:
    """Re-tender links must name a known package, one re-tender per tender, and no cycles.

    ``links`` are the database's links (code → previous code); the file's rows override them.
    ``codes_in_file`` includes codes of rows that failed validation: a link to such a row is
    not reported as unknown, the row itself already is.
    """
    problems: list[RowProblem] = []
    in_file = {row.kode for _, row in rows} | codes_in_file
    previous_of = dict(links)
    for _, row in rows:
        if row.tender_ulang_dari:
            previous_of[row.kode] = row.tender_ulang_dari
        else:
            previous_of.pop(row.kode, None)
    successors: dict[str, list[str]] = {}
    for code, earlier in previous_of.items():
        successors.setdefault(earlier, []).append(code)
    for line, row in rows:
        previous = row.tender_ulang_dari
        if previous is None:
            continue
        if previous not in in_file and previous not in existing:
            problems.append(RowProblem(line, texts.csv_retender_unknown(previous)))
            continue
        others = [code for code in successors.get(previous, []) if code != row.kode]
        if others:
            problems.append(RowProblem(line, texts.csv_retender_taken(previous, others[0])))
            continue
        seen = {row.kode}
        cursor: str | None = previous
        while cursor is not None:
            if cursor in seen:
                problems.append(RowProblem(line, texts.CSV_RETENDER_CYCLE))
                break
            seen.add(cursor)
            cursor = previous_of.get(cursor)
    return problems


# --- export --------------------------------------------------------------------------------------------


def _amount_text(sen: int | None) -> str:
    if sen is None:
        return ""
    whole, cents = divmod(sen, 100)
    return str(whole) if cents == 0 else f"{whole},{cents:02d}"


def _stage_cells(state: StageState) -> tuple[str, str]:
    spse = texts.SPSE_LABELS[state.spse] if state.spse else ""
    if state.outcome is not None:
        return texts.OUTCOME_CSV_NAMES[state.outcome], spse
    return str(int(state.stage)), spse


async def export_csv(db: Database, path: Path | str, *, delimiter: str = ",") -> int:
    """Writes every package (private ones too: this is a staff file); returns the row count.

    The file is written next to ``path`` and renamed over it, so a reader never sees half a file.
    """
    rows = await repo.all_packages(db)
    rups = await repo.rup_codes_of(db, [row["id"] for row in rows])
    notes = await repo.last_stage_notes(db)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        tahap, tahap_spse = _stage_cells(state_of_row(row))
        writer.writerow([
            row["code"], ";".join(rups.get(row["id"], ())), row["name"], row["work_unit"],
            row["fiscal_year"], row["procurement_type"] or "", row["selection_method"] or "",
            _amount_text(row["pagu_sen"]), _amount_text(row["hps_sen"]), tahap, tahap_spse,
            row["pokmil"] or "", row["winner"] or "", _amount_text(row["contract_sen"]),
            notes.get(row["id"], ""), "ya" if row["is_public"] else "tidak",
            row["retender_of_code"] or "",
        ])
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    target = Path(path)
    await asyncio.to_thread(_write_atomically, target, data)
    return len(rows)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
