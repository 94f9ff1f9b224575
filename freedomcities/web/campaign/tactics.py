"""The guide's tactics as data, and which ones to suggest next.

Tactics live in ``tactics.toml`` beside this module, so a campaign edits them
without reading code; :func:`load_tactics` checks every field and names the
exact place of a mistake, as the ruleset loader does.

:func:`suggest_tactics` reads a group's (or a jurisdiction's) history and,
when a meeting was refused or went unanswered, an official was evasive or said
no, or an official's promise is overdue or broken, proposes the next tactics.
It follows the guide: calibrate to how hostile the target is, yet never go
easy on allies, and escalate past what was already tried. Each suggestion says
why in plain words, citing the meeting or promise behind it.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from freedomcities.errors import TacticsError as TacticsError  # kept importable from here
from freedomcities.web.campaign.models import (
    Answer,
    Friendliness,
    Group,
    Meeting,
    MeetingStatus,
    Person,
    Post,
    Promise,
    PromiseState,
    Support,
)
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.scorecards.dashboard import rules

TACTICS_FILE = Path(__file__).with_name("tactics.toml")
DRAFT_KINDS = ("letter", "call", "town-hall", "testimony", "editor")
"""The drafts :mod:`~freedomcities.web.campaign.drafts` writes; a tactic names those it uses."""

LEVELS = range(1, 6)
"""Escalation levels: 1 is the gentlest tactic, 5 the strongest."""

BASE_LEVEL = {
    Friendliness.ALLY: 1,
    Friendliness.UNDECIDED: 2,
    Friendliness.OPPOSED: 3,
    Friendliness.HOSTILE: 4,
}
"""Where to start by how friendly a target is, before what was already tried raises it."""

SUGGESTIONS_PER_TARGET = 3
STRIKES_TO_ESCALATE = 3
"""This many refusals, dodges or broken promises from one target add a level of pressure."""

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_REQUIRED = ("id", "name", "summary", "level", "suits", "wins_allies", "steps", "pitfalls")
_OPTIONAL = ("questions", "drafts")


@dataclass(frozen=True)
class Tactic:
    """A kind of action from the guide, with its how-to."""

    id: str
    name: str
    summary: str
    level: int
    suits: tuple[str, ...]
    wins_allies: bool
    steps: tuple[str, ...]
    pitfalls: tuple[str, ...]
    questions: tuple[str, ...] = ()
    drafts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Trigger:
    """One fact that calls for a next tactic, told in plain words."""

    official: Person | None
    kind: str  # refused, no_answer, evasive, said_no, overdue, broken
    on: datetime.date
    text: str


@dataclass(frozen=True)
class Suggestion:
    """A tactic to try next, for one official (or a jurisdiction's officials), and why."""

    tactic: Tactic
    why: str
    official: Person | None = None
    facts: tuple[str, ...] = ()
    reason: str = ""


# Loading ------------------------------------------------------------------------------------


def tactics_path(language: str | None = None) -> Path:
    """The tactics file for a language (``tactics.es.toml``), else the default English one."""
    if language:
        translated = TACTICS_FILE.with_name(f"tactics.{language.split('-')[0]}.toml")
        if translated.is_file():
            return translated
    return TACTICS_FILE


@lru_cache(maxsize=8)
def load_tactics(path: Path = TACTICS_FILE) -> tuple[Tactic, ...]:
    """Load and check a tactics file.

    Raises:
        TacticsError: the file is missing, is not valid TOML, or a field is
            missing or wrong; the message names the tactic and the field.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TacticsError(f"Tactics file {str(path)!r} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise TacticsError(f"{path.name} is not valid TOML: {exc}.") from None
    raw = data.get("tactics")
    if not isinstance(raw, list) or not raw:
        raise TacticsError(f"{path.name}: needs at least one [[tactics]] table.")
    tactics = tuple(
        _build_tactic(item, f"{path.name}, tactic #{i + 1}") for i, item in enumerate(raw)
    )
    ids = [t.id for t in tactics]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise TacticsError(
            f"{path.name}: tactic ids must be unique; repeated: {', '.join(repeated)}."
        )
    return tactics


def current_tactics() -> tuple[Tactic, ...]:
    """The tactics in the language of the current request."""
    return load_tactics(tactics_path(get_language()))


def tactic(tactic_id: str, tactics: Sequence[Tactic] | None = None) -> Tactic:
    """The tactic with this id; an unknown id is named with the valid ones."""
    tactics = current_tactics() if tactics is None else tactics
    for item in tactics:
        if item.id == tactic_id:
            return item
    valid = ", ".join(t.id for t in tactics)
    raise TacticsError(f"There is no tactic {tactic_id!r}; the tactics are: {valid}.")


def _build_tactic(raw: Any, where: str) -> Tactic:
    """Check one [[tactics]] table."""
    if not isinstance(raw, dict):
        raise TacticsError(f"{where}: must be a table of fields.")
    missing = [key for key in _REQUIRED if key not in raw]
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if missing or unknown:
        problem = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}"
        valid = ", ".join(_REQUIRED + _OPTIONAL)
        raise TacticsError(f"{where}: {problem}; the fields are: {valid}.")
    for key in ("id", "name", "summary"):
        _text(raw[key], f"{where}, '{key}'")
    if not _ID.match(raw["id"]):
        raise TacticsError(f"{where}: 'id' must be lower-case letters, digits and dashes.")
    where = f"{where.split(',')[0]}, tactic {raw['id']!r}"
    return Tactic(
        id=raw["id"],
        name=raw["name"].strip(),
        summary=raw["summary"].strip(),
        level=_level(raw["level"], where),
        suits=_choices(raw["suits"], Friendliness.values, f"{where}, 'suits'", required=True),
        wins_allies=_flag(raw["wins_allies"], f"{where}, 'wins_allies'"),
        steps=_texts(raw["steps"], f"{where}, 'steps'", required=True),
        pitfalls=_texts(raw["pitfalls"], f"{where}, 'pitfalls'", required=True),
        questions=_texts(raw.get("questions", []), f"{where}, 'questions'"),
        drafts=_choices(raw.get("drafts", []), DRAFT_KINDS, f"{where}, 'drafts'"),
    )


def _text(value: Any, where: str) -> str:
    """A non-empty string, or an error naming the field."""
    if not isinstance(value, str) or not value.strip():
        raise TacticsError(f"{where} must be non-empty text.")
    return value


def _texts(value: Any, where: str, *, required: bool = False) -> tuple[str, ...]:
    """A list of non-empty strings, non-empty when required."""
    if not isinstance(value, list) or (required and not value):
        raise TacticsError(f"{where} must be a {'non-empty ' if required else ''}list of texts.")
    return tuple(_text(item, where).strip() for item in value)


def _choices(
    value: Any, valid: Sequence[str], where: str, *, required: bool = False
) -> tuple[str, ...]:
    """A list of names, each one of ``valid``."""
    items = _texts(value, where, required=required)
    wrong = [item for item in items if item not in valid]
    if wrong:
        raise TacticsError(f"{where}: unknown {', '.join(wrong)}; valid: {', '.join(valid)}.")
    return items


def _level(value: Any, where: str) -> int:
    """An escalation level from 1 to 5."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise TacticsError(f"{where}, 'level' must be a whole number from 1 (gentle) to 5.")
    return value


def _flag(value: Any, where: str) -> bool:
    """A true/false field."""
    if not isinstance(value, bool):
        raise TacticsError(f"{where} must be true or false.")
    return value


# What happened -----------------------------------------------------------------------------


def meeting_date(meeting: Meeting) -> datetime.date:
    """When a meeting took place, or was asked for when it never did."""
    if meeting.starts_at is not None:
        return timezone.localdate(meeting.starts_at)
    return meeting.requested_on


def long_date(day: datetime.date) -> str:
    """A date as people write it in a letter: '3 March 2025', '3 de marzo de 2025'."""
    return date_format(day, "DATE_FORMAT")


def office_of(person: Person) -> Post | None:
    """The post an official holds now (or held last)."""
    membership = (
        person.memberships.select_related("post__jurisdiction", "post__agency")
        .order_by("end_date", "-start_date")
        .first()
    )
    return membership.post if membership else None


def official_label(person: Person) -> str:
    """An official's name with their office: 'Jane Doe (Sheriff of Maricopa County)'."""
    post = office_of(person)
    return f"{person.name} ({post.label})" if post else person.name


def rule_list(rule_ids: Iterable[str]) -> str:
    """Rule numbers as a phrase: 'rule 5 (Don't Ask Rule)', 'rules 1, 2 and 5'."""
    ids = sorted(set(rule_ids), key=_rule_order)
    if len(ids) == 1:
        names = {rule.id: rule.name for rule in rules()}
        name = names.get(ids[0])
        one = _("rule %(id)s") % {"id": ids[0]}
        return f"{one} ({name})" if name else one
    return _("rules %(ids)s") % {"ids": get_text_list(ids, _("and"))}


def _rule_order(rule_id: str) -> tuple[int, str]:
    """Rules in the ruleset's order; unknown ids last."""
    order = [rule.id for rule in rules()]
    return (order.index(rule_id) if rule_id in order else len(order), rule_id)


def meetings_in(scope: Group | Jurisdiction) -> QuerySet[Meeting]:
    """A group's meetings, or every meeting about a jurisdiction."""
    if isinstance(scope, Group):
        return Meeting.objects.filter(group=scope)
    return Meeting.objects.filter(jurisdiction=scope)


def promises_in(scope: Group | Jurisdiction) -> QuerySet[Promise]:
    """A group's promises, or those made at meetings about (or by officials of) a jurisdiction."""
    if isinstance(scope, Group):
        return Promise.objects.filter(group=scope)
    about = Q(meeting__jurisdiction=scope) | Q(person__memberships__post__jurisdiction=scope)
    return Promise.objects.filter(about).distinct()


def find_triggers(
    scope: Group | Jurisdiction,
    official: Person | None = None,
    *,
    today: datetime.date | None = None,
) -> list[Trigger]:
    """Every refusal, unanswered request, dodge, 'no' and overdue promise that calls for action."""
    today = today or timezone.localdate()
    meetings = meetings_in(scope)
    found = [
        *_meeting_triggers(meetings),
        *_answer_triggers(meetings),
        *_promise_triggers(promises_in(scope), today),
    ]
    if official is not None:
        found = [t for t in found if t.official is not None and t.official.pk == official.pk]
    return sorted(found, key=lambda t: t.on)


def _who(person: Person | None, meeting: Meeting | None = None) -> str:
    """Who a fact is about: the official, or a jurisdiction's officials when none was named."""
    if person is not None:
        return official_label(person)
    place = meeting.jurisdiction if meeting is not None else None
    return _("The officials of %(place)s") % {"place": place} if place else _("The officials")


def _meeting_triggers(meetings: QuerySet[Meeting]) -> list[Trigger]:
    """Refused or unanswered requests, unless a later meeting with the same people went ahead."""
    latest: dict[tuple[int | None, int], tuple[Person | None, Meeting]] = {}
    ordered = meetings.select_related("jurisdiction").prefetch_related("officials")
    for meeting in ordered.order_by("requested_on", "pk"):
        people: list[Person | None] = [*meeting.officials.all()] or [None]
        for person in people:
            key = (person.pk if person else None, meeting.jurisdiction_id)
            latest[key] = (person, meeting)
    texts = {
        MeetingStatus.REFUSED: _("%(who)s refused the meeting you asked for on %(date)s."),
        MeetingStatus.NO_ANSWER: _("%(who)s did not answer your request of %(date)s to meet."),
    }
    return [
        Trigger(
            person,
            meeting.status,
            meeting.requested_on,
            texts[MeetingStatus(meeting.status)]
            % {"who": _who(person, meeting), "date": long_date(meeting.requested_on)},
        )
        for person, meeting in latest.values()
        if meeting.status in texts
    ]


def _answer_triggers(meetings: QuerySet[Meeting]) -> list[Trigger]:
    """Evasive answers and refusals to support a rule, where that is still the latest answer."""
    answers = Answer.objects.filter(meeting__in=meetings).select_related("meeting", "person")
    latest: dict[tuple[int, str], Answer] = {}
    for answer in sorted(answers, key=lambda a: (meeting_date(a.meeting), a.meeting.pk, a.pk)):
        latest[(answer.person.pk, answer.rule_id)] = answer
    grouped: dict[tuple[int, int, str], list[Answer]] = defaultdict(list)
    for answer in latest.values():
        if answer.support in (Support.EVASIVE, Support.NO):
            grouped[(answer.person.pk, answer.meeting.pk, answer.support)].append(answer)
    return [_answer_trigger(items) for items in grouped.values()]


def _answer_trigger(answers: list[Answer]) -> Trigger:
    """One trigger for one official's dodges (or refusals) at one meeting."""
    first = answers[0]
    day = meeting_date(first.meeting)
    values = {
        "who": official_label(first.person),
        "rules": rule_list(a.rule_id for a in answers),
        "date": long_date(day),
    }
    if first.support == Support.EVASIVE:
        text = _("%(who)s was evasive on %(rules)s at the %(date)s meeting.") % values
        return Trigger(first.person, "evasive", day, text)
    text = _("%(who)s would not support %(rules)s at the %(date)s meeting.") % values
    return Trigger(first.person, "said_no", day, text)


def _promise_triggers(promises: QuerySet[Promise], today: datetime.date) -> list[Trigger]:
    """Officials' promises that are overdue or broken (the group's own next steps are not)."""
    late = Q(state=PromiseState.OPEN, due_on__lt=today) | Q(state=PromiseState.BROKEN)
    found = []
    for promise in promises.filter(late, person__isnull=False).select_related("person"):
        assert promise.person is not None
        values = {
            "who": official_label(promise.person),
            "text": promise.text,
            "date": long_date(promise.due_on),
        }
        if promise.state == PromiseState.BROKEN:
            text = _("%(who)s broke the promise “%(text)s” (due %(date)s).") % values
            found.append(Trigger(promise.person, "broken", promise.due_on, text))
            continue
        days = (today - promise.due_on).days
        text = ngettext(
            "%(who)s promised “%(text)s” by %(date)s; it is %(days)d day overdue.",
            "%(who)s promised “%(text)s” by %(date)s; it is %(days)d days overdue.",
            days,
        ) % {**values, "days": days}
        found.append(Trigger(promise.person, "overdue", promise.due_on, text))
    return found


# What to do next ---------------------------------------------------------------------------


def suggest_tactics(
    scope: Group | Jurisdiction,
    official: Person | None = None,
    *,
    today: datetime.date | None = None,
    tried: Iterable[str] = (),
    tactics: Sequence[Tactic] | None = None,
) -> list[Suggestion]:
    """The next tactics to try, for each official whose history calls for one.

    Args:
        scope: a group (its meetings and promises) or a jurisdiction (every
            group's meetings about it).
        official: only this official's history; all of them when None.
        today: the day promises are overdue against; today when None.
        tried: ids of tactics already used (events may record them), on top of
            the meetings the history shows.
        tactics: the tactics to choose from; the current language's file when None.

    Returns:
        Up to three suggestions per official, the best first, each saying why.
        Empty when nothing was refused, dodged or left overdue.
    """
    tactics = current_tactics() if tactics is None else tactics
    by_target: dict[int | None, list[Trigger]] = defaultdict(list)
    for trigger in find_triggers(scope, official, today=today):
        by_target[trigger.official.pk if trigger.official else None].append(trigger)
    suggestions: list[Suggestion] = []
    for triggers in sorted(by_target.values(), key=lambda ts: (-len(ts), _target_name(ts))):
        person = triggers[0].official
        used = set(tried) | _tried_with(scope, person)
        suggestions += _suggest_for(person, triggers, used, tactics)
    return suggestions


def _target_name(triggers: list[Trigger]) -> str:
    """Sort key: the official's name; a jurisdiction's officials last."""
    person = triggers[0].official
    return person.name.lower() if person else "\uffff"


def _tried_with(scope: Group | Jurisdiction, person: Person | None) -> set[str]:
    """Tactics the history shows were used with this official: asking to meet counts."""
    meetings = meetings_in(scope)
    if person is None:
        asked = meetings.filter(officials__isnull=True).exists()
    else:
        asked = meetings.filter(officials=person).exists()
    return {"meeting"} if asked else set()


def _suggest_for(
    person: Person | None, triggers: list[Trigger], used: set[str], tactics: Sequence[Tactic]
) -> list[Suggestion]:
    """The best tactics for one target, each with its reasons."""
    friendliness = Friendliness(person.friendliness) if person else Friendliness.UNDECIDED
    chosen = pick_tactics(tactics, friendliness, used, strikes=len(triggers))
    facts = tuple(t.text for t in triggers)
    names = [t.name for t in tactics if t.id in used]
    suggestions = []
    for item in chosen:
        reason = _reason(item, friendliness, names)
        suggestions.append(Suggestion(item, " ".join([*facts, reason]), person, facts, reason))
    return suggestions


def pick_tactics(
    tactics: Sequence[Tactic],
    friendliness: str,
    used: set[str],
    *,
    strikes: int = 1,
    limit: int = SUGGESTIONS_PER_TARGET,
) -> list[Tactic]:
    """Tactics at the right pressure for a target, escalating past what was tried.

    The level wanted starts from the target's friendliness and rises one above
    the strongest tactic already used (the guide: if you did not get a
    commitment, escalate; and do not under-pressure allies). Repeated strikes
    add one more. Tactics that fit the target, were not tried and are not
    gentler than what was tried come first; tactics that win new allies break ties.
    """
    tried_level = max((t.level for t in tactics if t.id in used), default=0)
    want = max(BASE_LEVEL[Friendliness(friendliness)], tried_level + 1)
    want = min(max(LEVELS), want + (1 if strikes >= STRIKES_TO_ESCALATE else 0))
    fresh = [t for t in tactics if t.id not in used and friendliness in t.suits]
    stronger = [t for t in fresh if t.level >= tried_level] or fresh
    ranked = sorted(stronger, key=lambda t: (abs(t.level - want), not t.wins_allies, -t.level))
    return ranked[:limit]


def _reason(item: Tactic, friendliness: str, used_names: list[str]) -> str:
    """Why this tactic, in a sentence or three."""
    parts = []
    if used_names:
        parts.append(
            _("You already tried: %(tried)s; this steps up the pressure.")
            % {"tried": get_text_list(used_names, _("and"))}
        )
    fits = {
        Friendliness.ALLY: _("Allies need pressure too: ask them to act, in public."),
        Friendliness.UNDECIDED: _("It suits an official who has not made up their mind."),
        Friendliness.OPPOSED: _("It suits an official who opposes the rules."),
        Friendliness.HOSTILE: _(
            "With a hostile official, public pressure works better than persuasion."
        ),
    }
    parts.append(fits[Friendliness(friendliness)])
    if item.wins_allies:
        parts.append(_("It also brings new people into the campaign."))
    return " ".join(parts)
