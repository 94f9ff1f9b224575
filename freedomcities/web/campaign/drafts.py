"""Drafts written from the facts: a letter, a call script, town-hall questions, testimony.

A draft starts from what the campaign knows about one official (or one
jurisdiction): which model rules the published scorecard shows missing, with
their plain reasons and model text filled in for the place; what the official
said about each at the group's meetings; what they promised and whether it is
overdue. The words are Django templates (``campaign/tools_draft_<kind>.txt``),
so they can be reworded and translated without touching this code. The person
edits the draft on the page and exports what they wrote as text or Word.

A letter to the editor is public, so it uses only public facts: the published
scorecard and the official's published positions, never the group's notes.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

import docx
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise as LazyText
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from freedomcities.rules import Rule
from freedomcities.web.campaign.models import (
    Answer,
    Group,
    InPlace,
    Person,
    Promise,
    PromiseState,
    Support,
)
from freedomcities.web.campaign.tactics import (
    long_date,
    meeting_date,
    office_of,
)
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind
from freedomcities.web.scorecards.dashboard import agency_rows, rules
from freedomcities.web.scorecards.models import Status

KINDS: dict[str, LazyText] = {
    "letter": gettext_lazy("Letter to an official"),
    "call": gettext_lazy("Call script"),
    "town-hall": gettext_lazy("Town-hall questions"),
    "testimony": gettext_lazy("Council testimony"),
    "editor": gettext_lazy("Letter to the editor"),
}
"""The drafts the app writes, in the order the page offers them (same names as DRAFT_KINDS)."""

PUBLIC_KINDS = ("editor",)
"""Drafts meant for print: they use published facts only."""

MAX_TEXT = 20_000
"""The longest draft the page accepts back for checking or export, in characters."""

REPLY_DAYS = 14

_WORST = {Status.MEETS: 0, Status.PARTIAL: 1, Status.SILENT: 2, Status.CONFLICTS: 3}
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DraftError(ActionError):
    """A draft cannot be written or exported; the message says what to do instead."""


@dataclass(frozen=True)
class MissingRule:
    """A model rule not yet in writing, and what this official said about it."""

    rule: Rule
    status: str  # the worst published status among the agencies; "" with no scorecard
    model_text: str
    said_to: str = ""  # what they said, addressed to them ("you told us ..."), and the ask
    said_of: str = ""  # the same, told of them ("the sheriff told us ...")
    told_to: str = ""  # what they said, addressed to them, without the ask
    support: str = ""  # their latest answer to "will you support it?", if any

    @property
    def title(self) -> str:
        return _("Rule %(id)s, the %(name)s") % {"id": self.rule.id, "name": self.rule.name}

    @property
    def short_reason(self) -> str:
        """The reason's first sentence, for scripts and letters that must be brief."""
        return first_sentence(self.rule.reason)

    @property
    def question(self) -> str:
        """The question to ask in public, following what they said before."""
        if self.support == Support.YES:
            return _("Will you put it in writing, and by when?")
        return _("Will you support adding it, yes or no?")

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status else _("no published policy yet")


@dataclass(frozen=True)
class PromiseFact:
    """An official's open or broken promise, told to them and of them."""

    text: str
    due_on: datetime.date
    said_to: str
    said_of: str


@dataclass(frozen=True)
class Facts:
    """Everything a draft may say, gathered once."""

    group_name: str
    place: str
    place_name: str
    state: str
    is_county: bool
    official_name: str
    office: str
    office_address: str
    agencies: tuple[str, ...]
    missing: tuple[MissingRule, ...]
    in_place: tuple[Rule, ...]
    promises: tuple[PromiseFact, ...]
    sender: str
    today: datetime.date

    @property
    def scored(self) -> bool:
        """Whether any agency here has a published scorecard."""
        return bool(self.agencies)

    @property
    def agencies_text(self) -> str:
        return get_text_list(list(self.agencies), _("and"))

    @property
    def today_text(self) -> str:
        return long_date(self.today)

    @property
    def reply_by_text(self) -> str:
        return long_date(self.today + datetime.timedelta(days=REPLY_DAYS))

    @property
    def sender_text(self) -> str:
        return self.sender or _("[Your name]")

    @property
    def target(self) -> str:
        """Whom the draft presses: the official, or the place's officials."""
        return self.official_name or _("the officials of %(place)s") % {"place": self.place}


@dataclass(frozen=True)
class Draft:
    """A written draft and the facts it came from."""

    kind: str
    title: str
    text: str
    facts: Facts


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph."""
    match = re.match(r".+?[.!?](?=\s|$)", text.strip(), re.DOTALL)
    return match.group(0) if match else text.strip()


def check_kind(kind: str) -> str:
    """The kind, or an error naming the kinds there are."""
    if kind not in KINDS:
        names = ", ".join(str(label) for label in KINDS.values())
        raise DraftError(_("Choose one of the drafts: %(names)s.") % {"names": names})
    return kind


def build_draft(
    kind: str,
    group: Group,
    *,
    official: Person | None = None,
    jurisdiction: Jurisdiction | None = None,
    sender: str = "",
    today: datetime.date | None = None,
) -> Draft:
    """Write one draft for a group, pressing one official or a jurisdiction's officials.

    Raises:
        DraftError: an unknown kind, or no place to write about (the official
            holds no office and the group has no home city or county).
    """
    check_kind(kind)
    facts = gather_facts(
        group,
        official=official,
        jurisdiction=jurisdiction,
        sender=sender,
        today=today,
        public_only=kind in PUBLIC_KINDS,
    )
    text = render_to_string(f"campaign/tools_draft_{kind}.txt", {"f": facts})
    title = f"{KINDS[kind]}: {facts.official_name or facts.place}"
    return Draft(kind, title, tidy(text), facts)


def tidy(text: str) -> str:
    """Template output as a person would type it: no trailing spaces, at most one blank line."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def gather_facts(
    group: Group,
    *,
    official: Person | None = None,
    jurisdiction: Jurisdiction | None = None,
    sender: str = "",
    today: datetime.date | None = None,
    public_only: bool = False,
) -> Facts:
    """The facts behind a draft: missing rules, the official's answers and promises."""
    post = office_of(official) if official else None
    place = jurisdiction or (post.jurisdiction if post else None) or group.home
    if place is None:
        raise DraftError(
            _("Choose an official who holds an office, or set your group's home city or county.")
        )
    today = today or timezone.localdate()
    agencies, statuses = published_statuses(place, post.agency if post else None)
    answers = latest_answers(official, group, public_only=public_only) if official else {}
    return Facts(
        group_name=group.name,
        place=str(place),
        place_name=place.name,
        state=place.state,
        is_county=place.kind == Kind.COUNTY,
        official_name=official.name if official else "",
        office=post.label if post else "",
        office_address=official.office_address if official else "",
        agencies=agencies,
        missing=_missing(place, statuses, answers, official),
        in_place=tuple(r for r in _core_rules() if statuses.get(r.id) == Status.MEETS),
        promises=() if public_only else _promises(group, place, official, today),
        sender=sender,
        today=today,
    )


def _core_rules() -> tuple[Rule, ...]:
    """The nine rules a draft asks for (the optional 1373 rule is left to the group)."""
    return tuple(rule for rule in rules() if not rule.optional)


def published_statuses(
    place: Jurisdiction, agency: Agency | None = None
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The agencies with a published scorecard, and each rule's worst status among them.

    Only the official's own agency counts when their post names one (a sheriff
    answers for the sheriff's office, not the city police). A rule is in place
    only when every such agency has it in writing, as on the meeting agenda.
    """
    chosen = Agency.objects.filter(pk=agency.pk) if agency else place.agencies.all()
    rows = [row for row in agency_rows(chosen) if row.version is not None]
    statuses: dict[str, str] = {}
    for rule in _core_rules():
        found = [Status(row.statuses.get(rule.id, Status.SILENT)) for row in rows]
        if found:
            statuses[rule.id] = max(found, key=lambda s: _WORST[s])
    return tuple(row.agency.name for row in rows), statuses


def latest_answers(
    official: Person, group: Group, *, public_only: bool = False
) -> dict[str, Answer]:
    """The official's latest answer per rule: published ones, and the group's own records."""
    seen = (
        Q(published_at__isnull=False)
        if public_only
        else (Q(published_at__isnull=False) | Q(meeting__group=group))
    )
    answers = Answer.objects.filter(seen, person=official).select_related("meeting")
    latest: dict[str, Answer] = {}
    for answer in sorted(answers, key=lambda a: (meeting_date(a.meeting), a.meeting.pk, a.pk)):
        latest[answer.rule_id] = answer
    return latest


def _missing(
    place: Jurisdiction,
    statuses: dict[str, str],
    answers: dict[str, Answer],
    official: Person | None,
) -> tuple[MissingRule, ...]:
    """Each rule not in place in writing, with its model text and the official's answer."""
    missing = []
    for rule in _core_rules():
        status = statuses.get(rule.id, "")
        if status == Status.MEETS:
            continue
        answer = answers.get(rule.id)
        told_to, said_of, ask = _said(answer, official) if answer and official else ("", "", "")
        said_to = f"{told_to} {ask}" if told_to else ""
        text = rule.model_text(place.name, place.state)
        support = answer.support if answer else ""
        missing.append(MissingRule(rule, status, text, said_to, said_of, told_to, support))
    return tuple(missing)


def _said(answer: Answer, official: Person) -> tuple[str, str, str]:
    """What an official answered on a rule, told to them and of them, and what to ask next.

    All three are empty when the answer says nothing (not asked, don't know).
    """
    to, of = _clauses(answer)
    if not to:
        return "", "", ""
    day = long_date(meeting_date(answer.meeting))
    told = _("On %(date)s, %(clauses)s.") % {"date": day, "clauses": get_text_list(to, _("and"))}
    told_of = _("On %(date)s, %(name)s %(clauses)s.") % {
        "date": day,
        "name": official.name,
        "clauses": get_text_list(of, _("and")),
    }
    return told, told_of, _ask(answer)


def _clauses(answer: Answer) -> tuple[list[str], list[str]]:
    """The answer's parts in words, addressed to the official and told of them."""
    in_place: dict[str, tuple[str, str]] = {
        InPlace.WRITTEN: (
            _("you told us it is in place in writing"),
            _("told us it is in place in writing"),
        ),
        InPlace.PRACTICE: (
            _("you told us it is followed in practice only"),
            _("told us it is followed in practice only"),
        ),
    }
    support: dict[str, tuple[str, str]] = {
        Support.YES: (_("you told us you support it"), _("told us they support it")),
        Support.NO: (
            _("you told us you would not support it"),
            _("told us they would not support it"),
        ),
        Support.EVASIVE: (
            _("we did not get a clear answer on whether you support it"),
            _("would not give a clear answer on supporting it"),
        ),
    }
    parts = [p for p in (in_place.get(answer.in_place), support.get(answer.support)) if p]
    return [to for to, _of in parts], [of for _to, of in parts]


def _ask(answer: Answer) -> str:
    """What to ask of an official after their answer on a rule."""
    if answer.support == Support.NO:
        return _("We ask you to reconsider.")
    if answer.support == Support.EVASIVE:
        return _("Will you support it, yes or no?")
    if answer.in_place == InPlace.WRITTEN:
        return _("Please share the written policy with us.")
    return _("Please put it in writing, so that it lasts.")


def _promises(
    group: Group, place: Jurisdiction, official: Person | None, today: datetime.date
) -> tuple[PromiseFact, ...]:
    """The official's open and broken promises to the group (or all officials' here)."""
    found = Promise.objects.filter(
        group=group, state__in=[PromiseState.OPEN, PromiseState.BROKEN], person__isnull=False
    ).select_related("person", "meeting")
    if official is not None:
        found = found.filter(person=official)
    else:
        found = found.filter(
            Q(meeting__jurisdiction=place) | Q(person__memberships__post__jurisdiction=place)
        ).distinct()
    return tuple(_promise_fact(p, today) for p in found.order_by("due_on", "pk"))


def _promise_fact(promise: Promise, today: datetime.date) -> PromiseFact:
    """One promise in two voices, saying whether it is late."""
    assert promise.person is not None
    made = meeting_date(promise.meeting) if promise.meeting else promise.created_at.date()
    values = {
        "made": long_date(made),
        "text": promise.text,
        "due": long_date(promise.due_on),
        "name": promise.person.name,
    }
    if promise.state == PromiseState.BROKEN or promise.due_on < today:
        to = _("On %(made)s you promised “%(text)s” by %(due)s. We are still waiting.")
        of = _("On %(made)s, %(name)s promised “%(text)s” by %(due)s; it has not happened yet.")
    else:
        to = _("On %(made)s you promised “%(text)s” by %(due)s. We look forward to it.")
        of = _("On %(made)s, %(name)s promised “%(text)s” by %(due)s.")
    return PromiseFact(promise.text, promise.due_on, to % values, of % values)


def officials_for(group: Group) -> list[Person]:
    """The officials a group can write to: those it added or met, or who promised it something."""
    seen = Q(added_by=group) | Q(meetings__group=group) | Q(promises__group=group)
    return list(Person.objects.filter(seen).distinct().order_by("name"))


def draft_docx(title: str, text: str) -> bytes:
    """A Word file of the edited text: one paragraph per blank-line block, lines kept."""
    document = docx.Document()
    document.core_properties.title = _XML_UNSAFE.sub("", title)[:250]
    text = _XML_UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    for block in re.split(r"\n\s*\n", text.strip()):
        paragraph = document.add_paragraph()
        for number, line in enumerate(block.split("\n")):
            if number:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
