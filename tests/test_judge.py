"""Judging sentences against the Freedom Cities rules, and the evidence each finding cites."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freedomcities.classify import Classifier, Opinion, classifier_for
from freedomcities.judge import judge
from freedomcities.models import Document, Finding, Flag, RuleResult
from freedomcities.rules import load_ruleset
from freedomcities.score import rule_results
from freedomcities.split import split

RULESET = load_ruleset()
RULE_IDS = [rule.id for rule in RULESET.rules]


class Abstaining:
    """A classifier with no opinion: only the ruleset's cues speak."""

    def predict(self, texts: Sequence[str], rule_ids: Sequence[str]) -> list[Opinion]:
        return [Opinion({"none": 1.0}, 0.0) for _ in texts]


def _judge(document: Document) -> tuple[tuple[Finding, ...], tuple[Flag, ...]]:
    return judge(document, split(document), RULESET, classifier=Abstaining(), model="cues")


def _statuses(text: str) -> dict[str, str]:
    findings, _ = _judge(Document(source="t", text=text))
    return {result.rule_id: result.status for result in rule_results(findings, RULESET)}


def _flags(text: str) -> tuple[Flag, ...]:
    return _judge(Document(source="t", text=text))[1]


# (sentence, rule id, expected status)
SENTENCES = [
    # Rule 1: holding for ICE.
    ("Officers shall not honor ICE detainers unless presented with a judicial warrant.", "1",
     "meets"),
    ("The jail shall require a judicial warrant before detaining any person at the request of "
     "ICE.", "1", "meets"),
    ("Deputies shall not detain or hold any person at the request of ICE or CBP.", "1", "meets"),
    ("The jail will not hold any inmate past the release date on an ICE detainer.", "1", "meets"),
    ("Officers shall not honor ICE detainers unless the person has been convicted of a serious "
     "felony.", "1", "partial"),
    ("Officers shall honor immigration detainers only for persons charged with a violent "
     "felony.", "1", "partial"),
    ("Officers shall not arrest a person solely because of a civil immigration violation.", "1",
     "partial"),
    ("Officers may hold a person for up to 48 hours on an immigration detainer.", "1",
     "conflicts"),
    ("Officers shall comply with all ICE detainers.", "1", "conflicts"),
    ("Deputies will honor ICE detainers for up to forty-eight hours.", "1", "conflicts"),
    pytest.param("Valid ICE detainers will be honored by the jail.", "1", "conflicts"),
    # ICE as the subject: what ICE does is not the department's conduct.
    ("ICE may detain a person on an immigration detainer.", "1", "silent"),
    ("ICE will determine the immigration status of the arrested person.", "5", "silent"),
    # Rule 2: arrests on ICE paperwork.
    ("Officers shall not arrest a person solely because of a civil immigration violation.", "2",
     "meets"),
    ("Officers shall not arrest or detain anyone based on an administrative warrant issued by "
     "ICE.", "2", "meets"),
    ("Officers shall not arrest anyone on a civil immigration detainer unless the person is a "
     "convicted felon.", "2", "partial"),
    ("Deputies shall transport inmates with immigration detainers to the ICE processing "
     "center.", "2", "conflicts"),
    ("Officers may arrest a person on an ICE administrative warrant.", "2", "conflicts"),
    # Rule 3: access to people in custody.
    ("Unless acting pursuant to a court order, no employee shall permit ICE agents access to "
     "inmates in custody.", "3", "meets"),
    ("ICE agents shall not be permitted to interview inmates in the jail.", "3", "meets"),
    ("The Department shall not provide ICE agents with office space in the station.", "3",
     "meets"),
    ("No member shall permit ICE agents to interview a detainee without the detainee's "
     "consent.", "3", "partial"),
    ("ICE agents will be permitted to interview inmates in the county jail.", "3", "conflicts"),
    pytest.param("Immigration and Customs Enforcement officers may interview inmates only with a "
                 "court order.", "3", "meets"),
    # Rule 4: identification.
    ("Inmates will be notified that they are speaking with ICE, and agents shall wear badges "
     "visible at all times.", "4", "meets"),
    ("ICE agents must wear their badges visibly while in the jail.", "4", "partial"),
    # Rule 5: asking about status.
    ("Officers shall not inquire about the immigration status of any person.", "5", "meets"),
    ("Officers will not question a person about citizenship or immigration status during a "
     "traffic stop.", "5", "meets"),
    ("Employees shall not inquire about immigration status except where required by law.", "5",
     "meets"),
    ("Officers shall not inquire about the immigration status of victims and witnesses.", "5",
     "partial"),
    ("No law-enforcement officer, as defined in § 9.1-101, shall, in connection with the "
     "investigation of a crime, inquire into the immigration status of a victim of or witness "
     "to the crime.", "5", "partial"),
    ("If an officer has reasonable suspicion that the person is unlawfully present in the "
     "United States, the officer shall verify status with ICE.", "5", "conflicts"),
    ("Officers may ask about a person's immigration status during any stop.", "5", "conflicts"),
    ("Officers shall inquire into the immigration status of every person arrested.", "5",
     "conflicts"),
    # Rule 6: information about inmates.
    ("Members shall not share an inmate's release date with ICE.", "6", "meets"),
    ("Personnel shall not notify ICE of an inmate's release date unless the inmate has been "
     "convicted of a serious felony.", "6", "partial"),
    ("The jail shall notify ICE of the release date of any foreign-born inmate.", "6",
     "conflicts"),
    ("ICE will be notified before any foreign national is released.", "6", "conflicts"),
    pytest.param("Officers shall not arrest for civil immigration violations, and shall notify "
                 "ICE of the release date of every inmate.", "6", "conflicts"),
    # Rule 7: surveillance.
    ("No officer shall conduct surveillance of any person based solely on race, religion, "
     "ethnicity or immigration status.", "7", "meets"),
    ("Officers shall not use license plate readers to target individuals based on race or "
     "ethnicity.", "7", "partial"),
    ("The intelligence unit may conduct surveillance of mosques and places of worship.", "7",
     "conflicts"),
    # Rule 8: complaints.
    ("Any person who alleges a violation of this policy may file a complaint with the Police "
     "Review Board.", "8", "meets"),
    ("Personnel complaints will be investigated by Internal Affairs.", "8", "meets"),
    ("Complaints will be accepted from any source.", "8", "meets"),
    ("A resident may bring a civil action to enjoin any violation of this chapter and may file "
     "a complaint.", "8", "partial"),
    pytest.param("The Office of Police Accountability shall investigate all complaints of "
                 "misconduct made by members of the public.", "8", "meets"),
    # Rule 9: fair and impartial policing.
    ("Officers shall not stop, detain or arrest any person based on race, national origin, "
     "religion, language or immigration status.", "9", "meets"),
    ("Officers shall not stop any person based solely on race.", "9", "partial"),
    ("Officers shall not detain a person based on immigration status.", "9", "partial"),
    ("The Department prohibits bias-based policing.", "9", "partial"),
    ("A person's English proficiency may be considered when deciding whether to question a "
     "person.", "9", "conflicts"),
    pytest.param("Bias-based policing is prohibited.", "9", "partial"),
    # Rule 1373: information exchange.
    ("Nothing in this policy prohibits any employee from sending to or receiving from ICE "
     "information regarding citizenship or immigration status, as required by 8 U.S.C. "
     "§ 1373.", "1373", "meets"),
    ("This policy shall be interpreted consistently with 8 USC 1373.", "1373", "meets"),
    ("This policy does not restrict officers from exchanging information on the citizenship or "
     "immigration status of any individual with federal agencies.", "1373", "meets"),
    ("Nothing in this policy is intended to violate federal law.", "1373", "partial"),
    pytest.param("Nothing in this chapter prohibits officers from communicating with ICE "
                 "regarding the immigration status of any individual.", "1373", "meets"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "rule_id", "status"), SENTENCES)
def test_sentence_status(sentence: str, rule_id: str, status: str) -> None:
    assert _statuses(sentence)[rule_id] == status


UNRELATED = [
    "Officers shall wear a clean uniform and keep their police vehicle in good repair.",
    # "ICE" inside "police", "office", "notice" and "service" is not ICE.
    "Notice of the office hours will be posted at the police service counter.",
    "POLICE OFFICE NOTICE: the SERVICE window will close at noon.",
    "Members shall attend in-service training on first aid each year.",
]


@pytest.mark.parametrize("sentence", UNRELATED)
def test_unrelated_sentence_is_silent_on_every_rule(sentence: str) -> None:
    assert set(_statuses(sentence).values()) == {"silent"}
    assert _flags(sentence) == ()


# --- Evidence integrity -------------------------------------------------------------------


def _check_evidence(document: Document) -> None:
    """Every finding and flag cites exactly where it came from; every status has evidence."""
    findings, flags = _judge(document)
    for finding in findings:
        assert finding.quote == document.text[finding.start : finding.end]
        assert finding.page == document.page_at(finding.start)
        assert 0.0 <= finding.confidence <= 1.0
        assert finding.rule_id in RULE_IDS
    for flag in flags:
        assert flag.quote == document.text[flag.start : flag.end]
        assert flag.quote in document.text
        assert flag.page == document.page_at(flag.start)
    results: tuple[RuleResult, ...] = rule_results(findings, RULESET)
    assert [r.rule_id for r in results] == RULE_IDS
    for result in results:
        assert 0.0 <= result.confidence <= 1.0
        if result.status == "silent":
            assert result.findings == ()
        else:
            assert any(f.stance == result.status for f in result.findings)


def _corpus_text(shared_dir: Path, slug: str) -> str:
    """A corpus policy's text, without its SOURCE/JURISDICTION header block."""
    raw = (shared_dir / "corpus" / f"{slug}.txt").read_text(encoding="utf-8")
    return raw.split("\n---\n", 1)[1]


def test_corpus_evidence_is_exact(shared_dir: Path) -> None:
    paths = sorted((shared_dir / "corpus").glob("*.txt"))
    assert len(paths) >= 17
    for path in paths:
        text = _corpus_text(shared_dir, path.stem)
        # Pages every 1,500 characters, so page citations are checked too.
        starts = tuple(range(0, len(text), 1500)) or (0,)
        _check_evidence(Document(source=path.stem, text=text, page_starts=starts))


FRAGMENTS = [
    "Officers shall not honor ICE detainers unless presented with a judicial warrant.",
    "Officers may hold a person for up to 48 hours on an immigration detainer.",
    "Officers shall not inquire about the immigration status of victims and witnesses.",
    "The jail shall notify ICE of the release date of any foreign-born inmate.",
    "Personnel complaints will be investigated by Internal Affairs.",
    "Officers shall not stop any person based solely on race.",
    "Nothing in this policy is intended to violate 8 U.S.C. § 1373.",
    "The Agency may enter into a 287(g) agreement to identify illegal aliens.",
    "The following are prohibited:",
    "(a) Requesting information about a person's citizenship status.",
    "416.3 DETAINERS",
    "Officers shall wear a clean uniform.",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=40), max_size=12),
    separators=st.lists(st.sampled_from([" ", "\n", "\n\n", "; ", "\f", "  "]), min_size=1),
    pages=st.lists(st.integers(min_value=0, max_value=2000), max_size=4),
)
def test_evidence_is_exact_for_policy_like_text(
    parts: list[str], separators: list[str], pages: list[int]
) -> None:
    text = "".join(p + separators[i % len(separators)] for i, p in enumerate(parts))
    starts = tuple(sorted({0, *(p for p in pages if p < len(text))}))
    _check_evidence(Document(source="t", text=text, page_starts=starts))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_judge_never_raises_on_arbitrary_text(text: str) -> None:
    _check_evidence(Document(source="t", text=text))


# --- Flags --------------------------------------------------------------------------------


def _kinds(text: str) -> set[str]:
    return {flag.kind for flag in _flags(text)}


def test_alien_wording_is_dehumanizing_and_the_suggestion_says_undocumented() -> None:
    flags = _flags("Officers shall report illegal aliens to ICE.")
    dehumanizing = [f for f in flags if f.kind == "dehumanizing-language"]
    assert len(dehumanizing) == 1
    assert dehumanizing[0].suggestion is not None
    assert "undocumented" in dehumanizing[0].suggestion


@pytest.mark.parametrize(
    ("sentence", "kind", "flagged"),
    [
        ("The Agency may enter into a 287(g) agreement with ICE.", "287g", True),
        ("Participating officers are designated under section 287 (g) of the INA.", "287g", True),
        ("The county shall not enter into a 287(g) agreement.", "287g", False),
        ("The Sheriff will never renew the 287(g) agreement with ICE.", "287g", False),
        ("Officers shall comply with all ICE detainers.", "detainer", True),
        ("The jail will honor an I-247 request for up to 48 hours.", "detainer", True),
        ("Officers shall not honor ICE detainers.", "detainer", False),
        (
            "If an officer has reasonable suspicion that the person is unlawfully present, the "
            "officer shall contact ICE.",
            "reasonable-suspicion-status",
            True,
        ),
        ("Officers shall not inquire about immigration status.", "dehumanizing-language", False),
    ],
)
def test_flags(sentence: str, kind: str, flagged: bool) -> None:
    assert (kind in _kinds(sentence)) is flagged


# --- The real classifier ------------------------------------------------------------------

# Worded like the ruleset's examples of Rule 1 "meets", with none of the cue wording
# ("judicial warrant", "detainer", "hold ... at the request of ICE").
PARAPHRASE = (
    "Jail staff will turn down any request from federal immigration authorities to keep an "
    "inmate in custody past the time of release unless the request is backed by a warrant a "
    "judge has signed."
)
CUE_WORDED = "Officers shall not honor ICE detainers unless presented with a judicial warrant."


def _rule_one(text: str, classifier: Classifier) -> list[Finding]:
    document = Document(source="t", text=text)
    findings, _ = judge(document, split(document), RULESET, classifier=classifier, model="cues")
    return [f for f in findings if f.rule_id == "1"]


@pytest.fixture(scope="module")
def real_classifier() -> Classifier:
    from freedomcities.embed import minilm_available

    if not minilm_available():
        pytest.skip("the MiniLM model is not installed")
    return classifier_for(RULESET)


def test_the_classifier_reads_what_the_cues_miss(real_classifier: Classifier) -> None:
    assert _rule_one(PARAPHRASE, Abstaining()) == []
    found = _rule_one(PARAPHRASE, real_classifier)
    assert [f.stance for f in found] == ["meets"]


def test_the_classifier_is_less_sure_than_the_cues(real_classifier: Classifier) -> None:
    guessed = _rule_one(PARAPHRASE, real_classifier)
    stated = _rule_one(CUE_WORDED, real_classifier)
    assert guessed and stated
    assert max(f.confidence for f in guessed) < min(f.confidence for f in stated)
