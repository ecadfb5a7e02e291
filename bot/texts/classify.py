"""The classifier's words: why a tier was chosen, and the terminal texts of ``classify``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.classifier import Classification
from bot.domain.tiers import Tier
from bot.texts.labels import kind_label, tier_label


def _quoted(quotes: Sequence[str]) -> str:
    return ", ".join(f'"{quote}"' for quote in quotes)


def reason(result: Classification) -> str:
    """One plain sentence (stored with the ticket, shown to staff): why this tier."""
    kind = f"\u201c{kind_label(result.kind)}\u201d"
    base = tier_label(result.base or result.tier)
    if result.question is not None:
        set_aside = [quote for _, quotes in result.evidence for quote in quotes]
        return (
            f"Teks bertanya tentang aturan (\u201c{result.question}\u201d) dan tidak menyebut "
            f"kejadian nyata, sehingga {_quoted(set_aside)} tidak dianggap dugaan "
            f"pelanggaran; ditangani sebagai {base} sesuai jenis yang dipilih {kind}."
        )
    if not result.evidence:
        why = f"Jenis yang dipilih {kind}, sehingga ditangani sebagai {base}."
        if result.denials:
            negated = "; ".join(f'"{quote}" disangkal oleh "{negator}"' for quote, negator in result.denials)
            why = f"Teks menyangkal temuan ({negated}). {why}"
        return why
    evidence = "; ".join(f"{label}: {_quoted(quotes)}" for label, quotes in result.evidence)
    # Wording follows the packaged rules (wrongdoing → Berkadar); a bureau rule that
    # lifts to a lighter tier is about something else, so it is not called "pelanggaran".
    topic = "menyebut dugaan pelanggaran" if result.tier is Tier.BERKADAR else "cocok dengan aturan"
    return (
        f"Teks {topic} ({evidence}), sehingga ditangani sebagai "
        f"{tier_label(result.tier)}, bukan {base} sesuai jenis yang dipilih."
    )


NEED_TEXT = "classify: tulis teks pengaduan dalam tanda kutip, atau pakai --eval BERKAS.csv / --corrections"
NEED_KIND = "classify: --kind wajib untuk menggolongkan satu teks (pertanyaan, aturan, layanan, pelanggaran)"
ONE_MODE = "classify: pilih salah satu: teks, --eval atau --corrections"
EXPORT_NEEDS_CORRECTIONS = "classify: --export hanya berlaku bersama --corrections"
SINCE_NEEDS_CORRECTIONS = "classify: --since hanya berlaku bersama --corrections"
NO_CORRECTIONS = "Belum ada pengaduan yang tingkatnya diubah petugas."


def bad_kind(error: str) -> str:
    return f"classify: --kind: {error}"


def bad_since(text: str) -> str:
    return f"classify: --since {text!r} bukan tanggal YYYY-MM-DD"


def missing_database(path: str) -> str:
    return f"classify: basis data {path} tidak ada (perintah ini hanya membaca, tidak membuatnya)"


def unreadable_csv(path: str, error: str) -> str:
    return f"classify: {path}: tidak dapat dibaca: {error}"


def bad_csv_header(path: str) -> str:
    return f"classify: {path}: kolom wajib kind, text, expected (baris pertama)"


def bad_csv_row(path: str, line: int, error: str) -> str:
    return f"classify: {path}: baris {line}: {error}"


def empty_csv(path: str) -> str:
    return f"classify: {path}: tidak ada baris untuk diuji"


def reason_lines(reason: str, rules: Sequence[str], cancelled: Sequence[str]) -> list[str]:
    lines = [f"Alasan: {reason}"]
    if rules:
        lines.append(f"Aturan: {', '.join(rules)}")
    if cancelled:
        lines.append(f"Dibatalkan: {', '.join(cancelled)}")
    return lines


def eval_summary(
    total: int,
    agreed: int,
    per_tier: Mapping[Tier, tuple[int, int, int]],
) -> list[str]:
    """``per_tier``: tier → (true positives, predicted, expected)."""
    lines = [f"Kesesuaian: {agreed}/{total} ({100 * agreed / total:.1f}%)", "",
             f"{'Tingkat':<16} {'Presisi':>14} {'Recall':>14}"]
    for tier, (hits, predicted, expected) in per_tier.items():
        precision = f"{hits}/{predicted} ({100 * hits / predicted:.1f}%)" if predicted else "-"
        recall = f"{hits}/{expected} ({100 * hits / expected:.1f}%)" if expected else "-"
        lines.append(f"{tier.value:<16} {precision:>14} {recall:>14}")
    return lines


def disagreements_header(count: int) -> str:
    return f"\nTidak sesuai: {count}" if count else "\nTidak sesuai: 0"


def disagreement(line: int, kind: str, expected: Tier, got: Tier, text: str, reason: str) -> str:
    return (f"- baris {line} [{kind}] diharapkan {expected.value}, hasil {got.value}: {text}\n"
            f"    {reason}")


def missed_allegations(count: int) -> str:
    return f"PERINGATAN: {count} dugaan pelanggaran tidak dinaikkan ke berkadar."


def corrections_header(count: int, groups: int) -> str:
    return f"Koreksi petugas: {count} pengaduan, {groups} kelompok aturan"


def group_header(rule_id: str, label: str, count: int) -> str:
    name = "tanpa aturan (tingkat dasar jenis)" if rule_id == "-" else f"{rule_id} ({label})"
    return f"\n== {name}: {count}"


def correction_line(code: str, kind: str, first: Tier, final: Tier, reason: str) -> str:
    return f"- {code} [{kind}] {first.value} → {final.value}\n    {reason}"


def exported(count: int, path: str) -> str:
    return (f"\n{count} baris ditulis ke {path} (nama, kontak, e-mail dan nomor panjang diganti; "
            "periksa nama pihak lain sebelum dibagikan).")
