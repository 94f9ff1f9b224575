"""The language check: the glossary's words to avoid, found in real sentences.

Rows are sentences from the campaign's own documents (the two Phoenix news
reports, the action guide's glossary) and from the bundled sample policies,
plus the everyday words that must not be flagged.
"""

from __future__ import annotations

import pytest

from freedomcities.rules import load_ruleset
from freedomcities.web.campaign.language import (
    LANGUAGE_KINDS,
    check_language,
    language_cues,
    marked_segments,
)

SUGGESTION = 'Say "undocumented people" or "immigrants"'

CASES = [
    # A news report on the Phoenix petition.
    (
        "The new policy bans officers from contacting federal immigration officials after "
        "arresting an illegal alien and forbids them from asking about suspects' immigration "
        "status.",
        ["illegal alien"],
    ),
    (
        "People Power before the Arizona capital become a sanctuary city for illegal aliens "
        "last month.",
        ["illegal aliens"],
    ),
    (
        "Judicial Watch argued that allowing officers to use their discretion when dealing "
        "with criminal aliens has been an effective tool in curbing crime.",
        ["criminal aliens"],
    ),
    (
        "The newly elected sheriff was releasing hundreds of criminal illegal immigrants from "
        "county jail facilities.",
        ["illegal immigrants"],
    ),
    # A news report on the Phoenix policy change.
    (
        "These citizens say there's a lot of fear in the community over the federal "
        "government's hard-line stance on illegal immigrants.",
        ["illegal immigrants"],
    ),
    # The glossary itself names the words to avoid.
    (
        "People Power should refrain from using language such as alien, criminal alien, or "
        "illegal(s) when referring to individuals without residence status.",
        ["alien", "criminal alien"],
    ),
    (
        "Undocumented Individual/Unauthorized Alien: a person who is not lawfully present.",
        ["Alien"],
    ),
    # The bundled sample policies.
    (
        "The Records Unit shall notify ICE of the release date and home address of any person "
        "in custody who is a suspected illegal alien.",
        ["illegal alien"],
    ),
    (
        "Designated officers have the authority to interrogate any person believed to be an "
        "alien about his or her right to be in the United States.",
        ["alien"],
    ),
    ("Deport the illegals now.", ["illegals"]),
    ("ILLEGAL ALIENS and Aliens alike.", ["ILLEGAL ALIENS", "Aliens"]),
    # The campaign's own wording, and words that only look alike.
    (
        "Officers shall not inquire into the immigration status of undocumented people or "
        "other immigrants.",
        [],
    ),
    ("We hold these rights to be inalienable, and we will not alienate our neighbours.", []),
    ("Illegal immigration is a civil matter; an illegal search is a different thing.", []),
    ("We welcome immigrants and refugees.", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "phrases"), CASES)
def test_flags_the_glossarys_words_in_real_sentences(text: str, phrases: list[str]) -> None:
    flags = check_language(text)
    assert [f.phrase for f in flags] == phrases
    for flag in flags:
        assert text[flag.start : flag.end] == flag.phrase
        assert flag.suggestion.startswith(SUGGESTION)
        assert flag.kind == "dehumanizing-language"


def test_the_word_list_is_the_rulesets_own() -> None:
    ruleset = load_ruleset()
    cues = language_cues(ruleset)
    assert [cue.kind for cue in cues] == list(LANGUAGE_KINDS)
    assert cues[0] in ruleset.flags


def test_policy_content_cues_are_left_to_the_analysis() -> None:
    text = "End the 287(g) agreement and stop honoring ICE detainers."
    assert check_language(text) == []
    wider = check_language(text, kinds=["287g", "detainer"])
    assert {f.kind for f in wider} == {"287g", "detainer"}


def test_unless_patterns_excuse_their_sentence() -> None:
    text = "Officers will not honor an immigration detainer. Officers shall honor a detainer."
    flagged = check_language(text, kinds=["detainer"])
    assert [text[f.start : f.end] for f in flagged] == ["honor a detainer"]


def test_segments_rebuild_the_text_with_each_flag_in_place() -> None:
    text = "Stop holding illegal aliens. Aliens are people."
    flags = check_language(text)
    pieces = marked_segments(text, flags)
    assert "".join(piece for piece, _ in pieces) == text
    assert [piece for piece, flag in pieces if flag] == ["illegal aliens", "Aliens"]
    assert marked_segments("", []) == []
