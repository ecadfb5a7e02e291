"""Evidence files (issue #12): the allow-list of types, and albums (several files sent at once)."""

from __future__ import annotations

import pytest

from bot.domain.evidence import EvidenceVerdict, judge_evidence
from tests.conftest import Bench

ACCEPTED = [
    ("laporan.pdf", "application/pdf"),
    ("rab.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("hps.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("paparan.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("surat.odt", "application/vnd.oasis.opendocument.text"),
    ("catatan.txt", "text/plain"),
    ("foto_lokasi.jpg", "image/jpeg"),
    ("tangkapan layar.PNG", "image/png"),
    ("kuitansi.heic", "image/heic"),
    ("kontrak.pdf", "application/octet-stream"),  # a client that does not know the type
]
EXECUTABLE = [
    ("setup.exe", "application/x-msdownload"),
    ("bukti.pdf.exe", "application/octet-stream"),
    ("bukti.pdf", "application/x-msdownload"),  # the type gives it away
    ("jalankan.bat", "application/x-bat"),
    ("skrip.sh", "application/x-sh"),
    ("skrip.ps1", "text/plain"),
    ("aplikasi.apk", "application/vnd.android.package-archive"),
    ("halaman.js", "text/javascript"),
    ("gambar.svg", "image/svg+xml"),
    ("makro.docm", "application/vnd.ms-word.document.macroEnabled.12"),
    ("tanpa_nama", "application/x-executable"),
]
UNSUPPORTED = [
    ("arsip.zip", "application/zip"),
    ("video.mp4", "video/mp4"),
    ("tanpa_nama", "application/octet-stream"),
]


@pytest.mark.parametrize(("name", "mime"), ACCEPTED)
def test_allow_list_accepts(name: str, mime: str) -> None:
    assert judge_evidence("document", name, mime) is EvidenceVerdict.ACCEPTED


@pytest.mark.parametrize(("name", "mime"), EXECUTABLE)
def test_allow_list_refuses_executables_and_scripts(name: str, mime: str) -> None:
    assert judge_evidence("document", name, mime) is EvidenceVerdict.EXECUTABLE


@pytest.mark.parametrize(("name", "mime"), UNSUPPORTED)
def test_allow_list_refuses_other_types(name: str, mime: str) -> None:
    assert judge_evidence("document", name, mime) is EvidenceVerdict.UNSUPPORTED


async def to_evidence_step(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), "lapor:jenis:layanan")
    await bench.press(user, bench.last(chat), "lapor:lewati")
    await bench.say(user, "Petugas loket tidak ramah dan meminta kami datang berulang kali.")


async def test_filing_refuses_executables_and_keeps_the_rest(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await to_evidence_step(bench)
    for name, mime in (("setup.exe", "application/x-msdownload"), ("skrip.sh", "application/x-sh")):
        sent = await bench.run(bench.fake.send_document(user, None, file_name=name, mime_type=mime))
        assert len(sent) == 1 and "program dan skrip" in sent[0].rendered and name in sent[0].rendered
        assert ("✅ Selesai / tidak ada bukti", "lapor:bukti_selesai") in sent[0].buttons
    sent = await bench.run(bench.fake.send_document(user, None, file_name="arsip.zip", mime_type="application/zip"))
    assert "tidak kami terima" in sent[0].rendered and "PDF" in sent[0].rendered
    sent = await bench.run(bench.fake.send_document(user, None, file_name="catatan.txt", mime_type="text/plain",
                                                    content=b"kronologi kejadian"))
    assert "Bukti ke-1" in sent[0].rendered
    sent = await bench.run(bench.fake.send_document(user, None, file_name="lokasi.png", mime_type="image/png",
                                                    content=b"\x89PNG\r\n\x1a\n"))
    assert "Bukti ke-2" in sent[0].rendered
    await bench.press(user, bench.last(chat), "lapor:bukti_selesai")
    assert "Bukti: 2 berkas" in bench.last(chat).rendered
    await bench.press(user, bench.last(chat), "lapor:kirim")
    names = [m.media["file_name"] for m in bench.fake.sent(bench.staff_chat_id) if m.is_media]
    assert sorted(names) == ["catatan.txt", "lokasi.png"]


async def test_addition_after_filing_refuses_a_script(bench: Bench) -> None:
    code = await bench.file_complaint()
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    staff_before = len(bench.fake.sent(bench.staff_chat_id))
    sent = await bench.run(bench.fake.send_document(bench.citizen, None, file_name="bukti.pdf.exe",
                                                    mime_type="application/octet-stream",
                                                    reply_to_message_id=receipt.message_id))
    assert [m.chat_id for m in sent] == [bench.citizen.id] and "program dan skrip" in sent[0].rendered
    assert len(bench.fake.sent(bench.staff_chat_id)) == staff_before
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert "citizen_message" not in [e.kind.value for e in history]
