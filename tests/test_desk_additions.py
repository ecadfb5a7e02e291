"""Issue #17, the citizen's side: what a citizen sends about a ticket reaches the staff group under the
ticket's card, files keep what was written on them, and no message is a header with nothing under it.
End to end: the real Application, handlers and SQLite file, Telegram played by the Bot API double."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.fakebot import SentMessage
from tests.conftest import Bench
from tests.test_evidence import send_album, wait_for

HEADER = "📨 Tambahan dari pelapor"


def card_of(bench: Bench, code: str) -> SentMessage:
    return next(m for m in bench.fake.sent(bench.staff_chat_id) if m.rendered.startswith(f"📋 {code}"))


def receipt_of(bench: Bench) -> SentMessage:
    return next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)


def staff_since(bench: Bench, count: int) -> list[SentMessage]:
    return bench.fake.sent(bench.staff_chat_id)[count:]


# --- evidence sent while filing ------------------------------------------------------------------


async def test_evidence_sent_while_filing_replies_to_the_card(bench: Bench) -> None:
    user = bench.citizen
    await bench.walk_to_evidence()
    await bench.run(bench.fake.send_photo(user, None))
    await bench.run(bench.fake.send_document(user, None, file_name="kontrak.pdf"))
    await bench.press(user, bench.last(user.id), "lapor:bukti_selesai")
    sent = await bench.press(user, bench.last(user.id), "lapor:kirim")
    card = next(m for m in sent if m.chat_id == bench.staff_chat_id and m.rendered.startswith("📋"))
    files = [m for m in sent if m.chat_id == bench.staff_chat_id and m.is_media]
    assert [m.media_type for m in files] == ["photo", "document"]
    assert {m.reply_to_message_id for m in files} == {card.message_id}


# --- additions after filing: every path --------------------------------------------------------------


async def _loose_document(bench: Bench, code: str) -> None:
    await bench.run(bench.fake.send_document(bench.citizen, None, file_name="kuitansi.pdf"))


async def _document_replying_to_the_receipt(bench: Bench, code: str) -> None:
    await bench.run(bench.fake.send_document(bench.citizen, None, file_name="kuitansi.pdf",
                                             reply_to_message_id=receipt_of(bench).message_id))


async def _photo_after_the_add_button(bench: Bench, code: str) -> None:
    view = (await bench.say(bench.citizen, f"/status {code}"))[0]
    await bench.press(bench.citizen, view, f"tambah:{code}")
    await bench.run(bench.fake.send_photo(bench.citizen, None))


async def _album_replying_to_the_receipt(bench: Bench, code: str) -> None:
    await send_album(bench, photos=3, reply_to_message_id=receipt_of(bench).message_id)
    await wait_for(bench, bench.citizen.id, "3 bukti")


async def _document_for_one_of_two_open_tickets(bench: Bench, code: str) -> None:
    other = await bench.file_complaint(kind="layanan",
                                       description="Petugas loket tidak ramah dan meminta kami datang berulang kali.")
    ask = (await bench.run(bench.fake.send_document(bench.citizen, None, file_name="kuitansi.pdf")))[-1]
    assert sorted(data for _, data in ask.buttons) == sorted([f"bukti:{code}", f"bukti:{other}"])
    await bench.press(bench.citizen, ask, f"bukti:{code}")


FILE_PATHS: dict[str, Callable[[Bench, str], Awaitable[None]]] = {
    "loose document": _loose_document,
    "document for one of two open tickets": _document_for_one_of_two_open_tickets,
    "document replying to the receipt": _document_replying_to_the_receipt,
    "photo after «Tambah keterangan»": _photo_after_the_add_button,
    "album replying to the receipt": _album_replying_to_the_receipt,
}


@pytest.mark.parametrize("path", list(FILE_PATHS))
async def test_a_file_without_text_goes_under_the_card_with_no_empty_header(bench: Bench, path: str) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    before = len(bench.fake.sent(bench.staff_chat_id))
    await FILE_PATHS[path](bench, code)
    staff = [m for m in staff_since(bench, before) if not m.rendered.startswith("📋")]  # (another card)
    assert staff and all(m.is_media for m in staff), [m.rendered for m in staff]  # the files, nothing else
    assert {m.reply_to_message_id for m in staff} == {card.message_id}
    assert code in staff[0].rendered  # the caption names the ticket
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert history[-1].kind.value == "citizen_message" and history[-1].attachments


async def test_a_text_addition_replies_to_the_card(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    sent = await bench.say(bench.citizen, "Lokasinya di km 12.", reply_to=receipt_of(bench).message_id)
    staff = [m for m in sent if m.chat_id == bench.staff_chat_id]
    assert len(staff) == 1 and "Lokasinya di km 12." in staff[0].rendered and code in staff[0].rendered
    assert staff[0].reply_to_message_id == card.message_id
    view = (await bench.say(bench.citizen, f"/status {code}"))[0]
    await bench.press(bench.citizen, view, f"tambah:{code}")
    sent = await bench.say(bench.citizen, "Papan proyeknya tidak ada.")
    staff = [m for m in sent if m.chat_id == bench.staff_chat_id]
    assert len(staff) == 1 and staff[0].reply_to_message_id == card.message_id


async def test_a_file_with_text_is_one_message_with_the_text_as_its_caption(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    before = len(bench.fake.sent(bench.staff_chat_id))
    await bench.run(bench.fake.send_document(bench.citizen, None, file_name="kuitansi.pdf",
                                             caption="Kuitansi <pembayaran> & bukti transfer",
                                             reply_to_message_id=receipt_of(bench).message_id))
    staff = staff_since(bench, before)
    assert len(staff) == 1 and staff[0].media_type == "document"
    assert staff[0].reply_to_message_id == card.message_id
    assert staff[0].rendered == f"{HEADER} {code}\n\nKuitansi <pembayaran> & bukti transfer"


async def test_a_caption_too_long_to_share_goes_as_its_own_message_under_the_card(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    long_caption = ("Kronologi pembayaran yang diminta petugas di luar ketentuan. " * 20)[:1000].strip()
    before = len(bench.fake.sent(bench.staff_chat_id))
    await bench.run(bench.fake.send_photo(bench.citizen, None, caption=long_caption,
                                          reply_to_message_id=receipt_of(bench).message_id))
    text, photo = staff_since(bench, before)
    assert text.rendered == f"{HEADER} {code}\n\n{long_caption}"  # whole, not cut at the caption limit
    assert photo.media_type == "photo" and photo.rendered == f"{HEADER} {code}"
    assert text.reply_to_message_id == photo.reply_to_message_id == card.message_id


async def test_an_objection_and_a_rating_comment_reply_to_the_card(bench: Bench) -> None:
    code = await bench.file_complaint()
    card = card_of(bench, code)
    await bench.staff_says(f"/tutup {code} Jadwal sudah kami kirim.")
    rating = bench.last(bench.citizen.id)
    await bench.press(bench.citizen, rating, f"nilai:{code}:1")
    sent = await bench.say(bench.citizen, "Jawabannya tidak sesuai pertanyaan.")
    comment = next(m for m in sent if m.chat_id == bench.staff_chat_id)
    assert "Komentar penilaian" in comment.rendered and comment.reply_to_message_id == card.message_id
    closing = next(m for m in reversed(bench.fake.sent(bench.citizen.id)) if "selesai" in m.rendered.lower())
    sent = await bench.run(bench.fake.send_photo(bench.citizen, None, caption="Masih belum ada jadwal.",
                                                 reply_to_message_id=closing.message_id))
    staff = [m for m in sent if m.chat_id == bench.staff_chat_id]
    assert "Keberatan pelapor" in staff[0].rendered and staff[1].media_type == "photo"
    assert {m.reply_to_message_id for m in staff} == {card.message_id}


# --- what the citizen wrote on a file is kept --------------------------------------------------------


async def test_captions_sent_while_filing_reach_staff_with_their_files_and_are_stored(bench: Bench) -> None:
    user = bench.citizen
    await bench.walk_to_evidence()
    sent = await bench.run(bench.fake.send_photo(user, None, caption="Papan proyek <tidak> dipasang"))
    assert sent[0].rendered.startswith("📎 Bukti ke-1 beserta keterangannya diterima.")
    sent = await bench.run(bench.fake.send_document(user, None, file_name="kontrak.pdf"))
    assert sent[0].rendered.startswith("📎 Bukti ke-2 diterima.")
    await send_album(bench, documents=[("rab.pdf", "application/pdf"), ("hps.pdf", "application/pdf")],
                     captions=["RAB tahap 1", None])
    await wait_for(bench, user.id, "2 bukti diterima")
    await bench.press(user, bench.last(user.id), "lapor:bukti_selesai")
    sent = await bench.press(user, bench.last(user.id), "lapor:kirim")
    code = receipt_of(bench).rendered.split("Kode pengaduan: ")[1].split()[0]
    files = [m for m in sent if m.chat_id == bench.staff_chat_id and m.is_media]
    header = f"Bukti dari pelapor {code}"
    assert [(m.media_type, m.rendered) for m in files] == [
        ("photo", f"{header}\n\nPapan proyek <tidak> dipasang"),
        ("document", header),  # kontrak.pdf, first of the documents' album
        ("document", "RAB tahap 1"),
        ("document", ""),
    ]
    filed = (await bench.desk.tickets.history(await bench.desk.tickets.get(code)))[0]
    assert [a.caption for a in filed.attachments] == ["Papan proyek <tidak> dipasang", None, "RAB tahap 1", None]


async def test_an_album_added_after_filing_keeps_every_parts_caption(bench: Bench) -> None:
    code = await bench.file_complaint()
    before = len(bench.fake.sent(bench.staff_chat_id))
    await send_album(bench, photos=3, captions=["foto depan", None, "foto samping"],
                     reply_to_message_id=receipt_of(bench).message_id)
    await wait_for(bench, bench.citizen.id, "3 bukti")
    album = staff_since(bench, before)
    assert [m.rendered for m in album] == [f"{HEADER} {code}\n\nfoto depan\n\nfoto samping", "", ""]
    addition = (await bench.desk.tickets.history(await bench.desk.tickets.get(code)))[-1]
    assert addition.data["text"] == "foto depan\n\nfoto samping" and len(addition.attachments) == 3


async def _walk_to_description(bench: Bench) -> None:
    user = bench.citizen
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(user.id), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(user.id), "lapor:jenis:layanan")
    await bench.press(user, bench.last(user.id), "lapor:lewati")


async def test_a_photo_with_its_story_as_caption_at_step_5_is_description_and_evidence(bench: Bench) -> None:
    """People write the whole complaint under a photo: nothing is lost, nothing asked twice."""
    user = bench.citizen
    await _walk_to_description(bench)
    story = "Papan proyek jalan di Tanjung Selor tidak dipasang sejak bulan lalu."
    sent = await bench.run(bench.fake.send_photo(user, None, caption=story))
    assert len(sent) == 1
    assert sent[0].rendered.startswith("📎 Bukti ke-1 diterima.") and "Langkah 6 dari 7" in sent[0].rendered
    await bench.press(user, bench.last(user.id), "lapor:bukti_selesai")
    summary = bench.last(user.id).rendered
    assert story in summary and "Bukti: 1 berkas" in summary
    await bench.press(user, bench.last(user.id), "lapor:kirim")
    code = receipt_of(bench).rendered.split("Kode pengaduan: ")[1].split()[0]
    ticket = await bench.desk.tickets.get(code)
    assert ticket.description == story
    filed = (await bench.desk.tickets.history(ticket))[0]
    # The caption became the description, so the file does not carry it a second time.
    assert [a.caption for a in filed.attachments] == [None]


async def test_a_file_without_a_usable_caption_at_step_5_is_kept_and_the_step_asks_again(bench: Bench) -> None:
    user = bench.citizen
    await _walk_to_description(bench)
    sent = await bench.run(bench.fake.send_document(user, None, file_name="foto.pdf"))
    assert sent[-1].rendered.startswith("📎 Berkas disimpan sebagai bukti ke-1.")
    assert "tulis uraiannya" in sent[-1].rendered
    sent = await bench.run(bench.fake.send_photo(user, None, caption="lihat ini"))  # too short to be one
    assert sent[-1].rendered.startswith("📎 Berkas disimpan sebagai bukti ke-2.") and "minimal" in sent[-1].rendered
    sent = await bench.say(user, "Petugas loket tidak ramah dan meminta kami datang berulang kali.")
    assert "Langkah 6 dari 7" in sent[-1].rendered
    await bench.press(user, bench.last(user.id), "lapor:bukti_selesai")
    assert "Bukti: 2 berkas" in bench.last(user.id).rendered
    await bench.press(user, bench.last(user.id), "lapor:kirim")
    code = receipt_of(bench).rendered.split("Kode pengaduan: ")[1].split()[0]
    filed = (await bench.desk.tickets.history(await bench.desk.tickets.get(code)))[0]
    assert [a.caption for a in filed.attachments] == [None, "lihat ini"]  # a short caption stays with its file


async def test_an_album_at_step_5_keeps_every_file_and_asks_for_the_description_once(bench: Bench) -> None:
    user = bench.citizen
    await _walk_to_description(bench)
    await send_album(bench, photos=2)
    reply = await wait_for(bench, user.id, "2 bukti diterima")
    assert "tulis uraiannya" in reply.rendered
    sent = await bench.say(user, "Petugas loket tidak ramah dan meminta kami datang berulang kali.")
    assert "Langkah 6 dari 7" in sent[-1].rendered
    await bench.press(user, bench.last(user.id), "lapor:bukti_selesai")
    assert "Bukti: 2 berkas" in bench.last(user.id).rendered
