"""The service standard shown by /layanan: content from a TOML file, rendered as HTML sections.

The content ships as ``bot/data/layanan.toml``; ``[service] content_file`` may point at an edited
copy. The contact center and e-mail come from ``[service]`` and the complaint deadlines from
``[tiers]`` — never from the content file — so what citizens read matches what the bot does.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config import CalendarConfig, ServiceConfig, TiersConfig
from bot.texts import layanan as texts
from bot.texts.format import esc, zone_abbreviation

DEFAULT_CONTENT = "layanan.toml"
PLACEHOLDERS = ("contact_center", "email")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
TierCode = Literal["ringan", "normatif", "tidak-berkadar", "berkadar"]
TIER_ORDER: tuple[TierCode, ...] = ("ringan", "normatif", "tidak-berkadar", "berkadar")


class ServiceInfoError(Exception):
    """The content file is missing or invalid; the message names the file and the key."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TierText(_Model):
    tingkat: TierCode
    nama: str = Field(min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _no_deadline(cls, value: Any) -> Any:
        # A deadline typed here would contradict [tiers]; say where it belongs instead.
        if isinstance(value, dict) and set(value) - {"tingkat", "nama"}:
            raise ValueError(texts.DEADLINE_IN_CONTENT)
        return value


class Complaints(_Model):
    saluran: list[str] = Field(min_length=1)
    alur: list[str] = Field(min_length=1)
    jangka_waktu: list[TierText]

    @field_validator("saluran")
    @classmethod
    def _known_placeholders(cls, value: list[str]) -> list[str]:
        for item in value:
            for name in _PLACEHOLDER.findall(item):
                if name not in PLACEHOLDERS:
                    raise ValueError(texts.unknown_placeholder(name))
        return value

    @field_validator("jangka_waktu")
    @classmethod
    def _all_tiers(cls, value: list[TierText]) -> list[TierText]:
        if sorted(item.tingkat for item in value) != sorted(TIER_ORDER):
            raise ValueError(texts.TIERS_INCOMPLETE)
        return value


class ServiceContent(_Model):
    nama_layanan: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    instansi: str = Field(min_length=1)
    nomor_sk: str = Field(min_length=1)
    alamat: str = Field(min_length=1)
    situs: str | None = None
    telepon: str | None = None
    persyaratan: list[str] = Field(min_length=1)
    prosedur: list[str] = Field(min_length=1)
    waktu_penyelesaian_menit: int = Field(gt=0, le=24 * 60)
    biaya: str = Field(min_length=1)
    produk: list[str] = Field(min_length=1)
    pengaduan: Complaints


def _describe(error: Any) -> str:
    location = [str(part) for part in error["loc"]]
    # List positions are 0-based for pydantic; people count items from 1.
    parts = [f"[{int(part) + 1}]" if part.isdigit() else part for part in location]
    where = ".".join(parts).replace(".[", "[") or "(berkas)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "kunci tidak dikenal (salah ketik?)"
    elif error["type"] == "missing":
        message = "wajib diisi"
    return f"{where}: {message}"


def parse_content(text: str, source: str) -> ServiceContent:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ServiceInfoError(texts.content_file_unreadable(source, f"bukan TOML yang sah: {exc}")) from None
    try:
        return ServiceContent.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
        raise ServiceInfoError(texts.content_file_error(source, problems)) from None


def load_content(path: Path | None = None) -> ServiceContent:
    """The packaged standard, or the file at ``path``."""
    if path is None:
        resource = resources.files("bot") / "data" / DEFAULT_CONTENT
        return parse_content(resource.read_text(encoding="utf-8"), f"bot/data/{DEFAULT_CONTENT}")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceInfoError(texts.content_file_unreadable(str(path), str(exc))) from None
    return parse_content(text, str(path))


class ServiceInfo:
    """Renders the standard's sections; build once at start-up with :meth:`load`."""

    def __init__(self, content: ServiceContent, service: ServiceConfig | None = None,
                 calendar: CalendarConfig | None = None) -> None:
        self.content = content
        self.service = service or ServiceConfig()
        self.calendar = calendar or CalendarConfig()

    @classmethod
    def load(cls, service: ServiceConfig | None = None, calendar: CalendarConfig | None = None) -> ServiceInfo:
        service = service or ServiceConfig()
        return cls(load_content(service.content_file), service, calendar)

    def office_hours(self) -> str:
        """The configured office hours, as people read them ('Senin–Kamis 07.30–16.00, …')."""
        hours = [(weekday, opening.opens, opening.closes) for weekday in range(7)
                 if (opening := self.calendar.hours_for(weekday)) is not None]
        return texts.office_hours(hours, zone_abbreviation(self.calendar.zone))

    def sections(self) -> list[tuple[str, str]]:
        """(key, button label); keys are short ASCII, fit for callback data."""
        return [(key, label) for key, (label, _) in texts.SECTIONS.items()]

    def _fill(self, item: str) -> str:
        values = {"contact_center": self.service.contact_center, "email": self.service.email}
        # Escape the file's text first, then insert the (escaped) configured values.
        return _PLACEHOLDER.sub(lambda match: esc(values[match.group(1)]), esc(item))

    def render_overview(self) -> str:
        c = self.content
        return texts.overview(esc(c.nama_layanan), esc(c.unit), esc(c.instansi), esc(c.nomor_sk),
                              esc(c.alamat), esc(c.situs) if c.situs else None,
                              esc(c.telepon) if c.telepon else None, self.office_hours())

    def render(self, key: str, tiers: TiersConfig) -> str:
        """One section as HTML. Raises KeyError for a key not in :meth:`sections`.

        ``tiers`` is required (no default) so the deadlines shown are the configured ones.
        """
        c = self.content
        if key == "persyaratan":
            return texts.requirements([esc(item) for item in c.persyaratan])
        if key == "prosedur":
            return texts.procedure([esc(item) for item in c.prosedur])
        if key == "waktu_biaya":
            return texts.time_and_fee(c.waktu_penyelesaian_menit, esc(c.biaya))
        if key == "produk":
            return texts.products([esc(item) for item in c.produk])
        if key == "pengaduan":
            return texts.complaints([self._fill(item) for item in c.pengaduan.saluran],
                                    [esc(item) for item in c.pengaduan.alur])
        if key == "jangka_waktu":
            return texts.deadlines(self.deadline_rows(tiers), self.office_hours())
        raise KeyError(key)

    def deadline_rows(self, tiers: TiersConfig) -> list[tuple[str, str]]:
        """(escaped name, deadline phrase) per tier, in the standard's order."""
        phrases = {
            "ringan": texts.office_hours_deadline(tiers.ringan_office_hours),
            "normatif": texts.working_days_deadline(tiers.normatif_working_days),
            "tidak-berkadar": texts.working_days_deadline(tiers.tidak_berkadar_working_days),
            "berkadar": texts.working_days_deadline(tiers.berkadar_working_days),
        }
        names = {item.tingkat: item.nama for item in self.content.pengaduan.jangka_waktu}
        return [(esc(names[tier]), phrases[tier]) for tier in TIER_ORDER]
