"""``pbj-helpdesk check``: is this installation ready to run?

Checks, in order: the configuration (already loaded and valid when we get here), the token and
staff chat, the database (opened, and migrated only with ``--migrate``), the token against the
Bot API (``getMe``), and the staff group: the bot is a member and may post there. Every problem is
one ✘ line with a hint; a check that could not run because something it needs is missing is a –
line, counted as skipped. The exit status is 0 only when everything needed to run is in place,
else 1. A missing configuration file is said plainly (path, how to create it) with status 2; an
invalid one is reported by the CLI with status 2, like every other command.

Without ``staff_chat_id`` the bot can only run in setup mode; the ✘ line explains the steps.

The Bot API address comes from the configuration (``base_url``), so a self-hosted Bot API
server or a test double answers the same calls; tests pass a ``BaseRequest`` double directly.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, ChatMember, ChatMemberRestricted
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.request import BaseRequest, HTTPXRequest

from bot.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from bot.config import DEFAULT_CONFIG_PATH, Settings, missing_config_message
from bot.texts import common as texts
from storage.db import Database, DatabaseError, latest_version, read_schema_version

MIGRATE_HINT = "hentikan bot, buat cadangan (pbj-helpdesk backup BERKAS), lalu jalankan: pbj-helpdesk check --migrate"
STAFF_GROUP_HINT = (
    "tambahkan bot ke grup staf, kirim /chatid di grup itu, dan salin angkanya ke [telegram] staff_chat_id"
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    hint: str = ""
    skipped: bool = False  # not checked because something it needs is missing (counted as skipped)
    warning: bool = False  # passed, but worth a look

    @property
    def symbol(self) -> str:
        if self.skipped:
            return "–"
        if not self.ok:
            return "✘"
        return "⚠" if self.warning else "✔"


def _passed(name: str, detail: str, *, warning: bool = False, hint: str = "") -> CheckResult:
    return CheckResult(name, True, detail, hint, warning=warning)


def _failed(name: str, detail: str, hint: str = "") -> CheckResult:
    return CheckResult(name, False, detail, hint)


def _skipped(name: str, detail: str) -> CheckResult:
    return CheckResult(name, False, detail, skipped=True)


async def run_checks(settings: Settings, *, migrate: bool, request: BaseRequest | None = None) -> list[CheckResult]:
    """All checks; ``request`` replaces the HTTP transport to the Bot API (tests)."""
    source = settings.source
    if source is not None and source.exists():
        results = [_passed("Konfigurasi", f"{source} terbaca dan sah")]
    else:
        results = [_passed("Konfigurasi", f"{source or 'config.toml'} tidak ada; memakai nilai bawaan dan "
                                          "variabel lingkungan")]
    where = str(source or DEFAULT_CONFIG_PATH)
    if not settings.telegram.token.get_secret_value():
        results.append(_failed(
            "Token dan grup staf", f"{where}: [telegram] token kosong. Isi token dari @BotFather di berkas ini "
            "atau di variabel lingkungan TELEGRAM_BOT_TOKEN."))
    elif settings.setup_mode:
        results.append(_failed("Token dan grup staf", "token terisi, tetapi staff_chat_id belum diisi: "
                               "bot hanya dapat berjalan dalam mode penyiapan", texts.setup_mode_steps(where)))
    else:
        results.append(_passed("Token dan grup staf", "terisi"))
    results.append(await check_database(settings.storage.database, migrate=migrate))
    results.append(check_spse(settings))
    results.extend(await check_telegram(settings, request))
    return results


# --- database ----------------------------------------------------------------------------


async def check_database(path: Path, *, migrate: bool) -> CheckResult:
    name = "Basis data"
    latest = latest_version()
    created = not path.exists()  # noqa: ASYNC240 - one stat, before anything runs
    if created:
        if not migrate:
            return _failed(name, f"{path} belum ada", "buat dengan: pbj-helpdesk check --migrate")
        before = 0
    else:
        try:
            before = read_schema_version(path)
        except sqlite3.Error as exc:
            return _failed(name, f"{path} tidak dapat dibaca sebagai basis data SQLite: {exc}")
        if before < latest and not migrate:
            return _failed(name, f"{path}: skema versi {before}, perlu migrasi ke versi {latest}", MIGRATE_HINT)
    try:
        db = await Database.open(path, migrate=migrate)
    except DatabaseError as exc:
        return _failed(name, str(exc))
    except (OSError, sqlite3.Error) as exc:
        return _failed(name, f"{path} tidak dapat dibuka: {exc}")
    try:
        version = await db.schema_version()
    finally:
        await db.close()
    if created:
        detail = f"{path} dibuat, skema versi {version}"
    elif version != before:
        detail = f"{path} dimigrasikan dari skema versi {before} ke {version}"
    else:
        detail = f"{path}, skema versi {version} (terbaru)"
    return _passed(name, detail)


# --- SPSE --------------------------------------------------------------------------------


def check_spse(settings: Settings) -> CheckResult:
    """'SPSE: terakhir berhasil …, gagal …' from the sync log (SPSE itself is not contacted)."""
    from bot.texts import spse as spse_texts
    from storage.db import from_db_time
    from storage.spse import last_runs_read_only

    name = "SPSE"
    config = settings.spse
    if not config.enabled:
        return _passed(name, "sinkronisasi tidak aktif ([spse] enabled = false)")
    where = f"{config.base_url}/{config.lpse}"
    path = settings.storage.database
    if not path.exists():
        return _skipped(name, f"{where}: tidak diperiksa: basis data belum ada")
    try:
        last_ok, last_failed = last_runs_read_only(path)
    except sqlite3.Error:
        return _skipped(name, f"{where}: tidak diperiksa: basis data belum dimigrasikan")
    zone = settings.calendar.zone
    ok_at = from_db_time(last_ok["finished_at"]) if last_ok is not None else None
    failed_at = from_db_time(last_failed["finished_at"]) if last_failed is not None else None
    detail = f"{where}: " + spse_texts.check_detail(last_ok, last_failed, zone, (ok_at, failed_at))
    if ok_at is None:
        return _passed(name, detail, warning=True,
                       hint="jalankan pbj-helpdesk spse sync, atau tunggu sinkronisasi terjadwal di jam kantor")
    if failed_at is not None and failed_at > ok_at:
        return _passed(name, detail, warning=True,
                       hint="sinkronisasi terakhir gagal; data paket tetap seperti sinkronisasi yang berhasil. "
                            "Periksa log dan jaringan ke SPSE")
    return _passed(name, detail)


# --- Telegram ----------------------------------------------------------------------------


def _redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


async def check_telegram(settings: Settings, request: BaseRequest | None = None) -> list[CheckResult]:
    telegram = settings.telegram
    token = telegram.token.get_secret_value()
    if not token:
        return [_skipped("Telegram", "tidak diperiksa: token belum ada")]
    bot = Bot(
        token,
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url or "https://api.telegram.org/file/bot",
        request=request or HTTPXRequest(connect_timeout=10, read_timeout=10),
        get_updates_request=request or HTTPXRequest(connect_timeout=10, read_timeout=10),
    )
    where = telegram.base_url.split("/bot")[0] if "/bot" in telegram.base_url else telegram.base_url
    try:
        try:
            await bot.initialize()  # getMe
        except InvalidToken:
            # PTB's message quotes the token; never print it.
            return [_failed("Telegram", f"token ditolak oleh {where} (401 Unauthorized)",
                            "salin ulang token dari @BotFather (/token), di berkas atau di TELEGRAM_BOT_TOKEN")]
        except NetworkError as exc:
            return [_failed("Telegram", f"tidak dapat menghubungi {where}: {_redact(str(exc), token)}",
                            "periksa jaringan/proksi server ini dan [telegram] base_url")]
        except TelegramError as exc:
            return [_failed("Telegram", f"getMe gagal: {_redact(exc.message, token)}")]
        me = bot.bot
        results = [_passed("Telegram", f"token diterima: @{me.username} (id {me.id})")]
        if not telegram.staff_chat_id:
            results.append(_skipped("Grup staf", "tidak diperiksa: staff_chat_id belum diisi"))
            return results
        results.extend(await check_staff_chat(bot, telegram.staff_chat_id, token))
        return results
    finally:
        await bot.shutdown()


async def check_staff_chat(bot: Bot, chat_id: int, token: str = "") -> list[CheckResult]:
    name = "Grup staf"
    try:
        member: ChatMember = await bot.get_chat_member(chat_id, bot.id)
    except ChatMigrated as exc:
        return [_failed(name, f"grup {chat_id} sudah menjadi supergrup dengan id {exc.new_chat_id}",
                        f"ubah [telegram] staff_chat_id = {exc.new_chat_id}")]
    except Forbidden as exc:
        return [_failed(name, f"bot bukan anggota grup staf {chat_id} (Telegram: {exc.message})", STAFF_GROUP_HINT)]
    except BadRequest as exc:
        if "not found" in exc.message.lower():
            return [_failed(name, f"bot bukan anggota grup staf {chat_id}: grup tidak ditemukan "
                                  "(id salah, atau bot belum pernah ditambahkan)", STAFF_GROUP_HINT)]
        return [_failed(name, f"grup staf {chat_id}: {_redact(exc.message, token)}")]
    except TelegramError as exc:
        return [_failed(name, f"grup staf {chat_id} tidak dapat diperiksa: {_redact(exc.message, token)}")]

    status = member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        state = "sudah keluar" if status == ChatMemberStatus.LEFT else "dikeluarkan dan diblokir"
        return [_failed(name, f"bot bukan anggota grup staf {chat_id} (bot {state})", STAFF_GROUP_HINT)]
    title, permissions = str(chat_id), None
    try:
        chat = await bot.get_chat(chat_id)
        title = f"«{chat.title}» ({chat_id})" if chat.title else str(chat_id)
        permissions = chat.permissions
    except TelegramError:
        pass  # membership is what matters; the title is a courtesy
    results = [_passed(name, f"{title}, bot berstatus {status}")]

    post = "Kirim ke grup staf"
    if isinstance(member, ChatMemberRestricted) and member.can_send_messages is False:
        results.append(_failed(post, "bot dibatasi di grup staf dan tidak boleh mengirim pesan",
                               "izinkan bot mengirim pesan di pengaturan grup, atau jadikan bot admin"))
    elif (status == ChatMemberStatus.MEMBER and permissions is not None
          and permissions.can_send_messages is False):
        results.append(_failed(post, "anggota grup staf tidak boleh mengirim pesan, bot juga tidak",
                               "izinkan anggota mengirim pesan, atau jadikan bot admin"))
    else:
        results.append(_passed(post, "bot boleh mengirim pesan"))

    me = bot.bot
    if me.can_read_all_group_messages and status not in (
        ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER
    ):
        # Everything the desk needs reaches it in privacy mode (commands and replies to its own
        # messages); reading all staff chatter is more than it needs.
        results.append(_passed(
            "Mode privasi", "nonaktif: bot menerima semua pesan di grup staf, padahal tidak perlu",
            warning=True, hint="disarankan @BotFather → /setprivacy → Enable (lihat README)",
        ))
    else:
        results.append(_passed(
            "Mode privasi", "aktif: bot hanya menerima perintah dan balasan (reply) ke pesannya — cukup",
        ))
    results.extend(await check_other_bot_admins(bot, chat_id))
    return results


async def check_other_bot_admins(bot: Bot, chat_id: int) -> list[CheckResult]:
    """Warns when another bot administers the staff group (issue #12): an admin bot reads every
    staff message, and general commands (/daftar without @name) go to whichever bot posted last."""
    try:
        admins = await bot.get_chat_administrators(chat_id)
    except TelegramError:
        return []  # the membership checks above already said what is wrong
    others = sorted(f"@{a.user.username}" if a.user.username else str(a.user.id)
                    for a in admins if a.user.is_bot and a.user.id != bot.id)
    if not others:
        return [_passed("Bot lain", "tidak ada bot lain yang menjadi admin grup staf")]
    return [_passed(
        "Bot lain", f"admin grup staf juga bot lain: {', '.join(others)} — bot itu membaca semua pesan "
        "staf, dan perintah tanpa @nama bot hanya sampai ke bot yang terakhir mengirim pesan",
        warning=True, hint="keluarkan bot lain dari admin grup staf, atau tulis perintah dengan @nama bot ini",
    )]


# --- command -----------------------------------------------------------------------------


def format_results(results: list[CheckResult]) -> str:
    lines = []
    for result in results:
        lines.append(f"{result.symbol} {result.name}: {result.detail}")
        if result.hint:
            lines.append(f"    → {result.hint}")
    failed = sum(1 for r in results if not r.ok and not r.skipped)
    skipped = sum(1 for r in results if r.skipped)
    if not failed and not skipped:
        lines.append("Semua pemeriksaan lulus.")
    elif not skipped:
        lines.append(f"{failed} pemeriksaan gagal.")
    elif not failed:
        lines.append(f"{skipped} pemeriksaan dilewati, jadi bot belum siap dijalankan.")
    else:
        lines.append(f"{failed} pemeriksaan gagal dan {skipped} dilewati karena itu.")
    return "\n".join(lines)


def missing_config(source: Path) -> int:
    """``check`` without a configuration file: say so plainly, and how to make one."""
    print(f"✘ Konfigurasi: {missing_config_message(source)}")
    print("    → contohnya ada di config.example.toml (di folder program, atau di repositori)")
    print("Pemeriksaan lain tidak dijalankan tanpa berkas konfigurasi.")
    return EXIT_USAGE


def cmd_check(settings: Settings, args: argparse.Namespace, *, request: BaseRequest | None = None) -> int:
    results = asyncio.run(run_checks(settings, migrate=bool(args.migrate), request=request))
    print(format_results(results))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED
