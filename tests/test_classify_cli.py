"""``pbj-helpdesk classify``: run as a real process (``python -m bot``) on real files."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from bot.domain.tickets import Actor, NewComplaint
from bot.domain.tiers import MatterKind, Tier
from storage.db import Database
from tests.support import FixedClock, at, ticket_service

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "labelled_complaints.csv"
STAFF = Actor.staff(7001, "Petugas Satu")


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{tmp_path / "helpdesk.sqlite3"}"\n', encoding="utf-8")
    return path


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "classify", "--config", str(config(tmp_path)), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_one_text_prints_reason_then_tier(tmp_path: Path) -> None:
    done = cli(tmp_path, "--kind", "pertanyaan",
               "Saya tidak menuduh ada suap, hanya bertanya kapan jadwal pembukaan penawaran.")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "ringan"
    assert "disangkal" in lines[0] and '"tidak menuduh"' in lines[0]

    alleged = cli(tmp_path, "--kind", "layanan",
                  "Kami dipaksa setor sepuluh persen dari nilai kontrak kepada oknum dinas")
    lines = alleged.stdout.strip().splitlines()
    assert lines[-1] == "berkadar"
    assert any("setoran" in line for line in lines[:-1])


def test_bad_input_is_refused_in_one_line(tmp_path: Path) -> None:
    unknown = cli(tmp_path, "--kind", "sedang", "teks")
    assert unknown.returncode == 2
    assert "tidak dikenal" in unknown.stderr and unknown.stdout == ""
    no_kind = cli(tmp_path, "teks tanpa jenis")
    assert no_kind.returncode == 2 and "--kind" in no_kind.stderr


def test_eval_of_the_labelled_set(tmp_path: Path) -> None:
    done = cli(tmp_path, "--eval", str(LABELLED))
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("Kesesuaian: ")
    agreed, total = first.split()[1].split("/")
    assert int(agreed) / int(total) >= 0.95
    for tier in Tier:
        assert any(line.startswith(tier.value + " ") for line in done.stdout.splitlines())


def test_eval_lists_disagreements_and_fails_on_a_missed_allegation(tmp_path: Path) -> None:
    labelled = tmp_path / "mine.csv"
    labelled.write_text(
        "kind,text,expected,note\n"
        "pertanyaan,Kapan jadwal pembukaan penawaran?,ringan,jadwal\n"
        "layanan,Petugas loket galak sekali,berkadar,label yang sengaja keliru\n",
        encoding="utf-8",
    )
    done = cli(tmp_path, "--eval", str(labelled))
    assert done.returncode == 1
    assert done.stdout.startswith("Kesesuaian: 1/2 (50.0%)")
    assert "baris 3 [layanan] diharapkan berkadar, hasil tidak-berkadar: Petugas loket galak sekali" in done.stdout
    broken = tmp_path / "broken.csv"
    broken.write_text("kind,text\npertanyaan,halo\n", encoding="utf-8")
    refused = cli(tmp_path, "--eval", str(broken))
    assert refused.returncode == 2 and "kind, text, expected" in refused.stderr


def test_corrections_refuse_a_missing_database_without_creating_it(tmp_path: Path) -> None:
    done = cli(tmp_path, "--corrections")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "tidak ada" in done.stderr
    assert not (tmp_path / "helpdesk.sqlite3").exists()


async def test_corrections_grouped_by_rule_and_exported_without_personal_data(tmp_path: Path) -> None:
    clock = FixedClock(at(3, 2, 10))
    db = await Database.open(tmp_path / "helpdesk.sqlite3")
    service = ticket_service(db, clock, -100)
    texts = {
        # Escalated by "suap", staff judged it a rule question.
        "suap": "Bagaimana nasib penyedia yg terlibat suap? Hubungi Budi Santoso 081234567890",
        # Not escalated, staff found an allegation.
        "none": "Petugas meminta kami mentransfer ke rekening istrinya, email saya budi@contoh.id",
    }
    codes = {}
    for key, text in texts.items():
        filed = await service.file(NewComplaint(
            name="Budi Santoso", contact="081234567890", matter_kind=MatterKind.QUESTION,
            description=text, citizen_user_id=501, citizen_chat_id=501,
        ))
        codes[key] = filed.ticket.code
    clock.now = at(3, 3, 9)
    await service.reclassify(codes["suap"], Tier.RINGAN, STAFF, "Pertanyaan umum")
    await service.reclassify(codes["none"], Tier.BERKADAR, STAFF, "Dugaan pungli")
    await db.close()

    export = tmp_path / "koreksi.csv"
    done = cli(tmp_path, "--corrections", "--since", "2026-03-01", "--export", str(export))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Koreksi petugas: 2 pengaduan" in out
    suap_group, rest = out.split("== suap", 1)[1].split("== tanpa aturan", 1)
    assert codes["suap"] in suap_group and "berkadar → ringan" in suap_group
    assert codes["none"] in rest and "ringan → berkadar" in rest
    assert "Budi" not in out and "081234567890" not in out

    with export.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["expected"] for row in rows] == ["ringan", "berkadar"]
    assert list(rows[0]) == ["kind", "text", "expected", "note"]
    written = export.read_text(encoding="utf-8")
    for secret in ("Budi", "Santoso", "081234567890", "budi@contoh.id", "ADU-"):
        assert secret not in written
    assert "[nama]" in rows[0]["text"] and "[email]" in rows[1]["text"]

    later = cli(tmp_path, "--corrections", "--since", "2026-03-04")
    assert later.returncode == 0 and "Belum ada" in later.stdout
