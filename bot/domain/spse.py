"""SPSE package data as rules: reading SPSE's stage words, cleaning list rows, parsing pages.

Pure functions over text and bytes: no I/O, no Telegram, no storage, no user-facing texts. The
step and outcome values returned are the string values of :class:`bot.domain.packages.SpseStage` and
:class:`bot.domain.packages.Outcome` (the sync service turns them into those enums). The records the
sync service reports (:class:`SyncReport`, :class:`SpseView`) are here too, for the texts to render.

What SPSE publishes (SPSE 4.5, ``spse.inaproc.id/{lpse}``):

- ``POST /{lpse}/dt/lelang`` and ``/dt/pl`` (DataTables JSON): ``data`` is a list of rows; column
  0 kode, 1 nama paket (+ HTML badge such as "Tender Ulang"), 2 instansi, 3 tahap saat ini,
  4 HPS (abbreviated, "15,9 M"), 5 kualifikasi, 6 metode pemilihan, 7 metode evaluasi,
  8 "<jenis pengadaan> - TA <tahun>", 10 nilai kontrak or "Nilai Kontrak belum dibuat".
- ``/{lpse}/lelang/{kode}/pengumumanlelang``: a table of ``th`` label / ``td`` value rows, the
  kode RUP in a nested table.
- ``/{lpse}/lelang/{kode}/jadwal``: a table No / Tahap / Mulai / Sampai / Perubahan.
- ``/{lpse}/evaluasi/{kode}/pemenang``: a nested table of winners.

Anything else (garbage, wrong JSON, missing columns) raises :class:`SpseFormatError` or skips
the row; nothing here trusts a page to be well formed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from html.parser import HTMLParser

from bot.domain.packages import StageState

CODE_PATTERN = re.compile(r"^\d{5,20}$")
# Bounds on what a page may make us hold: a province lists a few thousand packages a year.
MAX_ROWS_PER_PAGE = 20_000
MAX_TEXT = 2_000  # characters kept of any one value
MAX_ELEMENTS = 200_000  # HTML elements parsed from one page before it is refused


class SpseFormatError(ValueError):
    """A response that is not what SPSE sends (garbage, wrong JSON, missing table)."""


class SpseKind(StrEnum):
    TENDER = "tender"
    NON_TENDER = "non_tender"

    @property
    def list_path(self) -> str:
        return "lelang" if self is SpseKind.TENDER else "pl"


# --- stage words --------------------------------------------------------------------------------

# SPSE steps in the order SPSE runs them; values are bot.domain.packages.SpseStage values.
STEP_ORDER = (
    "pengumuman", "download_dokumen", "pemberian_penjelasan", "upload_penawaran",
    "pembukaan_penawaran", "evaluasi", "pembuktian_kualifikasi", "penetapan_pemenang",
    "pengumuman_pemenang", "masa_sanggah", "sppbj", "kontrak",
)
# Words that mark each step in a "tahap saat ini" text. SPSE shows one step or several at once
# ("Pembukaan dan Evaluasi Penawaran File I"); the latest step named wins.
_STEP_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("pengumuman", re.compile(r"\bpengumuman\b(?!\s+(pemenang|hasil))|\bundangan\b")),
    ("download_dokumen", re.compile(r"\b(download|unduh|pengambilan)\b")),
    ("pemberian_penjelasan", re.compile(r"\bpenjelasan\b|\baanwijzing\b")),
    ("upload_penawaran", re.compile(r"\b(upload|unggah|pemasukan|kirim)\b")),
    ("pembukaan_penawaran", re.compile(r"\bpembukaan\b")),
    ("evaluasi", re.compile(r"\b(evaluasi|klarifikasi|negosiasi|penilaian)\b")),
    ("pembuktian_kualifikasi", re.compile(r"\bpembuktian\b")),
    ("penetapan_pemenang", re.compile(r"\bpenetapan\b")),
    ("pengumuman_pemenang", re.compile(r"\bpengumuman\s+(pemenang|hasil)\b")),
    ("masa_sanggah", re.compile(r"\bsanggah")),
    ("sppbj", re.compile(r"\bpenunjukan\s+penyedia\b|\bsppbj\b")),
    ("kontrak", re.compile(r"\bkontrak\b")),
)
# The prequalification's own announcement of results and objection period happen before the
# offers: in the project's steps they belong to the evaluation of qualifications.
_PREQUALIFICATION_RESULT = re.compile(r"(pengumuman\s+hasil|sanggah)\s+\w*\s*prakualifikasi|prakualifikasi.*sanggah")
_OUTCOME_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("batal", re.compile(r"\bbatal\b|\bdibatalkan\b")),
    ("gagal", re.compile(r"\bgagal\b")),
    ("selesai", re.compile(r"\bselesai\b")),
)
# "Running, step not named": the package is in stage 5 and SPSE says no more.
_IN_PROGRESS = re.compile(r"\bsedang\s+berjalan\b|\btidak\s+ada\s+jadwal\b|\bbelum\s+dimulai\b")


@dataclass(frozen=True)
class StageReading:
    """What a "tahap saat ini" text says: an SPSE step and/or an outcome, or nothing known."""

    text: str
    step: str | None = None  # a bot.domain.packages.SpseStage value
    outcome: str | None = None  # a bot.domain.packages.Outcome value
    known: bool = True

    @property
    def in_progress(self) -> bool:
        return self.known and self.outcome is None


def normalize_words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).split())


def read_stage(text: str) -> StageReading:
    """Maps SPSE's stage wording onto the project's steps and outcomes; unknown stays unknown."""
    verbatim = clean_text(text)
    words = normalize_words(verbatim)
    if not words:
        return StageReading(verbatim, known=False)
    for outcome, pattern in _OUTCOME_WORDS:
        if pattern.search(words):
            return StageReading(verbatim, step=None, outcome=outcome)
    if _PREQUALIFICATION_RESULT.search(words):
        return StageReading(verbatim, step="evaluasi")
    found = [step for step, pattern in _STEP_WORDS if pattern.search(words)]
    if found:
        return StageReading(verbatim, step=max(found, key=STEP_ORDER.index))
    if _IN_PROGRESS.search(words):
        return StageReading(verbatim)
    return StageReading(verbatim, known=False)


@dataclass(frozen=True)
class StateValues:
    """A package position as plain values (stage 1–6, SPSE step, outcome)."""

    stage: int
    step: str | None = None
    outcome: str | None = None


def state_from_spse(reading: StageReading, current: StateValues | None) -> StateValues | None:
    """Where SPSE's reading puts a package now at ``current`` (None: new). None: keep as is.

    SPSE owns stage 5 and the outcome: a package SPSE lists is at least in stage 5. "Selesai"
    is stage 6 with outcome selesai; a failed or cancelled tender stops in stage 5 at the last
    known step. An unknown text changes nothing (a new package starts in stage 5).
    """
    if not reading.known:
        return None if current is not None else StateValues(5)
    if reading.outcome == "selesai":
        return StateValues(6, None, "selesai")
    last_step = current.step if current is not None and current.stage == 5 else None
    if reading.outcome is not None:
        return StateValues(5, reading.step or last_step, reading.outcome)
    if reading.step is not None:
        return StateValues(5, reading.step, None)
    keep = last_step if current is not None and current.outcome is None else None
    return StateValues(5, keep, None)


def is_backwards(before: StateValues, after: StateValues) -> bool:
    """True when ``after`` is earlier in the procedure than ``before`` (staff sanity check)."""
    if after.stage != before.stage:
        return after.stage < before.stage
    if after.step is not None and before.step is not None:
        return STEP_ORDER.index(after.step) < STEP_ORDER.index(before.step)
    return False


# --- values ---------------------------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_BADGE = re.compile(r"<span[^>]*>(.*?)</span>", re.IGNORECASE | re.DOTALL)


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """A cell as plain text: tags dropped, entities decoded, whitespace collapsed, bounded."""
    if value is None:
        return ""
    import html

    text = html.unescape(_TAGS.sub(" ", str(value)[: limit * 4]))
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()[:limit]


def split_name(cell: object) -> tuple[str, tuple[str, ...]]:
    """Package name without its badges, and the badges ("Tender Ulang", "Konsolidasi"...)."""
    raw = "" if cell is None else str(cell)[: MAX_TEXT * 4]
    labels = tuple(label for label in (clean_text(m) for m in _BADGE.findall(raw)) if label)
    return clean_text(_BADGE.sub(" ", raw)), labels


def is_retender(labels: Sequence[str]) -> bool:
    return any("ulang" in normalize_words(label).split() for label in labels)


def parse_rupiah(text: str | None) -> Decimal | None:
    """An exact amount as SPSE prints it ("Rp. 15.602.948.688,00"); None when absent or unreadable."""
    raw = clean_text(text or "")
    if not raw:
        return None
    cleaned = re.sub(r"^(rp\.?|idr)\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", cleaned) or re.fullmatch(r"\d+(,\d{1,2})?", cleaned):
        number = cleaned.replace(".", "").replace(",", ".")
    else:
        return None
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return value if value >= 0 else None


_ABBREVIATED = re.compile(r"^(\d+(?:,\d+)?)\s*(rb|ribu|jt|juta|m|miliar|t|triliun)?$", re.IGNORECASE)
_MULTIPLIERS = {"rb": 10**3, "ribu": 10**3, "jt": 10**6, "juta": 10**6, "m": 10**9, "miliar": 10**9,
                "t": 10**12, "triliun": 10**12}


def parse_abbreviated(text: str | None) -> Decimal | None:
    """SPSE's rounded list value ("15,9 M", "3,8 Jt") as an approximate amount, for context only."""
    match = _ABBREVIATED.match(clean_text(text or ""))
    if not match:
        return None
    number = Decimal(match.group(1).replace(",", "."))
    return number * _MULTIPLIERS.get((match.group(2) or "").lower(), 1)


_TYPE_YEAR = re.compile(r"^(.*?)\s*-\s*TA\s*(\d{4})$", re.IGNORECASE)


def split_type_year(text: str | None) -> tuple[str | None, int | None]:
    """'Pekerjaan Konstruksi - TA 2026' → ('Pekerjaan Konstruksi', 2026)."""
    value = clean_text(text or "")
    match = _TYPE_YEAR.match(value)
    if match:
        return (match.group(1) or None), int(match.group(2))
    return (value or None), None


def parse_year(text: str | None) -> int | None:
    match = re.search(r"\b(20\d{2}|2100)\b", clean_text(text or ""))
    return int(match.group(1)) if match else None


# --- list rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedPackage:
    """One row of SPSE's package list, cleaned."""

    code: str
    kind: SpseKind
    name: str
    labels: tuple[str, ...]
    agency: str
    stage_text: str
    hps_text: str | None
    qualification: str | None
    selection_method: str | None
    evaluation_method: str | None
    procurement_type: str | None
    fiscal_year: int | None
    contract_value: Decimal | None

    @property
    def retender(self) -> bool:
        return is_retender(self.labels)


def parse_list_row(row: object, kind: SpseKind) -> ListedPackage | None:
    """A DataTables row; None when it is not a package row (too short, no code, no name)."""
    if not isinstance(row, list) or len(row) < 4:
        return None
    code = clean_text(row[0], 30)
    name, labels = split_name(row[1])
    if not CODE_PATTERN.match(code) or not name:
        return None

    def cell(index: int) -> str | None:
        return (clean_text(row[index]) or None) if len(row) > index and row[index] is not None else None

    procurement_type, year = split_type_year(cell(8))
    return ListedPackage(
        code=code, kind=kind, name=name, labels=labels, agency=cell(2) or "", stage_text=cell(3) or "",
        hps_text=cell(4), qualification=cell(5), selection_method=cell(6), evaluation_method=cell(7),
        procurement_type=procurement_type, fiscal_year=year, contract_value=parse_rupiah(cell(10)),
    )


@dataclass(frozen=True)
class ListPage:
    rows: list[ListedPackage]
    received: int  # rows in the response, parsed or not
    skipped: int  # rows that were not package rows


def parse_list_page(body: bytes, kind: SpseKind) -> ListPage:
    """A DataTables response; SpseFormatError when it is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SpseFormatError("list response is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise SpseFormatError("list response has no data array")
    data = payload["data"]
    if len(data) > MAX_ROWS_PER_PAGE:
        raise SpseFormatError(f"list response has {len(data)} rows")
    rows = [parsed for parsed in (parse_list_row(row, kind) for row in data) if parsed is not None]
    return ListPage(rows, len(data), len(data) - len(rows))


# --- HTML pages -----------------------------------------------------------------------------------

_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts: list[str] = []
        self._collect(parts)
        return _SPACE.sub(" ", " ".join(parts).replace("\u00a0", " ")).strip()[:MAX_TEXT]

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in ("script", "style"):
                child._collect(parts)

    def elements(self) -> Iterator[Node]:
        return (child for child in self.children if isinstance(child, Node))

    def find_all(self, tag: str) -> Iterator[Node]:
        for child in self.elements():
            if child.tag == tag:
                yield child
            yield from child.find_all(tag)

    def rows(self) -> list[Node]:
        """The table's own rows (directly or through thead/tbody), not those of nested tables."""
        found: list[Node] = []
        for child in self.elements():
            if child.tag == "tr":
                found.append(child)
            elif child.tag in ("thead", "tbody", "tfoot"):
                found.extend(grand for grand in child.elements() if grand.tag == "tr")
        return found

    def cells(self) -> list[Node]:
        return [child for child in self.elements() if child.tag in ("th", "td")]

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unknown end tags are ignored, unclosed elements close with their parent."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.count += 1
        if self.count > MAX_ELEMENTS:
            raise SpseFormatError("page has too many elements")
        # A new row or cell closes the open cell/row of the same table (HTML's optional end tags).
        if tag in ("tr", "td", "th"):
            closing = {"tr": ("tr", "td", "th"), "td": ("td", "th"), "th": ("td", "th")}[tag]
            for index in range(len(self.stack) - 1, 0, -1):
                open_tag = self.stack[index].tag
                if open_tag == "table":
                    break
                if open_tag in closing:
                    del self.stack[index:]
                    break
        node = Node(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(body: bytes | str) -> Node:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    if "<" not in text:
        raise SpseFormatError("not an HTML page")
    builder = _TreeBuilder()
    try:
        builder.feed(text)
        builder.close()
    except SpseFormatError:
        raise
    except Exception as exc:  # html.parser is forgiving; anything it still chokes on is garbage
        raise SpseFormatError(f"unreadable HTML: {type(exc).__name__}") from None
    return builder.root


def normalize_key(label: str) -> str:
    """pyproc's keys: lowercase, whitespace to '_' ('Kode RUP' → 'kode_rup')."""
    return "_".join(label.split()).lower()


_NOT_FOUND_WORDS = ("halaman yang dituju tidak ditemukan", "paket tidak ditemukan", "data tidak ditemukan")
_ERROR_WORDS = ("maaf, terjadi error pada aplikasi spse", "terjadi kesalahan")


def page_says_not_found(body: bytes) -> bool:
    head = body[:200_000].decode("utf-8", errors="replace").lower()
    return any(words in head for words in _NOT_FOUND_WORDS)


def page_says_error(body: bytes) -> bool:
    head = body[:200_000].decode("utf-8", errors="replace").lower()
    return any(words in head for words in _ERROR_WORDS)


@dataclass(frozen=True)
class Announcement:
    """The announcement page of one package."""

    code: str | None
    name: str | None
    labels: tuple[str, ...]
    rup_codes: tuple[str, ...]
    agency: str | None
    work_unit: str | None
    procurement_type: str | None
    selection_method: str | None
    fiscal_year: int | None
    pagu: Decimal | None
    hps: Decimal | None
    stage_text: str | None


def _content(root: Node) -> Node:
    for div in root.find_all("div"):
        if div.has_class("content"):
            return div
    return root


def parse_announcement(body: bytes) -> Announcement:
    """``/lelang/{kode}/pengumumanlelang`` (and the non-tender and pencatatan pages of that shape)."""
    root = parse_html(body)
    table = next(_content(root).find_all("table"), None)
    if table is None:
        raise SpseFormatError("announcement page has no table")
    values: dict[str, str] = {}
    rup: list[str] = []
    labels: tuple[str, ...] = ()
    for tr in table.rows():
        cells = tr.cells()
        for th, td in zip(cells[0::2], cells[1::2], strict=False):
            if th.tag != "th" or td.tag != "td":
                continue
            key = normalize_key(th.text())
            if key == "rencana_umum_pengadaan":
                for sub in td.find_all("table"):
                    for sub_row in sub.rows():
                        first = next(iter(sub_row.cells()), None)
                        if first is not None and first.tag == "td" and CODE_PATTERN.match(first.text()):
                            rup.append(first.text())
                continue
            if key in ("nama_tender", "nama_paket", "nama_non_tender"):
                badges = tuple(span.text() for span in td.find_all("span") if span.text())
                whole = td.text()
                for badge in badges:
                    whole = whole.replace(badge, " ")
                values["nama"] = _SPACE.sub(" ", whole).strip()
                labels = badges
                continue
            values.setdefault(key, td.text())
    if not values:
        raise SpseFormatError("announcement table has no label/value rows")
    code = values.get("kode_tender") or values.get("kode_paket") or values.get("kode_non_tender")
    code = code if code and CODE_PATTERN.match(code) else None
    stage = next((values[key] for key in values if key.startswith("tahap_") and key.endswith("saat_ini")), None)
    return Announcement(
        code=code, name=values.get("nama") or None, labels=labels, rup_codes=tuple(dict.fromkeys(rup)),
        agency=values.get("k/l/pd") or values.get("k/l/pd/instansi_lainnya") or values.get("instansi"),
        work_unit=values.get("satuan_kerja"),
        procurement_type=values.get("jenis_pengadaan") or values.get("kategori"),
        selection_method=values.get("metode_pengadaan") or values.get("metode_pemilihan"),
        fiscal_year=parse_year(values.get("tahun_anggaran")),
        pagu=parse_rupiah(values.get("nilai_pagu_paket")), hps=parse_rupiah(values.get("nilai_hps_paket")),
        stage_text=stage,
    )


_MONTHS = {
    "januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "aug": 8,
    "sep": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12, "may": 5,
}
_WHEN = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})(?:\s*(?:pukul\s*)?(\d{1,2})[:.](\d{2}))?")


def parse_when(text: str | None) -> dt.datetime | None:
    """'08 Desember 2026 16:00' → a naive wall-clock datetime as SPSE printed it."""
    match = _WHEN.search(clean_text(text or ""))
    if not match:
        return None
    month = _MONTHS.get(match.group(2).lower())
    if month is None:
        return None
    try:
        return dt.datetime(int(match.group(3)), month, int(match.group(1)),
                           int(match.group(4) or 0), int(match.group(5) or 0))
    except ValueError:
        return None


@dataclass(frozen=True)
class ScheduleRow:
    step: str  # SPSE's words
    start: dt.datetime | None
    end: dt.datetime | None
    changes: str | None = None

    def key(self) -> tuple[str, str | None, str | None]:
        return (self.step, _iso(self.start), _iso(self.end))

    def to_json(self) -> list[str | None]:
        return [self.step, _iso(self.start), _iso(self.end), self.changes]

    @classmethod
    def from_json(cls, item: Sequence[str | None]) -> ScheduleRow:
        return cls(item[0] or "", _from_iso(item[1]), _from_iso(item[2]), item[3] if len(item) > 3 else None)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="minutes")


def _from_iso(text: str | None) -> dt.datetime | None:
    return None if not text else dt.datetime.fromisoformat(text)


def _at(cells: Sequence[str], where: dict[str, int], name: str) -> str | None:
    index = where.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def parse_schedule(body: bytes) -> list[ScheduleRow]:
    """``/lelang/{kode}/jadwal``: SpseFormatError when there is no schedule table at all."""
    root = parse_html(body)
    for table in root.find_all("table"):
        rows = table.rows()
        if not rows:
            continue
        header = [normalize_key(cell.text()) for cell in rows[0].cells()]
        if "tahap" not in header:
            continue
        where: dict[str, int] = {name: header.index(name) for name in ("tahap", "mulai", "sampai", "perubahan")
                                 if name in header}
        found: list[ScheduleRow] = []
        for tr in rows[1:]:
            cells = [cell.text() for cell in tr.cells()]
            if len(cells) <= where["tahap"] or not cells[where["tahap"]]:
                continue

            found.append(ScheduleRow(cells[where["tahap"]], parse_when(_at(cells, where, "mulai")),
                                     parse_when(_at(cells, where, "sampai")),
                                     _at(cells, where, "perubahan") or None))
        return found
    raise SpseFormatError("schedule page has no schedule table")


def current_and_next(schedule: Sequence[ScheduleRow], stage_text: str | None,
                     now: dt.datetime) -> tuple[ScheduleRow | None, ScheduleRow | None]:
    """The schedule line of the current step and the one after it.

    The current step is the row SPSE names as "tahap saat ini" (its words), else the row whose
    period contains ``now`` (naive, in SPSE's wall-clock time). The next is the first later row.
    """
    if not schedule:
        return None, None
    wanted = normalize_words(stage_text or "")
    index = next((i for i, row in enumerate(schedule) if wanted and normalize_words(row.step) == wanted), None)
    if index is None and wanted:
        index = next((i for i, row in enumerate(schedule)
                      if normalize_words(row.step) and normalize_words(row.step) in wanted), None)
    if index is None:
        running = [i for i, row in enumerate(schedule)
                   if row.start is not None and row.end is not None and row.start <= now <= row.end]
        index = running[-1] if running else None
    if index is None:
        upcoming = next((row for row in schedule if row.start is not None and row.start > now), None)
        return None, upcoming
    following = next((row for row in schedule[index + 1:]
                      if normalize_words(row.step) != normalize_words(schedule[index].step)), None)
    return schedule[index], following


@dataclass(frozen=True)
class Winner:
    name: str
    offer: Decimal | None = None
    negotiated: Decimal | None = None

    @property
    def value(self) -> Decimal | None:
        return self.negotiated or self.offer


def parse_winner(body: bytes) -> Winner | None:
    """``/evaluasi/{kode}/pemenang``: the winner, None when SPSE shows none yet."""
    root = parse_html(body)
    for table in root.find_all("table"):
        rows = table.rows()
        if not rows:
            continue
        header = [normalize_key(cell.text()) for cell in rows[0].cells()]
        name_at = next((i for i, key in enumerate(header) if key in ("nama_pemenang", "nama_penyedia")), None)
        if name_at is None:
            continue
        candidates: list[Winner] = []
        for tr in rows[1:]:
            cells = [cell.text() for cell in tr.cells()]
            if len(cells) <= name_at or not cells[name_at]:
                continue
            offer = negotiated = None
            for key, text in zip(header, cells, strict=False):
                if key.startswith("harga_penawaran"):
                    offer = parse_rupiah(text)
                elif key.startswith(("hasil_negosiasi", "harga_negosiasi")) or "reverse_auction" in key:
                    negotiated = parse_rupiah(text) or negotiated
            candidates.append(Winner(cells[name_at], offer, negotiated))
        if candidates:
            return min(candidates, key=lambda w: w.value if w.value is not None else Decimal("Infinity"))
    return None


# --- what the sync service reports (texts render these) -------------------------------------


@dataclass(frozen=True)
class StageNews:
    """One package whose SPSE position changed in a sync (for the staff's summary)."""

    code: str
    name: str
    before: StageState | None
    after: StageState
    stage_text: str


@dataclass
class SyncReport:
    trigger: str
    started_at: dt.datetime
    ok: bool = False
    skipped: bool = False  # another sync was running
    finished_at: dt.datetime | None = None
    listed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stage_changes: list[StageNews] = field(default_factory=list)
    schedule_changes: int = 0
    winners: int = 0
    notices: int = 0
    requests: int = 0
    deferred: int = 0  # detail pages left for the next sync (budget)
    detail_failures: int = 0  # pages refused or missing; the package kept its list data
    unknown_texts: list[str] = field(default_factory=list)
    error: str | None = None

    def counts(self) -> dict[str, int]:
        return {"requests": self.requests, "listed": self.listed, "created": self.created,
                "updated": self.updated, "stage_changes": len(self.stage_changes), "notices": self.notices}


@dataclass(frozen=True)
class SpseView:
    """What the status view shows of SPSE for one package."""

    kind: SpseKind
    stage_text: str
    stage_known: bool
    agency: str | None
    labels: tuple[str, ...]
    retender: bool
    hps_text: str | None
    current: ScheduleRow | None
    following: ScheduleRow | None
    seen_at: dt.datetime
