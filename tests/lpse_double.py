"""A loopback LPSE: the SPSE 4.5 pages the bot reads, served from memory on 127.0.0.1.

Shapes follow real captures (tests/data/spse/): the DataTables rows of ``/dt/lelang``, the
label/value table of announcement pages, the schedule table, the winner table. A session works
like SPSE's: ``GET /{lpse}/lelang`` sets the ``SPSE_SESSION`` cookie carrying the token
(``___AT=…&``) and prints it in the page; ``POST /{lpse}/dt/lelang`` and ``/dt/pl`` answer 403
without the right ``authenticityToken``.

``mode`` makes it misbehave: ``"error"`` (SPSE's error page, HTTP 500), ``"garbage"`` (bytes
that are no page), ``"huge"`` (a response far larger than anything SPSE sends), ``"wrong_json"``
(list JSON of the wrong shape); ``down()`` stops listening altogether. ``page_modes`` does the
same for one page kind only (``"list"``, ``"announcement"``, ``"schedule"``, ``"winner"``).
Used by the tests and by ``bench/spse_bench.py``.
"""

from __future__ import annotations

import html
import json
import secrets
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakePackage:
    code: str
    name: str
    stage: str = "Pengumuman Pascakualifikasi"
    kind: str = "tender"  # or "non_tender"
    year: int = 2026
    agency: str = "Pemerintah Daerah Provinsi Kalimantan Utara"
    work_unit: str = "Dinas Pekerjaan Umum dan Penataan Ruang"
    rup: tuple[str, ...] = ()
    hps: str = "Rp. 1.250.000.000,00"
    hps_short: str = "1,3 M"
    pagu: str = "Rp. 1.300.000.000,00"
    procurement_type: str = "Pekerjaan Konstruksi"
    method: str = "Tender"
    qualification: str = "Pascakualifikasi Satu File"
    evaluation: str = "Harga Terendah Sistem Gugur"
    contract: str | None = None
    badges: tuple[str, ...] = ()
    # (tahap, mulai, sampai, perubahan) as SPSE prints them: "08 Desember 2026 16:00"
    schedule: list[tuple[str, str, str, str]] = field(default_factory=list)
    winner: tuple[str, str] | None = None  # (name, hasil negosiasi "Rp. …")


class LpseDouble:
    def __init__(self, lpse: str = "kaltaraprov") -> None:
        self.lpse = lpse
        self.packages: dict[str, FakePackage] = {}
        self.mode: str | None = None
        self.page_modes: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self.kinds: Counter[str] = Counter()
        self.tokens: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> LpseDouble:
        double = self

        class Handler(_Handler):
            owner = double

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="lpse-double", daemon=True)
        self._thread.start()
        return self

    def down(self) -> None:
        """Stops listening: connections are refused (the port is kept for up())."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def up(self) -> None:
        if self._server is None:
            self.start()

    stop = down

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, package: FakePackage) -> FakePackage:
        with self._lock:
            self.packages[package.code] = package
        return package

    def count(self, kind: str) -> int:
        return self.kinds[kind]

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.kinds.clear()

    # --- pages -------------------------------------------------------------------------------

    def list_row(self, p: FakePackage) -> list[Any]:
        badges = "".join(f" <span class='badge  badge-warning'>{html.escape(b)}</span>" for b in p.badges)
        contract = p.contract or "Nilai Kontrak belum dibuat"
        return [p.code, html.escape(p.name) + badges, p.agency, p.stage, p.hps_short, p.qualification, p.method,
                p.evaluation, f"{p.procurement_type} - TA {p.year}", "5", contract, None, None, "0", "0", None]

    def list_json(self, kind: str, form: dict[str, str]) -> bytes:
        year = form.get("tahun")
        search = form.get("search[value]", "")
        start, length = int(form.get("start", 0)), int(form.get("length", 10))
        with self._lock:
            rows = [p for p in self.packages.values()
                    if p.kind == kind and (not year or str(p.year) == year)
                    and (not search or search in p.code or search in p.rup or search in p.name)]
        rows.sort(key=lambda p: p.code, reverse=True)
        page = rows[start:start + length] if length > 0 else rows
        # Like the real site, the totals are not to be trusted.
        return json.dumps({"draw": form.get("draw", "1"), "recordsTotal": 2147483647,
                           "recordsFiltered": 2147483647, "data": [self.list_row(p) for p in page]}).encode()

    @staticmethod
    def _frame(body: str) -> bytes:
        return (
            "<!DOCTYPE html><html lang=\"en\"><head><title>LPSE - Informasi Paket</title>"
            "<meta http-equiv=\"Content-Type\" content=\"text/html;charset=UTF-8\"/></head><body>"
            "<div class=\"navbar\">Informasi Paket</div><div id=\"main\">"
            f"<div class=\"content\">{body}</div></div>"
            "<div id=\"footer\"><p>Aplikasi SPSE v4.5u20250321</p></div>"
            "<script>$(document).ready(function(){});</script></body></html>"
        ).encode()

    def announcement_html(self, p: FakePackage) -> bytes:
        e = html.escape
        tender = p.kind == "tender"
        badges = "".join(f" <span class=\"badge badge-warning\">{e(b)}</span>" for b in p.badges)
        rup_rows = "".join(f"<tr><td>{e(code)}</td><td>{e(p.name)}</td><td>APBD</td></tr>" for code in p.rup)
        rows = [
            ("Kode Tender" if tender else "Kode Paket", f"<strong>{e(p.code)}</strong>"),
            ("Nama Tender" if tender else "Nama Paket", f"<strong>{e(p.name)}</strong>{badges}"),
            ("Rencana Umum Pengadaan",
             "<table class=\"table table-sm\"><tr><th width=\"120\">Kode RUP</th><th>Nama Paket</th>"
             f"<th width=\"200\">Sumber Dana</th></tr>{rup_rows}</table>"),
            ("Tanggal Pembuatan", "02 November 2026"),
            ("Tahap Tender Saat Ini" if tender else "Tahap Paket Saat Ini", e(p.stage)),
            ("K/L/PD", e(p.agency)),
            ("Satuan Kerja", e(p.work_unit)),
            ("Jenis Pengadaan", e(p.procurement_type)),
            ("Metode Pengadaan", e(p.method)),
            ("Tahun Anggaran", f"APBD {p.year}&nbsp;&nbsp;"),
            ("Nilai Pagu Paket", e(p.pagu)),
            ("Nilai HPS Paket", e(p.hps)),
        ]
        table = "".join(f"<tr><th class=\"bgwarning\" width=\"200\">{label}</th><td colspan=\"3\">{value}</td></tr>"
                        for label, value in rows)
        return self._frame(f"<table class=\"table table-sm table-bordered\"><tbody>{table}</tbody></table>")

    def schedule_html(self, p: FakePackage) -> bytes:
        e = html.escape
        rows = "".join(f"<tr><td>{n}</td><td>{e(t)}</td><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td></tr>"
                       for n, (t, a, b, c) in enumerate(p.schedule, 1))
        return self._frame("<table class=\"table table-sm table-bordered\"><thead><tr><th>No</th><th>Tahap</th>"
                           f"<th>Mulai</th><th>Sampai</th><th>Perubahan</th></tr></thead><tbody>{rows}</tbody></table>")

    def winner_html(self, p: FakePackage) -> bytes:
        e = html.escape
        inner = ""
        if p.winner is not None:
            name, value = p.winner
            inner = ("<table class=\"table table-sm\"><tr><th>Nama Pemenang</th><th>Alamat</th><th>NPWP</th>"
                     "<th>Harga Penawaran</th><th>Hasil Negosiasi</th></tr>"
                     f"<tr><td>{e(name)}</td><td>Tanjung Selor</td><td>**.***.***.*-***.***</td>"
                     f"<td>{e(value)}</td><td>{e(value)}</td></tr></table>")
        return self._frame(
            "<table class=\"table table-sm\"><tbody>"
            f"<tr><th>Kode Tender</th><td>{e(p.code)}</td></tr>"
            f"<tr><th>Nama Tender</th><td>{e(p.name)}</td></tr>"
            f"<tr><td colspan=\"2\">{inner}</td></tr></tbody></table>")

    NOT_FOUND = _frame("<div class=\"alert\">Halaman yang dituju tidak ditemukan</div>")
    ERROR = _frame("<h3>Maaf, terjadi error pada aplikasi SPSE.</h3><p>Kode Error: 5f3a</p>")


def _misbehave(mode: str) -> tuple[int, str, bytes]:
    if mode == "error":
        return 500, "text/html", LpseDouble.ERROR
    if mode == "garbage":
        return 200, "text/html", bytes(range(256)) * 40
    if mode == "huge":
        return 200, "text/html", b"<html><body>" + b"<p>x</p>" * 2_000_000 + b"</body></html>"
    if mode == "wrong_json":
        return 200, "application/json", json.dumps({"data": {"rows": "not a list"}}).encode()
    raise ValueError(mode)


class _Handler(BaseHTTPRequestHandler):
    owner: LpseDouble
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle and delayed ACKs add ~40 ms
        # to every keep-alive request (a real server's latency is not what the double measures).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method: str) -> None:
        owner = self.owner
        url = urlsplit(self.path)
        parts = [part for part in url.path.split("/") if part]
        with owner._lock:
            owner.requests.append((method, url.path))
        if not parts or parts[0] != owner.lpse:
            self._send(404, "text/html", LpseDouble.NOT_FOUND)
            return
        rest = parts[1:]
        kind = self._kind(method, rest)
        with owner._lock:
            owner.kinds[kind] += 1
        mode = owner.page_modes.get(kind) or owner.mode
        if mode is not None and kind != "session":
            self._send(*_misbehave(mode))
            return
        if kind == "session":
            token = secrets.token_hex(16)
            with owner._lock:
                owner.tokens.add(token)
            page = f"<html><body><script>d.authenticityToken = '{token}';</script></body></html>".encode()
            self._send(200, "text/html", page,
                       {"Set-Cookie": f"SPSE_SESSION=abc-___AT={token}&___TS=1; Path=/; HttpOnly"})
            return
        if kind == "list":
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            if form.get("authenticityToken") not in owner.tokens:
                self._send(403, "text/html", LpseDouble.ERROR)
                return
            self._send(200, "application/json", owner.list_json("tender" if rest[1] == "lelang" else "non_tender", form))
            return
        package = None
        code = next((part for part in rest if part.isdigit()), None)
        if code is not None:
            with owner._lock:
                package = owner.packages.get(code)
        wanted = "tender" if rest and rest[0] in ("lelang", "evaluasi") else "non_tender"
        if package is None or kind == "unknown" or package.kind != wanted:
            self._send(404, "text/html", LpseDouble.NOT_FOUND)
            return
        render = {"announcement": owner.announcement_html, "schedule": owner.schedule_html,
                  "winner": owner.winner_html}[kind]
        self._send(200, "text/html", render(package))

    @staticmethod
    def _kind(method: str, rest: list[str]) -> str:
        if method == "GET" and rest == ["lelang"]:
            return "session"
        if method == "POST" and len(rest) == 2 and rest[0] == "dt" and rest[1] in ("lelang", "pl"):
            return "list"
        if len(rest) == 3 and rest[0] in ("lelang", "nontender"):
            if rest[2] in ("pengumumanlelang", "pengumumanpl"):
                return "announcement"
            if rest[2] == "jadwal":
                return "schedule"
        if len(rest) == 3 and rest[0] in ("evaluasi", "evaluasinontender") and rest[2] == "pemenang":
            return "winner"
        return "unknown"

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")
