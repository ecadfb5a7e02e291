"""The CSV format of packages, as rules: columns, one row's validation, the file's problems.

Pure: bytes in, rows and problems out; no file, no database, no texts. Every problem is a
:class:`~bot.domain.packages.PackageError` carrying its data; :mod:`bot.texts.paket` words it
(:func:`bot.texts.paket.describe_error`). Reading files, writing the database and exporting are
the operations of :mod:`bot.services.package_csv`, whose docstring explains the format decisions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from bot.domain.packages import (
    YEAR_MAX,
    YEAR_MIN,
    Outcome,
    PackageError,
    SpseStage,
    StageChoice,
    StageState,
    StageUnknown,
    parse_code,
    parse_rupiah,
    parse_stage,
)

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
_TRUE = {"ya", "y", "1", "true", "benar", "publik"}
_FALSE = {"tidak", "t", "n", "0", "false", "salah", "no"}
# How an outcome is written in a CSV file (and typed); parse_stage reads all of these back.
OUTCOME_CSV_NAMES: dict[str, str] = {
    "selesai": "selesai",
    "dikembalikan": "dikembalikan",
    "gagal": "gagal",
    "batal": "batal",
    "tender_ulang": "tender ulang",
}


# --- problems ------------------------------------------------------------------------------------


class CsvProblem(PackageError):
    """A reason a CSV file (or one of its rows) was refused."""


class FileUnreadable(CsvProblem):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason


class FileNotUtf8(CsvProblem):
    """``line``: where the first byte that is not UTF-8 sits."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class FileEmpty(CsvProblem):
    pass


class UnknownColumns(CsvProblem):
    def __init__(self, names: Sequence[str], known: Sequence[str]) -> None:
        super().__init__(names)
        self.names = tuple(names)
        self.known = tuple(known)


class MissingColumns(CsvProblem):
    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(names)
        self.names = tuple(names)


class DuplicateColumns(CsvProblem):
    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(names)
        self.names = tuple(names)


class TooManyRows(CsvProblem):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class ExtraCells(CsvProblem):
    """More cells than the header has columns (a separator or quote gone wrong)."""


class InColumn(CsvProblem):
    """``problem`` found in the cell of ``column``."""

    def __init__(self, column: str, problem: PackageError) -> None:
        super().__init__(column, problem)
        self.column = column
        self.problem = problem


class ValidatorMessage(CsvProblem):
    """A problem pydantic itself found (its English wording, not ours; rare: cells are strings)."""

    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column


class Required(CsvProblem):
    pass


class TooLong(CsvProblem):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class YearUnreadable(CsvProblem):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class YearOutOfRange(CsvProblem):
    def __init__(self, year: int, minimum: int, maximum: int) -> None:
        super().__init__(year, minimum, maximum)
        self.year = year
        self.minimum = minimum
        self.maximum = maximum


class BadFlag(CsvProblem):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class DuplicateCode(CsvProblem):
    def __init__(self, code: str, first_line: int) -> None:
        super().__init__(code, first_line)
        self.code = code
        self.first_line = first_line


class SpseConflict(CsvProblem):
    """Column tahap names one SPSE step, column tahap_spse another."""

    def __init__(self, stage: StageChoice, spse: SpseStage) -> None:
        super().__init__(stage, spse)
        self.stage = stage
        self.spse = spse


class SpseOutsideStage5(CsvProblem):
    pass


class SpseWithCompleted(CsvProblem):
    pass


class RetenderSelf(CsvProblem):
    pass


class RetenderCycle(CsvProblem):
    pass


class RetenderUnknown(CsvProblem):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RetenderTaken(CsvProblem):
    """``code`` already has the re-tender ``other``; one tender has one re-tender."""

    def __init__(self, code: str, other: str) -> None:
        super().__init__(code, other)
        self.code = code
        self.other = other


@dataclass(frozen=True)
class RowProblem:
    """One reason a file was refused. ``line`` is the file's line number (0 = the whole file)."""

    line: int
    problem: PackageError  # worded by bot.texts.paket.describe_error


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


# --- one row ---------------------------------------------------------------------------------------


def _text(value: Any, column: str, *, required: bool = False) -> str | None:
    text = " ".join(str(value or "").split())  # Excel cells often carry stray line breaks
    if not text:
        if required:
            raise Required()
        return None
    limit = TEXT_LIMITS.get(column)
    if limit is not None and len(text) > limit:
        raise TooLong(limit)
    return text


class CsvRow(BaseModel):
    """One data row, validated. Validators raise PackageError (a ValueError, which pydantic
    collects with its column); :func:`problems_of` takes them back out of the ValidationError."""

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
        return parse_code(str(value))

    @field_validator("kode_rup", mode="before")
    @classmethod
    def _rup(cls, value: Any) -> tuple[str, ...]:
        # Several codes in one cell: ";" as the brief asks, "," or spaces as people also type.
        parts = str(value or "").replace(",", ";").replace(" ", ";").split(";")
        codes = [parse_code(part) for part in parts if part.strip()]
        return tuple(dict.fromkeys(codes))

    @field_validator("tender_ulang_dari", mode="before")
    @classmethod
    def _previous(cls, value: Any) -> str | None:
        text = _text(value, "tender_ulang_dari")
        return None if text is None else parse_code(text)

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
            raise YearUnreadable(text)
        year = int(text)
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise YearOutOfRange(year, YEAR_MIN, YEAR_MAX)
        return year

    @field_validator("pagu", "hps", "nilai_kontrak", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal | None:
        return parse_rupiah(str(value or ""))

    @field_validator("tahap", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> StageChoice:
        text = _text(value, "tahap", required=True) or ""
        return parse_stage(text)

    @field_validator("tahap_spse", mode="before")
    @classmethod
    def _spse(cls, value: Any) -> SpseStage | None:
        text = _text(value, "tahap_spse")
        if text is None:
            return None
        choice = parse_stage(text)
        if choice.spse is None:
            raise StageUnknown(text)
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
        raise BadFlag(text)

    @model_validator(mode="after")
    def _consistent(self) -> CsvRow:
        spse = self.tahap_spse
        if spse is not None and self.tahap.spse is not None and spse != self.tahap.spse:
            raise SpseConflict(self.tahap, spse)
        if spse is not None and self.tahap.stage is not None and int(self.tahap.stage) != 5:
            raise SpseOutsideStage5()
        if spse is not None and self.tahap.outcome is Outcome.COMPLETED:
            raise SpseWithCompleted()
        if self.tender_ulang_dari is not None and self.tender_ulang_dari == self.kode:
            raise RetenderSelf()
        return self

    @property
    def choice(self) -> StageChoice:
        spse = self.tahap_spse or self.tahap.spse
        if self.tahap.outcome is not None:
            return StageChoice.of_outcome(self.tahap.outcome, spse)
        assert self.tahap.stage is not None
        return StageChoice(stage=self.tahap.stage, spse=spse)


@dataclass
class ParsedFile:
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


def problems_of(error: ValidationError, line: int) -> list[RowProblem]:
    """The problems of one row, each with its column (none for the row's consistency checks)."""
    problems: list[RowProblem] = []
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"]]
        column = location[0] if location else None
        found = item.get("ctx", {}).get("error")
        if item["type"] != "value_error" or not isinstance(found, PackageError):
            problems.append(RowProblem(line, ValidatorMessage(str(item["msg"]), column)))
        elif column is not None:
            problems.append(RowProblem(line, InColumn(column, found)))
        else:
            problems.append(RowProblem(line, found))
    return problems


def parse_file(data: bytes) -> ParsedFile:
    """Decodes and validates a whole file without touching the database."""
    parsed = ParsedFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        parsed.problems.append(RowProblem(0, FileNotUtf8(line)))
        return parsed
    if not text.strip():
        parsed.problems.append(RowProblem(0, FileEmpty()))
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
            parsed.problems.append(RowProblem(line, TooManyRows(MAX_ROWS)))
            return parsed
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            parsed.problems.append(RowProblem(line, ExtraCells()))
            continue
        values = {name: cells[index] if index < len(cells) else ""
                  for index, name in enumerate(header) if name}
        parsed.codes.add(values.get("kode", "").strip())
        try:
            row = CsvRow.model_validate(values)
        except ValidationError as exc:
            parsed.problems += problems_of(exc, line)
            continue
        first = seen_codes.setdefault(row.kode, line)
        if first != line:
            parsed.problems.append(RowProblem(line, InColumn("kode", DuplicateCode(row.kode, first))))
            continue
        parsed.rows.append((line, row))
    if header is None:
        parsed.problems.append(RowProblem(0, FileEmpty()))
    return parsed


def _header_problems(header: list[str], line: int) -> list[RowProblem]:
    problems: list[RowProblem] = []
    named = [name for name in header if name]
    unknown = [name for name in dict.fromkeys(named) if name not in COLUMNS]
    if unknown:
        problems.append(RowProblem(line, UnknownColumns(unknown, COLUMNS)))
    duplicated = [name for name in dict.fromkeys(named) if named.count(name) > 1]
    if duplicated:
        problems.append(RowProblem(line, DuplicateColumns(duplicated)))
    missing = [name for name in REQUIRED_COLUMNS if name not in named]
    if missing:
        problems.append(RowProblem(line, MissingColumns(missing)))
    return problems


def link_problems(rows: list[tuple[int, CsvRow]], existing: dict[str, Any],
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
            problems.append(RowProblem(line, RetenderUnknown(previous)))
            continue
        others = [code for code in successors.get(previous, []) if code != row.kode]
        if others:
            problems.append(RowProblem(line, RetenderTaken(previous, others[0])))
            continue
        seen = {row.kode}
        cursor: str | None = previous
        while cursor is not None:
            if cursor in seen:
                problems.append(RowProblem(line, RetenderCycle()))
                break
            seen.add(cursor)
            cursor = previous_of.get(cursor)
    return problems


def amount_text(sen: int | None) -> str:
    if sen is None:
        return ""
    whole, cents = divmod(sen, 100)
    return str(whole) if cents == 0 else f"{whole},{cents:02d}"


def stage_cells(state: StageState) -> tuple[str, str]:
    spse = state.spse.label if state.spse else ""
    if state.outcome is not None:
        return OUTCOME_CSV_NAMES[state.outcome], spse
    return str(int(state.stage)), spse


