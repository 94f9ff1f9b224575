"""Passages carry the lead-in that gives a list item its force, however deep the list."""

from __future__ import annotations

import pytest

from freedomcities.models import Document
from freedomcities.passages import Passage, Sentences, candidate_passages
from freedomcities.split import split

NESTED = """Sec. 1. Cooperation.

(b) A local entity may not prohibit an officer from doing any of the following:
(1) inquiring into the immigration status of a person under arrest;
(2) with respect to information relating to the immigration status of any person under arrest:
(A) sending the information to United States Immigration and Customs Enforcement;
(B) maintaining the information;
(3) assisting a federal immigration officer;
(4) permitting a federal immigration officer to enter and conduct enforcement activities at a jail.
"""

SIBLINGS = """Sec. 2. Arrests.

(5) Notwithstanding subsection (2), an agency may arrest a person who:
(a) is charged with a crime; or
(b) is subject to arrest under a warrant signed by a judge.
(6) Any person may bring a civil action against an agency that violates this section.
"""

ROMAN = """Sec. 3. Information.

(a) The Department shall not share with federal immigration authorities:
(i) a person's home address;
(ii) a person's release date;
(b) The Department shall keep a record of every request it receives.
"""

HEADED = """ORS 181A.820 Enforcement of federal immigration laws

(1) No agency shall use its moneys to apprehend persons whose only violation is immigration.
(2) Notwithstanding subsection (1), an agency may exchange information with ICE in order to:
(a) verify the immigration status of a person arrested for a crime; or
(b) request criminal investigation information.
(3) Notwithstanding subsection (1), an agency may arrest any person who:
(a) is charged with a crime; or
(b) is subject to arrest under a warrant signed by a judge.
(4) For purposes of subsection (1), the Bureau is a federal agency.
(5)(a) A public body may decline to disclose a person's status unless the law requires it
(b) Nothing in this subsection:
(A) prevents a person from obtaining records about the person; or
(B) authorizes a public body to withhold aggregated information.
"""

PROHIBITION = "(b) A local entity may not prohibit an officer from doing any of the following:"
SUBLIST = (
    "(2) with respect to information relating to the immigration status of any person under arrest:"
)


def _passages(text: str) -> dict[str, Passage]:
    """Every passage of the text, by its first words."""
    document = Document("test", text)
    sections = split(document)
    return {p.text[:12]: p for p in candidate_passages(Sentences(document, sections), sections)}


def test_a_sub_list_item_reads_both_lead_ins_outermost_first() -> None:
    passages = _passages(NESTED)
    assert passages["(A) sending "].lead_in == f"{PROHIBITION} {SUBLIST}"
    assert passages["(B) maintain"].lead_in == f"{PROHIBITION} {SUBLIST}"


@pytest.mark.parametrize("item", ["(1) inquirin", "(2) with res", "(3) assistin", "(4) permitti"])
def test_an_item_after_a_siblings_sub_list_keeps_its_own_lead_in(item: str) -> None:
    assert _passages(NESTED)[item].lead_in == PROHIBITION


def test_an_item_numbered_like_a_colon_sentence_is_its_sibling_not_its_item() -> None:
    passages = _passages(SIBLINGS)
    assert passages["(b) is subje"].lead_in is not None
    assert passages["(b) is subje"].lead_in.startswith("(5) Notwithstanding")
    assert passages["(6) Any pers"].lead_in is None


def test_roman_numerals_are_a_sub_list_of_letters() -> None:
    passages = _passages(ROMAN)
    lead_in = "(a) The Department shall not share with federal immigration authorities:"
    assert passages["(ii) a perso"].lead_in == lead_in
    assert passages["(b) The Depa"].lead_in is None


def test_a_heading_above_a_siblings_sub_list_is_no_lead_in() -> None:
    passages = _passages(HEADED)
    assert passages["(3) Notwiths"].lead_in is None
    assert passages["(4) For purp"].lead_in is None
    arrest = "(3) Notwithstanding subsection (1), an agency may arrest any person who:"
    assert passages["(b) is subje"].lead_in == arrest


def test_an_unfinished_line_two_lists_up_is_not_read_as_a_lead_in() -> None:
    passages = _passages(HEADED)
    assert passages["(A) prevents"].lead_in == "(b) Nothing in this subsection:"
