"""Procurement packages: where each one is in the bureau's six-stage procedure.

The six stages come from the service standard (SK 188/139/K.Setda/2021, "Sistem, Mekanisme
dan Prosedur"); stage 5 is refined by the SPSE tender step when known, and a package can leave
the normal flow with an outcome (selesai, dikembalikan, gagal, batal, tender ulang).

No Telegram here: chat handlers sit on top of :class:`PackageService`. Every text a person
reads comes from :mod:`bot.texts.paket`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum, StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from bot.domain import callbacks as cb
from bot.texts import paket as texts
from bot.texts.format import WITA
from storage import packages as repo
from storage.db import Database, claim_operation, from_db_time, record_operation, utc_now
from storage.outbox import enqueue, text_message

CODE_MIN_DIGITS = 5
CODE_MAX_DIGITS = 20
YEAR_MIN = 2000
YEAR_MAX = 2100
# A chat following hundreds of packages is a script, not a person; keep notices bounded.
MAX_FOLLOWS_PER_CHAT = 100
OUTBOX_PURPOSE_STAGE = "package_stage"


# --- the stage model ------------------------------------------------------------------------


class Stage(IntEnum):
    """The six steps of the procedure, numbered as in the service standard."""

    RUP = 1  # Rencana Umum Pengadaan diumumkan
    PREPARATION_FORM = 2  # formulir persiapan pengadaan diisi
    REVIEW = 3  # reviu dokumen persiapan oleh Pokmil dan pengguna
    REVIEW_MINUTES = 4  # Berita Acara Hasil Reviu ditandatangani
    SELECTION = 5  # pemilihan penyedia oleh Pokmil (SPSE)
    RESULT = 6  # hasil pemilihan diterima pengguna

    @property
    def label(self) -> str:
        return texts.STAGE_LABELS[int(self)]

    @property
    def documents(self) -> tuple[str, ...]:
        """Documents this stage produces, as the service standard names them."""
        return texts.STAGE_DOCUMENTS.get(int(self), ())


class Outcome(StrEnum):
    COMPLETED = "selesai"
    RETURNED = "dikembalikan"  # documents returned to the user for improvement
    FAILED = "gagal"
    CANCELLED = "batal"
    RETENDERED = "tender_ulang"  # re-tender under a new SPSE code

    @property
    def label(self) -> str:
        return texts.OUTCOME_LABELS[self.value]


class SpseStage(StrEnum):
    """SPSE tender steps inside stage 5, in the order SPSE runs them."""

    PENGUMUMAN = "pengumuman"
    DOWNLOAD_DOKUMEN = "download_dokumen"
    PEMBERIAN_PENJELASAN = "pemberian_penjelasan"
    UPLOAD_PENAWARAN = "upload_penawaran"
    PEMBUKAAN_PENAWARAN = "pembukaan_penawaran"
    EVALUASI = "evaluasi"
    PEMBUKTIAN_KUALIFIKASI = "pembuktian_kualifikasi"
    PENETAPAN_PEMENANG = "penetapan_pemenang"
    PENGUMUMAN_PEMENANG = "pengumuman_pemenang"
    MASA_SANGGAH = "masa_sanggah"
    SPPBJ = "sppbj"
    KONTRAK = "kontrak"

    @property
    def label(self) -> str:
        return texts.SPSE_LABELS[self.value]


# Where an outcome leaves a package whose earlier stage is unknown (a new row in a CSV file):
# a tender can only fail or be repeated in stage 5, and documents are returned after the reviu.
_OUTCOME_DEFAULT_STAGE = {
    Outcome.COMPLETED: Stage.RESULT,
    Outcome.RETURNED: Stage.REVIEW,
    Outcome.FAILED: Stage.SELECTION,
    Outcome.CANCELLED: Stage.RUP,
    Outcome.RETENDERED: Stage.SELECTION,
}


@dataclass(frozen=True)
class StageState:
    """Where a package is: stage reached, SPSE step (stage 5 only), outcome if any."""

    stage: Stage
    spse: SpseStage | None = None
    outcome: Outcome | None = None

    def __post_init__(self) -> None:
        if self.spse is not None and self.stage is not Stage.SELECTION:
            raise ValueError("SPSE step outside stage 5")
        if self.outcome is Outcome.COMPLETED and self.stage is not Stage.RESULT:
            raise ValueError("selesai implies stage 6")

    @property
    def label(self) -> str:
        return texts.state_label(self)

    @property
    def documents(self) -> tuple[str, ...]:
        if self.outcome is Outcome.COMPLETED:
            return Stage.RESULT.documents
        if self.outcome is not None:
            return ()  # returned, failed or cancelled work produces none of the standard's products
        return self.stage.documents

    def to_json(self) -> dict[str, Any]:
        return {"stage": int(self.stage), "spse": self.spse, "outcome": self.outcome}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StageState:
        return cls(
            Stage(data["stage"]),
            SpseStage(data["spse"]) if data.get("spse") else None,
            Outcome(data["outcome"]) if data.get("outcome") else None,
        )


@dataclass(frozen=True)
class StageChoice:
    """What someone asked for: a numbered stage (stage 5 possibly with an SPSE step) or an outcome."""

    stage: Stage | None = None
    spse: SpseStage | None = None
    outcome: Outcome | None = None

    def __post_init__(self) -> None:
        if (self.stage is None) == (self.outcome is None):
            raise ValueError("a choice is either a stage or an outcome")
        if self.spse is not None and self.stage not in (None, Stage.SELECTION):
            raise ValueError("SPSE step outside stage 5")

    @classmethod
    def of_stage(cls, stage: int) -> StageChoice:
        return cls(stage=Stage(stage))

    @classmethod
    def of_spse(cls, spse: SpseStage) -> StageChoice:
        return cls(stage=Stage.SELECTION, spse=spse)

    @classmethod
    def of_outcome(cls, outcome: Outcome, spse: SpseStage | None = None) -> StageChoice:
        return cls(outcome=outcome, spse=spse)

    @property
    def label(self) -> str:
        return texts.choice_label(self)

    @property
    def key(self) -> str:
        """Short ASCII form for callback data: '3', '5:evaluasi', 'batal', 'gagal:evaluasi'."""
        head = str(int(self.stage)) if self.stage is not None else str(self.outcome)
        return f"{head}:{self.spse}" if self.spse is not None else head

    @classmethod
    def from_key(cls, key: str) -> StageChoice:
        """Inverse of :attr:`key`; ValueError for anything else (e.g. forged callback data)."""
        head, _, spse_text = key.partition(":")
        spse = SpseStage(spse_text) if spse_text else None
        if head.isdigit():
            return cls(stage=Stage(int(head)), spse=spse)
        return cls(outcome=Outcome(head), spse=spse)

    def resolve(self, current: StageState | None, *, keep_spse: bool = True) -> StageState:
        """The state this choice leads to from ``current`` (None for a new package).

        ``keep_spse``: a bare "5" typed by staff while the package is already in stage 5 keeps
        the known SPSE step; a CSV row states its SPSE step explicitly and passes False.
        """
        if self.stage is not None:
            spse = self.spse
            if (spse is None and keep_spse and self.stage is Stage.SELECTION and current is not None
                    and current.stage is Stage.SELECTION and current.outcome is None):
                spse = current.spse
            return StageState(self.stage, spse if self.stage is Stage.SELECTION else None, None)
        assert self.outcome is not None
        if self.outcome is Outcome.COMPLETED:
            return StageState(Stage.RESULT, None, Outcome.COMPLETED)
        if self.outcome in (Outcome.FAILED, Outcome.RETENDERED) or self.spse is not None:
            stage = Stage.SELECTION  # only a tender can fail or be repeated; SPSE steps are stage 5
        elif current is not None:
            stage = current.stage  # the outcome stops the package where it was
        else:
            stage = _OUTCOME_DEFAULT_STAGE[self.outcome]
        spse = self.spse
        if spse is None and keep_spse and current is not None and current.stage is stage:
            spse = current.spse
        return StageState(stage, spse if stage is Stage.SELECTION else None, self.outcome)


# --- errors -----------------------------------------------------------------------------------


class PackageError(ValueError):
    """A problem worded in Indonesian for the person who asked; str(exc) can be shown as is."""


class PackageNotFound(PackageError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(texts.not_found(code))
        self.code = code


class AmbiguousStage(PackageError):
    """The typed stage fits several choices; ``candidates`` are offered to pick from."""

    def __init__(self, text: str, candidates: Sequence[StageChoice]) -> None:
        super().__init__(texts.stage_ambiguous(text, [c.label for c in candidates]))
        self.text = text
        self.candidates: tuple[StageChoice, ...] = tuple(candidates)


# --- parsing what people type ------------------------------------------------------------------


def parse_code(text: str) -> str:
    """A kode paket (SPSE) or kode RUP (SIRUP): digits only, 5–20 of them.

    Only surrounding whitespace is forgiven: a code with dots, spaces or letters inside is more
    likely a different number (a phone, an amount) than a code, so it is refused, not guessed.
    """
    code = (text or "").strip()
    if not code:
        raise PackageError(texts.CODE_EMPTY)
    if re.fullmatch(r"\d+([.,]\d+)?[eE]\+?\d+", code):
        # Excel shows long numbers as 1,01442E+10 and saves them that way: the digits are lost.
        raise PackageError(texts.code_scientific(code))
    if not code.isascii() or not code.isdigit():
        raise PackageError(texts.code_not_digits(code))
    if not CODE_MIN_DIGITS <= len(code) <= CODE_MAX_DIGITS:
        raise PackageError(texts.code_bad_length(code, CODE_MIN_DIGITS, CODE_MAX_DIGITS))
    return code


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# Extra words people use for each choice, beside the labels themselves (which are added below).
_STAGE_ALIASES: dict[Stage, tuple[str, ...]] = {
    Stage.RUP: ("rencana umum pengadaan", "rencana umum", "rup", "pengumuman rup", "rup diumumkan",
                "sirup"),
    Stage.PREPARATION_FORM: ("formulir persiapan pengadaan", "formulir persiapan", "formulir",
                     "persiapan pengadaan", "isi formulir"),
    Stage.REVIEW: ("reviu", "review", "reviu dokumen persiapan", "review dokumen persiapan",
                  "reviu dokumen", "review dokumen"),
    Stage.REVIEW_MINUTES: ("berita acara hasil reviu", "berita acara hasil review", "ba hasil reviu",
                     "ba hasil review", "ba reviu", "ba review", "berita acara reviu"),
    Stage.SELECTION: ("pemilihan penyedia", "pemilihan", "proses pemilihan", "tender",
                      "proses tender", "lelang"),
    Stage.RESULT: ("hasil pemilihan", "hasil pemilihan diterima", "hasil diterima",
                  "diterima pengguna", "hasil pemilihan penyedia"),
}
_OUTCOME_ALIASES: dict[Outcome, tuple[str, ...]] = {
    Outcome.COMPLETED: ("selesai", "tuntas", "rampung"),
    Outcome.RETURNED: ("dikembalikan", "dikembalikan untuk perbaikan", "kembalikan",
                           "perbaikan", "dikembalikan ke pengguna", "kembali ke pengguna"),
    Outcome.FAILED: ("gagal", "tender gagal", "pemilihan gagal", "gagal tender"),
    Outcome.CANCELLED: ("batal", "dibatalkan", "pembatalan", "tender batal"),
    Outcome.RETENDERED: ("tender ulang", "ulang", "diulang", "retender", "re tender",
                           "lelang ulang", "pemilihan ulang"),
}
_SPSE_ALIASES: dict[SpseStage, tuple[str, ...]] = {
    SpseStage.PENGUMUMAN: ("pengumuman", "pengumuman tender", "pengumuman pascakualifikasi",
                           "pengumuman prakualifikasi", "pengumuman lelang"),
    SpseStage.DOWNLOAD_DOKUMEN: ("download dokumen pemilihan", "download dokumen",
                                 "unduh dokumen pemilihan", "unduh dokumen", "pengambilan dokumen"),
    SpseStage.PEMBERIAN_PENJELASAN: ("pemberian penjelasan", "penjelasan", "aanwijzing",
                                     "anwijzing"),
    SpseStage.UPLOAD_PENAWARAN: ("upload dokumen penawaran", "upload penawaran",
                                 "unggah dokumen penawaran", "unggah penawaran",
                                 "pemasukan penawaran", "pemasukan dokumen penawaran"),
    SpseStage.PEMBUKAAN_PENAWARAN: ("pembukaan dokumen penawaran", "pembukaan penawaran",
                                    "pembukaan"),
    SpseStage.EVALUASI: ("evaluasi", "evaluasi penawaran", "evaluasi administrasi kualifikasi "
                         "teknis dan harga"),
    SpseStage.PEMBUKTIAN_KUALIFIKASI: ("pembuktian kualifikasi", "pembuktian"),
    SpseStage.PENETAPAN_PEMENANG: ("penetapan pemenang", "penetapan"),
    SpseStage.PENGUMUMAN_PEMENANG: ("pengumuman pemenang",),
    SpseStage.MASA_SANGGAH: ("masa sanggah", "sanggah", "sanggahan", "masa sanggah hasil tender"),
    SpseStage.SPPBJ: ("surat penunjukan penyedia", "surat penunjukan penyedia barang jasa",
                      "penunjukan penyedia", "sppbj"),
    SpseStage.KONTRAK: ("penandatanganan kontrak", "tanda tangan kontrak", "ttd kontrak",
                        "kontrak"),
}
# Words that only frame the answer ("tahap ke-5") and say nothing about which stage.
_FILLER = {"tahap", "tahapan", "ke", "status", "posisi", "spse", "sudah", "sedang", "di"}
# A fuzzy match this much better than the next choice is taken; closer ones are ambiguous.
_FUZZY_CUTOFF = 0.8
_FUZZY_MARGIN = 0.05


def _build_vocabulary() -> dict[str, StageChoice]:
    vocabulary: dict[str, StageChoice] = {}

    def add(phrase: str, choice: StageChoice) -> None:
        # Keys get the same treatment as typed text, filler words included.
        key = " ".join(word for word in _normalize(phrase).split() if word not in _FILLER)
        if vocabulary.setdefault(key, choice) != choice:
            raise AssertionError(f"stage alias {key!r} names two choices")

    for stage, aliases in _STAGE_ALIASES.items():
        for phrase in (stage.label, *aliases):
            add(phrase, StageChoice.of_stage(stage))
    for outcome, aliases in _OUTCOME_ALIASES.items():
        for phrase in (outcome.value, outcome.label, *aliases):
            add(phrase, StageChoice.of_outcome(outcome))
    for spse, aliases in _SPSE_ALIASES.items():
        for phrase in (spse.value, spse.label, *aliases):
            add(phrase, StageChoice.of_spse(spse))
    return vocabulary


_VOCABULARY = _build_vocabulary()


def _distinct(choices: Sequence[StageChoice]) -> list[StageChoice]:
    seen: list[StageChoice] = []
    for choice in choices:
        if choice not in seen:
            seen.append(choice)
    return seen


def _prefix_matches(words: list[str]) -> list[StageChoice]:
    """Choices whose phrase contains, in order, a word starting with each typed word."""
    found: list[StageChoice] = []
    for phrase, choice in _VOCABULARY.items():
        phrase_words = phrase.split()
        position = 0
        for word in words:
            # Very short fragments ("pe") would match everything; they must be whole words.
            while position < len(phrase_words) and not (
                phrase_words[position] == word
                or (len(word) >= 3 and phrase_words[position].startswith(word))
            ):
                position += 1
            if position == len(phrase_words):
                break
            position += 1
        else:
            found.append(choice)
    return _distinct(found)


def _fuzzy_matches(text: str) -> list[tuple[float, StageChoice]]:
    best: dict[StageChoice, float] = {}
    for phrase, choice in _VOCABULARY.items():
        ratio = difflib.SequenceMatcher(None, text, phrase).ratio()
        if ratio >= _FUZZY_CUTOFF and ratio > best.get(choice, 0.0):
            best[choice] = ratio
    return sorted(((ratio, choice) for choice, ratio in best.items()), key=lambda item: -item[0])


def parse_stage(text: str) -> StageChoice:
    """Reads a stage as people type it: "5", "tahap ke-3", "Batal", "masa sangah", "evaluasi".

    Order of trust: a number, an exact name, names that start with the typed words, then close
    spellings (difflib). Several equally good readings raise :class:`AmbiguousStage`; nothing
    readable raises :class:`PackageError` (a ValueError) with an Indonesian message.
    """
    words = [word for word in _normalize(text or "").split() if word not in _FILLER]
    if not words:
        raise PackageError(texts.STAGE_EMPTY)
    normalized = " ".join(words)

    if words[0].isdigit():
        number = int(words[0])
        if not 1 <= number <= 6:
            raise PackageError(texts.stage_bad_number(words[0]))
        if len(words) == 1:
            return StageChoice.of_stage(number)
        # "5 evaluasi": the number must agree with what follows it, and narrows ambiguity.
        try:
            rest = parse_stage(" ".join(words[1:]))
        except AmbiguousStage as ambiguous:
            agreeing = [c for c in ambiguous.candidates if c.stage is not None and int(c.stage) == number]
            if len(agreeing) == 1:
                return agreeing[0]
            if agreeing:
                raise AmbiguousStage(text.strip(), agreeing) from None
            raise PackageError(texts.stage_unknown(text)) from None
        if rest.stage is not None and int(rest.stage) == number:
            return rest
        raise PackageError(texts.stage_unknown(text))

    exact = _VOCABULARY.get(normalized)
    if exact is not None:
        return exact

    prefixed = _prefix_matches(words)
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        raise AmbiguousStage(text.strip(), prefixed)

    fuzzy = _fuzzy_matches(normalized)
    if not fuzzy:
        raise PackageError(texts.stage_unknown(text))
    top_ratio = fuzzy[0][0]
    close = [choice for ratio, choice in fuzzy if top_ratio - ratio < _FUZZY_MARGIN]
    if len(close) == 1:
        return close[0]
    raise AmbiguousStage(text.strip(), close)


def parse_rupiah(text: str) -> Decimal | None:
    """An amount in Rupiah as Indonesians write it; None for an empty cell.

    Accepted: ``1250000000``, ``1.250.000.000``, ``1.250.000.000,00``, ``Rp 1.250.000.000``,
    ``Rp. 15.602.948.688,00`` (SPSE), and a plain decimal point with 1–2 digits (``1250.5``,
    as programs write it). English grouping (``1,250,000``) is refused rather than guessed:
    in Indonesian, the comma is the decimal mark.
    """
    raw = (text or "").replace("\u00a0", " ").strip()
    if not raw:
        return None
    cleaned = re.sub(r"^(rp\.?|idr)\s*", "", raw, flags=re.IGNORECASE).replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", cleaned) or re.fullmatch(r"\d+(,\d+)?", cleaned):
        number = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+\.\d{1,2}", cleaned):
        number = cleaned
    else:
        raise PackageError(texts.amount_unreadable(raw))
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise PackageError(texts.amount_unreadable(raw)) from None
    if value != value.quantize(Decimal("0.01")):
        raise PackageError(texts.amount_too_precise(raw))
    return value


def to_sen(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * 100)


def from_sen(sen: int | None) -> Decimal | None:
    return None if sen is None else Decimal(sen) / 100


# --- records ------------------------------------------------------------------------------------


class EntryKind(StrEnum):
    STAGE = "stage"
    DATA = "data"
    VISIBILITY = "visibility"


class ActorKind(StrEnum):
    STAFF = "staff"
    IMPORT = "import"
    SYSTEM = "system"


@dataclass(frozen=True)
class Package:
    id: int
    code: str
    rup_codes: tuple[str, ...]
    name: str
    work_unit: str
    fiscal_year: int
    procurement_type: str | None
    selection_method: str | None
    pagu: Decimal | None
    hps: Decimal | None
    pokmil: str | None
    winner: str | None
    contract_value: Decimal | None
    state: StageState
    public: bool
    retender_of: str | None  # code of the tender this one repeats
    retendered_as: str | None  # code of the re-tender that repeats this one
    # Whether those linked packages may be named outside staff.
    retender_of_public: bool
    retendered_as_public: bool
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class StageEntry:
    id: int
    at: dt.datetime
    kind: EntryKind
    state: StageState
    actor_kind: ActorKind
    actor_id: int | None
    actor_name: str
    note: str | None
    document: str | None
    source: str | None


@dataclass(frozen=True)
class StageChange:
    """Result of :meth:`PackageService.set_stage`; ``replayed`` when an idempotency key repeated."""

    code: str
    changed: bool
    before: StageState
    after: StageState
    notices: int
    new_code: str | None = None
    replayed: bool = False

    @property
    def reply(self) -> str:
        """The answer for the staff member who asked (HTML)."""
        return texts.stage_change_reply(self)

    def to_json(self) -> str:
        return json.dumps({
            "code": self.code, "changed": self.changed, "before": self.before.to_json(),
            "after": self.after.to_json(), "notices": self.notices, "new_code": self.new_code,
        })

    @classmethod
    def from_json(cls, text: str, *, replayed: bool) -> StageChange:
        data = json.loads(text)
        return cls(
            code=data["code"], changed=data["changed"], before=StageState.from_json(data["before"]),
            after=StageState.from_json(data["after"]), notices=data["notices"],
            new_code=data.get("new_code"), replayed=replayed,
        )


def state_of_row(row: Any) -> StageState:
    return StageState(
        Stage(row["stage"]),
        SpseStage(row["spse_stage"]) if row["spse_stage"] else None,
        Outcome(row["outcome"]) if row["outcome"] else None,
    )


def _time(text: str) -> dt.datetime:
    moment = from_db_time(text)
    assert moment is not None
    return moment


def row_to_package(row: Any, rup_codes: Sequence[str]) -> Package:
    return Package(
        id=row["id"],
        code=row["code"],
        rup_codes=tuple(rup_codes),
        name=row["name"],
        work_unit=row["work_unit"],
        fiscal_year=row["fiscal_year"],
        procurement_type=row["procurement_type"],
        selection_method=row["selection_method"],
        pagu=from_sen(row["pagu_sen"]),
        hps=from_sen(row["hps_sen"]),
        pokmil=row["pokmil"],
        winner=row["winner"],
        contract_value=from_sen(row["contract_sen"]),
        state=state_of_row(row),
        public=bool(row["is_public"]),
        retender_of=row["retender_of_code"],
        retendered_as=row["retendered_as_code"],
        retender_of_public=bool(row["retender_of_public"]),
        retendered_as_public=bool(row["retendered_as_public"]),
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
    )


def row_to_entry(row: Any) -> StageEntry:
    return StageEntry(
        id=row["id"],
        at=_time(row["at"]),
        kind=EntryKind(row["kind"]),
        state=state_of_row(row),
        actor_kind=ActorKind(row["actor_kind"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        note=row["note"],
        document=row["document"],
        source=row["source"],
    )


async def load_packages(conn: aiosqlite.Connection | Database, rows: Sequence[Any]) -> list[Package]:
    rups = await repo.rup_codes_of(conn, [row["id"] for row in rows])
    return [row_to_package(row, rups.get(row["id"], ())) for row in rows]


async def load_package(conn: aiosqlite.Connection | Database, code: str) -> Package | None:
    row = await repo.package_by_code(conn, code)
    return None if row is None else (await load_packages(conn, [row]))[0]


async def notify_followers(conn: aiosqlite.Connection, package: Package, html: str) -> int:
    """Queues ``html`` for every chat following ``package``, inside the caller's transaction.

    Private packages notify nobody: followers are people outside staff.
    """
    if not package.public:
        return 0
    chats = await repo.follower_chats(conn, package.id)
    markup = unfollow_keyboard(package.code)
    for chat_id in chats:
        await enqueue(conn, text_message(chat_id, html, purpose=OUTBOX_PURPOSE_STAGE, reply_markup=markup))
    return len(chats)


def unfollow_keyboard(code: str) -> dict[str, Any]:
    """Bot API inline keyboard (plain JSON, no Telegram types) with a stop-following button."""
    button = {"text": texts.UNFOLLOW_BUTTON, "callback_data": cb.PACKAGE_UNFOLLOW.build(code=code)}
    return {"inline_keyboard": [[button]]}


def _without_superseded(packages: list[Package]) -> list[Package]:
    """Hides a repeated tender when its re-tender is in the same result (same RUP)."""
    codes = {package.code for package in packages}
    return [package for package in packages
            if not (package.state.outcome is Outcome.RETENDERED and package.retendered_as in codes)]


# --- the service ----------------------------------------------------------------------------------


class PackageService:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime] = utc_now,
        zone: ZoneInfo = WITA,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone  # of the times written into notices ([calendar] timezone)

    # --- reading ------------------------------------------------------------------------------

    async def find(self, text: str, *, include_private: bool = False) -> list[Package]:
        """Packages whose kode paket OR kode RUP is ``text`` (an 8-digit number may be either).

        Exact kode paket matches come first. Raises PackageError when ``text`` is no code.
        """
        code = parse_code(text)
        rows = await repo.packages_by_code_or_rup(self.db, code, include_private=include_private)
        return _without_superseded(await load_packages(self.db, rows))

    async def get(self, code: str, *, include_private: bool = False) -> Package | None:
        """The package with exactly this kode paket (not kode RUP)."""
        package = await load_package(self.db, parse_code(code))
        if package is None or not (package.public or include_private):
            return None
        return package

    async def _require(self, code: str, *, include_private: bool) -> Package:
        package = await self.get(code, include_private=include_private)
        if package is None:
            raise PackageNotFound(code.strip())
        return package

    async def history(self, code: str, *, include_private: bool = False) -> list[StageEntry]:
        package = await self._require(code, include_private=include_private)
        return [row_to_entry(row) for row in await repo.history_rows(self.db, package.id)]

    async def history_of(self, package: Package) -> list[StageEntry]:
        """The history of a package already loaded (one query, not a reload by code)."""
        return [row_to_entry(row) for row in await repo.history_rows(self.db, package.id)]

    async def follows(self, package: Package, chat_id: int) -> bool:
        """Whether ``chat_id`` follows a package already loaded."""
        return await repo.is_following(self.db, package.id, chat_id)

    async def followers_count(self, code: str) -> int:
        package = await self._require(code, include_private=True)
        return await repo.count_followers(self.db, package.id)

    async def is_following(self, code: str, chat_id: int) -> bool:
        package = await self.get(code, include_private=True)
        return package is not None and await repo.is_following(self.db, package.id, chat_id)

    async def followed_by(self, chat_id: int) -> list[Package]:
        """Public packages a chat follows, newest change first (for a "what do I follow" list)."""
        rows = await repo.packages_followed_by(self.db, chat_id)
        return await load_packages(self.db, rows)

    # --- following ----------------------------------------------------------------------------

    async def follow(self, code: str, chat_id: int, user_id: int | None) -> bool:
        """Starts notices for ``chat_id``; False if it already followed. Public packages only."""
        async with self.db.transaction() as conn:
            package = await load_package(conn, parse_code(code))
            if package is None or not package.public:
                raise PackageNotFound(code.strip())
            if await repo.is_following(conn, package.id, chat_id):
                return False
            if await repo.count_follows_of_chat(conn, chat_id) >= MAX_FOLLOWS_PER_CHAT:
                raise PackageError(texts.too_many_follows(MAX_FOLLOWS_PER_CHAT))
            return await repo.add_follower(conn, package.id, chat_id, user_id, self.clock())

    async def unfollow(self, code: str, chat_id: int) -> bool:
        """Stops notices; False if the chat did not follow (or the package is unknown)."""
        async with self.db.transaction() as conn:
            package = await load_package(conn, parse_code(code))
            if package is None:
                return False
            return await repo.remove_follower(conn, package.id, chat_id)

    async def unfollow_chat(self, chat_id: int) -> int:
        """Drops every follow of a chat, e.g. after Telegram says the bot was blocked there."""
        async with self.db.transaction() as conn:
            return await repo.remove_chat(conn, chat_id)

    # --- staff changes --------------------------------------------------------------------------

    async def set_stage(
        self,
        code: str,
        choice: StageChoice,
        *,
        actor_id: int | None,
        actor_name: str,
        note: str | None = None,
        idempotency_key: str | None = None,
        new_code: str | None = None,
        document: str | None = None,
        public_note: str | None = None,
    ) -> StageChange:
        """Moves a package to ``choice``, records it and queues a notice per following chat.

        Everything happens in one transaction, so the history row, the package row and the
        notices exist together or not at all. A replayed ``idempotency_key`` returns the first
        result and writes nothing; asking for the current stage again changes nothing and says so.
        ``new_code`` (tender ulang only) is the SPSE code of the re-tender: it is created from
        this package (or linked, if already imported) and the followers move along with it.
        ``document`` overrides the standard's document name for this stage (e.g. a BA number).
        ``public_note`` is shown to followers in the notice (the officer marked it public).
        """
        target_code = parse_code(new_code) if new_code is not None else None
        if target_code is not None and choice.outcome is not Outcome.RETENDERED:
            raise PackageError(texts.NEW_CODE_ONLY_FOR_RETENDER)
        note = (note or "").strip() or None
        operation = f"package_stage:{idempotency_key}" if idempotency_key is not None else None
        async with self.db.transaction() as conn:
            if operation is not None:
                earlier = await claim_operation(conn, operation)
                if earlier is not None:
                    return StageChange.from_json(earlier, replayed=True)
            package = await load_package(conn, parse_code(code))
            if package is None:
                raise PackageNotFound(code.strip())
            before = package.state
            after = choice.resolve(before)
            if target_code is not None:
                if target_code == package.code:
                    raise PackageError(texts.NEW_CODE_SAME)
                if package.retendered_as not in (None, target_code):
                    raise PackageError(texts.already_retendered(package.code, package.retendered_as or ""))
            link = target_code is not None and package.retendered_as != target_code
            result = StageChange(package.code, False, before, after, 0,
                                 new_code=package.retendered_as)
            if after != before or link:
                now = self.clock()
                notices = 0
                if after != before:
                    await repo.update_state(conn, package.id, after.stage, after.spse, after.outcome, now)
                    await repo.add_entry(
                        conn, package.id, at=now, kind=EntryKind.STAGE, stage=after.stage,
                        spse=after.spse, outcome=after.outcome, actor_kind=ActorKind.STAFF,
                        actor_id=actor_id, actor_name=actor_name, note=note,
                        document=document or "; ".join(after.documents) or None, source=None,
                    )
                if link:
                    assert target_code is not None
                    await self._link_retender(conn, package, target_code, actor_id, actor_name, now)
                updated = await load_package(conn, package.code)
                assert updated is not None
                change = StageChange(package.code, True, before, after, 0, new_code=updated.retendered_as)
                notices = await notify_followers(
                    conn, updated, texts.stage_notice(updated, change, zone=self.zone, public_note=public_note))
                result = StageChange(package.code, True, before, after, notices,
                                     new_code=updated.retendered_as)
            if operation is not None:
                await record_operation(conn, operation, result.to_json())
            return result

    async def _link_retender(
        self,
        conn: aiosqlite.Connection,
        package: Package,
        new_code: str,
        actor_id: int | None,
        actor_name: str,
        now: dt.datetime,
    ) -> None:
        existing = await repo.package_by_code(conn, new_code)
        if existing is None:
            new_id = await repo.copy_for_retender(conn, package.id, new_code, now)
        else:
            if existing["retender_of"] not in (None, package.id):
                raise PackageError(texts.already_retender_of_other(new_code))
            new_id = existing["id"]
            await repo.set_retender_of(conn, new_id, package.id, now)
        new_row = await repo.package_by_code(conn, new_code)
        state = state_of_row(new_row)
        await repo.add_entry(
            conn, new_id, at=now, kind=EntryKind.STAGE, stage=state.stage, spse=state.spse,
            outcome=state.outcome, actor_kind=ActorKind.STAFF, actor_id=actor_id,
            actor_name=actor_name, note=texts.retender_of_note(package.code),
            document=None, source=None,
        )
        # People follow the procurement, not one SPSE code: they keep hearing about the re-tender.
        await repo.copy_followers(conn, package.id, new_id, now)

    async def set_public(
        self,
        code: str,
        public: bool,
        *,
        actor_id: int | None,
        actor_name: str,
        note: str | None = None,
    ) -> bool:
        """Shows or hides a package outside staff; True if that changed (recorded in history)."""
        async with self.db.transaction() as conn:
            package = await load_package(conn, parse_code(code))
            if package is None:
                raise PackageNotFound(code.strip())
            if package.public == public:
                return False
            now = self.clock()
            await repo.set_public(conn, package.id, public, now)
            state = package.state
            await repo.add_entry(
                conn, package.id, at=now, kind=EntryKind.VISIBILITY, stage=state.stage,
                spse=state.spse, outcome=state.outcome, actor_kind=ActorKind.STAFF,
                actor_id=actor_id, actor_name=actor_name,
                note=texts.visibility_note(public, (note or "").strip() or None),
                document=None, source=None,
            )
            return True


# Pure renderers, re-exported so callers need one import.
render_status = texts.render_status
render_info = texts.render_info
render_list = texts.render_list
