"""``pbj-helpdesk classify``: one text's tier and reason, a labelled file's agreement, and the
tier corrections staff made (to grow the labelled set from real cases)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
from pathlib import Path

from bot.cli.errors import EXIT_FAILED, EXIT_OK, UsageError
from bot.config import Settings
from bot.domain.classifier import Classifier, ClassifierError
from bot.domain.tiers import MatterKind, Tier
from bot.services.corrections import Correction, by_rule, corrections, labelled_rows
from bot.texts import classify as texts
from bot.texts.labels import parse_kind, parse_tier
from storage.db import Database

LABELLED_COLUMNS = ("kind", "text", "expected", "note")


def cmd_classify(settings: Settings, args: argparse.Namespace) -> int:
    modes = [args.text is not None, args.eval is not None, bool(args.corrections)]
    if sum(modes) == 0:
        raise UsageError(texts.NEED_TEXT)
    if sum(modes) > 1:
        raise UsageError(texts.ONE_MODE)
    if args.export is not None and not args.corrections:
        raise UsageError(texts.EXPORT_NEEDS_CORRECTIONS)
    if args.since is not None and not args.corrections:
        raise UsageError(texts.SINCE_NEEDS_CORRECTIONS)
    try:
        classifier = Classifier(args.rules)
    except ClassifierError as exc:
        raise UsageError(f"classify: --rules: {exc}") from None
    if args.eval is not None:
        return _evaluate(classifier, args.eval)
    if args.corrections:
        return _corrections(settings, classifier, args)
    if args.kind is None:
        raise UsageError(texts.NEED_KIND)
    try:
        kind = parse_kind(args.kind)
    except ValueError as exc:
        raise UsageError(texts.bad_kind(str(exc))) from None
    result = classifier.classify(kind, args.text)
    for line in texts.reason_lines(texts.reason(result), result.rules, result.cancelled):
        print(line)
    print(result.tier.value)
    return EXIT_OK


def _read_labelled(path: Path) -> list[tuple[int, MatterKind, str, Tier]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not {"kind", "text", "expected"} <= set(reader.fieldnames or ()):
                raise UsageError(texts.bad_csv_header(str(path)))
            rows: list[tuple[int, MatterKind, str, Tier]] = []
            for row in reader:
                line = reader.line_num
                try:
                    rows.append((line, parse_kind(row["kind"] or ""), row["text"] or "",
                                 parse_tier(row["expected"] or "")))
                except ValueError as exc:
                    raise UsageError(texts.bad_csv_row(str(path), line, str(exc))) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(texts.unreadable_csv(str(path), str(exc))) from None
    if not rows:
        raise UsageError(texts.empty_csv(str(path)))
    return rows


def _evaluate(classifier: Classifier, path: Path) -> int:
    """Agreement, per-tier precision and recall, every disagreement. Exit 1 if an expected
    ``berkadar`` was not escalated (a missed allegation is the error that must not ship)."""
    rows = _read_labelled(path)
    per_tier = {tier: [0, 0, 0] for tier in Tier}
    wrong: list[str] = []
    missed = 0
    for line, kind, text, expected in rows:
        result = classifier.classify(kind, text)
        per_tier[result.tier][1] += 1
        per_tier[expected][2] += 1
        if result.tier is expected:
            per_tier[expected][0] += 1
        else:
            missed += expected is Tier.BERKADAR
            wrong.append(texts.disagreement(line, kind.value, expected, result.tier, text, texts.reason(result)))
    agreed = sum(hits for hits, _, _ in per_tier.values())
    summary = {tier: (hits, predicted, expected) for tier, (hits, predicted, expected) in per_tier.items()}
    for line_text in texts.eval_summary(len(rows), agreed, summary):
        print(line_text)
    print(texts.disagreements_header(len(wrong)))
    for item in wrong:
        print(item)
    if missed:
        print(texts.missed_allegations(missed))
        return EXIT_FAILED
    return EXIT_OK


def _parse_since(text: str | None, settings: Settings) -> dt.datetime | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(texts.bad_since(text)) from None
    return dt.datetime.combine(day, dt.time(), tzinfo=settings.calendar.zone)


def _corrections(settings: Settings, classifier: Classifier, args: argparse.Namespace) -> int:
    since = _parse_since(args.since, settings)
    path = Path(settings.storage.database)
    if not path.is_file():
        # Read-only: opening would create an empty database (and migrate it).
        raise UsageError(texts.missing_database(str(path)))

    async def gather() -> list[Correction]:
        db = await Database.open(path, migrate=False)
        try:
            return await corrections(db, classifier, since)
        finally:
            await db.close()

    found = asyncio.run(gather())
    if not found:
        print(texts.NO_CORRECTIONS)
    else:
        groups = by_rule(found)
        labels = {rule.id: rule.label for rule in classifier.rules}
        print(texts.corrections_header(len(found), len(groups)))
        for rule_id, items in groups.items():
            print(texts.group_header(rule_id, labels.get(rule_id, ""), len(items)))
            for item in items:
                print(texts.correction_line(item.code, item.kind.value, item.first, item.final,
                                            texts.reason(item.classification)))
    if args.export is not None:
        rows = labelled_rows(found)
        with Path(args.export).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=LABELLED_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        print(texts.exported(len(rows), str(args.export)))
    return EXIT_OK
