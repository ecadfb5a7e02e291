"""``pbj-helpdesk check``: is this installation ready to run?

Checks, in order: the configuration (already loaded and valid when we get here), the token and
staff chat, the database (opened, and migrated only with ``--migrate``), the token against the
Bot API (``getMe``), and the staff group: the bot is a member and may post there. Every problem is
one ✘ line with a hint and the exit status is 1; an unreadable or invalid configuration file never
gets here (the CLI reports it with exit status 2, like every other command).

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

from bot.cli.errors import EXIT_FAILED, EXIT_OK
from bot.config import ConfigError, Settings
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
    skipped: bool = False  # not checked because something it needs failed (counts as failed)
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
    try:
        settings.require_bot_credentials()
    except ConfigError as exc:
        results.append(_failed("Token dan grup staf", str(exc)))
    else:
        results.append(_passed("Token dan grup staf", "terisi"))
    results.append(await check_database(settings.storage.database, migrate=migrate))
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
    failed = sum(1 for r in results if not r.ok)
    lines.append("Semua pemeriksaan lulus." if not failed else f"{failed} pemeriksaan gagal.")
    return "\n".join(lines)


def cmd_check(settings: Settings, args: argparse.Namespace, *, request: BaseRequest | None = None) -> int:
    results = asyncio.run(run_checks(settings, migrate=bool(args.migrate), request=request))
    print(format_results(results))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED
