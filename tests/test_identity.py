"""A reporter's identity (issue #12): every path to an alleged-wrongdoing complaint asks «rahasiakan»
before «Kirim»; staff raising a ticket to berkadar offers it at once; confidential tickets reach the
staff chat masked and protected; relayed text never unfurls a link preview.

End to end: the real Application and handlers, a real SQLite file, the Bot API double.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fakebot import FakeUser, SentMessage
from bot.services.tickets import NothingToChange, TicketNotFound
from tests.conftest import Bench

SECRETS = ("Budi", "Santoso", "081234567890")
ASKED = "identitas Anda dirahasiakan"
WRONGDOING_TEXT = "Panitia meminta uang pelicin agar kami dimenangkan dalam tender jalan."
PLAIN_TEXT = "Petugas loket layanan pengadaan lambat melayani pendaftaran penyedia."


# --- helpers -----------------------------------------------------------------------------


def offered(sent: list[SentMessage]) -> bool:
    """The «rahasiakan» question with today's words and buttons."""
    for message in sent:
        data = [b[1] for b in message.buttons]
        if "lapor:rahasia:ya" in data and "lapor:rahasia:tidak" in data:
            assert ASKED in message.rendered
            assert ("🔒 Ya, rahasiakan identitas saya", "lapor:rahasia:ya") in message.buttons
            return True
    return False


async def to_summary(bench: Bench, *, kind: str, description: str, user: FakeUser | None = None) -> list[SentMessage]:
    """Walks /lapor up to pressing «Selesai» on the evidence step; returns what that press sent."""
    user = user or bench.citizen
    chat = user.id
    await bench.say(user, "/lapor")
    await bench.press(user, bench.last(chat), "lapor:nama")
    await bench.say(user, "081234567890")
    await bench.press(user, bench.last(chat), f"lapor:jenis:{kind}")
    await bench.press(user, bench.last(chat), "lapor:lewati")
    await bench.say(user, description)
    return await bench.press(user, bench.last(chat), "lapor:bukti_selesai")


def summary_of(bench: Bench) -> SentMessage:
    summary = bench.last(bench.citizen.id)
    assert "lapor:kirim" in [b[1] for b in summary.buttons], summary.rendered
    return summary


async def send(bench: Bench) -> str:
    sent = await bench.press(bench.citizen, summary_of(bench), "lapor:kirim")
    receipt = next(m for m in sent if m.chat_id == bench.citizen.id and "Kode pengaduan" in m.rendered)
    return receipt.rendered.split("Kode pengaduan: ")[1].split()[0]


def card_of(bench: Bench, code: str) -> SentMessage:
    return next(m for m in bench.fake.sent(bench.staff_chat_id) if m.rendered.startswith(f"📋 {code}"))


def assert_masked(message: SentMessage) -> None:
    for secret in SECRETS:
        assert secret not in message.rendered, message.rendered
    assert message.protected, f"not protected: {message.rendered[:60]}"


async def edit(bench: Bench, field: str) -> None:
    await bench.press(bench.citizen, summary_of(bench), "lapor:ubah")
    await bench.press(bench.citizen, bench.last(bench.citizen.id), f"lapor:ubah:{field}")


# --- filing paths ------------------------------------------------------------------------


async def test_kind_chosen_at_step_3_asks_and_the_card_is_masked_and_protected(bench: Bench) -> None:
    sent = await to_summary(bench, kind="pelanggaran", description=WRONGDOING_TEXT)
    assert offered(sent)
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:ya")
    assert "🔒 Identitas dirahasiakan" in summary_of(bench).rendered
    code = await send(bench)
    card = card_of(bench, code)
    assert_masked(card)
    assert "B. S." in card.rendered and "***890" in card.rendered
    # The citizen's own receipt is theirs to forward.
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    assert not receipt.protected


async def test_kind_changed_while_editing_asks_before_kirim(bench: Bench) -> None:
    """The leak of issue #12: «Keluhan» → summary → «Ubah» → «Jenis» → «Dugaan pelanggaran»."""
    sent = await to_summary(bench, kind="layanan", description=PLAIN_TEXT)
    assert not offered(sent)
    await edit(bench, "jenis")
    sent = await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:jenis:pelanggaran")
    assert offered(sent)
    assert all(b[1] != "lapor:kirim" for m in sent for b in m.buttons)
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:ya")
    code = await send(bench)
    assert_masked(card_of(bench, code))
    assert (await bench.desk.tickets.get(code)).confidential


async def test_text_that_escalates_to_berkadar_asks(bench: Bench) -> None:
    sent = await to_summary(bench, kind="pertanyaan",
                            description="Apakah wajar pokja meminta uang pelicin agar kami menang tender?")
    assert offered(sent)
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:ya")
    code = await send(bench)
    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier.value == "berkadar" and ticket.confidential
    assert_masked(card_of(bench, code))


async def test_edited_description_that_adds_wrongdoing_asks(bench: Bench) -> None:
    sent = await to_summary(bench, kind="layanan", description=PLAIN_TEXT)
    assert not offered(sent)
    await edit(bench, "uraian")
    # «Ubah» → «Uraian» returns to the summary (#13), which asks before anything else.
    sent = await bench.say(bench.citizen, "Petugas loket meminta suap agar berkas kami diproses lebih dulu.")
    assert offered(sent)
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:ya")
    code = await send(bench)
    assert (await bench.desk.tickets.get(code)).tier.value == "berkadar"
    assert_masked(card_of(bench, code))


async def test_a_yes_survives_an_edit_and_a_no_is_asked_again(bench: Bench) -> None:
    sent = await to_summary(bench, kind="pelanggaran", description=WRONGDOING_TEXT)
    assert offered(sent)
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:tidak")
    await edit(bench, "jenis")
    sent = await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:jenis:pelanggaran")
    assert offered(sent)  # the kind was edited: the answer is asked again
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:ya")
    await edit(bench, "jenis")
    sent = await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:jenis:pertanyaan")
    assert not offered(sent)
    assert "🔒 Identitas dirahasiakan" in summary_of(bench).rendered  # never dropped silently
    code = await send(bench)
    assert_masked(card_of(bench, code))


async def test_dispute_of_the_escalation_keeps_the_answer(bench: Bench) -> None:
    """«Ini bukan dugaan pelanggaran»: the kind's tier stands; the citizen's «ya» stays."""
    sent = await to_summary(bench, kind="pertanyaan",
                            description="Apakah pokja yang menerima amplop boleh tetap bertugas di paket berikutnya?")
    assert offered(sent)
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:ya")
    sent = await bench.press(bench.citizen, summary_of(bench), "lapor:bukan")
    assert not offered(sent)
    summary = summary_of(bench)
    assert "Perkiraan tingkat: Ringan" in summary.rendered and "🔒 Identitas dirahasiakan" in summary.rendered
    code = await send(bench)
    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier.value == "ringan" and ticket.confidential
    assert_masked(card_of(bench, code))


async def test_dispute_with_a_no_is_not_asked_again(bench: Bench) -> None:
    await to_summary(bench, kind="pertanyaan",
                     description="Apakah pokja yang menerima amplop boleh tetap bertugas di paket berikutnya?")
    await bench.press(bench.citizen, bench.last(bench.citizen.id), "lapor:rahasia:tidak")
    sent = await bench.press(bench.citizen, summary_of(bench), "lapor:bukan")
    assert not offered(sent)
    code = await send(bench)
    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier.value == "ringan" and not ticket.confidential
    assert "Budi Santoso" in card_of(bench, code).rendered


async def test_a_question_is_never_asked_for_plain_complaints(bench: Bench) -> None:
    sent = await to_summary(bench, kind="layanan", description=PLAIN_TEXT)
    assert not offered(sent)
    code = await send(bench)
    card = card_of(bench, code)
    assert "Budi Santoso" in card.rendered and not card.protected


# --- staff raise the tier after filing ----------------------------------------------------------


def offer_of(bench: Bench, code: str) -> SentMessage:
    offers = [m for m in bench.fake.sent(bench.citizen.id)
              if any(b[1] == f"rahasia:{code}:ya" for b in m.buttons)]
    assert len(offers) == 1, [m.rendered for m in bench.fake.sent(bench.citizen.id)]
    return offers[0]


async def test_tingkat_berkadar_offers_confidentiality_and_masks_from_then_on(bench: Bench) -> None:
    code = await bench.file_complaint(kind="layanan", description=PLAIN_TEXT)
    assert "Budi Santoso" in card_of(bench, code).rendered
    await bench.staff_says(f"/tingkat {code} berkadar ternyata ada dugaan pungutan")
    offer = offer_of(bench, code)
    assert ASKED in offer.rendered
    assert offer.buttons == [("🔒 Ya, rahasiakan identitas saya", f"rahasia:{code}:ya"),
                             ("Tidak perlu", f"rahasia:{code}:tidak")]

    sent = await bench.press(bench.citizen, offer, f"rahasia:{code}:ya")
    assert (await bench.desk.tickets.get(code)).confidential
    assert offer.buttons == []  # one answer per offer
    citizen_notice = next(m for m in sent if m.chat_id == bench.citizen.id)
    assert "dirahasiakan" in citizen_notice.rendered
    staff_notice = next(m for m in sent if m.chat_id == bench.staff_chat_id and not m.history)
    assert_masked(staff_notice)
    # The card already in the staff chat is edited to the masked version too (the card is the truth).
    assert "Budi Santoso" not in card_of(bench, code).rendered
    history = await bench.desk.tickets.history(await bench.desk.tickets.get(code))
    assert history[-1].kind.value == "confidentiality_chosen" and history[-1].data == {"confidential": True}

    # From now on: cards, notices and evidence in the staff chat are masked and protected.
    view = await bench.staff_says(f"/tiket {code}")
    assert view and all(m.protected for m in view)
    assert "Budi" not in "".join(m.rendered for m in view)
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    sent = await bench.say(bench.citizen, "Tambahan: ada kuitansinya.", reply_to=receipt.message_id)
    forwarded = [m for m in sent if m.chat_id == bench.staff_chat_id]
    assert forwarded and all(m.protected for m in forwarded)
    sent = await bench.run(bench.fake.send_photo(bench.citizen, None, caption="kuitansi",
                                                 reply_to_message_id=receipt.message_id))
    evidence = [m for m in sent if m.chat_id == bench.staff_chat_id and m.is_media]
    assert evidence and all(m.protected for m in evidence)


async def test_tier_button_to_berkadar_offers_and_a_no_keeps_the_name(bench: Bench) -> None:
    code = await bench.file_complaint(kind="layanan", description=PLAIN_TEXT)
    await bench.press(bench.officer, card_of(bench, code), f"tk:tingkat:{code}")
    chooser = bench.last(bench.staff_chat_id)
    await bench.press(bench.officer, chooser, f"tk:tier:{code}:berkadar")
    offer = offer_of(bench, code)
    await bench.press(bench.citizen, offer, f"rahasia:{code}:tidak")
    ticket = await bench.desk.tickets.get(code)
    assert ticket.tier.value == "berkadar" and not ticket.confidential
    history = await bench.desk.tickets.history(ticket)
    assert history[-1].data == {"confidential": False}


async def test_no_offer_for_other_tiers_or_a_ticket_already_confidential(bench: Bench) -> None:
    code = await bench.file_complaint(kind="layanan", description=PLAIN_TEXT)
    await bench.staff_says(f"/tingkat {code} normatif")
    assert not any(m.buttons for m in bench.fake.sent(bench.citizen.id) if "rahasia" in str(m.buttons))
    secret = await bench.file_complaint(kind="pelanggaran", description=WRONGDOING_TEXT, confidential=True)
    await bench.staff_says(f"/tingkat {secret} normatif")
    await bench.staff_says(f"/tingkat {secret} berkadar")
    assert not [m for m in bench.fake.sent(bench.citizen.id)
                if any(b[1] == f"rahasia:{secret}:ya" for b in m.buttons)]


async def test_only_the_owner_can_answer_the_offer(bench: Bench) -> None:
    code = await bench.file_complaint(kind="layanan", description=PLAIN_TEXT)
    await bench.staff_says(f"/tingkat {code} berkadar")
    offer = offer_of(bench, code)
    # Nobody else can press a button in the citizen's private chat; data forged elsewhere reaches
    # the same service, which answers like a wrong code.
    with pytest.raises(TicketNotFound):
        await bench.desk.tickets.choose_confidentiality(code, bench.other.id, True)
    assert not (await bench.desk.tickets.get(code)).confidential
    await bench.press(bench.citizen, offer, f"rahasia:{code}:ya")
    with pytest.raises(NothingToChange):  # masking is never undone from a button
        await bench.desk.tickets.choose_confidentiality(code, bench.citizen.id, False)


# --- confidential tickets everywhere; link previews ----------------------------------------------


@pytest.fixture
async def admin_bench(tmp_path: Path) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path, telegram={"admin_user_ids": []})
    bench.sections["telegram"]["admin_user_ids"] = [bench.officer.id]
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()


async def test_identitas_stays_the_only_way_and_is_protected(admin_bench: Bench) -> None:
    bench = admin_bench
    code = await bench.file_complaint(kind="pelanggaran", description=WRONGDOING_TEXT, confidential=True)
    for message in bench.fake.sent(bench.staff_chat_id):
        assert_masked(message)
    sent = await bench.staff_says(f"/identitas {code}")
    private = [m for m in sent if m.chat_id == bench.officer.id]
    assert len(private) == 1 and "Budi Santoso" in private[0].rendered and private[0].protected
    revealed = [e for e in await bench.desk.tickets.history(await bench.desk.tickets.get(code))
                if e.kind.value == "identity_revealed"]
    assert len(revealed) == 1


async def test_relayed_text_never_unfurls_a_link_preview(bench: Bench) -> None:
    link = "https://contoh-tautan.example/bukti?id=7"
    code = await bench.file_complaint(kind="layanan", description=f"Pengumuman tender ada di {link} tapi salah.")
    card = card_of(bench, code)
    assert link in card.rendered and card.link_preview_disabled
    receipt = next(m for m in bench.fake.sent(bench.citizen.id) if "Kode pengaduan" in m.rendered)
    sent = await bench.say(bench.citizen, f"Lihat juga {link}", reply_to=receipt.message_id)
    addition = next(m for m in sent if m.chat_id == bench.staff_chat_id)
    assert link in addition.rendered and addition.link_preview_disabled
    sent = await bench.staff_answers(f"Silakan cek {link}", reply_to=card.message_id)
    answer = next(m for m in sent if m.chat_id == bench.citizen.id)
    assert link in answer.rendered and answer.link_preview_disabled
    view = await bench.say(bench.citizen, f"/status {code}")
    assert all(m.link_preview_disabled for m in view)
