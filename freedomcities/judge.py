"""Judge a document against a ruleset: which sentences bear on which rule, and how.

Cheap filtering comes first: each rule's topic cues run once over the whole
text, so only sentences that mention a rule's subject are judged at all. A
630-page manual has tens of thousands of sentences and typically a few
hundred candidates. Each candidate is then read for its stance:

1. idioms in the ruleset that decide a stance directly;
2. the rule's forbidden actions, read for negation, modality and exceptions
   (:mod:`freedomcities.stance`);
3. the example-trained classifier, which also vetoes candidates that only
   share vocabulary with a rule (:mod:`freedomcities.classify`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from freedomcities.classify import Classifier, Opinion, classifier_for
from freedomcities.embed import Embedder
from freedomcities.models import Document, Finding, Flag, Section, Stance
from freedomcities.rules import Rule, Ruleset
from freedomcities.sentences import sentence_spans
from freedomcities.stance import Reading, alternatives, any_match, read_action

MAX_QUOTE = 600
LEAD_IN_REACH = 12
NON_WORD = re.compile(r"[^a-z0-9]")
# How sure the classifier must be, alone, to report a stance: a false conflict costs most.
# The classifier reads only undecided sentences about immigration: cheap, and where it helps.
CLASSIFIER_SCOPE = re.compile(
    r"immigra|\b(?:ICE|CBP|INS|DHS)\b|detainer|\baliens?\b|citizenship|deport|1373|287\s*\(g"
    r"|(?i:surveil|complain|profil)",
)
CLASSIFIER_FLOOR = {"meets": 0.7, "partial": 0.7, "conflicts": 0.8}
SENTENCE_END = (".", "!", "?", ";", '"', "\u201d", ")")
# Immigration agents as the subject: what ICE will do is not what the policy lets officers do.
THIRD_PARTY = re.compile(
    r"\b(?:ICE|CBP|INS|immigration (?:officials|agents|authorities)|federal (?:agents|authorities))"
    r"\s+(?:will|shall|may|can|must|should)\s+$",
)
LIST_ITEM = re.compile(r"\s*(?:\(?[a-zA-Z0-9]{1,3}[.)]|[-•●▪*])\s")


@dataclass(frozen=True)
class Candidate:
    """A sentence that mentions a rule's subject, located in its document."""

    rule: Rule
    text: str
    start: int
    end: int
    section: Section | None
    lead_in: str | None = None


@dataclass(frozen=True)
class Verdict:
    """A stance on one rule from one sentence, and the reason for it."""

    stance: Stance
    confidence: float
    why: str


def judge(
    document: Document,
    sections: Sequence[Section],
    ruleset: Ruleset,
    *,
    embedder: Embedder | None = None,
    classifier: Classifier | None = None,
) -> tuple[tuple[Finding, ...], tuple[Flag, ...]]:
    """Find every sentence's bearing on every rule, and the language to flag.

    Args:
        document: the document read from a file.
        sections: its sections, from :func:`freedomcities.split.split`.
        ruleset: the rules and their cues.
        embedder: the sentence-embedding engine for the classifier.
        classifier: a trained classifier; by default one is trained from the
            ruleset's example sentences (once per process).
    """
    spans = _sentence_index(document, sections)
    candidates = [c for rule in ruleset.rules for c in _candidates(document, rule, spans, sections)]
    verdicts = [_cue_verdict(c.rule, *_reading_text(c)) for c in candidates]
    undecided = [
        i
        for i, v in enumerate(verdicts)
        if v is None and CLASSIFIER_SCOPE.search(candidates[i].text)
    ]
    if undecided:
        model = classifier or classifier_for(ruleset, embedder)
        texts = [_flatten(candidates[i].text) for i in undecided]
        opinions = model.predict(texts, [candidates[i].rule.id for i in undecided])
        for i, opinion in zip(undecided, opinions, strict=True):
            verdicts[i] = _classifier_verdict(opinion)
    findings = tuple(
        _finding(document, c, v) for c, v in zip(candidates, verdicts, strict=True) if v is not None
    )
    return findings, _flags(document, ruleset, spans)


@dataclass(frozen=True)
class _SentenceIndex:
    """Sentence spans of a document, searchable by offset."""

    starts: list[int]
    ends: list[int]
    words: list[str]

    def covering(self, offset: int) -> tuple[int, int] | None:
        """The sentence span holding ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return self.starts[i], self.ends[i]
        return None


def _sentence_index(document: Document, sections: Sequence[Section]) -> _SentenceIndex:
    """Split every section into sentences; a sentence never crosses a section."""
    starts: list[int] = []
    ends: list[int] = []
    bounds = [(s.start, s.end) for s in sections] or [(0, len(document.text))]
    for start, end in bounds:
        for s, e in sentence_spans(document.text, start, end):
            starts.append(s)
            ends.append(e)
    lowered = NON_WORD.sub(" ", document.text.lower())
    words = [" " + lowered[s:e] for s, e in zip(starts, ends, strict=True)]
    return _SentenceIndex(starts, ends, words)


def _candidates(
    document: Document, rule: Rule, spans: _SentenceIndex, sections: Sequence[Section]
) -> list[Candidate]:
    """Sentences holding one of the rule's keywords and matching one of its topic cues."""
    keywords = rule.cues.keywords
    section_starts = [s.start for s in sections]
    found = []
    for i, words in enumerate(spans.words):
        if keywords and not any(k in words for k in keywords):
            continue
        start, end = spans.starts[i], spans.ends[i]
        text = document.text[start:end]
        if not any_match(rule.cues.topic, text):
            continue
        section = _section_at(sections, section_starts, start)
        found.append(
            Candidate(
                rule, text, start, end, section, _lead_in(document.text, spans, start, section)
            )
        )
    return found


def _lead_in(text: str, spans: _SentenceIndex, start: int, section: Section | None) -> str | None:
    """The sentence introducing the list this sentence is an item of, if any.

    Looks back over earlier items of the same list, within the section, for
    a sentence ending in a colon.
    """
    floor = section.start if section else 0
    i = bisect.bisect_right(spans.starts, start) - 1
    for j in range(i - 1, max(-1, i - LEAD_IN_REACH), -1):
        if spans.starts[j] < floor:
            break
        sentence = text[spans.starts[j] : spans.ends[j]].rstrip()
        if sentence.endswith(":"):
            return _flatten(sentence)
        if not LIST_ITEM.match(text, spans.starts[j + 1]):
            break
        if not LIST_ITEM.match(sentence) and not sentence.endswith(SENTENCE_END):
            return _flatten(sentence)
    return None


def _section_at(sections: Sequence[Section], starts: list[int], offset: int) -> Section | None:
    """The section holding ``offset``."""
    i = bisect.bisect_right(starts, offset) - 1
    return sections[i] if i >= 0 else None


def _reading_text(candidate: Candidate) -> tuple[str, str | None]:
    """The sentence as the cues read it, and the lead-in of its list.

    A lead-in cut off without a colon ("shall require a judicial warrant
    prior to") is read together with its item.
    """
    sentence, lead_in = _flatten(candidate.text), candidate.lead_in
    if lead_in and not lead_in.endswith(":"):
        return f"{lead_in} {sentence}", None
    return sentence, lead_in


def _classifier_verdict(opinion: Opinion) -> Verdict | None:
    """The classifier's stance, when it is sure enough to speak alone."""
    best = opinion.best
    floor = CLASSIFIER_FLOOR.get(best)
    if floor is None or opinion.probabilities[best] < floor or opinion.similarity < floor:
        return None
    confidence = round(opinion.probabilities[best] * opinion.similarity, 2)
    return Verdict(best, confidence, "Worded like the ruleset's examples of this stance.")  # type: ignore[arg-type]


def _cue_verdict(rule: Rule, sentence: str, lead_in: str | None) -> Verdict | None:
    """Decide a stance from the rule's idioms and actions, if they speak.

    Order matters: a conflicting idiom decides first, then the wording that
    meets the rule, then forbidden actions read for modality, then actions
    whose ban protects only in part, then partial idioms.
    """
    cues = rule.cues
    match = any_match(cues.conflicts, sentence)
    if match and read_action(sentence, match.start(), lead_in).modality != "forbidden":
        return _hedged(rule, sentence, f"Says {match.group(0)!r}.")
    match = any_match(cues.meets, sentence)
    if match:
        return Verdict("meets", 0.8, f"Says {match.group(0)!r}.")
    match = any_match(cues.forbidden, sentence)
    if match:
        verdict = _forbidden_verdict(
            rule, sentence, match.group(0), read_action(sentence, match.start(), lead_in)
        )
        if verdict is not None:
            return verdict
    match = any_match(cues.limited, sentence)
    if match and read_action(sentence, match.start(), lead_in).modality == "forbidden":
        return Verdict(
            "partial", 0.7, f"Forbids {match.group(0)!r}, which covers only part of the rule."
        )
    match = any_match(cues.partial, sentence)
    if match:
        return Verdict("partial", 0.75, f"Says {match.group(0)!r}.")
    return None


def _forbidden_verdict(rule: Rule, sentence: str, action: str, reading: Reading) -> Verdict | None:
    """Forbidding the action meets the rule (in part, if narrowed); allowing it conflicts."""
    if THIRD_PARTY.search(sentence[: sentence.find(action)][-60:]):
        return None
    if reading.modality in ("permitted", "required"):
        return _hedged(rule, sentence, f"{reading.modality.capitalize()}: {action!r}.")
    if reading.modality != "forbidden":
        return None
    limits = [
        a
        for a in alternatives(reading.exception or "")
        if not any_match(rule.cues.allowed_exceptions, a)
    ]
    narrowing = any_match(rule.cues.narrowing, sentence)
    if narrowing is not None or limits:
        limit = (
            narrowing.group(0)
            if narrowing and narrowing.group(0)
            else "; ".join(limits) or "narrower than the rule"
        )
        return Verdict("partial", 0.7, f"Forbids {action!r}, but only in part ({limit}).")
    return Verdict("meets", 0.75, f"Forbids {action!r}.")


def _hedged(rule: Rule, sentence: str, why: str) -> Verdict:
    """A conflict, unless conditions limit it to a few cases, which makes it partial."""
    condition = any_match(rule.cues.conditions, sentence)
    if condition is not None:
        return Verdict("partial", 0.7, f"{why} Only in some cases ({condition.group(0)!r}).")
    return Verdict("conflicts", 0.8, why)


def _flatten(text: str) -> str:
    """One line with single spaces, words broken at line ends rejoined ("immigra- tion")."""
    return re.sub(r"\s+", " ", re.sub(r"(\w)-\s*\n\s*([a-z])", r"\1\2", text))


def _finding(document: Document, candidate: Candidate, verdict: Verdict) -> Finding:
    """A finding quoting the candidate sentence exactly as it stands."""
    end = min(candidate.end, candidate.start + MAX_QUOTE)
    section = candidate.section
    return Finding(
        rule_id=candidate.rule.id,
        stance=verdict.stance,
        confidence=verdict.confidence,
        quote=document.text[candidate.start : end],
        start=candidate.start,
        end=end,
        page=document.page_at(candidate.start),
        section=section.label if section else None,
        heading=section.heading if section else None,
        why=verdict.why,
    )


def _flags(document: Document, ruleset: Ruleset, spans: _SentenceIndex) -> tuple[Flag, ...]:
    """Problem language, one flag per kind and sentence."""
    flags: dict[tuple[str, int], Flag] = {}
    for cue in ruleset.flags:
        for pattern in cue.patterns:
            for match in pattern.finditer(document.text):
                span = spans.covering(match.start()) or (match.start(), match.end())
                sentence = _flatten(document.text[span[0] : span[1]])
                if (cue.kind, span[0]) in flags or any_match(cue.unless, sentence):
                    continue
                end = min(span[1], span[0] + MAX_QUOTE)
                flags[(cue.kind, span[0])] = Flag(
                    cue.kind,
                    document.text[span[0] : end],
                    span[0],
                    end,
                    document.page_at(span[0]),
                    cue.suggestion,
                )
    return tuple(sorted(flags.values(), key=lambda f: f.start))
