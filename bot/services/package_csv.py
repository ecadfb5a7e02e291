"""Import and export of packages as CSV, the format staff keep in Excel (the operations).

The format's rules (columns, one row's validation, the problems) are :mod:`bot.domain.package_csv`.

Import is all-or-nothing: every row is validated first and any problem aborts the whole file,
with every bad row reported by line number, so a half-imported list can never mislead people
asking about their package. It is an upsert by ``kode``; a row that matches the database
changes nothing (no history, no notices), so re-sending the same file is harmless.

Format decisions:

* Encoding: UTF-8, with or without BOM. Anything else (cp1252 from old Excel) is refused with
  instructions, not decoded by guess: a wrong guess would silently corrupt names.
* Separator: ``,``, ``;`` (Indonesian Excel's default) or tab, detected from the header line.
* Export: ``,``-separated UTF-8 with BOM. Excel opens it with the right characters; Excel set to
  an Indonesian region (list separator ``;``) shows one column on double-click, so there use
  Data → From Text/CSV, or pass ``delimiter=";"``. Amounts are written plainly
  (``1250000000``, ``1250000000,50``) and read back exactly.
* An outcome (``batal``…) is written without its stage number; re-imported into the same
  database the stage is kept, into an empty one the outcome's usual stage is assumed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.package_csv import (
    COLUMNS,
    CsvRow,
    FileUnreadable,
    ImportReport,
    ParsedFile,
    RowProblem,
    amount_text,
    link_problems,
    parse_file,
    stage_cells,
)
from bot.domain.packages import ActorKind, EntryKind, StageChange, StageState, to_sen
from bot.services.packages import notify_followers
from bot.texts import paket as texts
from bot.texts.format import WITA
from storage import packages as repo
from storage.db import Database, utc_now

DEMO_FILE = "demo_packages.csv"


# --- applying a file ---------------------------------------------------------------------------------


def _desired_fields(row: CsvRow, columns: tuple[str, ...], current: StageState | None) -> dict[str, Any]:
    """Package columns this row sets. Columns absent from the file leave the stored value alone."""
    state = row.choice.resolve(current, keep_spse="tahap_spse" not in columns)
    fields: dict[str, Any] = {
        "name": row.nama_paket,
        "work_unit": row.satuan_kerja,
        "fiscal_year": row.tahun_anggaran,
        "stage": int(state.stage),
        "spse_stage": state.spse.value if state.spse else None,
        "outcome": state.outcome.value if state.outcome else None,
    }
    optional = {
        "jenis_pengadaan": ("procurement_type", row.jenis_pengadaan),
        "metode_pemilihan": ("selection_method", row.metode_pemilihan),
        "pagu": ("pagu_sen", to_sen(row.pagu)),
        "hps": ("hps_sen", to_sen(row.hps)),
        "pokmil": ("pokmil", row.pokmil),
        "pemenang": ("winner", row.pemenang),
        "nilai_kontrak": ("contract_sen", to_sen(row.nilai_kontrak)),
    }
    for column, (name, value) in optional.items():
        if column in columns:
            fields[name] = value
    # An empty "publik" cell keeps what staff decided; a new package is public unless told.
    if row.publik is not None:
        fields["is_public"] = int(row.publik)
    elif current is None:
        fields["is_public"] = 1
    return fields


async def import_csv(db: Database, path: Path | str, *, zone: ZoneInfo = WITA) -> ImportReport:
    """Imports a CSV file (see the module docs); the report says what happened or what is wrong."""
    path = Path(path)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ImportReport(path.name, problems=(RowProblem(0, FileUnreadable(str(path), reason)),))
    return await import_csv_data(db, data, file_name=path.name, zone=zone)


async def import_demo(db: Database, *, zone: ZoneInfo = WITA) -> ImportReport:
    """Loads the invented demo packages shipped with the bot (names start with "[DEMO]")."""
    data = (resources.files("bot") / "data" / DEMO_FILE).read_bytes()
    return await import_csv_data(db, data, file_name=DEMO_FILE, zone=zone)


async def import_csv_data(
    db: Database, data: bytes, *, file_name: str, zone: ZoneInfo = WITA,
) -> ImportReport:
    """Imports CSV bytes, e.g. a document sent to the bot; ``file_name`` goes into the history.

    ``zone`` is the time zone of the times in follower notices ([calendar] timezone).
    """
    parsed = parse_file(data)
    if parsed.problems and not parsed.columns:
        # Unreadable file or header: there are no rows to check any further.
        return ImportReport(file_name, rows=parsed.read, problems=tuple(parsed.problems),
                            delimiter=parsed.delimiter)
    async with db.transaction() as conn:
        return await _apply(conn, parsed, file_name, zone)


async def _apply(conn: Any, parsed: ParsedFile, file_name: str, zone: ZoneInfo) -> ImportReport:
    rows = parsed.rows
    columns = parsed.columns
    mentioned = {row.kode for _, row in rows} | {row.tender_ulang_dari for _, row in rows
                                                  if row.tender_ulang_dari}
    existing = await repo.packages_by_codes(conn, mentioned)
    rups = await repo.rup_codes_of(conn, [row["id"] for row in existing.values()])

    # Links are checked even when some rows were bad, so that the report lists every bad row.
    bad_links = (link_problems(rows, existing, await repo.retender_links(conn), parsed.codes)
                     if "tender_ulang_dari" in columns else [])
    problems = sorted([*parsed.problems, *bad_links], key=lambda problem: problem.line)
    if problems:
        # Nothing was written yet; leaving the transaction commits an empty one.
        return ImportReport(file_name, rows=parsed.read, problems=tuple(problems),
                            delimiter=parsed.delimiter)

    now = utc_now()
    created: list[str] = []
    updated: list[str] = []
    ids: dict[str, int] = {code: row["id"] for code, row in existing.items()}
    stage_changed: dict[str, tuple[StageState, StageState]] = {}
    for _line, row in rows:
        stored = existing.get(row.kode)
        before = repo.state_of_row(stored) if stored is not None else None
        fields = _desired_fields(row, columns, before)
        after = StageState.from_json({"stage": fields["stage"], "spse": fields["spse_stage"],
                                      "outcome": fields["outcome"]})
        if stored is None:
            package_id = await repo.insert_package(conn, row.kode, fields, now)
            ids[row.kode] = package_id
            await repo.replace_rup_codes(conn, package_id, row.kode_rup)
            await _history(conn, package_id, EntryKind.STAGE, after, row.catatan, file_name, now)
            created.append(row.kode)
            continue
        changed = [name for name, value in fields.items() if stored[name] != value]
        new_rups = "kode_rup" in columns and set(row.kode_rup) != set(rups.get(stored["id"], ()))
        if not changed and not new_rups:
            continue
        if changed:
            await repo.update_package(conn, stored["id"], {name: fields[name] for name in changed}, now)
        if new_rups:
            await repo.replace_rup_codes(conn, stored["id"], row.kode_rup)
        data_fields = [name for name in changed if name not in ("stage", "spse_stage", "outcome")]
        if new_rups:
            data_fields.append("rup")
        assert before is not None
        kind = EntryKind.STAGE if after != before else EntryKind.DATA
        if after != before:
            stage_changed[row.kode] = (before, after)
        note = texts.data_change_note(data_fields, row.catatan) or None
        await _history(conn, stored["id"], kind, after, note, file_name, now)
        updated.append(row.kode)

    # Links last: a re-tender may point at a package created a few rows further down. Old links
    # are cleared before new ones are set, so that moving a link never trips the unique index.
    newly_linked: list[str] = []
    if "tender_ulang_dari" in columns:
        relinks: list[tuple[CsvRow, int | None]] = []
        for _line, row in rows:
            stored = existing.get(row.kode)
            previous_id = ids[row.tender_ulang_dari] if row.tender_ulang_dari else None
            current_id = stored["retender_of"] if stored is not None else None
            if current_id != previous_id:
                relinks.append((row, previous_id))
                if current_id is not None:
                    await repo.set_retender_of(conn, ids[row.kode], None, now)
        for row, previous_id in relinks:
            if previous_id is None:
                continue
            await repo.set_retender_of(conn, ids[row.kode], previous_id, now)
            # As with a staff re-tender, followers move along to the new code.
            await repo.copy_followers(conn, previous_id, ids[row.kode], now)
            assert row.tender_ulang_dari is not None
            newly_linked.append(row.tender_ulang_dari)
        for row, _previous_id in relinks:
            stored = existing.get(row.kode)
            if stored is not None and row.kode not in updated:
                # Only the link changed: still an import change worth a history line.
                await _history(conn, stored["id"], EntryKind.DATA, repo.state_of_row(stored),
                               texts.data_change_note(["retender_of"], row.catatan), file_name, now)
                updated.append(row.kode)

    notices = 0
    to_notify = list(dict.fromkeys([*stage_changed, *newly_linked]))
    refreshed = await repo.packages_by_codes(conn, to_notify)
    for package in await repo.load_packages(conn, list(refreshed.values())):
        before, after = stage_changed.get(package.code, (package.state, package.state))
        change = StageChange(package.code, True, before, after, 0, new_code=package.retendered_as)
        notices += await notify_followers(conn, package, texts.stage_notice(package, change, zone=zone))

    return ImportReport(
        file_name, rows=parsed.read, created=tuple(created), updated=tuple(updated),
        unchanged=len(rows) - len(created) - len(updated), stage_changes=len(stage_changed),
        notices=notices, delimiter=parsed.delimiter,
    )


async def _history(conn: Any, package_id: int, kind: EntryKind, state: StageState, note: str | None,
                   file_name: str, now: Any) -> None:
    await repo.add_entry(
        conn, package_id, at=now, kind=kind, stage=state.stage,
        spse=state.spse.value if state.spse else None,
        outcome=state.outcome.value if state.outcome else None,
        actor_kind=ActorKind.IMPORT, actor_id=None, actor_name=texts.IMPORT_ACTOR_NAME,
        note=note, document=("; ".join(state.documents) or None) if kind is EntryKind.STAGE else None,
        source=file_name,
    )


# --- export --------------------------------------------------------------------------------------------


async def export_csv(db: Database, path: Path | str, *, delimiter: str = ",") -> int:
    """Writes every package (private ones too: this is a staff file); returns the row count.

    The file is written next to ``path`` and renamed over it, so a reader never sees half a file.
    """
    rows = await repo.all_packages(db)
    rups = await repo.rup_codes_of(db, [row["id"] for row in rows])
    notes = await repo.last_stage_notes(db)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        tahap, tahap_spse = stage_cells(repo.state_of_row(row))
        writer.writerow([
            row["code"], ";".join(rups.get(row["id"], ())), row["name"], row["work_unit"],
            row["fiscal_year"], row["procurement_type"] or "", row["selection_method"] or "",
            amount_text(row["pagu_sen"]), amount_text(row["hps_sen"]), tahap, tahap_spse,
            row["pokmil"] or "", row["winner"] or "", amount_text(row["contract_sen"]),
            notes.get(row["id"], ""), "ya" if row["is_public"] else "tidak",
            row["retender_of_code"] or "",
        ])
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    target = Path(path)
    await asyncio.to_thread(_write_atomically, target, data)
    return len(rows)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
