"""Compare two versions of a policy: which sections changed, and which rule statuses moved.

A department revises its manual, or a legislature amends a statute; campaigners
need to see what the revision did. :func:`compare` takes the two scorecards
(old first) and returns a :class:`Comparison`:

- **section changes** — sections are paired by label first (``181A.820`` with
  ``181A.820``), then, for unlabelled or renumbered sections, by how alike
  their words are. Each pair whose text differs carries a word-level diff as
  ``(op, text)`` runs, where ``op`` is ``equal``, ``delete`` or ``insert``:
  the ``equal`` and ``delete`` runs joined with single spaces give the old
  text (whitespace normalised), the ``equal`` and ``insert`` runs the new.
  Sections found on one side only are ``added`` or ``removed``.
- **status moves** — every rule whose status differs, with the quote that
  decided each side, and whether the move is toward the model rule
  (``better``) or away from it (``worse``), in the order
  ``conflicts < silent < partial < meets``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from freedomcities.models import Finding, RuleResult, Scorecard, Section, Status
from freedomcities.sentences import normalize_space

DiffOp = Literal["equal", "delete", "insert"]
Run = tuple[DiffOp, str]
ChangeKind = Literal["added", "removed", "changed"]
Direction = Literal["better", "worse"]

# How far each status is from the model rule: a conflict is worse than silence,
# since it permits what the rule forbids; silence leaves room for the rule.
STATUS_ORDER: dict[Status, int] = {"conflicts": 0, "silent": 1, "partial": 2, "meets": 3}

# Two sections without a shared label are one section renumbered or retitled
# only when at least this share of their words line up.
MIN_SIMILARITY = 0.5
# An equal stretch of up to this many words between two edits is folded into them.
_FOLD_WORDS = 3
# Up to this many section pairs are all compared; beyond, only those sharing rarer words.
_ALL_PAIRS = 2500
_FEW_SECTIONS = 5
# The full similarity is measured for at most this many likeliest partners of each section.
_BEST = 3

_LABEL_NOISE = re.compile(r"^(?:§+|(?:sec(?:tion)?|ors|rcw)\b\.?)\s*|[\s.:]+$", re.I)


@dataclass(frozen=True)
class SectionChange:
    """One section added, removed or changed between two versions.

    ``old`` and ``new`` are the sections themselves (label, heading, pages),
    either one ``None`` for a section found only on the other side.
    """

    kind: ChangeKind
    old: Section | None
    new: Section | None
    diff: tuple[Run, ...]
    similarity: float  # share of words in common, 0 to 1; 0 when added or removed

    @property
    def old_text(self) -> str:
        """The old section's text, whitespace normalised, rebuilt from the diff."""
        return " ".join(text for op, text in self.diff if op != "insert")

    @property
    def new_text(self) -> str:
        """The new section's text, whitespace normalised, rebuilt from the diff."""
        return " ".join(text for op, text in self.diff if op != "delete")


@dataclass(frozen=True)
class StatusMove:
    """One rule whose status differs between the versions, with the finding that decided each.

    A side's finding is ``None`` when the rule is ``silent`` there.
    """

    rule_id: str
    name: str
    old: Status
    new: Status
    old_finding: Finding | None
    new_finding: Finding | None

    @property
    def old_quote(self) -> str | None:
        """The quote that decided the old status, whitespace normalised."""
        return normalize_space(self.old_finding.quote) if self.old_finding else None

    @property
    def new_quote(self) -> str | None:
        """The quote that decided the new status, whitespace normalised."""
        return normalize_space(self.new_finding.quote) if self.new_finding else None

    @property
    def direction(self) -> Direction:
        """``better`` when the new status is nearer the model rule, else ``worse``."""
        return "better" if STATUS_ORDER[self.new] > STATUS_ORDER[self.old] else "worse"


@dataclass(frozen=True)
class Comparison:
    """Two versions of a policy side by side: the scorecards, the moves and the changes."""

    old: Scorecard
    new: Scorecard
    moves: tuple[StatusMove, ...]
    steady: tuple[str, ...]  # ids of the rules whose status held
    sections: tuple[SectionChange, ...]  # added, removed and changed only, in reading order
    unchanged_sections: int

    @property
    def better(self) -> tuple[StatusMove, ...]:
        """The moves toward the model rules."""
        return tuple(m for m in self.moves if m.direction == "better")

    @property
    def worse(self) -> tuple[StatusMove, ...]:
        """The moves away from the model rules."""
        return tuple(m for m in self.moves if m.direction == "worse")


def compare(old: Scorecard, new: Scorecard) -> Comparison:
    """Compare two scorecards of versions of one policy, the older one first.

    Rules are compared by id (those both scorecards hold, in the old one's
    order); sections by label, then by similarity of their words.

    Args:
        old: the scorecard of the earlier version.
        new: the scorecard of the later version.
    """
    new_results = {r.rule_id: r for r in new.results}
    pairs = [(r, new_results[r.rule_id]) for r in old.results if r.rule_id in new_results]
    changes = diff_sections(old.sections, new.sections)
    return Comparison(
        old=old,
        new=new,
        moves=tuple(_move(a, b) for a, b in pairs if a.status != b.status),
        steady=tuple(a.rule_id for a, b in pairs if a.status == b.status),
        sections=tuple(c for c in changes if c is not None),
        unchanged_sections=sum(c is None for c in changes),
    )


def diff_sections(old: Sequence[Section], new: Sequence[Section]) -> list[SectionChange | None]:
    """Pair the sections of two versions and diff each pair; ``None`` for an unchanged pair.

    The result is in reading order: the new version's order, with each
    removed section placed after the section that preceded it in the old one.
    """
    old_words = [_words(s.text) for s in old]
    new_words = [_words(s.text) for s in new]
    pairs = _pair(old, new, old_words, new_words)
    matched_new = {j: i for i, j in pairs}
    placed: list[tuple[float, int, SectionChange | None]] = []
    for j, section in enumerate(new):
        i = matched_new.get(j)
        change = (
            _added(section, new_words[j])
            if i is None
            else _changed(old[i], section, old_words[i], new_words[j])
        )
        placed.append((j, 0, change))
    old_to_new = dict(pairs)
    anchor = -1.0
    for i, section in enumerate(old):
        if i in old_to_new:
            anchor = old_to_new[i]
        else:
            placed.append((anchor + 0.5, i, _removed(section, old_words[i])))
    return [change for _, _, change in sorted(placed, key=lambda p: (p[0], p[1]))]


def word_diff(old: str, new: str) -> tuple[Run, ...]:
    """The word-level diff of two texts as ``(op, text)`` runs, whitespace normalised.

    Joining the ``equal`` and ``delete`` runs with single spaces gives the old
    text (as :func:`~freedomcities.sentences.normalize_space` leaves it); the
    ``equal`` and ``insert`` runs give the new.
    """
    return _runs(_words(old), _words(new))


def _words(text: str) -> list[str]:
    """A text's words, split on any whitespace."""
    return normalize_space(text).split()


def _runs(a: list[str], b: list[str]) -> tuple[Run, ...]:
    """Diff runs between two word lists; a replacement is a delete then an insert."""
    return _diff(a, b)[0]


def _diff(a: list[str], b: list[str]) -> tuple[tuple[Run, ...], float]:
    """Diff runs between two word lists, and the share of words they have in common.

    A replacement is a delete then an insert.

    A word or two left equal between two edits ("of", "(2)") is folded into
    them, so a rewritten sentence reads as one deletion and one insertion
    rather than a scatter of fragments.
    """
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    runs: list[Run] = []
    deleted: list[str] = []
    inserted: list[str] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_edits = 0 < k < len(opcodes) - 1
        if tag != "equal" or (
            between_edits and _folds(a[i1:i2], deleted, inserted, _edit(a, b, opcodes[k + 1]))
        ):
            deleted += a[i1:i2]
            inserted += b[j1:j2]
        else:
            _flush(runs, deleted, inserted)
            runs.append(("equal", " ".join(a[i1:i2])))
    _flush(runs, deleted, inserted)
    return tuple(runs), matcher.ratio()


def _folds(equal: list[str], deleted: list[str], inserted: list[str], after: int) -> bool:
    """Whether a short equal stretch is no longer than the edits on either side of it."""
    size = len(" ".join(equal))
    before = max(len(" ".join(deleted)), len(" ".join(inserted)))
    return len(equal) <= _FOLD_WORDS and size <= before and size <= after


def _edit(a: list[str], b: list[str], opcode: tuple[str, int, int, int, int]) -> int:
    """The length in characters of an edit's longer side."""
    _, i1, i2, j1, j2 = opcode
    return max(len(" ".join(a[i1:i2])), len(" ".join(b[j1:j2])))


def _flush(runs: list[Run], deleted: list[str], inserted: list[str]) -> None:
    """Append the pending deletion and insertion as runs, and clear them."""
    if deleted:
        runs.append(("delete", " ".join(deleted)))
    if inserted:
        runs.append(("insert", " ".join(inserted)))
    deleted.clear()
    inserted.clear()


def _pair(
    old: Sequence[Section],
    new: Sequence[Section],
    old_words: list[list[str]],
    new_words: list[list[str]],
) -> list[tuple[int, int]]:
    """Index pairs (old, new): same label first, then alike enough in their words."""
    pairs: list[tuple[int, int]] = []
    by_label: dict[str, tuple[list[int], list[int]]] = {}
    for i, section in enumerate(old):
        if key := _label_key(section.label):
            by_label.setdefault(key, ([], []))[0].append(i)
    for j, section in enumerate(new):
        if (key := _label_key(section.label)) and key in by_label:
            by_label[key][1].append(j)
    for olds, news in by_label.values():
        # one label on each side pairs outright; repeated labels ("PURPOSE") pair by likeness
        pairs.extend(_pair_alike(olds, news, old_words, new_words, minimum=0.0))
    left_old = [i for i in range(len(old)) if i not in {p[0] for p in pairs}]
    left_new = [j for j in range(len(new)) if j not in {p[1] for p in pairs}]
    pairs.extend(_pair_alike(left_old, left_new, old_words, new_words, MIN_SIMILARITY))
    return sorted(pairs)


def _pair_alike(
    olds: list[int],
    news: list[int],
    old_words: list[list[str]],
    new_words: list[list[str]],
    minimum: float,
) -> list[tuple[int, int]]:
    """Greedy pairs of the most alike sections first, each at least ``minimum`` alike."""
    if len(olds) == 1 and len(news) == 1 and minimum == 0.0:
        return [(olds[0], news[0])]
    scored: list[tuple[float, int, int]] = []
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for j, candidates in _candidates(olds, news, old_words, new_words, minimum):
        matcher.set_seq2(new_words[j])  # the costly side, prepared once for all its candidates
        bounds = []
        for i in candidates:
            matcher.set_seq1(old_words[i])
            if (bound := matcher.quick_ratio()) >= minimum:
                bounds.append((-bound, i))
        for _, i in sorted(bounds)[:_BEST]:  # the full ratio is costly: only for the likeliest
            matcher.set_seq1(old_words[i])
            if (ratio := matcher.ratio()) >= minimum:
                scored.append((-ratio, i, j))
    pairs: list[tuple[int, int]] = []
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _, i, j in sorted(scored):
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return pairs


def _candidates(
    olds: list[int],
    news: list[int],
    old_words: list[list[str]],
    new_words: list[list[str]],
    minimum: float,
) -> list[tuple[int, list[int]]]:
    """For each new section, the old ones worth a full comparison.

    Every old section when there are few, or ``minimum`` is 0. Otherwise only
    those of a similar length that share a word found in few sections: two
    sections half alike share more than "the" and "officer", and a long manual
    has thousands of sections, too many to compare every pair.
    """
    if minimum == 0.0 or len(olds) * len(news) <= _ALL_PAIRS:
        return [(j, olds) for j in news]
    index: dict[str, list[int]] = {}
    for i in olds:
        for word in set(old_words[i]):
            index.setdefault(word, []).append(i)
    common = max(_FEW_SECTIONS, len(olds) // 20)
    found = []
    for j in news:
        size = len(new_words[j])
        near: set[int] = set()
        for word in set(new_words[j]):
            posting = index.get(word, ())
            if len(posting) <= common:
                near.update(posting)
        alike = [
            i
            for i in near
            if 2 * min(size, len(old_words[i])) >= minimum * (size + len(old_words[i]))
        ]
        found.append((j, sorted(alike)))
    return found


def _label_key(label: str | None) -> str:
    """A label in comparable form: ``"§ 181A.820."`` and ``"181a.820"`` are the same."""
    if not label:
        return ""
    return " ".join(_LABEL_NOISE.sub("", label.strip()).casefold().split())


def _changed(old: Section, new: Section, a: list[str], b: list[str]) -> SectionChange | None:
    """The change between two paired sections, or ``None`` when their words are the same."""
    if a == b:
        return None
    runs, similarity = _diff(a, b)
    return SectionChange("changed", old, new, runs, round(similarity, 3))


def _added(section: Section, words: list[str]) -> SectionChange:
    """A section found only in the new version."""
    return SectionChange("added", None, section, _runs([], words), 0.0)


def _removed(section: Section, words: list[str]) -> SectionChange:
    """A section found only in the old version."""
    return SectionChange("removed", section, None, _runs(words, []), 0.0)


def _move(old: RuleResult, new: RuleResult) -> StatusMove:
    """One rule's status move, with the quote that decided each side."""
    return StatusMove(
        rule_id=old.rule_id,
        name=new.name,
        old=old.status,
        new=new.status,
        old_finding=_deciding(old),
        new_finding=_deciding(new),
    )


def _deciding(result: RuleResult) -> Finding | None:
    """The finding that decided a rule's status: the first, which the scorer ranks first."""
    if result.status == "silent" or not result.findings:
        return None
    return result.findings[0]
