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

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from freedomcities.classify import Classifier, Opinion, classifier_for
from freedomcities.embed import Embedder
from freedomcities.learned import (
    Judgement,
    LearnedJudge,
    Settings,
    decide,
    gate_keywords,
    shipped_judge,
)
from freedomcities.models import Document, Finding, Flag, Section, Stance
from freedomcities.passages import Passage, Sentences, candidate_passages, flatten
from freedomcities.rules import Rule, Ruleset
from freedomcities.stance import Reading, alternatives, any_match, read_action

MAX_QUOTE = 600
LEARNED_WHY: dict[str, str] = {
    "meets": "Worded like the passages experts found meet this rule.",
    "partial": "Worded like the passages experts found meet this rule only in part.",
    "conflicts": "Worded like the passages experts found conflict with this rule.",
}
RETRIES = 4
# The classifier reads only undecided sentences about immigration: cheap, and where it helps.
CLASSIFIER_SCOPE = re.compile(
    r"(?i:immigra|detainer|\baliens?\b|citizenship|deport|1373|287\s*\(g)|\b(?:ICE|CBP|INS|DHS)\b",
)
# "The purpose of this policy is to provide guidelines on ... ICE": what it covers, not a rule.
PURPOSE = re.compile(
    r"\W*(?:[\d.]+\s+)?(?:PURPOSE(?: AND SCOPE)?\s+)?(?:The\s+)?(?:purpose|intent|scope)\s+of\s+"
    r"this\s+(?:policy|order|directive|section|chapter|procedure|agreement|MOA)\s+(?:is|are)\b"
    r"|\W*This\s+(?:policy|order|directive|procedure)\s+(?:provides|establishes|sets forth)\s+guid",
    re.IGNORECASE,
)
# "The City shall adopt a policy prohibiting ...": a commitment to write the rule later.
PROMISE = re.compile(
    r"\b(?:adopt|develop|draft|consider|establish|create)\w*\s+(?:a\s+|an\s+)?(?:written\s+)?"
    r"(?:policy|policies|ordinance|procedures?|protocols?)\b",
    re.IGNORECASE,
)
# Only sentences that lay down what may or must be done take a stance.
NORMATIVE = re.compile(
    r"\b(?:shall|will|may|must|should|cannot|agrees?|prohibit\w*|authori[sz]\w*|permit\w*|required?)\b",
    re.IGNORECASE,
)
# Wording that conflicts in so many words is surer than a conflict read from modality.
IDIOM_CONFIDENCE = 0.85
MODAL = re.compile(r"\b(?:shall|will|may|must|should|can)\b", re.IGNORECASE)
CLASSIFIER_CEILING = 0.7
# Likelihood times similarity below this is a guess, not a finding.
CLASSIFIER_LEAST = 0.5
PERMITS = re.compile(r"\b(?:may|can|is authorized to|are authorized to)\b(?!\s+not)", re.IGNORECASE)
LIMITS = re.compile(
    r"\b(?:not|no|never|nor|only|unless|except|prohibit\w*|without|solely|shall|must)\b",
    re.IGNORECASE,
)
ONLY_IF = re.compile(
    r"\bonly\s+(?:with|upon|under|pursuant\s+to|if|when|where)\b[^.;]{0,120}", re.IGNORECASE
)
# How sure the classifier must be, alone, to report a stance: a false conflict costs most.
CLASSIFIER_FLOOR = {"meets": 0.7, "partial": 0.7, "conflicts": 0.8}
# Immigration agents as the subject: what ICE will do is not what the policy lets officers do.
THIRD_PARTY = re.compile(
    r"\b(?:ICE|CBP|INS|immigration (?:officials|agents|authorities)|federal (?:agents|authorities))"
    r"\s+(?:will|shall|may|can|must|should)\s+$",
)


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
class SentenceStance:
    """A stance on one rule from one sentence, and the reason for it."""

    stance: Stance
    confidence: float
    why: str


Engine = Literal["learned", "cues"]


def judge(
    document: Document,
    sections: Sequence[Section],
    ruleset: Ruleset,
    *,
    embedder: Embedder | None = None,
    classifier: Classifier | None = None,
    model: LearnedJudge | Engine = "learned",
) -> tuple[tuple[Finding, ...], tuple[Flag, ...]]:
    """Find every sentence's bearing on every rule, and the language to flag.

    Args:
        document: the document read from a file.
        sections: its sections, from :func:`freedomcities.split.split`.
        ruleset: the rules and their cues.
        embedder: the sentence-embedding engine.
        classifier: for the cue judge, a trained example classifier; by default
            one is trained from the ruleset's example sentences (once per process).
        model: a learned judge, or "learned" for the one shipped with the
            ruleset (the cue judge when it has none), or "cues" for the
            hand-written cues alone.
    """
    sentences = Sentences(document, sections)
    learned = judge_model(ruleset, model)
    if learned is not None:
        cues = _cue_findings(document, sections, ruleset, sentences, embedder, classifier=None)
        taught = _learned_findings(document, sections, ruleset, sentences, learned, cues)
        findings = combine_findings(cues, taught)
    else:
        examples = classifier or classifier_for(ruleset, embedder)
        findings = _cue_findings(document, sections, ruleset, sentences, embedder, examples)
    return findings, _flags(document, ruleset, sentences)


def judge_model(ruleset: Ruleset, model: LearnedJudge | Engine = "learned") -> LearnedJudge | None:
    """The learned judge that ``model`` names for this ruleset, or None for the cue judge."""
    if isinstance(model, LearnedJudge):
        return model
    if model not in ("learned", "cues"):
        raise ValueError(f"unknown judge {model!r}; choose 'learned' or 'cues'")
    return shipped_judge(ruleset.id) if model == "learned" else None


def judge_version(ruleset: Ruleset, model: LearnedJudge | Engine = "learned") -> str:
    """What read a document: "cues", or the learned judge's fingerprint."""
    learned = judge_model(ruleset, model)
    return learned.version if learned else "cues"


def cue_stance(rule: Rule, passage: Passage) -> Stance | None:
    """The stance the hand-written cues read in one passage for one rule, if any."""
    verdict = _cue_reading(rule, passage)
    return verdict.stance if verdict else None


def _cue_reading(rule: Rule, passage: Passage) -> SentenceStance | None:
    """The hand-written cues' verdict on one passage for one rule, promises read as partial."""
    candidate = Candidate(
        rule, passage.text, passage.start, passage.end, passage.section, passage.lead_in
    )
    return _promised(candidate, _cue_verdict(rule, *_reading_text(candidate)))


def _learned_findings(
    document: Document,
    sections: Sequence[Section],
    ruleset: Ruleset,
    sentences: Sentences,
    learned: LearnedJudge,
    cues: Sequence[Finding] = (),
) -> tuple[Finding, ...]:
    """Findings of the learned judge where :func:`combine_findings` will use them.

    That is every passage for the rules the cues left silent, and only the
    passages the cues read as meeting a rule elsewhere: in a manual the cues
    speak on most rules, so this reads a few dozen passages, not a thousand.
    """
    found = candidate_passages(sentences, sections, gate_keywords(ruleset))
    if not found:
        return ()
    wanted = wanted_readings(found, learned.rule_ids, cues)
    judgement = learned.judge(found, ruleset, cue_stance, wanted)
    return learned_findings(document, ruleset, found, judgement, learned.settings)


def cue_findings(
    document: Document, sections: Sequence[Section], ruleset: Ruleset
) -> tuple[Finding, ...]:
    """What the hand-written cues alone find, as the learned judge's partner reads it."""
    sentences = Sentences(document, sections)
    return _cue_findings(document, sections, ruleset, sentences, None, classifier=None)


def combine_findings(cues: Sequence[Finding], learned: Sequence[Finding]) -> tuple[Finding, ...]:
    """The hand-written cues and the learned judge together, each where it reads best.

    The cues were written for the wording of police manuals, and read those
    well; the learned judge has read many more kinds of text. So, rule by rule:

    - where the cues found nothing, the learned judge's findings stand;
    - where the cues read a passage as meeting the rule and the learned judge
      reads the same passage as a conflict (the cue lists' blind spot: a law
      that forbids protections, "no agency shall prohibit ... inquiries"),
      the conflict stands;
    - everywhere else the cues' findings stand.
    """
    learned_by_rule: dict[str, list[Finding]] = {}
    for finding in learned:
        learned_by_rule.setdefault(finding.rule_id, []).append(finding)
    cue_rules = {f.rule_id for f in cues}
    out = [f for f in learned if f.rule_id not in cue_rules]
    for finding in cues:
        conflict = next(
            (
                g
                for g in learned_by_rule.get(finding.rule_id, [])
                if g.stance == "conflicts" and not g.tentative and g.start == finding.start
            ),
            None,
        )
        out.append(conflict if finding.stance == "meets" and conflict else finding)
    return tuple(sorted(out, key=lambda f: (f.start, f.rule_id)))


def wanted_readings(
    passages: Sequence[Passage], rule_ids: Sequence[str], cues: Sequence[Finding]
) -> npt.NDArray[np.bool_]:
    """Which (rule, passage) readings of the learned judge :func:`combine_findings` uses."""
    starts = {p.start: i for i, p in enumerate(passages)}
    rows = {rule_id: r for r, rule_id in enumerate(rule_ids)}
    spoken = {f.rule_id for f in cues}
    wanted = np.zeros((len(rule_ids), len(passages)), dtype=bool)
    for rule_id, r in rows.items():
        wanted[r] = rule_id not in spoken
    for finding in cues:
        if finding.stance == "meets" and finding.start in starts and finding.rule_id in rows:
            wanted[rows[finding.rule_id], starts[finding.start]] = True
    return wanted


def learned_findings(
    document: Document,
    ruleset: Ruleset,
    passages: Sequence[Passage],
    judgement: Judgement,
    settings: Settings,
) -> tuple[Finding, ...]:
    """The findings that a learned judgement of a document's passages adds up to."""
    findings = []
    for rule in ruleset.rules:
        if rule.id not in judgement.rule_ids:
            continue
        for i, stance, p, tentative in decide(judgement.of(rule.id, settings.best_rule), settings):
            why = _learned_why(rule, passages[i], stance)
            findings.append(
                _finding(document, rule, passages[i], stance, round(p, 2), why, tentative)
            )
    return tuple(findings)


def _learned_why(rule: Rule, passage: Passage, stance: str) -> str:
    """The cues' reason where they agree with the learned judge, else a plain one."""
    verdict = _cue_reading(rule, passage)
    if verdict is not None and verdict.stance == stance:
        return verdict.why
    return LEARNED_WHY[stance]


def _cue_findings(
    document: Document,
    sections: Sequence[Section],
    ruleset: Ruleset,
    sentences: Sentences,
    embedder: Embedder | None,
    classifier: Classifier | None,
) -> tuple[Finding, ...]:
    """Findings of the hand-written cues, and of the example classifier (if any) where they
    leave a rule undecided."""
    candidates = [
        c for rule in ruleset.rules for c in _candidates(document, rule, sentences, sections)
    ]
    verdicts = [_promised(c, _cue_verdict(c.rule, *_reading_text(c))) for c in candidates]
    decided = {c.rule.id for c, v in zip(candidates, verdicts, strict=True) if v is not None}
    undecided = [
        i
        for i, v in enumerate(verdicts)
        if v is None and candidates[i].rule.id not in decided and _worth_classifying(candidates[i])
    ]
    if undecided and classifier is not None:
        texts = [flatten(candidates[i].text) for i in undecided]
        opinions = classifier.predict(texts, [candidates[i].rule.id for i in undecided])
        for i, text, opinion in zip(undecided, texts, opinions, strict=True):
            verdicts[i] = _classifier_verdict(opinion, text)
    return tuple(
        _finding(document, c.rule, c, v.stance, v.confidence, v.why)
        for c, v in zip(candidates, verdicts, strict=True)
        if v is not None
    )


def _candidates(
    document: Document, rule: Rule, sentences: Sentences, sections: Sequence[Section]
) -> list[Candidate]:
    """Sentences holding one of the rule's keywords and matching one of its topic cues."""
    found = []
    for place in sentences.with_keywords(rule.cues.keywords):
        start, end = sentences.span(place)
        if not any_match(rule.cues.topic, sentences.flat(place)):
            continue
        text = document.text[start:end]
        section = sections[place[0]] if sections else None
        lead_in = sentences.lead_in(place)
        found.append(Candidate(rule, text, start, end, section, lead_in))
    return found


def _reading_text(candidate: Candidate) -> tuple[str, str | None]:
    """The sentence as the cues read it, and the lead-in of its list.

    A lead-in cut off without a colon ("shall require a judicial warrant
    prior to") is read together with its item.
    """
    sentence, lead_in = flatten(candidate.text), candidate.lead_in
    if lead_in and not lead_in.endswith(":"):
        return f"{lead_in} {sentence}", None
    return sentence, lead_in


def _promised(candidate: Candidate, verdict: SentenceStance | None) -> SentenceStance | None:
    """A promise to adopt a protection is not the protection in writing: at most partial."""
    if verdict is None or verdict.stance != "meets":
        return verdict
    text = " ".join(t for t in _reading_text(candidate) if t)
    if not PROMISE.search(text):
        return verdict
    return SentenceStance(
        "partial", verdict.confidence, f"{verdict.why} Promised, not yet adopted."
    )


def _only_permits(sentence: str) -> bool:
    """Whether a sentence grants a permission and limits nothing."""
    return bool(PERMITS.search(sentence)) and not LIMITS.search(sentence)


def _worth_classifying(candidate: Candidate) -> bool:
    """Only sentences about immigration that lay down a rule are worth the model's time."""
    text = " ".join(t for t in _reading_text(candidate) if t)
    return bool(CLASSIFIER_SCOPE.search(text) and NORMATIVE.search(text))


def _classifier_verdict(opinion: Opinion, sentence: str) -> SentenceStance | None:
    """The classifier's stance, when it is sure enough to speak alone.

    A sentence that only lets the agency do something ("may exchange
    information with ICE") protects nobody, however much it resembles a
    protective example; it cannot meet a rule, even in part.
    """
    best = opinion.best
    if best in ("meets", "partial") and _only_permits(sentence):
        return None
    floor = CLASSIFIER_FLOOR.get(best)
    if floor is None or opinion.probabilities[best] < floor or opinion.similarity < floor:
        return None
    # Never surer than the cues: the model has read examples, not this policy's context.
    confidence = round(min(CLASSIFIER_CEILING, opinion.probabilities[best] * opinion.similarity), 2)
    if confidence < CLASSIFIER_LEAST:
        return None
    return SentenceStance(best, confidence, "Worded like the ruleset's examples of this stance.")  # type: ignore[arg-type]


def _cue_verdict(rule: Rule, sentence: str, lead_in: str | None) -> SentenceStance | None:
    """Decide a stance from the rule's idioms and actions, if they speak.

    Order matters: a conflicting idiom decides first, then the wording that
    meets the rule, then forbidden actions read for modality, then actions
    whose ban protects only in part, then partial idioms.
    """
    if PURPOSE.match(sentence):
        return None
    cues = rule.cues
    match = any_match(cues.conflicts, sentence)
    if match and _asserted(_modality_of(sentence, match, lead_in), lead_in, match.group(0)):
        return _hedged(rule, sentence, f"Says {match.group(0)!r}.", IDIOM_CONFIDENCE)
    match = any_match(cues.meets, sentence)
    if match:
        return SentenceStance("meets", 0.8, f"Says {match.group(0)!r}.")
    for match in _governed_matches(cues.forbidden, sentence):
        reading = read_action(sentence, match.start(), lead_in, match.end())
        verdict = _forbidden_verdict(rule, sentence, match.group(0), reading)
        if verdict is not None:
            return verdict
    for match in _governed_matches(cues.limited, sentence):
        if _modality_of(sentence, match, lead_in) == "forbidden":
            why = f"Forbids {match.group(0)!r}, which covers only part of the rule."
            return SentenceStance("partial", 0.7, why)
    match = any_match(cues.partial, sentence)
    if match:
        return SentenceStance("partial", 0.75, f"Says {match.group(0)!r}.")
    return None


def _governed_matches(
    patterns: Sequence[re.Pattern[str]], sentence: str
) -> Iterator[re.Match[str]]:
    """Each pattern's match, then later ones: the first can start at a noun before the verb.

    In "A law enforcement agency shall not stop ... based on immigration
    status" an action pattern may first match at "enforcement", before the
    "shall not" that governs the verb; the next match starts after it.
    """
    for pattern in patterns:
        position = 0
        for _ in range(RETRIES):
            match = pattern.search(sentence, position)
            if match is None:
                break
            yield match
            position = match.start() + 1


def _forbidden_verdict(
    rule: Rule, sentence: str, action: str, reading: Reading
) -> SentenceStance | None:
    """Forbidding the action meets the rule (in part, if narrowed); allowing it conflicts."""
    if _third_party(sentence, action):
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
        return SentenceStance("partial", 0.7, f"Forbids {action!r}, but only in part ({limit}).")
    return SentenceStance("meets", 0.75, f"Forbids {action!r}.")


def _asserted(modality: str, lead_in: str | None, idiom: str) -> bool:
    """Whether a sentence asserts what it says: not forbidden, and not a list item of unknown force.

    "- Honoring any civil immigration detainer" under a lead-in that neither
    forbids nor requires (an excerpt cut mid-sentence) says nothing either way,
    unless the idiom carries its own verb ("may be considered").
    """
    if modality == "forbidden":
        return False
    return modality != "stated" or lead_in is None or bool(MODAL.search(idiom))


def _modality_of(sentence: str, match: re.Match[str], lead_in: str | None) -> str:
    """How the sentence treats the matched action; an idiom with its own verb speaks for itself."""
    own = read_action(match.group(0), len(match.group(0))).modality
    if own != "stated" and MODAL.search(match.group(0)):
        return own
    return read_action(sentence, match.start(), lead_in, match.end()).modality


def _third_party(sentence: str, action: str) -> bool:
    """Whether immigration agents, not the agency, are the ones acting."""
    return bool(THIRD_PARTY.search(sentence[: sentence.find(action)][-60:]))


def _hedged(rule: Rule, sentence: str, why: str, confidence: float = 0.75) -> SentenceStance:
    """A conflict, unless conditions limit it to a few cases, which makes it partial.

    Allowed only on the model rule's own terms ("only with a court order")
    is the model rule itself.
    """
    only = ONLY_IF.search(sentence)
    if only and any_match(rule.cues.allowed_exceptions, only.group(0)):
        return SentenceStance(
            "meets", 0.7, f"{why} Only on the rule's own terms ({only.group(0)!r})."
        )
    condition = any_match(rule.cues.conditions, sentence)
    if condition is not None:
        return SentenceStance("partial", 0.7, f"{why} Only in some cases ({condition.group(0)!r}).")
    return SentenceStance("conflicts", confidence, why)


def _finding(
    document: Document,
    rule: Rule,
    passage: Candidate | Passage,
    stance: Stance,
    confidence: float,
    why: str,
    tentative: bool = False,
) -> Finding:
    """A finding quoting the passage exactly as it stands."""
    end = min(passage.end, passage.start + MAX_QUOTE)
    section = passage.section
    return Finding(
        rule_id=rule.id,
        stance=stance,
        confidence=confidence,
        quote=document.text[passage.start : end],
        start=passage.start,
        end=end,
        page=document.page_at(passage.start),
        section=section.label if section else None,
        heading=section.heading if section else None,
        why=why,
        tentative=tentative,
    )


def _flags(document: Document, ruleset: Ruleset, sentences: Sentences) -> tuple[Flag, ...]:
    """Problem language, one flag per kind and sentence."""
    flags: dict[tuple[str, int], Flag] = {}
    for cue in ruleset.flags:
        for place in sentences.with_keywords(cue.keywords):
            start, end = sentences.span(place)
            sentence = sentences.flat(place)
            if not any_match(cue.patterns, sentence) or any_match(cue.unless, sentence):
                continue
            end = min(end, start + MAX_QUOTE)
            flags[(cue.kind, start)] = Flag(
                cue.kind,
                document.text[start:end],
                start,
                end,
                document.page_at(start),
                cue.suggestion,
            )
    return tuple(sorted(flags.values(), key=lambda f: f.start))
