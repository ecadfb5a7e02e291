"""Every button's callback data: one registry of formats, each with its build, parse and pattern.

Telegram keeps a message's buttons forever and sends their data back whenever someone presses one,
months later included. The formats below are therefore stored names: a prefix or field once sent
must keep parsing in every later release (add a new format rather than change one). Telegram allows
at most 64 bytes; :meth:`CallbackFormat.build` refuses anything longer.

A format is a template such as ``"tk:{action}:{code}"`` whose fields are regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.tickets import TICKET_CODE

CALLBACK_DATA_LIMIT = 64  # bytes, Bot API

PACKAGE_CODE = r"\d{5,20}"
_FIELD = re.compile(r"\{(\w+)\}")


class CallbackDataTooLong(ValueError):
    def __init__(self, data: str) -> None:
        super().__init__(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data[:80]!r}")
        self.data = data


@dataclass(frozen=True)
class CallbackFormat:
    """One kind of button: ``template`` with ``{field}`` placeholders, each matched by ``fields[field]``."""

    template: str
    fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        named = _FIELD.findall(self.template)
        if sorted(named) != sorted(self.fields):
            raise ValueError(f"{self.template}: fields {sorted(self.fields)} do not match {named}")

    @property
    def prefix(self) -> str:
        """The literal start of the data, up to the first field."""
        return self.template.split("{", 1)[0]

    def _regex(self, *, named: bool) -> str:
        parts = _FIELD.split(self.template)
        regex = []
        for index, part in enumerate(parts):
            if index % 2:
                regex.append(f"(?P<{part}>{self.fields[part]})" if named else f"(?:{self.fields[part]})")
            else:
                regex.append(re.escape(part))
        return "^" + "".join(regex) + "$"

    @property
    def pattern(self) -> str:
        """An anchored regular expression for PTB's ``CallbackQueryHandler(pattern=…)``."""
        return self._regex(named=True)

    def build(self, **values: object) -> str:
        data = self.template.format(**{name: str(value) for name, value in values.items()})
        if self.parse(data) is None:
            raise ValueError(f"{data!r} does not fit {self.template}")
        if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise CallbackDataTooLong(data)
        return data

    def parse(self, data: str | None) -> dict[str, str] | None:
        """The fields of ``data`` by name; None when the data is not of this format (forged, or another)."""
        match = _compiled(self).fullmatch(data or "")
        return match.groupdict() if match else None

    def field(self, data: str | None, name: str) -> str:
        """One field of data the handler's pattern already matched; ValueError if it is not of this format."""
        fields = self.parse(data)
        if fields is None:
            raise ValueError(f"{data!r} is not {self.template}")
        return fields[name]

    def matches(self, data: str | None) -> bool:
        return self.parse(data) is not None


_COMPILED: dict[str, re.Pattern[str]] = {}


def _compiled(fmt: CallbackFormat) -> re.Pattern[str]:
    regex = _COMPILED.get(fmt.template)
    if regex is None:
        regex = _COMPILED[fmt.template] = re.compile(fmt.pattern[1:-1])
    return regex


def any_of(*formats: CallbackFormat) -> str:
    """One pattern matching any of several formats (one handler for a family of buttons)."""
    return "|".join(f"(?:{fmt._regex(named=False)})" for fmt in formats)


# --- the main menu --------------------------------------------------------------------------------
MENU_FILE = CallbackFormat("menu:lapor")
MENU = CallbackFormat("menu:{item}", {"item": "status|paket|layanan"})

# --- the filing conversation (/lapor) --------------------------------------------------------------
FILING_USE_TELEGRAM_NAME = CallbackFormat("lapor:nama")
FILING_KIND = CallbackFormat("lapor:jenis:{kind}", {"kind": "[a-z]+"})
FILING_SKIP_PACKAGE = CallbackFormat("lapor:lewati")
FILING_EVIDENCE_DONE = CallbackFormat("lapor:bukti_selesai")
FILING_CONFIDENTIAL = CallbackFormat("lapor:rahasia:{answer}", {"answer": "ya|tidak"})
FILING_SEND = CallbackFormat("lapor:kirim")
FILING_EDIT = CallbackFormat("lapor:ubah")
FILING_NOT_WRONGDOING = CallbackFormat("lapor:bukan")  # «Ini bukan dugaan pelanggaran»
FILING_EDIT_FIELD = CallbackFormat("lapor:ubah:{field}", {"field": "[a-z]+"})
FILING_CANCEL = CallbackFormat("lapor:batal")
# A draft kept after the idle timeout: «Lanjutkan» or «Mulai baru».
FILING_RESUME = CallbackFormat("lapor:lanjut")
FILING_START_OVER = CallbackFormat("lapor:baru")

# --- the citizen's tickets -------------------------------------------------------------------------
TICKET_DETAIL = CallbackFormat("st:{code}", {"code": TICKET_CODE})
ADD_INFORMATION = CallbackFormat("tambah:{code}", {"code": TICKET_CODE})
RATING = CallbackFormat("nilai:{code}:{value}", {"code": TICKET_CODE, "value": "[1-5]"})
# Offered when staff raise a ticket to berkadar after filing: «rahasiakan» or not (issue #12).
CONFIDENTIALITY_OFFER = CallbackFormat("rahasia:{code}:{answer}", {"code": TICKET_CODE, "answer": "ya|tidak"})
# A file sent after filing while several tickets are open: which one it belongs to.
LATE_EVIDENCE = CallbackFormat("bukti:{code}", {"code": TICKET_CODE})

# --- the staff group: ticket cards and /catat ------------------------------------------------------
CARD_ACTION = CallbackFormat(
    "tk:{action}:{code}", {"action": "proses|tingkat|tutup|tutup_ya|riwayat|batal", "code": TICKET_CODE}
)
CARD_TIER = CallbackFormat("tk:tier:{code}:{tier}", {"code": TICKET_CODE, "tier": "[a-z-]+"})
CARD_REOPEN = CallbackFormat("tk:buka:{code}", {"code": TICKET_CODE})  # «Buka kembali» on a closed card
CARD_TAKE = CallbackFormat("tk:ambil:{code}", {"code": TICKET_CODE})  # «Ambil»: the presser owns it
# A plain reply held until «Kirim ke pelapor» or «Simpan sebagai catatan» (the held reply's id).
HELD_REPLY = CallbackFormat("bls:{choice}:{id}", {"choice": "kirim|catatan", "id": r"\d{1,15}"})
RECORDING_CHANNEL = CallbackFormat("catat:saluran:{channel}", {"channel": "[a-z_]+"})
RECORDING_TIER = CallbackFormat("catat:tingkat:{tier}", {"tier": "[a-z-]+"})
RECORDING_CANCEL = CallbackFormat("catat:batal")
# A citizen's objection (keberatan) to a closure, in the staff group: «Buka kembali».
OBJECTION_REOPEN = CallbackFormat("keberatan:buka:{code}", {"code": TICKET_CODE})
RECORDING_RECEIVED = CallbackFormat("catat:diterima:{when}", {"when": "sekarang"})
RECORDING_KIND = CallbackFormat("catat:jenis:{kind}", {"kind": "[a-z]+"})
RECORDING_ANY = CallbackFormat("catat:{rest}", {"rest": ".*"})  # stale buttons of an ended session

# --- packages --------------------------------------------------------------------------------------
PACKAGE_VIEW = CallbackFormat("pkt:lihat:{code}", {"code": PACKAGE_CODE})
PACKAGE_FOLLOW = CallbackFormat("pkt:ikut:{code}", {"code": PACKAGE_CODE})
PACKAGE_UNFOLLOW = CallbackFormat("pkt:stop:{code}", {"code": PACKAGE_CODE})
PACKAGE_INFO = CallbackFormat("pkt:info:{code}", {"code": PACKAGE_CODE})
PACKAGE_CONFIRM = CallbackFormat("pkt:yakin:{answer}:{code}", {"answer": "ya|tidak", "code": PACKAGE_CODE})
PACKAGE_STAGE = CallbackFormat("pkt:tahap:{code}:{choice}", {"code": PACKAGE_CODE, "choice": "[a-z0-9_:]{1,40}"})

# --- the service standard (/layanan) ---------------------------------------------------------------
SERVICE_SECTION = CallbackFormat("lyn:{key}", {"key": "[a-z_]{1,30}"})


def registry() -> dict[str, CallbackFormat]:
    """Every format of this module by name (what tests check for prefixes and sizes)."""
    return {name: value for name, value in globals().items() if isinstance(value, CallbackFormat)}
