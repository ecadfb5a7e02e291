"""``pbj-helpdesk sandbox``: the real bot in the terminal, against an in-process Telegram double.

Same Application, handlers, core and SQLite code as ``run`` (a separate database,
``data/sandbox.sqlite3`` by default); Telegram is :class:`bot.fakebot.FakeTelegram`, so there is no
token and no network. The person at the terminal plays both sides: a citizen in a private chat
with the bot (``:warga``) and officers in the staff group (``:staf``, ``:staf 2``). After every
input the sandbox waits until the bot finished the update and the outbox is drained, then prints
what the bot sent, edited or was refused by "Telegram" — messages to the other side marked
``[ke staf]`` / ``[ke warga]``.

``--script FILE`` replays such a session from a file (one input per line, ``#`` comments) and
prints the transcript; the exit status is 1 when a line failed.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import logging
import mimetypes
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot.cli.errors import EXIT_FAILED, EXIT_OK, UsageError
from bot.config import Settings
from bot.delivery.runner import HelpdeskRunner
from bot.domain.tickets import TICKET_CODE as TICKET_CODE_REGEX
from bot.fakebot import DrivenUpdate, DriverError, FakeTelegram, FakeUser, SentMessage, utf16_len
from bot.fakebot.request import FakeRequest
from bot.services.package_csv import import_demo
from storage import journal
from storage.db import Database
from storage.packages import count_packages
from storage.tickets import last_message_ids

DEFAULT_DATABASE = Path("data/sandbox.sqlite3")
# Looks like a BotFather token; it is only ever shown to the in-process double.
SANDBOX_TOKEN = "7000000001:SandboxTokenTidakPernahKeTelegram01"
CITIZEN_ID = 6200000001
OFFICER_IDS = (6200000101, 6200000102)
STAFF_GROUP_ID = -1009990000001
STAFF_GROUP_TITLE = "Staf Pengaduan PBJ (sandbox)"
CITIZEN_PHONE = "+6281234567890"
STEP_TIMEOUT = 15.0
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_FILE_BYTES = 200 * 1024 * 1024
TICKET_CODE = re.compile(TICKET_CODE_REGEX)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"RIFF")
_BENIGN_API_ERRORS = ("message is not modified",)
_QUIT = frozenset({":keluar", ":q", ":quit", ":exit"})

HELP = """\
Perintah sandbox (baris lain dikirim ke bot sebagai pesan):
  :warga                 jadi warga (obrolan pribadi dengan bot)
  :staf [1|2]            jadi petugas di grup staf (1 = Rina, admin; 2 = Andi)
  N  atau  :tekan N      tekan tombol [N] pada pesan bot terakhir yang bertombol
  :tekan M N             tekan tombol [N] pada pesan #M
  :tekan TEKS            tekan tombol yang labelnya memuat TEKS
  :balas #N teks         balas (reply) pesan #N (tanpa #: angka berawalan 0 dianggap teks, mis. nomor HP)
  :balas teks            balas kartu tiket terakhir (staf) / pesan terakhir tentang pengaduan (warga)
  :kontak [NOMOR]        kirim nomor HP Anda sebagai kontak (tombol «Kirim nomor saya»)
  :foto BERKAS [ket.]    kirim foto dari berkas (JPEG/PNG/GIF/WebP/BMP)
  :dokumen BERKAS [ket.] kirim berkas sebagai dokumen
  :kirim teks            kirim teks apa adanya (mis. hanya angka, atau teks diawali ':')
  :lihat [N]             tampilkan lagi N pesan bot terakhir di obrolan ini (bawaan 3)
  :lihat #N              tampilkan utuh pesan bot #N di obrolan ini (mis. kartu tiket yang diubah)
  :bantuan               daftar ini
  :keluar                selesai (atau Ctrl-D)
{kode} di dalam teks diganti kode pengaduan terakhir yang muncul, mis. /tutup {kode}.
Pesan bot ke pihak lain ikut ditampilkan dengan tanda [ke staf] / [ke warga]."""


class SandboxError(Exception):
    """An input the sandbox cannot carry out, worded for the person at the terminal."""


class SandboxQuit(Exception):
    """``:keluar``."""


@dataclass(frozen=True)
class Side:
    key: str  # "warga" or "staf"
    user: FakeUser
    chat_id: int

    @property
    def label(self) -> str:
        return "warga" if self.key == "warga" else f"staf {self.user.first_name}"


class _LogCollector(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# --- rendering ----------------------------------------------------------------------------

_SGR = {
    "bold": "1", "italic": "3", "underline": "4", "strikethrough": "9", "spoiler": "2",
    "code": "36", "pre": "36", "text_link": "4",
}
RESET = "\x1b[0m"
_BLANK_INDENTED = re.compile(r"(?m)^[ ]+$")


def styled(text: str, entities: Iterable[dict[str, Any]], *, ansi: bool, indent: str) -> str:
    """Telegram's rendered text with its entities as ANSI styles (or plain), every line indented.

    Entity offsets count UTF-16 code units, as on Telegram. Hidden link targets are shown after
    the link text in both modes, so nothing the citizen could tap is invisible here.
    """
    index_of: dict[int, int] = {}
    units = 0
    for index, char in enumerate(text):
        index_of[units] = index
        units += utf16_len(char)
    index_of[units] = len(text)
    codes: list[set[str]] = [set() for _ in text]
    links: dict[int, list[str]] = {}
    for entity in entities:
        start = index_of.get(int(entity.get("offset", -1)))
        end = index_of.get(int(entity.get("offset", -1)) + int(entity.get("length", 0)))
        if start is None or end is None:
            continue
        code = _SGR.get(str(entity.get("type")))
        if code:
            for position in range(start, end):
                codes[position].add(code)
        url = entity.get("url")
        if entity.get("type") == "text_link" and url and url != text[start:end]:
            links.setdefault(end, []).append(str(url))

    out: list[str] = [indent]
    current: tuple[str, ...] = ()

    def switch(wanted: tuple[str, ...]) -> None:
        nonlocal current
        if wanted == current:
            return
        if current:
            out.append(RESET)
        if wanted:
            out.append(f"\x1b[{';'.join(wanted)}m")
        current = wanted

    for index, char in enumerate(text):
        if index in links:
            switch(())
            out.append("".join(f" <{url}>" for url in links[index]))
        if char == "\n":
            switch(())
            out.append("\n" + indent)
            continue
        switch(tuple(sorted(codes[index])) if ansi else ())
        out.append(char)
    switch(())
    if len(text) in links:
        out.append("".join(f" <{url}>" for url in links[len(text)]))
    return _BLANK_INDENTED.sub("", "".join(out))


def _signature(message: SentMessage) -> tuple[str, str, bool]:
    return message.rendered, json.dumps(message.reply_markup, sort_keys=True), message.deleted


def _changed_lines(before: str, after: str) -> list[str] | None:
    """The lines an edit replaced or added (``~``) and removed (``−``), or None when the
    message is short or mostly rewritten, so that printing it whole reads better."""
    old, new = before.splitlines(), after.splitlines()
    if len(new) <= 6:
        return None
    changed: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, first, last, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.extend(f"~ {line}" for line in new[start:end])
        if tag == "delete":
            changed.extend(f"− {line}" for line in old[first:last])
    return changed if 2 * len(changed) <= len(new) else None


def _inline_rows(message: SentMessage) -> list[list[dict[str, Any]]]:
    markup = message.reply_markup or {}
    rows = markup.get("inline_keyboard") or []
    return [list(row) for row in rows]


def _inline_buttons(message: SentMessage) -> list[dict[str, Any]]:
    return [button for row in _inline_rows(message) for button in row]


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


# --- the sandbox --------------------------------------------------------------------------


class Sandbox:
    """One sandbox session: the double, the real bot, two sides, and the transcript."""

    def __init__(
        self,
        settings: Settings,
        *,
        out: TextIO,
        ansi: bool = False,
        base_dir: Path | None = None,
        timeout: float = STEP_TIMEOUT,
    ) -> None:
        self.out = out
        self.ansi = ansi
        self.base_dir = base_dir
        self.timeout = timeout
        self.fake = FakeTelegram(token=SANDBOX_TOKEN)  # privacy mode on, as recommended for production
        self.citizen = self.fake.user("Budi", "Santoso", "budi_s", user_id=CITIZEN_ID)
        self.officers = (
            self.fake.user("Rina", "Wulandari", "rina_pbj", user_id=OFFICER_IDS[0]),
            self.fake.user("Andi", "Saputra", user_id=OFFICER_IDS[1]),
        )
        self.group = self.fake.group(
            STAFF_GROUP_TITLE,
            {self.officers[0].id: "creator", self.officers[1].id: "member"},
            supergroup=True,
            chat_id=STAFF_GROUP_ID,
        )
        telegram = settings.telegram.model_copy(update={
            "token": SecretStr(SANDBOX_TOKEN),
            "base_url": "https://api.telegram.org/bot",
            "base_file_url": "",
            "staff_chat_id": self.group.id,
            "admin_user_ids": [self.officers[0].id],
            "mode": "polling",
            "overall_max_rate": 0,
            "leave_foreign_groups": False,
        })
        self.settings = settings.model_copy(update={"telegram": telegram})
        self.side = Side("warga", self.citizen, self.citizen.id)
        self.runner: HelpdeskRunner | None = None
        self.last_code: str | None = None
        self._known: dict[tuple[int, int], tuple[str, str, bool]] = {}
        self._call_mark = 0
        self._failed = False
        self._logs = _LogCollector(max(logging.WARNING, logging.getLevelName(settings.logging.level)))
        self._saved_logging: tuple[list[logging.Handler], int] | None = None

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        root = logging.getLogger()
        self._saved_logging = (root.handlers[:], root.level)
        root.handlers[:] = [self._logs]
        root.setLevel(self._logs.level)
        await self._continue_numbering()
        self.runner = HelpdeskRunner(
            self.settings,
            request=FakeRequest(self.fake),
            updates_request=FakeRequest(self.fake),
            poll_timeout=1,
        )
        await self.runner.start()
        await self._seed_demo_packages()
        self._call_mark = len(self.fake.calls)
        # Updates left unfinished by an interrupted earlier session are replayed at start.
        await self._settle_journal()
        await self._desk().outbox.drain()
        self.report()

    async def _seed_demo_packages(self) -> None:
        """A fresh sandbox gets the clearly marked [DEMO] packages, so «Cek Status Paket» has
        something to show (e.g. /paket 99999001000)."""
        desk = self._desk()
        if not await count_packages(desk.db):
            await import_demo(desk.db, zone=desk.zone)

    async def stop(self) -> None:
        try:
            if self.runner is not None:
                await self.runner.stop()
                self.runner = None
        finally:
            if self._saved_logging is not None:
                root = logging.getLogger()
                root.handlers[:], level = self._saved_logging
                root.setLevel(level)
                self._saved_logging = None

    async def _continue_numbering(self) -> None:
        """A reused sandbox database remembers update ids and message ids of earlier sessions.

        Telegram never reuses them; a fresh double would, and the journal would then drop the new
        updates as redeliveries and staff replies would land on old tickets' message links.
        """
        db = await Database.open(self.settings.storage.database)
        try:
            last_update = await journal.last_update_id(db)
            tops = await last_message_ids(db)
        finally:
            await db.close()
        if last_update is not None:
            # No public setter in the double: continue its update counter like Telegram's.
            self.fake._next_update_id = max(self.fake._next_update_id, last_update + 1)
        for chat_id, top in tops.items():
            chat = self.fake.chats.get(chat_id)
            if chat is not None:
                chat.next_message_id = max(chat.next_message_id, top + 1)

    def _desk(self) -> Any:
        assert self.runner is not None and self.runner.desk is not None
        return self.runner.desk

    # --- terminal -----------------------------------------------------------------------

    def prompt(self, *, readline: bool = False) -> str:
        text = f"{self.side.label}> "
        if not self.ansi:
            return text
        # readline must be told which bytes take no room on screen, or line editing misplaces the cursor.
        start, end = ("\001", "\002") if readline else ("", "")
        return f"{start}\x1b[1m{end}{text}{start}\x1b[0m{end}"

    def say(self, line: str = "") -> None:
        print(line, file=self.out, flush=True)

    def _color(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}{RESET}" if self.ansi else text

    def note(self, text: str) -> None:
        self.say(self._color(f"  · {text}", "2"))

    def error(self, text: str) -> None:
        self._failed = True
        self.say(self._color(f"  ✘ {text}", "31"))

    def banner(self, database: Path) -> None:
        self.say(self._color("Sandbox PBJ Helpdesk", "1") + " — bot asli, Telegram tiruan: tidak ada yang dikirim ke "
                 "Telegram.")
        self.say(f"Basis data sandbox: {database}")
        self.say("Anda sekarang warga (Budi Santoso) di obrolan pribadi dengan bot. Coba /start atau /lapor; "
                 ":staf untuk pindah ke grup staf; :bantuan untuk semua perintah.")

    # --- one input ----------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Carries out one input and prints what followed; False when it failed."""
        text = line.strip()
        if not text:
            return True
        if text.lower() in _QUIT:
            raise SandboxQuit
        self._failed = False
        try:
            await self._dispatch(text)
        except SandboxError as exc:
            self.error(str(exc))
        except DriverError as exc:
            self.error(f"Telegram tidak mengizinkan itu: {exc}")
        self.report()
        return not self._failed

    async def _dispatch(self, text: str) -> None:
        if text.startswith(":"):
            command, _, rest = text[1:].partition(" ")
            rest = rest.strip()
            command = command.lower()
            if command == "warga":
                self._switch("warga", rest)
            elif command == "staf":
                self._switch("staf", rest)
            elif command in ("bantuan", "help", "?"):
                self.say(HELP)
            elif command == "tekan":
                await self._press_command(rest)
            elif command == "balas":
                await self._reply_command(rest)
            elif command == "kontak":
                await self._contact(rest)
            elif command in ("foto", "dokumen"):
                await self._send_file(command, rest)
            elif command == "kirim":
                if not rest:
                    raise SandboxError("tulis teksnya: :kirim teks")
                await self._send_text(rest)
            elif command == "lihat":
                self._show_recent(rest)
            else:
                raise SandboxError(f"perintah sandbox tidak dikenal: :{command} (lihat :bantuan)")
            return
        if text.isdigit() and len(text) <= 2:
            await self._press(None, int(text))
            return
        await self._send_text(text)

    def _switch(self, key: str, rest: str) -> None:
        if key == "warga":
            if rest:
                raise SandboxError(":warga tidak memakai argumen")
            self.side = Side("warga", self.citizen, self.citizen.id)
            self.note("sekarang: warga Budi Santoso, obrolan pribadi dengan bot")
            return
        number = rest or "1"
        if number not in ("1", "2"):
            raise SandboxError(":staf 1 (Rina, admin) atau :staf 2 (Andi)")
        officer = self.officers[int(number) - 1]
        self.side = Side("staf", officer, self._staff_chat_id())
        self.note(f"sekarang: petugas {officer.first_name} {officer.last_name} di grup «{STAFF_GROUP_TITLE}»")

    def _staff_chat_id(self) -> int:
        if self.runner is not None and self.runner.desk is not None:
            return int(self.runner.desk.staff_chat.id)
        return self.group.id

    def _expand(self, text: str) -> str:
        if "{kode}" not in text:
            return text
        if self.last_code is None:
            raise SandboxError("{kode}: belum ada kode pengaduan yang muncul di percakapan")
        return text.replace("{kode}", self.last_code)

    # --- actions that reach the bot -----------------------------------------------------

    async def _send_text(self, text: str, reply_to: int | None = None) -> None:
        text = self._expand(text)
        # Telegram apps split long texts into several messages; so does the sandbox.
        parts = _split_utf16(text, MAX_TEXT)
        if len(parts) > 1:
            self.note(f"teks {len(text)} karakter dikirim sebagai {len(parts)} pesan, seperti aplikasi Telegram")
        for index, part in enumerate(parts):
            driven = self.fake.send_text(self.side.user, self.side.chat_id, part,
                                         reply_to_message_id=reply_to if index == 0 else None)
            await self._process(driven)

    async def _contact(self, rest: str) -> None:
        phone = rest or CITIZEN_PHONE
        if not re.fullmatch(r"\+?[0-9][0-9 -]{5,20}", phone):
            raise SandboxError(f"nomor telepon tidak sah: {phone}")
        phone = re.sub(r"[ -]", "", phone)
        await self._process(self.fake.send_contact(self.side.user, self.side.chat_id, phone_number=phone))

    async def _send_file(self, kind: str, rest: str) -> None:
        if not rest:
            raise SandboxError(f"tulis berkasnya: :{kind} BERKAS [keterangan]")
        name, caption = _split_path(rest)
        path = self._resolve(name)
        size = path.stat().st_size
        if size == 0:
            raise SandboxError(f"{name}: berkas kosong; Telegram tidak mengirim berkas kosong")
        if size > MAX_FILE_BYTES:
            raise SandboxError(f"{name}: {_size(size)}, terlalu besar untuk sandbox (maks {_size(MAX_FILE_BYTES)})")
        caption = self._expand(caption) if caption else ""
        if utf16_len(caption) > MAX_CAPTION:
            raise SandboxError(f"keterangan berkas paling banyak {MAX_CAPTION} karakter")
        content = path.read_bytes()
        if kind == "foto":
            if not content.startswith(_IMAGE_MAGIC):
                raise SandboxError(f"{name} bukan gambar (JPEG/PNG/GIF/WebP/BMP); kirim dengan :dokumen")
            driven = self.fake.send_photo(self.side.user, self.side.chat_id, caption or None, content=content)
        else:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            driven = self.fake.send_document(self.side.user, self.side.chat_id, file_name=path.name,
                                             mime_type=mime, content=content, caption=caption or None)
        self.note(f"{'foto' if kind == 'foto' else 'dokumen'} {path.name} ({_size(size)}) terkirim")
        await self._process(driven)

    def _resolve(self, name: str) -> Path:
        path = Path(name).expanduser()
        candidates = [path]
        if not path.is_absolute() and self.base_dir is not None:
            candidates.append(self.base_dir / path)
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        raise SandboxError(f"berkas tidak ditemukan: {name}")

    async def _reply_command(self, rest: str) -> None:
        if not rest:
            raise SandboxError("tulis balasannya: :balas #N teks, atau :balas teks")
        first, _, remainder = rest.partition(" ")
        number = first.removeprefix("#")
        # A bare number with a leading zero is the start of a phone number, not a message
        # («:balas 0812 3456 7890» answers the /catat contact prompt); «#N» always is one.
        names_message = first.startswith("#") or not number.startswith("0")
        if number.isdigit() and remainder.strip() and names_message:
            target = int(number)
            if not self._message_exists(target):
                raise SandboxError(f"tidak ada pesan #{target} di obrolan ini")
            await self._send_text(remainder.strip(), reply_to=target)
            return
        target_message = self._default_reply_target()
        if target_message is None:
            what = "kartu tiket" if self.side.key == "staf" else "pesan bot tentang pengaduan"
            raise SandboxError(f"belum ada {what} untuk dibalas; pakai :balas #N teks")
        await self._send_text(rest, reply_to=target_message.message_id)

    def _message_exists(self, message_id: int) -> bool:
        try:
            self.fake.message(self.side.chat_id, message_id)
        except DriverError:
            return False
        return True

    def _default_reply_target(self) -> SentMessage | None:
        """What ``:balas teks`` answers: the prompt it follows when the bot's last message asks for a
        reply (ForceReply: the /catat steps, a «balas pesan ini» question); else the latest ticket
        card (staff) or the latest message about a ticket."""
        messages = [m for m in reversed(self.fake.sent(self.side.chat_id)) if not m.deleted]
        if messages and (messages[0].reply_markup or {}).get("force_reply"):
            return messages[0]
        if self.side.key == "staf":
            for message in messages:
                if any(str(b.get("callback_data", "")).startswith("tk:") for b in _inline_buttons(message)):
                    return message
        for message in messages:
            if TICKET_CODE.search(message.rendered):
                return message
        return None

    async def _press_command(self, rest: str) -> None:
        parts = rest.split()
        if len(parts) == 1 and parts[0].isdigit():
            await self._press(None, int(parts[0]))
        elif len(parts) == 2 and parts[0].removeprefix("#").isdigit() and parts[1].isdigit():
            await self._press(int(parts[0].removeprefix("#")), int(parts[1]))
        elif rest:
            await self._press_label(rest)
        else:
            raise SandboxError("tulis tombolnya: :tekan N, :tekan M N, atau :tekan TEKS")

    def _buttoned(self, message_id: int | None) -> SentMessage:
        messages = [m for m in self.fake.sent(self.side.chat_id) if not m.deleted]
        if message_id is not None:
            for message in messages:
                if message.message_id == message_id:
                    if not _inline_buttons(message):
                        raise SandboxError(f"pesan #{message_id} tidak bertombol")
                    return message
            raise SandboxError(f"tidak ada pesan bot #{message_id} di obrolan ini")
        for message in reversed(messages):
            if _inline_buttons(message):
                return message
        raise SandboxError("tidak ada pesan bot bertombol di obrolan ini")

    async def _press(self, message_id: int | None, number: int) -> None:
        message = self._buttoned(message_id)
        buttons = _inline_buttons(message)
        if not 1 <= number <= len(buttons):
            raise SandboxError(
                f"tidak ada tombol [{number}] pada pesan #{message.message_id} "
                f"(tombolnya [1]–[{len(buttons)}])"
            )
        await self._tap(message, buttons[number - 1])

    async def _press_label(self, wanted: str) -> None:
        message = self._buttoned(None)
        buttons = _inline_buttons(message)
        needle = wanted.casefold()
        exact = [b for b in buttons if str(b.get("text", "")).casefold() == needle]
        found = exact or [b for b in buttons if needle in str(b.get("text", "")).casefold()]
        labels = ", ".join(f"[{i}] {b.get('text')}" for i, b in enumerate(buttons, 1))
        if not found:
            raise SandboxError(f"tidak ada tombol «{wanted}» pada pesan #{message.message_id}; tombolnya: {labels}")
        if len(found) > 1:
            raise SandboxError(f"«{wanted}» cocok dengan lebih dari satu tombol: {labels}")
        await self._tap(message, found[0])

    async def _tap(self, message: SentMessage, button: dict[str, Any]) -> None:
        data = button.get("callback_data")
        if data is None:
            target = button.get("url") or next((str(v) for k, v in button.items() if k != "text"), "")
            self.note(f"tombol «{button.get('text')}» membuka {target} — tidak ada yang dikirim ke bot")
            return
        driven = self.fake.press_button(self.side.user, self.side.chat_id, message.message_id, str(data))
        await self._process(driven)
        answer = self.fake.callback_answers.get(driven.callback_query_id or "")
        if answer and answer.get("text"):
            kind = "peringatan" if answer.get("show_alert") else "notifikasi"
            self.say(self._color(f"  💬 {kind}: {answer['text']}", "36"))

    async def _process(self, driven: DrivenUpdate) -> None:
        """Waits until the bot finished the update and delivered what it owed (as the test bench)."""
        if not driven.delivered:
            self.note("Telegram tidak meneruskan pesan ini ke bot")
            return
        db = self._desk().db
        loop = asyncio.get_running_loop()
        end = loop.time() + self.timeout
        update_id = driven.update_id
        assert update_id is not None  # delivered
        while not await journal.is_done(db, update_id):
            if loop.time() > end:
                raise SandboxError(f"bot belum selesai memproses pesan ini setelah {self.timeout:g} detik")
            await asyncio.sleep(0.005)
        await self._desk().outbox.drain()

    async def _settle_journal(self) -> None:
        db = self._desk().db
        loop = asyncio.get_running_loop()
        end = loop.time() + self.timeout
        while await journal.count_unfinished(db):
            if loop.time() > end:
                self.error("pesan dari sesi sebelumnya belum selesai diproses")
                return
            await asyncio.sleep(0.01)

    # --- output -------------------------------------------------------------------------

    def report(self) -> None:
        """Prints what happened since the last report: edits, new messages, refusals, log lines."""
        fresh: list[SentMessage] = []
        for message in self.fake.sent():
            key = (message.chat_id, message.message_id)
            signature = _signature(message)
            before = self._known.get(key)
            if before is None:
                fresh.append(message)
            elif before != signature:
                self._print_change(message, before)
            self._known[key] = signature
        for message in fresh:
            self._print_message(message)
        for call in self.fake.calls[self._call_mark :]:
            # A call without status or description is still in flight (the long poll).
            failed = (call.status or 0) >= 400 or (call.status is None and call.description is not None)
            if failed and not any(b in (call.description or "").lower() for b in _BENIGN_API_ERRORS):
                chat = call.params.get("chat_id")
                where = f" ke {self._chat_label(int(chat))}" if chat and chat.lstrip("-").isdigit() else ""
                self.error(f"Telegram menolak {call.method}{where}: {call.status or '-'} {call.description or ''}")
        self._call_mark = len(self.fake.calls)
        for record in self._logs.records:
            text = record.getMessage().splitlines()[0] if record.getMessage() else ""
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            line = f"log {record.levelname.lower()} {record.name}: {text}"
            if record.levelno >= logging.ERROR:
                self.error(line)
            else:
                self.say(self._color(f"  ⚠ {line}", "33"))
        self._logs.records.clear()

    def _chat_label(self, chat_id: int) -> str:
        if chat_id == self.citizen.id:
            return "warga"
        if chat_id in (self.group.id, self._staff_chat_id()):
            return "staf"
        user = self.fake.users.get(chat_id)
        if user is not None:
            return f"pribadi {user.first_name}"
        return f"obrolan {chat_id}"

    def _header(self, message: SentMessage, suffix: str = "") -> str:
        head = f"  🤖 #{message.message_id}"
        if message.chat_id != self.side.chat_id:
            head += " " + self._color(f"[ke {self._chat_label(message.chat_id)}]", "33;1")
        if message.reply_to_message_id:
            head += f" ↩ #{message.reply_to_message_id}"
        return head + suffix

    def _print_message(self, message: SentMessage, suffix: str = "") -> None:
        for code in TICKET_CODE.findall(message.rendered):
            self.last_code = code
        self.say(self._header(message, suffix))
        indent = "     "
        if message.media_type is not None:
            self.say(indent + self._color(self._media_line(message), "35"))
        if message.rendered:
            self.say(styled(message.rendered, message.entities, ansi=self.ansi, indent=indent))
        self._print_buttons(message, indent)

    @staticmethod
    def _media_line(message: SentMessage) -> str:
        media = message.media
        if message.media_type == "photo":
            largest = media[-1] if isinstance(media, list) and media else {}
            return f"[foto {largest.get('width', '?')}×{largest.get('height', '?')}]"
        if isinstance(media, dict):
            name = media.get("file_name") or message.media_type
            return f"[{message.media_type}: {name}, {_size(int(media.get('file_size', 0)))}]"
        return f"[{message.media_type}]"

    def _print_buttons(self, message: SentMessage, indent: str) -> None:
        number = 0
        for row in _inline_rows(message):
            cells = []
            for button in row:
                number += 1
                label = str(button.get("text", ""))
                if button.get("callback_data") is None:
                    label += " ↗"
                cells.append(self._color(f"[{number}]", "1") + f" {label}")
            self.say(indent + "   ".join(cells))
        markup = message.reply_markup or {}
        keyboard = markup.get("keyboard") or []
        for row in keyboard:
            cells = []
            for button in row:
                label = button.get("text", "") if isinstance(button, dict) else str(button)
                hint = " (ketik :kontak)" if isinstance(button, dict) and button.get("request_contact") else ""
                cells.append(f"⌨ «{label}»{hint}")
            self.say(indent + "   ".join(cells))

    def _print_change(self, message: SentMessage, before: tuple[str, str, bool]) -> None:
        if message.deleted:
            self.say(self._header(message, " dihapus"))
            return
        if message.rendered != before[0]:
            changed = _changed_lines(before[0], message.rendered)
            if changed is None:
                self._print_message(message, " (diubah)")
                return
            # A long message edited in a few lines (a ticket card after «Kirim») shows only
            # those lines, so the transcript does not repeat the whole card; :lihat shows it all.
            where = self._chat_label(message.chat_id)
            switch = f":{where} lalu " if message.chat_id != self.side.chat_id and where in ("warga", "staf") else ""
            self.say(self._header(message, f" (diubah, {len(changed)} baris; utuhnya: {switch}:lihat #{message.message_id})"))
            for line in changed:
                self.say("     " + line)
            if json.dumps(message.reply_markup, sort_keys=True) != before[1]:
                self._print_buttons(message, "     ")
            return
        if _inline_buttons(message):
            self.say(self._header(message, " tombol diganti:"))
            self._print_buttons(message, "     ")
        else:
            self.say(self._color(self._header(message, " tombolnya dilepas"), "2"))

    def _show_recent(self, rest: str) -> None:
        shown = [m for m in self.fake.sent(self.side.chat_id) if not m.deleted]
        if rest.startswith("#") and rest[1:].isdigit():
            messages = [m for m in shown if m.message_id == int(rest[1:])]
            if not messages:
                self.note(f"tidak ada pesan bot {rest} di obrolan ini")
            for message in messages:
                self._print_message(message)
            return
        count = int(rest) if rest.isdigit() else 3
        messages = shown[-count:]
        if not messages:
            self.note("belum ada pesan bot di obrolan ini")
        for message in messages:
            self._print_message(message)


def _split_utf16(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 code units (Telegram's measure of text length)."""
    parts: list[str] = []
    current: list[str] = []
    units = 0
    for char in text:
        width = utf16_len(char)
        if units + width > limit:
            parts.append("".join(current))
            current, units = [], 0
        current.append(char)
        units += width
    parts.append("".join(current))
    return parts


def _split_path(rest: str) -> tuple[str, str]:
    """``"nama berkas.jpg" keterangan`` or ``berkas.jpg keterangan``."""
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        if end > 0:
            return rest[1:end], rest[end + 1 :].strip()
    name, _, caption = rest.partition(" ")
    return name, caption.strip()


# --- entry point --------------------------------------------------------------------------


def sandbox_settings(settings: Settings, database: Path, *, scripted: bool) -> Settings:
    storage = settings.storage.model_copy(update={"database": database})
    update: dict[str, Any] = {"storage": storage}
    if scripted:
        # A script replays minutes of typing in a fraction of a second; the per-person flood
        # gate would otherwise take it for a spammer.
        update["limits"] = settings.limits.model_copy(update={"messages_per_minute": 100_000})
    return settings.model_copy(update=update)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    database: Path = args.database or DEFAULT_DATABASE
    if _same_file(database, settings.storage.database):
        raise UsageError(
            f"--database {database} adalah basis data produksi ([storage] database); "
            "sandbox memakai basis datanya sendiri"
        )
    script: Path | None = args.script
    lines: list[str] | None = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--script {script}: tidak dapat dibaca: {exc}") from None
    elif not sys.stdin.isatty():
        lines = sys.stdin.read().splitlines()  # piped input is replayed like a script
    scripted = lines is not None
    ansi = not scripted and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sandbox = Sandbox(
        sandbox_settings(settings, database, scripted=scripted),
        out=sys.stdout,
        ansi=ansi,
        base_dir=script.parent if script is not None else None,
    )
    with asyncio.Runner() as loop:
        try:
            try:
                loop.run(sandbox.start())
                if lines is not None:
                    return loop.run(_play(sandbox, lines, str(script or "stdin")))
                return _interactive(sandbox, loop, database)
            finally:
                loop.run(sandbox.stop())
        except BrokenPipeError:
            # The reader went away (`| head`, `| less` quit): stop quietly, like other tools.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK


# A script this long reports its progress on stderr (the transcript on stdout stays clean).
PROGRESS_FROM_STEPS = 40


async def _play(sandbox: Sandbox, lines: list[str], source: str) -> int:
    steps = [number for number, raw in enumerate(lines, 1) if raw.strip() and not raw.strip().startswith("#")]
    report_every = max(len(steps) // 10, 1) if len(steps) >= PROGRESS_FROM_STEPS else 0
    done = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        done += 1
        if report_every and done % report_every == 0:
            print(f"pbj-helpdesk sandbox: {source}: langkah {done} dari {len(steps)}", file=sys.stderr)
        sandbox.say(f"> [{sandbox.side.label}] {line}")
        try:
            ok = await sandbox.handle(line)
        except SandboxQuit:
            return EXIT_OK
        if not ok:
            sandbox.say(f"✘ skrip berhenti di {source} baris {number}")
            print(f"pbj-helpdesk sandbox: {source} baris {number} gagal: {line}", file=sys.stderr)
            return EXIT_FAILED
    return EXIT_OK


def _interactive(sandbox: Sandbox, loop: asyncio.Runner, database: Path) -> int:
    try:
        import readline  # noqa: F401  (line editing and history for input())
    except ImportError:
        has_readline = False
    else:
        has_readline = True
    sandbox.banner(database)
    while True:
        try:
            line = input(sandbox.prompt(readline=has_readline))
        except (EOFError, KeyboardInterrupt):
            sandbox.say()
            return EXIT_OK
        try:
            loop.run(sandbox.handle(line))
        except SandboxQuit:
            return EXIT_OK
        except KeyboardInterrupt:
            sandbox.say()
            return EXIT_OK
