"""The classifier: picks a tier from the citizen's chosen kind and the complaint text.

Text that alleges procurement wrongdoing (bribery, KKN, rigged tenders…) escalates to
*Berkadar Pengawasan*, because a report of wrongdoing must never sit in a light queue just
because the citizen picked "pertanyaan".

The mapping and the wrongdoing vocabulary are data (``bot/data/classifier.toml``) so the
bureau can extend them without touching code. This module only knows Indonesian
morphology well enough to recognise a listed word under its usual affixes.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from bot.domain.tiers import MatterKind, Tier

__all__ = [
    "Classification",
    "Classifier",
    "ClassifierError",
    "Negation",
    "Rule",
    "RuleQuestions",
    "default_classifier",
    "normalise_text",
]


@dataclass(frozen=True)
class Classification:
    """The chosen tier and the findings behind it; ``bot.texts.classify.reason`` words why.

    ``matched`` lists the escalating words and ``rules`` the ids of the rules that fired;
    ``cancelled`` lists findings a negation or a rule question set aside (with
    ``cancelled_rules`` their rule ids), so staff can see what was not counted and why.
    ``evidence`` pairs each deciding rule's label with its quotes (for a rule question: the
    findings the question set aside), ``denials`` each negated finding with its negator.
    """

    tier: Tier
    kind: MatterKind
    matched: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    cancelled_rules: tuple[str, ...] = ()
    base: Tier | None = field(default=None, compare=False)
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)
    denials: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    question: str | None = field(default=None, compare=False)

    @property
    def escalated(self) -> bool:
        return bool(self.matched)


class ClassifierError(ValueError):
    """A rules file that cannot be used; the message names the file and the problem."""


# --- text normalisation -------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_REPEAT = re.compile(r"(.)\1+")


# A clause ends at punctuation followed by a space (or the end) or at a line break; "K.K.N"
# and "Rp5.000" have no space after their dots, so they stay inside one clause.
_CLAUSE_END = re.compile(r"[.,;:!?()\[\]\"“”]+(?=\s|$)|\n")


def _clauses(text: str) -> tuple[list[str], list[int]]:
    """The words of ``text`` (as ``_tokens``) and, for each, the number of its clause."""
    words: list[str] = []
    clause_of: list[int] = []
    for number, part in enumerate(_CLAUSE_END.split(text)):
        found = _tokens(part)
        words.extend(found)
        clause_of.extend([number] * len(found))
    return words, clause_of


def _tokens(text: str) -> list[str]:
    """Case-folded, diacritic-free words; punctuation and spacing only separate words.

    Runs of single letters are glued back together because people write abbreviations
    as "K.K.N" or "k k n".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _WORD.findall(plain.casefold())
    glued: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if run:
            glued.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if word:
            glued.append(word)
    return glued


def normalise_text(text: str) -> str:
    """Casefold, strip diacritics, collapse whitespace and punctuation into single spaces."""
    return " ".join(_tokens(text))


def _squeeze(word: str) -> str:
    """'suaaap' and 'suap' compare equal; listed words are squeezed the same way."""
    return _REPEAT.sub(r"\1", word)


# --- Indonesian affixes -------------------------------------------------------------------
# The matcher strips affixes off each word of the text and compares what remains with the
# listed words, so one entry ("suap") covers disuap, menyuap, penyuapan, suapnya, nyuap…

_PARTICLES = ("lah", "kah", "pun", "tah")
_POSSESSIVES = ("nya", "ku", "mu")
_DERIVATIONAL = ("kan", "an", "i", "in")  # "-in" is the colloquial "-kan"/"-i" ("disogokin")
# (prefix, letter restored at the start of the stem). Nasal prefixes swallow the stem's
# first letter: me+sogok → menyogok, pe+suap+an → penyuapan, me+pungut → memungut,
# me+tipu → menipu, me+korupsi → mengorupsi. Colloquial bare nasals: nyogok, ngatur.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("di", ""), ("ter", ""), ("ber", ""), ("be", ""), ("per", ""), ("ke", ""), ("se", ""),
    ("meny", "s"), ("peny", "s"), ("ny", "s"),
    ("meng", ""), ("meng", "k"), ("peng", ""), ("peng", "k"), ("ng", ""), ("ng", "k"),
    ("nge", ""),
    ("mem", ""), ("mem", "p"), ("pem", ""), ("pem", "p"),
    ("men", ""), ("men", "t"), ("pen", ""), ("pen", "t"),
    ("me", ""), ("pe", ""),
)
_MIN_STEM = 3
_PREFIX_LAYERS = 2  # di+per+…, mem+per+…, ke+ber+…
_SHORT_WORD = 3  # abbreviations such as "kkn" only take particles, never prefixes


def _strip_endings(word: str, groups: Iterable[tuple[str, ...]]) -> set[str]:
    forms = {word}
    for group in groups:
        forms |= {
            form[: -len(ending)]
            for form in forms
            for ending in group
            if form.endswith(ending) and len(form) - len(ending) >= 2
        }
    return forms


def _strip_prefixes(word: str, layers: int) -> set[str]:
    forms = {word}
    if layers == 0:
        return forms
    for prefix, restored in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) + len(restored) >= _MIN_STEM:
            forms |= _strip_prefixes(restored + word[len(prefix) :], layers - 1)
    return forms


@lru_cache(maxsize=65536)
def _light_keys(word: str) -> frozenset[str]:
    """Keys of a word with only particles and possessives removed (for exact entries)."""
    forms = _strip_endings(word, (_PARTICLES, _POSSESSIVES))
    forms |= _strip_endings(_squeeze(word), (_PARTICLES, _POSSESSIVES))
    return frozenset(_squeeze(form) for form in forms)


@lru_cache(maxsize=65536)
def _full_keys(word: str) -> frozenset[str]:
    """Keys of every stem a word could come from under Indonesian affixes."""
    keys: set[str] = set()
    for variant in {word, _squeeze(word)}:
        for base in _strip_endings(variant, (_PARTICLES, _POSSESSIVES, _DERIVATIONAL)):
            keys |= {_squeeze(stem) for stem in _strip_prefixes(base, _PREFIX_LAYERS)}
    return frozenset(keys)


# --- rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    """One listed word; ``exact`` ones accept only particles (-nya, -lah…), no affixes.

    The word ``#`` stands for any number, in digits ("10", "100rb") or in words ("sepuluh").
    """

    text: str
    exact: bool
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # Computed once: matching looks the key up for every word of every complaint.
        object.__setattr__(self, "key", _squeeze(self.text))

    @property
    def number(self) -> bool:
        return self.text == NUMBER


NUMBER = "#"
_NUMBER_WORDS = frozenset((
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus", "seribu", "ribu", "juta",
    "setengah", "separuh",
))
_DIGITS = re.compile(r"^\d+[a-z]{0,3}$")  # 10, 100rb, 5jt, 2x


def _is_number(word: str) -> bool:
    return bool(_DIGITS.match(word)) or word in _NUMBER_WORDS


@dataclass(frozen=True)
class _Slot:
    """One position of a pattern: alternatives, possibly optional ("a|b?")."""

    words: tuple[_Word, ...]
    optional: bool


@dataclass(frozen=True)
class _Pattern:
    source: str
    slots: tuple[_Slot, ...]

    def leading_words(self) -> Iterator[_Word]:
        """Words one of which must sit where a match starts (slots up to the first required)."""
        for slot in self.slots:
            yield from slot.words
            if not slot.optional:
                return


def _parse_pattern(source: str) -> _Pattern:
    slots: list[_Slot] = []
    for chunk in source.split():
        optional = chunk.endswith("?")
        words: list[_Word] = []
        for alternative in chunk.rstrip("?").split("|"):
            if alternative == NUMBER:
                words.append(_Word(NUMBER, True))
                continue
            exact = alternative.startswith("=")
            text = normalise_text(alternative.lstrip("="))
            if not text or " " in text:
                raise ValueError(f"pola {source!r}: kata {alternative!r} tidak sah")
            words.append(_Word(text, exact or len(text) <= _SHORT_WORD))
        slots.append(_Slot(tuple(words), optional))
    if not slots or all(slot.optional for slot in slots):
        raise ValueError(f"pola {source!r} harus punya sedikitnya satu kata wajib")
    return _Pattern(source, tuple(slots))


@dataclass(frozen=True)
class Rule:
    """An escalation rule: when any pattern occurs in the text, the tier is at least ``tier``."""

    id: str
    label: str
    tier: Tier
    patterns: tuple[str, ...]
    exclude: tuple[str, ...] = ()


class _Vocabulary:
    """Keys of every listed word, split by how they match; texts are indexed against it."""

    def __init__(self, patterns: Iterable[_Pattern]) -> None:
        words = [word for pattern in patterns for slot in pattern.slots for word in slot.words
                 if not word.number]
        self.full = frozenset(word.key for word in words if not word.exact)
        self.light = frozenset(word.key for word in words if word.exact)


class _Text:
    """A text prepared for matching: for each word (and each pair of adjacent words, since
    people split words: "mark-up", "di suap", "kick back"), the listed keys it can stand for.

    Only keys in the vocabulary are kept, and an index from key to positions lets a pattern
    start only where its first word occurs, so long ordinary texts cost almost nothing.
    """

    def __init__(self, text: str, vocabulary: _Vocabulary) -> None:
        self.words, self.clause_of = _clauses(text)
        pairs = [a + b for a, b in zip(self.words, self.words[1:], strict=False)]
        self._full = [_full_keys(word) & vocabulary.full for word in self.words]
        self._light = [_light_keys(word) & vocabulary.light for word in self.words]
        self._pair_full = [_full_keys(pair) & vocabulary.full for pair in pairs]
        self._pair_light = [_light_keys(pair) & vocabulary.light for pair in pairs]
        self._index: dict[tuple[str, bool], set[int]] = {}
        for exact, table in ((False, self._full), (True, self._light),
                             (False, self._pair_full), (True, self._pair_light)):
            for position, keys in enumerate(table):
                for key in keys:
                    self._index.setdefault((key, exact), set()).add(position)

    def steps(self, slot: _Slot, at: int) -> Iterator[int]:
        """Positions where the text continues after ``slot`` matched starting at ``at``."""
        if slot.optional:
            yield at
        if at >= len(self.words):
            return
        for word in slot.words:
            if word.number:
                if _is_number(self.words[at]):
                    yield at + 1
                    break
                continue
            keys = self._light if word.exact else self._full
            if word.key in keys[at]:
                yield at + 1
                break
        if at < len(self._pair_full):
            for word in slot.words:
                if word.number:
                    continue
                keys = self._pair_light if word.exact else self._pair_full
                if word.key in keys[at]:
                    yield at + 2
                    break

    def spans(self, pattern: _Pattern) -> Iterator[tuple[int, int]]:
        starts: set[int] = set()
        for word in pattern.leading_words():
            if word.number:
                starts |= {at for at, token in enumerate(self.words) if _is_number(token)}
            else:
                starts |= self._index.get((word.key, word.exact), set())
        for start in sorted(starts):
            end = self._match(pattern.slots, 0, start)
            if end is not None and end > start:
                yield start, end

    def _match(self, slots: tuple[_Slot, ...], index: int, at: int) -> int | None:
        if index == len(slots):
            return at
        for after in self.steps(slots[index], at):
            end = self._match(slots, index + 1, after)
            if end is not None:
                return end
        return None

    def quote(self, start: int, end: int) -> str:
        return " ".join(self.words[start:end])


class _CompiledRule:
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.patterns = tuple(_parse_pattern(source) for source in rule.patterns)
        self.exclude = tuple(_parse_pattern(source) for source in rule.exclude)

    def find(self, text: _Text) -> list[tuple[int, int]]:
        """Spans of the text where this rule fires (its exclusions taken out)."""
        return _find(text, self.patterns, self.exclude)


def _find(text: _Text, patterns: Iterable[_Pattern], exclude: Iterable[_Pattern]) -> list[tuple[int, int]]:
    # Spans already reported block overlapping ones, so "di suap" is found once, not also
    # as "suap".
    blocked = [span for pattern in exclude for span in text.spans(pattern)]
    found: list[tuple[int, int]] = []
    for pattern in patterns:
        for start, end in text.spans(pattern):
            if any(start < b_end and b_start < end for b_start, b_end in blocked):
                continue
            blocked.append((start, end))
            found.append((start, end))
    return found


@dataclass(frozen=True)
class Negation:
    """Words that deny a finding: "tidak ada pungli", "bebas pungli", "bukan soal korupsi".

    A finding is set aside when it starts within ``scope`` words after a negator (``near``
    ones reach only the very next word), in the same clause, with no ``breaks`` word in
    between, and the negator is not itself a condition ("kalau tidak ada uang pelicin…").
    """

    patterns: tuple[str, ...] = ()
    near: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()
    scope: int = 4


@dataclass(frozen=True)
class RuleQuestions:
    """A question about the rules ("apa sanksi…", "pengertian…") keeps its tier, unless the
    text also alleges an act by someone (one of ``allegations``: "kemarin", "kami dimintai")."""

    patterns: tuple[str, ...] = ()
    allegations: tuple[str, ...] = ()


class _CompiledNegation:
    def __init__(self, negation: Negation) -> None:
        self.scope = negation.scope
        self.patterns = tuple(_parse_pattern(source) for source in negation.patterns)
        self.near = tuple(_parse_pattern(source) for source in negation.near)
        self.exclude = tuple(_parse_pattern(source) for source in negation.exclude)
        self.conditions = tuple(_parse_pattern(source) for source in negation.conditions)
        self.breaks = tuple(_parse_pattern(source) for source in negation.breaks)

    def all_patterns(self) -> Iterator[_Pattern]:
        yield from (*self.patterns, *self.near, *self.exclude, *self.conditions, *self.breaks)

    def negators(self, text: _Text) -> list[tuple[int, int, int]]:
        """(start, end, reach) of each negator that denies rather than sets a condition."""
        conditions = {end for pattern in self.conditions for _, end in text.spans(pattern)}
        found: list[tuple[int, int, int]] = []
        for patterns, reach in ((self.patterns, self.scope), (self.near, 1)):
            for start, end in _find(text, patterns, self.exclude):
                # "kalau tidak ada", "kalau tidak ada yang": a condition, not a denial.
                if start in conditions or start - 1 in conditions:
                    continue
                found.append((start, end, reach))
        return found

    def denier(self, text: _Text, negators: list[tuple[int, int, int]], start: int,
               breaks: set[int]) -> tuple[int, int] | None:
        """The negator that denies a finding starting at ``start``, if any."""
        for n_start, n_end, reach in negators:
            if not n_end <= start < n_end + reach:
                continue
            if text.clause_of[n_end - 1] != text.clause_of[start]:
                continue
            if any(n_end <= position < start for position in breaks):
                continue
            return n_start, n_end
        return None


# --- the classifier -----------------------------------------------------------------------

_DEFAULT_RULES = ("bot", "data/classifier.toml")


def _read_toml(path: Path | None) -> tuple[str, dict[str, Any]]:
    if path is None:
        package, name = _DEFAULT_RULES
        source = f"{package}/{name}"
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ClassifierError(f"{source}: tidak dapat dibaca: {exc}") from None
    try:
        return source, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClassifierError(f"{source}: bukan TOML yang sah: {exc}") from None


def _parse_base(source: str, data: Any) -> dict[MatterKind, Tier]:
    if not isinstance(data, dict):
        raise ClassifierError(f"{source}: [base] harus berupa tabel jenis = tingkat")
    base: dict[MatterKind, Tier] = {}
    for key, value in data.items():
        try:
            base[MatterKind.parse(str(key))] = Tier.parse(str(value))
        except ValueError as exc:
            raise ClassifierError(f"{source}: [base] {key}: {exc}") from None
    return base


def _string_list(source: str, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ClassifierError(f"{source}: {where} harus berupa daftar teks")
    return tuple(value)


def _parse_rules(source: str, data: Any) -> list[Rule]:
    if not isinstance(data, list):
        raise ClassifierError(f"{source}: rules harus ditulis sebagai [[rules]]")
    rules: list[Rule] = []
    for number, item in enumerate(data, 1):
        where = f"[[rules]] ke-{number}"
        if not isinstance(item, dict):
            raise ClassifierError(f"{source}: {where} harus berupa tabel")
        unknown = sorted(set(item) - {"id", "label", "tier", "patterns", "exclude"})
        if unknown:
            raise ClassifierError(f"{source}: {where}: kunci tidak dikenal: {', '.join(unknown)}")
        rule_id, label = item.get("id"), item.get("label")
        if not isinstance(rule_id, str) or not rule_id.strip():
            raise ClassifierError(f"{source}: {where}: id wajib diisi")
        where = f"[[rules]] {rule_id}"
        if not isinstance(label, str) or not label.strip():
            raise ClassifierError(f"{source}: {where}: label wajib diisi")
        try:
            tier = Tier.parse(str(item.get("tier", Tier.BERKADAR.value)))
        except ValueError as exc:
            raise ClassifierError(f"{source}: {where}: {exc}") from None
        patterns = _string_list(source, f"{where} patterns", item.get("patterns"))
        if not patterns:
            raise ClassifierError(f"{source}: {where}: patterns tidak boleh kosong")
        exclude = _string_list(source, f"{where} exclude", item.get("exclude", []))
        rules.append(Rule(rule_id.strip(), label.strip(), tier, patterns, exclude))
    return rules


def _parse_negation(source: str, data: Any, earlier: Negation) -> Negation:
    """[negation] of one layer: lists extend the earlier layer's, ``scope`` replaces it."""
    if not isinstance(data, dict):
        raise ClassifierError(f"{source}: [negation] harus berupa tabel")
    keys = ("patterns", "near", "exclude", "conditions", "breaks")
    unknown = sorted(set(data) - {*keys, "scope"})
    if unknown:
        raise ClassifierError(f"{source}: [negation]: kunci tidak dikenal: {', '.join(unknown)}")
    scope = data.get("scope", earlier.scope)
    if not isinstance(scope, int) or isinstance(scope, bool) or not 1 <= scope <= 12:
        raise ClassifierError(f"{source}: [negation] scope harus bilangan 1–12")
    lists = {
        key: (*getattr(earlier, key), *_string_list(source, f"[negation] {key}", data.get(key, [])))
        for key in keys
    }
    return Negation(scope=scope, **lists)


def _parse_questions(source: str, data: Any, earlier: RuleQuestions) -> RuleQuestions:
    if not isinstance(data, dict):
        raise ClassifierError(f"{source}: [questions] harus berupa tabel")
    unknown = sorted(set(data) - {"patterns", "allegations"})
    if unknown:
        raise ClassifierError(f"{source}: [questions]: kunci tidak dikenal: {', '.join(unknown)}")
    return RuleQuestions(
        (*earlier.patterns, *_string_list(source, "[questions] patterns", data.get("patterns", []))),
        (*earlier.allegations,
         *_string_list(source, "[questions] allegations", data.get("allegations", []))),
    )


class Classifier:
    """Picks a tier from the citizen's chosen kind and the complaint text.

    Rules come from the packaged ``bot/data/classifier.toml``; a ``path`` adds a file on
    top of it (its ``[base]`` entries override, a rule with an existing id replaces that
    rule, new ids are added, ``[negation]`` and ``[questions]`` lists are extended). A file
    with ``inherit = false`` replaces the packaged rules.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        layers = [_read_toml(None)]
        if path is not None:
            layers.append(_read_toml(Path(path)))
            if layers[-1][1].get("inherit", True) is False:
                layers = layers[-1:]
        base: dict[MatterKind, Tier] = {}
        rules: dict[str, Rule] = {}
        negation, questions = Negation(), RuleQuestions()
        for source, data in layers:
            unknown = sorted(set(data) - {"inherit", "base", "rules", "negation", "questions"})
            if unknown:
                raise ClassifierError(f"{source}: kunci tidak dikenal: {', '.join(unknown)}")
            base.update(_parse_base(source, data.get("base", {})))
            for rule in _parse_rules(source, data.get("rules", [])):
                rules[rule.id] = rule
            negation = _parse_negation(source, data.get("negation", {}), negation)
            questions = _parse_questions(source, data.get("questions", {}), questions)
        source = layers[-1][0]
        missing = [kind.value for kind in MatterKind if kind not in base]
        if missing:
            raise ClassifierError(f"{source}: [base] belum memetakan jenis: {', '.join(missing)}")
        self.base: Mapping[MatterKind, Tier] = dict(base)
        self.rules: tuple[Rule, ...] = tuple(rules.values())
        self.negation = negation
        self.questions = questions
        try:
            self._compiled = tuple(_CompiledRule(rule) for rule in self.rules)
            self._negation = _CompiledNegation(negation)
            self._questions = tuple(_parse_pattern(source) for source in questions.patterns)
            self._allegations = tuple(_parse_pattern(source) for source in questions.allegations)
        except ValueError as exc:
            raise ClassifierError(f"{source}: {exc}") from None
        self._vocabulary = _Vocabulary(
            pattern
            for patterns in (
                *((*compiled.patterns, *compiled.exclude) for compiled in self._compiled),
                tuple(self._negation.all_patterns()), self._questions, self._allegations,
            )
            for pattern in patterns
        )

    def classify(self, kind: MatterKind, text: str) -> Classification:
        kind = MatterKind(kind)
        base = self.base[kind]
        prepared = _Text(text, self._vocabulary)
        hits: list[tuple[Rule, list[str]]] = []
        denied: list[tuple[Rule, str, str]] = []  # rule, finding, the negator that denied it
        negators = self._negation.negators(prepared)
        breaks = {start for pattern in self._negation.breaks for start, _ in prepared.spans(pattern)}
        for compiled in self._compiled:
            if compiled.rule.tier <= base:
                continue
            found: list[str] = []
            for start, end in compiled.find(prepared):
                quote = prepared.quote(start, end)
                denier = self._negation.denier(prepared, negators, start, breaks)
                if denier is not None:
                    denied.append((compiled.rule, quote, prepared.quote(*denier)))
                elif quote not in found:
                    found.append(quote)
            if found:
                hits.append((compiled.rule, found))
        question = self._rule_question(prepared) if hits else None
        denials = tuple((quote, negator) for _, quote, negator in denied)
        if question is not None:
            set_aside = [quote for _, found in hits for quote in found]
            return Classification(
                base, kind, (), (),
                tuple(dict.fromkeys([*set_aside, *(quote for _, quote, _ in denied)])),
                tuple(dict.fromkeys([*(rule.id for rule, _ in hits),
                                     *(rule.id for rule, _, _ in denied)])),
                base,
                evidence=tuple((rule.label, tuple(found)) for rule, found in hits),
                question=question,
            )
        cancelled = tuple(dict.fromkeys(quote for _, quote, _ in denied))
        cancelled_rules = tuple(dict.fromkeys(rule.id for rule, _, _ in denied))
        if not hits:
            return Classification(base, kind, (), (), cancelled, cancelled_rules, base, denials=denials)
        tier = max(rule.tier for rule, _ in hits)
        hits = [(rule, found) for rule, found in hits if rule.tier == tier]
        return Classification(
            tier,
            kind,
            tuple(dict.fromkeys(quote for _, found in hits for quote in found)),
            tuple(rule.id for rule, _ in hits),
            cancelled,
            cancelled_rules,
            base,
            evidence=tuple((rule.label, tuple(found)) for rule, found in hits),
            denials=denials,
        )

    def _rule_question(self, text: _Text) -> str | None:
        """The rule-question wording of the text, unless the text also alleges an act."""
        for pattern in self._allegations:
            for _ in text.spans(pattern):
                return None
        for pattern in self._questions:
            for start, end in text.spans(pattern):
                return text.quote(start, end)
        return None


@lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    """The packaged rules, parsed once per process."""
    return Classifier()
