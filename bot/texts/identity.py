"""Texts about a reporter's identity after filing: the offer when staff raise a ticket to berkadar.

The question and its buttons keep the words of the filing step (``bot.texts.filing``): a citizen
sees the same «rahasiakan» choice whether it comes during /lapor or later.
"""

from __future__ import annotations

from bot.domain.tickets import Ticket
from bot.texts.filing import CONFIDENTIAL_NO, CONFIDENTIAL_YES
from bot.texts.format import esc
from bot.texts.labels import tier_label

# The same button words as the filing question.
OFFER_YES = CONFIDENTIAL_YES
OFFER_NO = CONFIDENTIAL_NO


def offer_for_citizen(ticket: Ticket) -> str:
    return (
        f"🏷 Pengaduan <b>{esc(ticket.code)}</b> kini ditangani sebagai <b>dugaan pelanggaran</b> "
        f"({esc(tier_label(ticket.tier))}). Apakah Anda ingin <b>identitas Anda dirahasiakan</b>? "
        "Petugas hanya akan melihat inisial dan sebagian nomor Anda; hanya admin yang dapat membukanya, "
        "dan setiap pembukaan dicatat."
    )


def chosen_for_citizen(ticket: Ticket, confidential: bool) -> str:
    if confidential:
        return (
            f"🔒 Baik. Mulai sekarang identitas Anda pada pengaduan <b>{esc(ticket.code)}</b> "
            "dirahasiakan dari petugas."
        )
    return f"Baik, identitas Anda pada pengaduan <b>{esc(ticket.code)}</b> tidak dirahasiakan."


def chosen_for_staff(ticket: Ticket) -> str:
    """Only to the staff chat when the citizen asked for confidentiality (no name, no contact)."""
    return (
        f"🔒 Pelapor <b>{esc(ticket.code)}</b> meminta identitasnya dirahasiakan. Kartu, pesan dan bukti "
        "berikutnya menyamarkan identitasnya; admin dapat membukanya dengan <code>/identitas KODE</code>."
    )


ALREADY_CONFIDENTIAL = "Identitas Anda pada pengaduan ini sudah dirahasiakan."
ALREADY_ANSWERED = "Pilihan Anda sudah dicatat."
NOT_FOUND = "Pengaduan tidak ditemukan."
