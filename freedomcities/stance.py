"""Reading what a sentence does with an action: forbids it, allows it, or requires it.

Keyword matching alone would score "officers shall not inquire about status"
and "officers shall inquire about status" the same. This module looks at the
words governing an action (negation, modal verbs, double negatives such as
"nothing in this policy prohibits") and at the exceptions attached to the
sentence ("unless", "except", "only when"), which is what separates a rule
that is met from one that is partly met or contradicted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Modality = Literal["forbidden", "permitted", "required", "stated"]

# Words that, placed shortly before an action, forbid it.
_NEGATION = re.compile(
    r"\b(?:shall|will|may|must|should|can|could|would|do|does|is|are|be)\s+not\b"
    r"|\b(?:cannot|can't|won't|shan't|mustn't|shouldn't|isn't|aren't|don't|doesn't)\b"
    r"|(?<!\bis\s)(?<!\bare\s)(?<!\bthere\s)(?<!\bif\s)(?<!\bwhen\s)(?<!\bwhere\s)"
    r"\bno\s+(?!longer|later|more|less|sooner|fewer)(?:\S+\s+){0,40}?(?:shall|will|may|must|should|is|are)\b"
    r"|\bnot\s+(?:be\s+)?(?:authorized|permitted|allowed)\b"
    r"|\b(?:prohibited|forbidden|barred|precluded|restrained)\s+from\b"
    r"|\b(?:prohibit|prohibits|forbid|forbids|bar|bars)\b"
    r"|\bnever\b|\brefrain\s+from\b|\bdecline\s+to\b|\bneither\b|\bnor\b"
    r"|\b(?:is|be)\s+a\s+violation\s+of\s+(?:this|the)\s+(?:policy|order|directive|chapter)\s+(?:to|for)\b"
    r"|\bwithout\s+(?:first\s+)?(?:obtaining|a)\b",
    re.IGNORECASE,
)
# "Nothing in this policy prohibits..." and "is not prohibited from" undo a negation.
_DOUBLE_NEGATIVE = re.compile(
    r"(?:\bnothing\b(?:[^.;]|\.(?=\d)){0,200}?\b(?:prohibit|prevent|restrict|limit|preclude|bar|"
    r"construed|intended|interpreted)\w*"
    r"|\bnot\s+(?:be\s+)?(?:prohibited|prevented|precluded|restricted|barred)\b"
    r"|\b(?:does|do|shall|will|is|are)\s+not\s+(?:preclude|prohibit|prevent|bar|restrict)\w*)"
    r"(?:\s+from\b)?",
    re.IGNORECASE,
)
# "Need not", "not required to": neither forbidden nor required.
_NON_COMMITTAL = re.compile(
    r"\b(?:need|needs)\s+not\b|\bnot\s+(?:need|required|necessary|obligated|limited)\b",
    re.IGNORECASE,
)
# A list's lead-in ("The following are prohibited:") forbids every item under it.
_LEAD_IN_PROHIBITION = re.compile(
    r"\bprohibit\w*|\bshall\s+not\b|\bno\s+\w+(?:\s+\w+){0,6}\s+shall\b", re.I
)
# A lead-in that forbids forbidding ("A local entity may not prohibit an officer from doing
# any of the following:", "No agency shall adopt a policy that restricts:") allows every item:
# the way laws that mandate cooperation are written.
_LEAD_IN_PERMISSION = re.compile(
    r"(?:\bnothing\b[^.;:]{0,200}?\b(?:prohibit|prevent|restrict|preclude|bar|limit(?!ed\s+to))\w*"
    r"|\b(?:not|no|cannot)\b[^.;:]{0,160}?\b(?:policy|policies|ordinance|rule|practice|"
    r"regulation|resolution)s?\b[^.;:]{0,80}?\b(?:prohibit|restrict|prevent|preclude|limit(?!ed\s+to))\w*"
    r"|\b(?:not|cannot)\s+(?:\w+\s+){0,3}?(?:prohibit|restrict|prevent|preclude|bar|limit(?!ed\s+to))\w*"
    r"[^.;:]{0,300}?\b(?:officers?|employees?|personnel|officials?|deput\w+|agents?|clerks?|"
    r"magistrates?|attorneys?|staff)\b[^.;:]{0,300}?\bfrom\b)",
    re.IGNORECASE,
)
_NO_LONGER = re.compile(r"\bno\s+longer\b", re.IGNORECASE)
_PERMISSION = re.compile(
    r"\b(?:may|can|could|might)\b(?!\s+not)"
    r"|(?<!\bnot\s)(?<!\bnot\sbe\s)\b(?:authorized|permitted|allowed|encouraged|free)\s+to\b"
    r"|\bat\s+(?:the|their|his|her)\s+discretion\b|\bdiscretion\s+to\b",
    re.IGNORECASE,
)
_REQUIREMENT = re.compile(
    r"\b(?:shall|must|will|should|agrees?\s+to|is\s+to|are\s+to|(?:is|are)\s+required\s+to|"
    r"(?:is|are)\s+expected\s+to|need\s+to|responsible\s+for|ensure)\b(?!\s+not)",
    re.IGNORECASE,
)
EXCEPTION = re.compile(
    r"\b(?:unless|except|excepting|other\s+than|but\s+only|only\s+(?:if|when|where|in|upon|for)|"
    r"absent|provided\s+(?:that|however)|however|save\s+for|so\s+long\s+as|if\s+(?:the|a|an)\b)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;:]\s|\b(?:and|but|or)\s+(?=(?:shall|will|may|must|should)\b)", re.I)
# "Notification to ICE should be made ...": the modal verb follows the action.
_PASSIVE = re.compile(
    r"^\W*(?:[\w'\u2019]+\W+){0,8}?(?P<modal>shall|should|will|must|may|can)\s+(?P<not>not\s+)?be\b",
    re.IGNORECASE,
)
LOOKBEHIND = 400
# Earlier entries win a tie: "No officer shall" ends where its "shall" does.
_GOVERNORS: tuple[tuple[re.Pattern[str], Modality], ...] = (
    (_DOUBLE_NEGATIVE, "permitted"),
    (_NON_COMMITTAL, "stated"),
    (_NEGATION, "forbidden"),
    (_NO_LONGER, "forbidden"),
    (_PERMISSION, "permitted"),
    (_REQUIREMENT, "required"),
)


@dataclass(frozen=True)
class Reading:
    """How a sentence treats one action, and the exception attached, if any."""

    modality: Modality
    exception: str | None


def read_action(
    sentence: str, action_start: int, lead_in: str | None = None, action_end: int | None = None
) -> Reading:
    """Decide whether the action starting at ``action_start`` is forbidden, permitted or required.

    Only the governing words of the same clause count: a "shall not" in an
    earlier clause says nothing about this one. A list item with no verb of
    its own ("(2) Requesting information about ...") takes its modality from
    the list's lead-in sentence.
    """
    modality = _modality(_governing_words(sentence, action_start))
    if modality == "stated" and action_end is not None:
        modality = _passive_modality(sentence[action_end : action_end + 80])
    if modality == "stated" and lead_in:
        modality = _lead_in_modality(lead_in)
    return Reading(modality, exception_of(sentence))


def _lead_in_modality(lead_in: str) -> Modality:
    """What a list's lead-in does to each item under it.

    "Nothing in this policy prohibits officers from:" and "may not prohibit
    ... from doing any of the following:" allow the items, though they name a
    prohibition; a lead-in that names one otherwise forbids them.
    """
    if _LEAD_IN_PERMISSION.search(lead_in):
        return "permitted"
    return "forbidden" if _LEAD_IN_PROHIBITION.search(lead_in) else _modality(lead_in)


def _passive_modality(after: str) -> Modality:
    """The modality of "... should be made", "... will not be notified" after an action."""
    match = _PASSIVE.match(after)
    if match is None:
        return "stated"
    if match.group("not"):
        return "forbidden"
    return "permitted" if match.group("modal").lower() in ("may", "can") else "required"


def exception_of(sentence: str) -> str | None:
    """The exception clause of a sentence ("unless ... ", "except ..."), or None.

    An exception that opens the sentence ("Unless acting pursuant to a court
    order, no official shall ...") ends at its comma.
    """
    match = EXCEPTION.search(sentence)
    if not match:
        return None
    tail = sentence[match.start() :]
    stop = r"[.;](?:\s|$)|$" if match.start() > 3 else r",\s|[.;](?:\s|$)|$"
    end = re.search(stop, tail)
    clause = tail[: end.start() if end else len(tail)].strip()
    # "... unless:" introduces a list of exceptions read item by item, not here.
    return None if clause.endswith(":") or len(clause.split()) < 2 else clause


def alternatives(exception: str) -> list[str]:
    """The alternatives of an exception clause: "a court order or a legitimate purpose".

    "or" starts a new alternative only before a new phrase ("or a", ", or
    any"), so "federal, state or city law" stays one alternative.
    """
    parts = re.split(
        r",?\s+or\s+(?=(?:a|an|the|any|where|when|if|to|in|for|upon)\b)|,\s+or\s+", exception
    )
    return [p.strip() for p in parts if len(p.strip()) > 3]


def any_match(patterns: Sequence[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The first match of any pattern, or None."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def _governing_words(sentence: str, action_start: int) -> str:
    """The words before the action in its own clause."""
    start = max(0, action_start - LOOKBEHIND)
    before = sentence[start:action_start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


def _modality(before: str) -> Modality:
    """Classify the governing words: the verb nearest the action governs it.

    "If there is reason to believe the person may not be lawfully present,
    the agency shall notify ICE": the "may not" belongs to the condition, the
    "shall" to the notification. A double negative undoes a negation.
    """
    nearest: tuple[int, int, Modality] | None = None
    for rank, (pattern, modality) in enumerate(_GOVERNORS):
        for match in pattern.finditer(before):
            key = (match.end(), -rank, modality)
            if nearest is None or key[:2] > nearest[:2]:
                nearest = key
    return nearest[2] if nearest else "stated"
    if _NEGATION.search(before):
        return "forbidden"
    if _PERMISSION.search(before):
        return "permitted"
    if _REQUIREMENT.search(before):
        return "required"
    return "stated"
