"""Procurement packages as rules: the six-stage model, reading what people type, the records.

The six stages come from the service standard (SK 188/139/K.Setda/2021, "Sistem, Mekanisme
dan Prosedur"); stage 5 is refined by the SPSE tender step when known, and a package can leave
the normal flow with an outcome (selesai, dikembalikan, gagal, batal, tender ulang).

Pure: no I/O, no Telegram, no storage, no texts. The names of the stages, outcomes, SPSE steps
and the standard's documents are the standard's and SPSE's own (proper nouns, and the words people
type, which :func:`parse_stage` reads), so they are named data here; every other wording lives in
:mod:`bot.texts.paket`, which also words the errors below (:func:`bot.texts.paket.describe_error`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import IntEnum, StrEnum
from typing import Any

CODE_MIN_DIGITS = 5
CODE_MAX_DIGITS = 20
YEAR_MIN = 2000
YEAR_MAX = 2100
# A chat following hundreds of packages is a script, not a person; keep notices bounded.
MAX_FOLLOWS_PER_CHAT = 100


# --- names (the standard's and SPSE's own) -------------------------------------------------------

# The six steps of "Sistem, Mekanisme dan Prosedur" (SK 188/139/K.Setda/2021).
STAGE_NAMES: dict[int, str] = {
    1: "Rencana Umum Pengadaan diumumkan",
    2: "Formulir persiapan pengadaan diisi",
    3: "Reviu dokumen persiapan oleh Pokmil dan pengguna",
    4: "Berita Acara Hasil Reviu ditandatangani",
    5: "Pemilihan penyedia oleh Pokmil",
    6: "Hasil pemilihan diterima pengguna",
}

# The service products of the standard, by the stage that produces them.
DOC_BA_REVIU = "Berita Acara Reviu Dokumen Persiapan Pemilihan Penyedia"
DOC_PENGADAAN = "Dokumen Pengadaan Barang dan Jasa"
DOC_BA_TAHAPAN = "Berita Acara Tahapan Pemilihan Penyedia"
DOC_BA_HASIL = "Berita Acara Hasil Pemilihan Penyedia"
STAGE_DOCUMENTS: dict[int, tuple[str, ...]] = {
    3: (DOC_BA_REVIU,),
    4: (DOC_BA_REVIU,),
    5: (DOC_PENGADAAN, DOC_BA_TAHAPAN),
    6: (DOC_BA_HASIL,),
}

# SPSE tender steps as SPSE names them on the "tahap tender saat ini" line.
SPSE_STEP_NAMES: dict[str, str] = {
    "pengumuman": "Pengumuman",
    "download_dokumen": "Download Dokumen Pemilihan",
    "pemberian_penjelasan": "Pemberian Penjelasan",
    "upload_penawaran": "Upload Dokumen Penawaran",
    "pembukaan_penawaran": "Pembukaan Dokumen Penawaran",
    "evaluasi": "Evaluasi",
    "pembuktian_kualifikasi": "Pembuktian Kualifikasi",
    "penetapan_pemenang": "Penetapan Pemenang",
    "pengumuman_pemenang": "Pengumuman Pemenang",
    "masa_sanggah": "Masa Sanggah",
    "sppbj": "Surat Penunjukan Penyedia",
    "kontrak": "Penandatanganan Kontrak",
}

OUTCOME_NAMES: dict[str, str] = {
    "selesai": "Selesai",
    "dikembalikan": "Dikembalikan untuk perbaikan",
    "gagal": "Gagal",
    "batal": "Batal",
    "tender_ulang": "Tender ulang",
}


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
        """The standard's name of the stage."""
        return STAGE_NAMES[int(self)]

    @property
    def documents(self) -> tuple[str, ...]:
        """Documents this stage produces, as the service standard names them."""
        return STAGE_DOCUMENTS.get(int(self), ())


class Outcome(StrEnum):
    COMPLETED = "selesai"
    RETURNED = "dikembalikan"  # documents returned to the user for improvement
    FAILED = "gagal"
    CANCELLED = "batal"
    RETENDERED = "tender_ulang"  # re-tender under a new SPSE code

    @property
    def label(self) -> str:
        return OUTCOME_NAMES[self.value]


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
        """SPSE's own name of the step."""
        return SPSE_STEP_NAMES[self.value]


# Where an outcome leaves a package whose earlier stage is unknown (a new row in a CSV file):
# a tender can only fail or be repeated in stage 5, and documents are returned after the reviu.
_OUTCOME_DEFAULT_STAGE = {
    Outcome.COMPLETED: Stage.RESULT,
    Outcome.RETURNED: Stage.REVIEW,
    Outcome.FAILED: Stage.SELECTION,
    Outcome.CANCELLED: Stage.RUP,
    Outcome.RETENDERED: Stage.SELECTION,
}


_FINAL_OUTCOMES = frozenset({Outcome.COMPLETED, Outcome.CANCELLED, Outcome.FAILED, Outcome.RETENDERED})


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
    def is_final(self) -> bool:
        """No progress left to follow: completed, cancelled, failed, or carried on by a re-tender
        under another code (followers move there)."""
        return self.outcome in _FINAL_OUTCOMES

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


# --- errors: data only; bot.texts.paket words them -------------------------------------------------


class PackageError(ValueError):
    """Something a person asked of packages that cannot be done; the subclasses carry the data.

    The wording is not the domain's: :func:`bot.texts.paket.describe_error` words it for people.
    ``str`` shows the data (for logs and tracebacks).
    """

    def __str__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({fields})"


class CodeEmpty(PackageError):
    pass


class CodeScientific(PackageError):
    """Excel showed a long number as 1,01442E+10 and saved it that way: the digits are lost."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class CodeNotDigits(PackageError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class CodeBadLength(PackageError):
    def __init__(self, code: str, minimum: int, maximum: int) -> None:
        super().__init__(code)
        self.code = code
        self.minimum = minimum
        self.maximum = maximum


class StageEmpty(PackageError):
    pass


class StageBadNumber(PackageError):
    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


class StageUnknown(PackageError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class StageAmbiguous(PackageError):
    """The typed stage fits several choices; ``candidates`` are offered to pick from."""

    def __init__(self, text: str, candidates: Sequence[StageChoice]) -> None:
        super().__init__(text)
        self.text = text
        self.candidates: tuple[StageChoice, ...] = tuple(candidates)


class AmountUnreadable(PackageError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class AmountTooPrecise(PackageError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class PackageNotFound(PackageError, LookupError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class TooManyFollows(PackageError):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class PackageFinished(PackageError):
    """Following a package whose procedure is over (:attr:`StageState.is_final`)."""

    def __init__(self, code: str, outcome: Outcome | None) -> None:
        super().__init__(code, outcome)
        self.code, self.outcome = code, outcome


class NewCodeOnlyForRetender(PackageError):
    pass


class NewCodeSame(PackageError):
    pass


class AlreadyRetendered(PackageError):
    """``code`` already has its re-tender, ``other``."""

    def __init__(self, code: str, other: str) -> None:
        super().__init__(code, other)
        self.code = code
        self.other = other


class AlreadyRetenderOfOther(PackageError):
    """``code`` is already recorded as the re-tender of another package."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- parsing what people type ------------------------------------------------------------------


def parse_code(text: str) -> str:
    """A kode paket (SPSE) or kode RUP (SIRUP): digits only, 5–20 of them.

    Only surrounding whitespace is forgiven: a code with dots, spaces or letters inside is more
    likely a different number (a phone, an amount) than a code, so it is refused, not guessed.
    """
    code = (text or "").strip()
    if not code:
        raise CodeEmpty()
    if re.fullmatch(r"\d+([.,]\d+)?[eE]\+?\d+", code):
        raise CodeScientific(code)
    if not code.isascii() or not code.isdigit():
        raise CodeNotDigits(code)
    if not CODE_MIN_DIGITS <= len(code) <= CODE_MAX_DIGITS:
        raise CodeBadLength(code, CODE_MIN_DIGITS, CODE_MAX_DIGITS)
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
    spellings (difflib). Several equally good readings raise :class:`StageAmbiguous`; nothing
    readable raises :class:`StageEmpty`, :class:`StageBadNumber` or :class:`StageUnknown`.
    """
    words = [word for word in _normalize(text or "").split() if word not in _FILLER]
    if not words:
        raise StageEmpty()
    normalized = " ".join(words)

    if words[0].isdigit():
        number = int(words[0])
        if not 1 <= number <= 6:
            raise StageBadNumber(words[0])
        if len(words) == 1:
            return StageChoice.of_stage(number)
        # "5 evaluasi": the number must agree with what follows it, and narrows ambiguity.
        try:
            rest = parse_stage(" ".join(words[1:]))
        except StageAmbiguous as ambiguous:
            agreeing = [c for c in ambiguous.candidates if c.stage is not None and int(c.stage) == number]
            if len(agreeing) == 1:
                return agreeing[0]
            if agreeing:
                raise StageAmbiguous(text.strip(), agreeing) from None
            raise StageUnknown(text) from None
        if rest.stage is not None and int(rest.stage) == number:
            return rest
        raise StageUnknown(text)

    exact = _VOCABULARY.get(normalized)
    if exact is not None:
        return exact

    prefixed = _prefix_matches(words)
    if len(prefixed) == 1:
        return prefixed[0]
    if len(prefixed) > 1:
        raise StageAmbiguous(text.strip(), prefixed)

    fuzzy = _fuzzy_matches(normalized)
    if not fuzzy:
        raise StageUnknown(text)
    top_ratio = fuzzy[0][0]
    close = [choice for ratio, choice in fuzzy if top_ratio - ratio < _FUZZY_MARGIN]
    if len(close) == 1:
        return close[0]
    raise StageAmbiguous(text.strip(), close)


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
        raise AmountUnreadable(raw)
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise AmountUnreadable(raw) from None
    if value != value.quantize(Decimal("0.01")):
        raise AmountTooPrecise(raw)
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
    """Result of ``PackageService.set_stage``; ``replayed`` when an idempotency key repeated."""

    code: str
    changed: bool
    before: StageState
    after: StageState
    notices: int
    new_code: str | None = None
    replayed: bool = False

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



def without_superseded(packages: list[Package]) -> list[Package]:
    """Hides a repeated tender when its re-tender is in the same result (same RUP)."""
    codes = {package.code for package in packages}
    return [package for package in packages
            if not (package.state.outcome is Outcome.RETENDERED and package.retendered_as in codes)]
