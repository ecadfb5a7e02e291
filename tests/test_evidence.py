"""Evidence files (issue #12): the allow-list of types, and albums (several files sent at once)."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.evidence import EvidenceVerdict, judge_evidence
from bot.fakebot import SentMessage
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
    await bench.walk_to_evidence(bench.citizen)


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


# --- albums -----------------------------------------------------------------------------------


async def wait_for(bench: Bench, chat_id: int, needle: str, timeout: float = 15.0) -> SentMessage:
    """The bot's message containing ``needle`` in ``chat_id``; albums are finished by a short job."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        found = [m for m in bench.fake.sent(chat_id) if needle in m.rendered]
        if found:
            await bench.desk.outbox.drain()
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {needle!r} in {[m.rendered for m in bench.fake.sent(chat_id)]}")


async def send_album(bench: Bench, **kwargs: object) -> list[SentMessage]:
    before = len(bench.fake.sent())
    for driven in bench.fake.send_album(bench.citizen, None, **kwargs):  # type: ignore[arg-type]
        await bench.settle(driven)
    return bench.fake.sent()[before:]


async def test_an_album_during_filing_gets_one_acknowledgement(bench: Bench) -> None:
    user, chat = bench.citizen, bench.citizen.id
    await to_evidence_step(bench)
    replies = await send_album(bench, photos=10)
    assert replies == []  # nothing per photo
    ack = await wait_for(bench, chat, "10 bukti diterima")
    assert [m for m in bench.fake.sent(chat) if "bukti diterima" in m.rendered or "Bukti ke-" in m.rendered] == [ack]
    assert ("✅ Selesai / tidak ada bukti", "lapor:bukti_selesai") in ack.buttons
    await bench.press(user, ack, "lapor:bukti_selesai")
    assert "Bukti: 10 berkas" in bench.last(chat).rendered
    sent = await bench.press(user, bench.last(chat), "lapor:kirim")
    card = next(m for m in sent if m.chat_id == bench.staff_chat_id and m.rendered.startswith("📋"))
    album = [m for m in sent if m.chat_id == bench.staff_chat_id and m.is_media]
    assert len(album) == 10 and {m.method for m in album} == {"sendMediaGroup"}
    assert len({m.media_group_id for m in album}) == 1
    assert {m.reply_to_message_id for m in album} == {card.message_id}


async def test_an_album_with_a_refused_file_is_acknowledged_once_and_the_file_kept_back(bench: Bench) -> None:
    await to_evidence_step(bench)
    await send_album(bench, documents=[("rab.pdf", "application/pdf"), ("setup.exe", "application/pdf"),
                                    ("hps.pdf", "application/pdf")])
    ack = await wait_for(bench, bench.citizen.id, "2 bukti diterima")
    assert "program dan skrip" in ack.rendered and "setup.exe" in ack.rendered
    await bench.press(bench.citizen, ack, "lapor:bukti_selesai")
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:kirim")
    names = [m.media["file_name"] for m in bench.fake.sent(bench.staff_chat_id) if m.is_media]
    assert names == ["rab.pdf", "hps.pdf"]


async def test_an_album_added_after_filing_reaches_staff_as_one_album_under_the_card(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = next(m for m in bench.fake.sent(bench.staff_chat_id) if m.rendered.startswith(f"📋 {code}"))
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    replies = await send_album(bench, photos=10, caption="foto lokasi proyek", reply_to_message_id=receipt.message_id)
    assert replies == []
    ack = await wait_for(bench, bench.citizen.id, "10 bukti")
    assert code in ack.rendered and "diteruskan" in ack.rendered
    album = [m for m in bench.fake.sent(bench.staff_chat_id) if m.is_media]
    assert len(album) == 10 and {m.method for m in album} == {"sendMediaGroup"}
    assert {m.reply_to_message_id for m in album} == {card.message_id}
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    additions = [e for e in history if e.kind.value == "citizen_message"]
    assert len(additions) == 1 and len(additions[0].attachments) == 10
    assert additions[0].data["text"] == "foto lokasi proyek"
    # A staff reply to the album (its captioned first photo) answers the citizen.
    sent = await bench.staff_answers("Terima kasih, foto sudah kami terima.", reply_to=album[0].message_id)
    assert any(m.chat_id == bench.citizen.id and "foto sudah kami terima" in m.rendered for m in sent)


async def test_an_album_after_the_add_button_needs_no_reply_on_each_part(bench: Bench) -> None:
    code = await bench.file_complaint()
    view = (await bench.say(bench.citizen, f"/status {code}"))[0]
    await bench.press(bench.citizen, view, f"tambah:{code}")
    await send_album(bench, photos=4)
    await wait_for(bench, bench.citizen.id, "4 bukti")
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert [len(e.attachments) for e in history if e.kind.value == "citizen_message"] == [4]


async def test_an_album_interrupted_by_a_stop_is_finished_after_the_restart(bench: Bench) -> None:
    code = await bench.file_complaint()
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    await send_album(bench, photos=3, reply_to_message_id=receipt.message_id)
    await bench.stop()  # before the album's job ran: its parts are only noted
    assert not [m for m in bench.fake.sent(bench.staff_chat_id) if m.is_media]
    await bench.start()
    await wait_for(bench, bench.citizen.id, "3 bukti")
    album = [m for m in bench.fake.sent(bench.staff_chat_id) if m.is_media]
    assert len(album) == 3
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert [len(e.attachments) for e in history if e.kind.value == "citizen_message"] == [3]


def test_the_album_module_names_the_evidence_step_as_filing_stores_it() -> None:
    from handlers import albums, filing

    assert filing.FilingStep.EVIDENCE.value == albums.EVIDENCE_STEP


async def test_a_loose_executable_after_filing_is_refused_and_reaches_no_one(bench: Bench) -> None:
    """A file sent later, not as a reply, goes to the open ticket — unless it is a program."""
    code = await bench.file_complaint()
    staff_before = len(bench.fake.sent(bench.staff_chat_id))
    sent = await bench.run(bench.fake.send_document(bench.citizen, None, file_name="bukti.pdf.exe",
                                                    mime_type="application/x-msdownload"))
    assert "program dan skrip" in sent[0].rendered
    assert len(bench.fake.sent(bench.staff_chat_id)) == staff_before
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert not any(event.attachments for event in history)
