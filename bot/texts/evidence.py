"""Texts about evidence files: refused types and albums (several files sent at once)."""

from __future__ import annotations

from bot.domain.evidence import EvidenceVerdict
from bot.texts.format import esc

ACCEPTED_TYPES = "foto, PDF, dokumen Office (Word, Excel, PowerPoint), teks biasa, atau gambar"


def refused(verdict: EvidenceVerdict, file_name: str | None) -> str:
    name = f"«{esc(file_name)}» " if file_name else ""
    if verdict is EvidenceVerdict.EXECUTABLE:
        return (
            f"⛔ Berkas {name}tidak kami terima: program dan skrip (mis. .exe, .apk, .bat, .js) "
            f"ditolak demi keamanan, dan tidak diteruskan ke petugas. Kirim bukti berupa {ACCEPTED_TYPES}."
        )
    return f"Jenis berkas {name}tidak kami terima. Kirim bukti berupa {ACCEPTED_TYPES}."
