"""Configuration: one TOML file validated into pydantic models.

Every key is documented in ``config.example.toml``. Unknown keys are errors (a typo
must not silently fall back to a default), and every error names the file and the key.
The bot token may come from ``TELEGRAM_BOT_TOKEN`` so that no secret has to live in a file.
Relative paths in the file (the database, ``content_file``) are taken from the file's own folder,
so the same file finds the same data whatever the working directory (systemd, cron, a shell).
pydantic's errors are worded in Indonesian from one table (:data:`_MESSAGES`), with the key and,
for numbers, the allowed range read from the field's own constraints.
"""

from __future__ import annotations

import datetime as dt
import errno
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import annotated_types
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_CONFIG_PATH = Path("config.toml")
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The work calendar counts Saturdays and Sundays as days off whatever their hours say, so hours for
# them would be silently ignored; they are refused instead (an extra workday on a Saturday takes
# the first configured Monday…Friday hours).
WEEKEND = ("saturday", "sunday")
_CLOSED = ("", "tutup", "closed", None)


class ConfigError(Exception):
    """A configuration problem, already worded for the person who runs the bot."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpeningHours(_Section):
    """Office hours of one weekday, written ``"07:30-16:00"`` in the file."""

    opens: dt.time
    closes: dt.time

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})\s*", value)
            if not match:
                raise ValueError('tulis jam kantor sebagai "07:30-16:00"')
            opens, closes = (part.replace(".", ":") for part in match.groups())
            return {"opens": opens, "closes": closes}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError("jam tutup harus setelah jam buka")
        return self


class ExtraHoliday(_Section):
    date: dt.date
    name: str = Field(min_length=1, max_length=120)


def _default_office_hours() -> dict[str, OpeningHours | None]:
    weekday = OpeningHours(opens=dt.time(7, 30), closes=dt.time(16, 0))
    return {
        "monday": weekday,
        "tuesday": weekday,
        "wednesday": weekday,
        "thursday": weekday,
        "friday": OpeningHours(opens=dt.time(7, 30), closes=dt.time(16, 30)),
        "saturday": None,
        "sunday": None,
    }


class CalendarConfig(_Section):
    timezone: str = "Asia/Makassar"
    office_hours: dict[str, OpeningHours | None] = Field(default_factory=_default_office_hours)
    extra_holidays: list[ExtraHoliday] = Field(default_factory=list)
    extra_workdays: list[dt.date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"zona waktu {value!r} tidak dikenal (contoh: Asia/Makassar)") from None
        return value

    @field_validator("office_hours", mode="before")
    @classmethod
    def _merge_with_defaults(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"nama hari tidak dikenal: {', '.join(unknown)} (pakai monday…sunday)")
        weekend = [day for day in WEEKEND if value.get(day, None) not in _CLOSED]
        if weekend:
            raise ValueError(
                f"{', '.join(weekend)}: hari Sabtu dan Minggu selalu dihitung hari libur, jadi jam kantor "
                'untuk hari itu tidak akan dipakai. Hapus barisnya atau tulis "tutup"; Sabtu yang menjadi '
                "hari kerja ditulis di [calendar] extra_workdays (jam kantornya mengikuti jam Senin–Jumat pertama yang diisi, biasanya Senin)."
            )
        # A day set to "" or "tutup" is closed; unnamed days keep their defaults.
        merged: dict[str, Any] = dict(_default_office_hours())
        for day, hours in value.items():
            merged[day] = None if hours in _CLOSED else hours
        return merged

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_for(self, weekday: int) -> OpeningHours | None:
        """Office hours for ``date.weekday()`` (0 = Monday), or None when closed."""
        return self.office_hours.get(WEEKDAYS[weekday])


class TiersConfig(_Section):
    """Legal deadlines per tier; defaults are the bureau's service standard (SK 188/139/K.Setda/2021)."""

    ringan_office_hours: float = Field(default=3, gt=0, le=80)
    normatif_working_days: int = Field(default=5, ge=1, le=400)
    tidak_berkadar_working_days: int = Field(default=14, ge=1, le=400)
    berkadar_working_days: int = Field(default=60, ge=1, le=400)


class WebhookConfig(_Section):
    url: str = ""
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    path: str = "/telegram"
    secret_token: SecretStr = SecretStr("")

    @field_validator("path")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value


class TelegramConfig(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = ""
    staff_chat_id: int = 0
    admin_user_ids: list[int] = Field(default_factory=list)
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    # Leave groups the bot is added to by anyone not in admin_user_ids (turn on after setup).
    leave_foreign_groups: bool = False
    # Telegram's own limits are ~30 messages/s overall; 0 turns client-side throttling off.
    overall_max_rate: float = Field(default=30, ge=0)
    # Telegram allows about 20 messages a minute into one group; 0 turns this throttle off.
    group_max_rate: float = Field(default=20, ge=0)
    max_concurrent_updates: int = Field(default=256, ge=1, le=4096)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if raw and not TOKEN_PATTERN.match(raw):
            raise ValueError("token bot tidak berformat benar (contoh 123456789:AA…, dari @BotFather)")
        return SecretStr(raw)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError("base_url harus diawali http:// atau https://")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramConfig:
        if self.mode == "webhook":
            if not self.webhook.url.startswith("https://"):
                raise ValueError("mode webhook butuh [telegram.webhook] url yang diawali https://")
            secret = self.webhook.secret_token.get_secret_value()
            if len(secret) < 32:
                raise ValueError("mode webhook butuh [telegram.webhook] secret_token minimal 32 karakter")
            if not re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret):
                raise ValueError("secret_token hanya boleh huruf, angka, _ dan -")
        return self


class StorageConfig(_Section):
    database: Path = Path("data/helpdesk.sqlite3")


class LimitsConfig(_Section):
    conversation_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    description_min_chars: int = Field(default=20, ge=1, le=500)
    description_max_chars: int = Field(default=3000, ge=100, le=20000)
    evidence_max_files: int = Field(default=10, ge=0, le=50)
    max_file_mb: float = Field(default=20, gt=0, le=2000)
    messages_per_minute: int = Field(default=20, ge=1)
    complaints_per_day: int = Field(default=5, ge=1)


class ServiceConfig(_Section):
    """Contact details shown to citizens; override when the bureau's numbers change."""

    contact_center: str = "08115919998"
    email: str = "helpdesk.lpsekaltara@gmail.com"
    content_file: Path | None = None


class WatchConfig(_Section):
    reminder_share: float = Field(default=0.75, gt=0, lt=1)
    check_interval_minutes: float = Field(default=10, gt=0, le=24 * 60)
    morning_digest: bool = True


class SpseConfig(_Section):
    """Package data from SPSE (``[spse]``); off unless ``enabled``."""

    enabled: bool = False
    # The national SPSE; a loopback server in tests.
    base_url: str = "https://spse.inaproc.id"
    # The LPSE's path on that site.
    lpse: str = "kaltaraprov"
    # During office hours; at least 15 minutes.
    sync_interval_minutes: int = Field(default=60, ge=15, le=24 * 60)
    # Budget years to sync; empty = this year and last.
    years: list[int] = Field(default_factory=list)
    # Politeness: seconds between two requests of one session, and the retries with backoff.
    request_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    retries: int = Field(default=3, ge=0, le=10)
    backoff_seconds: float = Field(default=2.0, ge=0, le=300)
    timeout_seconds: float = Field(default=20, gt=0, le=300)
    # A code nobody synced yet is looked up live, within this many seconds in all.
    lookup_timeout_seconds: float = Field(default=5, gt=0, le=30)
    # Rows per list request, and the largest response accepted (bigger ones are refused).
    page_size: int = Field(default=500, ge=10, le=5000)
    max_response_mb: float = Field(default=8, gt=0, le=200)
    # Announcement, schedule and winner pages fetched per sync at most (the rest next time).
    max_detail_requests: int = Field(default=300, ge=0, le=100_000)
    # The schedule of a package in progress is read again after this long (and on a stage change).
    schedule_refresh_hours: float = Field(default=6, gt=0, le=24 * 30)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("base_url harus diawali http:// atau https://")
        return value.rstrip("/")

    @field_validator("lpse")
    @classmethod
    def _path(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9_-]{1,60}", value):
            raise ValueError("lpse hanya huruf kecil, angka, _ dan - (contoh: kaltaraprov)")
        return value

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[int]) -> list[int]:
        for year in value:
            if not 2000 <= year <= 2100:
                raise ValueError(f"tahun {year} di luar rentang 2000–2100")
        return sorted(set(value), reverse=True)

    def sync_years(self, today: dt.date) -> list[int]:
        return list(self.years) or [today.year, today.year - 1]


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class Settings(_Section):
    telegram: TelegramConfig = Field(default_factory=TelegramConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    tiers: TiersConfig = Field(default_factory=TiersConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    watch: WatchConfig = Field(default_factory=WatchConfig)
    spse: SpseConfig = Field(default_factory=SpseConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    source: Annotated[Path | None, Field(exclude=True)] = None

    @property
    def setup_mode(self) -> bool:
        """No staff group yet: ``run`` answers /chatid only (see bot/delivery/runner.py)."""
        return self.telegram.staff_chat_id == 0

    def require_token(self) -> None:
        """What ``run`` needs beyond a valid file (without a staff chat it starts in setup mode)."""
        where = self.source or DEFAULT_CONFIG_PATH
        if not self.telegram.token.get_secret_value():
            raise ConfigError(
                f"{where}: [telegram] token kosong. Isi token dari @BotFather di berkas ini "
                "atau di variabel lingkungan TELEGRAM_BOT_TOKEN."
            )


class _Environment(BaseSettings):
    """Values that may come from the environment instead of the file."""

    model_config = SettingsConfigDict(extra="ignore")

    telegram_bot_token: SecretStr | None = None


# pydantic error type → Indonesian wording. ``{range}`` is the allowed range of the field (from its
# Field(ge=…, le=…)), ``{expected}`` the allowed choices; every other placeholder comes from the
# error's own context. A type not listed falls back to "nilai tidak sah".
_MESSAGES: dict[str, str] = {
    "missing": "wajib diisi",
    "int_type": "harus bilangan bulat{range}",
    "int_parsing": "harus bilangan bulat{range}",
    "int_from_float": "harus bilangan bulat{range}, tanpa pecahan",
    "float_type": "harus angka{range}",
    "float_parsing": "harus angka{range}",
    "greater_than": "harus angka{range}",
    "greater_than_equal": "harus angka{range}",
    "less_than": "harus angka{range}",
    "less_than_equal": "harus angka{range}",
    "finite_number": "harus angka biasa (bukan inf atau nan)",
    "bool_type": "harus true atau false (tanpa tanda kutip)",
    "bool_parsing": "harus true atau false (tanpa tanda kutip)",
    "string_type": "harus teks dalam tanda kutip",
    "string_too_short": "terlalu pendek (minimal {min_length} karakter)",
    "string_too_long": "terlalu panjang (maksimal {max_length} karakter)",
    "too_short": "terlalu sedikit (minimal {min_length})",
    "too_long": "terlalu banyak (maksimal {max_length})",
    "literal_error": "harus salah satu dari: {expected}",
    "enum": "harus salah satu dari: {expected}",
    "date_type": "harus tanggal seperti 2026-12-31 (tanpa tanda kutip)",
    "date_parsing": "harus tanggal seperti 2026-12-31 (tanpa tanda kutip)",
    "date_from_datetime_parsing": "harus tanggal seperti 2026-12-31 (tanpa tanda kutip)",
    "date_from_datetime_inexact": "harus tanggal saja, tanpa jam",
    "time_type": "harus jam seperti 07:30",
    "time_parsing": "harus jam seperti 07:30",
    "list_type": "harus daftar, mis. [1, 2]",
    "dict_type": "harus tabel (bagian [..] atau { … })",
    "model_type": "harus tabel (bagian [..] atau { … })",
    "model_attributes_type": "harus tabel (bagian [..] atau { … })",
    "path_type": "harus jalur berkas dalam tanda kutip",
    "extra_forbidden": "kunci tidak dikenal (salah ketik? lihat config.example.toml)",
}
# Keys whose value is never echoed back in a message.
_SECRET_KEYS = frozenset({"token", "secret_token"})


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field_range(location: list[str]) -> str:
    """The allowed range of the field at ``location`` in :class:`Settings`, e.g. " antara 1 dan 400"."""
    model: Any = Settings
    info = None
    for part in location:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return ""
        info = fields[part]
        model = info.annotation
    if info is None:
        return ""
    bounds: dict[str, Any] = {}
    for item in info.metadata:
        for name in ("gt", "ge", "lt", "le"):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                bounds[name] = getattr(item, name)
    low = (f"paling sedikit {_number(bounds['ge'])}" if "ge" in bounds
           else f"lebih dari {_number(bounds['gt'])}" if "gt" in bounds else "")
    high = (f"paling banyak {_number(bounds['le'])}" if "le" in bounds
            else f"kurang dari {_number(bounds['lt'])}" if "lt" in bounds else "")
    if "ge" in bounds and "le" in bounds:
        return f" antara {_number(bounds['ge'])} dan {_number(bounds['le'])}"
    return " " + " dan ".join(part for part in (low, high) if part) if low or high else ""


def _choices(error: dict[str, Any], location: list[str]) -> str:
    model: Any = Settings
    for part in location:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            break
        model = fields[part].annotation
    else:
        values = get_args(model)
        if values:
            return ", ".join(f'"{value}"' for value in values)
    return str(error.get("ctx", {}).get("expected", "")).replace(" or ", " atau ")


def _describe(error: dict[str, Any]) -> str:
    location = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
    # pydantic reports union branches ("OpeningHours", …) as location parts; drop them.
    location = [part for part in location if not part[:1].isupper()]
    item = ""
    if location and location[-1].isdigit():  # an element of a list: "extra_workdays (butir ke-2)"
        item = f" (butir ke-{int(location.pop()) + 1})"
    table, key = location[:-1], location[-1] if location else "?"
    where = (f"[{'.'.join(table)}] {key}" if table else key) + item
    kind = str(error["type"])
    if kind in ("value_error", "assertion_error"):
        # Our own validators word their messages in Indonesian already.
        return f"{where}: {str(error['msg']).removeprefix('Value error, ').removeprefix('Assertion failed, ')}"
    template = _MESSAGES.get(kind, "nilai tidak sah")
    context = {str(k): v for k, v in (error.get("ctx") or {}).items()}
    context["range"] = _field_range(location)
    context["expected"] = _choices(error, location)
    try:
        message = template.format(**context)
    except (KeyError, IndexError):
        message = template
    value = error.get("input")
    if (kind != "missing" and key not in _SECRET_KEYS and isinstance(value, int | float | str)
            and not isinstance(value, bool) and len(str(value)) <= 40):
        shown = f'"{value}"' if isinstance(value, str) else _number(value)
        message += f" (tertulis: {shown})"
    elif isinstance(value, bool) and kind != "missing":
        message += f" (tertulis: {str(value).lower()})"
    return f"{where}: {message}"


_OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "berkas atau folder tidak ada",
    errno.EACCES: "izin ditolak (periksa pemilik dan hak akses berkas/foldernya)",
    errno.EPERM: "tindakan tidak diizinkan",
    errno.EISDIR: "itu sebuah folder, bukan berkas",
    errno.ENOTDIR: "salah satu bagian jalurnya bukan folder",
    errno.EEXIST: "sudah ada",
    errno.ENOSPC: "ruang disk penuh",
    errno.EROFS: "sistem berkas hanya-baca",
    errno.ENAMETOOLONG: "nama berkas terlalu panjang",
    errno.EMFILE: "terlalu banyak berkas terbuka",
    errno.EBUSY: "berkas sedang dipakai",
    errno.EIO: "kesalahan baca/tulis perangkat",
}


def describe_os_error(exc: OSError) -> str:
    """An OSError worded in Indonesian: "jalur: alasan" (never Python's English strerror)."""
    reason = _OS_ERRORS.get(exc.errno or 0)
    if reason is None:
        reason = f"kesalahan sistem (errno {exc.errno})" if exc.errno else "kesalahan sistem"
    where = exc.filename
    return f"{where}: {reason}" if where else reason


def _resolved(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def resolve_paths(settings: Settings, base: Path) -> Settings:
    """Every file path of the configuration made absolute from ``base`` (the file's folder)."""
    storage = settings.storage.model_copy(update={"database": _resolved(settings.storage.database, base)})
    service = settings.service
    if service.content_file is not None:
        service = service.model_copy(update={"content_file": _resolved(service.content_file, base)})
    return settings.model_copy(update={"storage": storage, "service": service})


def load_settings(path: Path | str | None = None, *, environ: dict[str, str] | None = None,
                  without_telegram: bool = False) -> Settings:
    """Loads and validates the configuration; raises ConfigError with a readable message.

    A missing file is only an error when it was named explicitly: the defaults plus
    ``TELEGRAM_BOT_TOKEN`` are enough for the CLI's offline commands. ``without_telegram``: the
    ``[telegram]`` section and the token variable are not read at all (the sandbox never talks
    to Telegram, so a malformed token there must not stop it).
    """
    explicit = path is not None
    source = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    data: dict[str, Any] = {}
    if source.exists():
        try:
            data = tomllib.loads(source.read_text(encoding="utf-8-sig"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: bukan TOML yang sah: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{source}: tidak dapat dibaca: {describe_os_error(exc).removeprefix(f'{source}: ')}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{source}: tidak dapat dibaca: bukan teks UTF-8") from None
    elif explicit:
        raise ConfigError(missing_config_message(source))

    if without_telegram:
        data.pop("telegram", None)
    env = (
        _Environment()
        if environ is None
        else _Environment.model_validate({k.lower(): v for k, v in environ.items()})
    )
    token = env.telegram_bot_token
    if not without_telegram and token is not None and token.get_secret_value().strip():
        telegram = data.setdefault("telegram", {})
        if isinstance(telegram, dict):
            telegram["token"] = token.get_secret_value()

    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(f"  - {_describe(err)}" for err in exc.errors())  # type: ignore[arg-type]
        raise ConfigError(f"{source}: konfigurasi tidak sah:\n{problems}") from None
    # Relative paths count from the file's folder (without a file: from the working directory,
    # where the default config.toml would be).
    base = source.resolve().parent if source.exists() else Path.cwd()
    return resolve_paths(settings, base).model_copy(update={"source": source})


def missing_config_message(source: Path) -> str:
    return (
        f"berkas konfigurasi {source} tidak ditemukan (dicari di {source.resolve()}). Buat dari contohnya: "
        f"cp config.example.toml {source} — lalu isi [telegram] token (atau TELEGRAM_BOT_TOKEN) "
        "dan periksa dengan: pbj-helpdesk check --config " + str(source)
    )
