"""Texts about evidence files: refused types and albums (several files sent at once)."""

from __future__ import annotations

from bot.domain.evidence import EvidenceVerdict
from bot.texts.format import esc, fits_caption

ACCEPTED_TYPES = "foto, PDF, dokumen Office (Word, Excel, PowerPoint), teks biasa, atau gambar"


def refused(verdict: EvidenceVerdict, file_name: str | None) -> str:
    name = f"«{esc(file_name)}» " if file_name else ""
    if verdict is EvidenceVerdict.EXECUTABLE:
        return (
            f"⛔ Berkas {name}tidak kami terima: program dan skrip (mis. .exe, .apk, .bat, .js) "
            f"ditolak demi keamanan, dan tidak diteruskan ke petugas. Kirim bukti berupa {ACCEPTED_TYPES}."
        )
    return f"Jenis berkas {name}tidak kami terima. Kirim bukti berupa {ACCEPTED_TYPES}."


def _refusals(refusals: list[str]) -> str:
    return "".join(f"\n\n{line}" for line in refusals)


def album_received(accepted: int, total: int, refusals: list[str], still_collecting: bool) -> str:
    """One acknowledgement for an album during filing ("10 bukti diterima")."""
    more = " Kirim lagi, atau tekan «Selesai»." if still_collecting else ""
    head = f"📎 {accepted} bukti diterima (seluruhnya {total} berkas).{more}" if accepted else "Tidak ada bukti yang diterima dari kiriman ini."
    return head + _refusals(refusals)


def album_forwarded(code: str, count: int, refusals: list[str]) -> str:
    """One acknowledgement for an album added after filing."""
    return f"✔️ {count} bukti untuk <b>{esc(code)}</b> sudah diteruskan ke petugas." + _refusals(refusals)


def file_caption(header: str, note: str | None) -> str:
    """A citizen's file as staff see it: the header naming the ticket, then what the citizen wrote on
    the file. A note too long to share the caption stands alone (the file replies to the card)."""
    written = esc(note.strip()) if note and note.strip() else ""
    caption = "\n\n".join(part for part in (header, written) if part)
    return caption if not written or fits_caption(caption) else written
