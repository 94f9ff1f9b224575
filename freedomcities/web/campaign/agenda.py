"""The words the app drafts for a group: a meeting's agenda and a report's summaries.

Built from the published scorecards and the recorded answers; the group edits
them before they go anywhere.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.rules import Rule
from freedomcities.web.campaign.models import Answer, InPlace, Meeting, Report, Support
from freedomcities.web.campaign.tactics import rule_list
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.models import Status
from freedomcities.web.scorecards.statuses import word as status_word

__all__ = ["draft_agenda", "draft_summary", "rule_standing", "share_text"]


def rule_standing(jurisdiction: Jurisdiction) -> list[tuple[Rule, bool, str]]:
    """Each rule, whether all the place's published scorecards have it in place, and how each does.

    A rule counts as in place only when every agency with a published
    scorecard has it in writing; with no scorecard yet, nothing is in place.
    """
    rows = [
        row
        for row in dashboard.agency_rows(Agency.objects.filter(jurisdiction=jurisdiction))
        if row.version is not None
    ]
    standing = []
    for rule in dashboard.rules():
        statuses = [row.statuses.get(rule.id, Status.SILENT) for row in rows]
        detail = "; ".join(
            f"{row.agency.name}: {status_word(s, 'inline')}"
            for row, s in zip(rows, statuses, strict=True)
        )
        in_place = bool(rows) and all(s == Status.MEETS for s in statuses)
        standing.append((rule, in_place, detail or _("no published policy yet")))
    return standing


def rule_order(answer: Answer) -> tuple[str, int]:
    """Answers by official, then in the ruleset's order (pages and the API list them so)."""
    order = [rule.id for rule in dashboard.rules()]
    position = order.index(answer.rule_id) if answer.rule_id in order else len(order)
    return (answer.person.name, position)


def draft_agenda(jurisdiction: Jurisdiction) -> str:
    """A meeting agenda from the published scorecards: missing rules first, then thanks."""
    standing = rule_standing(jurisdiction)
    missing = [(rule, detail) for rule, ok, detail in standing if not ok]
    in_place = [(rule, detail) for rule, ok, detail in standing if ok]
    lines = [
        _("Meeting about the Freedom Cities model rules, %(place)s") % {"place": jurisdiction},
        "",
        _("1. Introductions: everyone says their name, their neighbourhood, and why they care."),
        _("2. Who we are: local volunteers who support the ACLU (not ACLU staff)."),
    ]
    if missing:
        lines += [
            "",
            _(
                "3. Rules not in place yet. For each: is it in place, in writing? If not, "
                "will you support it?"
            ),
        ]
        lines += [_rule_line(rule, detail, reason=True) for rule, detail in missing]
    if in_place:
        lines += ["", _("4. Rules already in place: thank them, and ask that they stay.")]
        lines += [_rule_line(rule, detail, reason=False) for rule, detail in in_place]
    lines += [
        "",
        _("5. The ask: will you publicly back these rules and work with us to adopt them?"),
        _("6. Next steps: who is our point of contact, and when do we meet again?"),
    ]
    return "\n".join(lines)


def _rule_line(rule: Rule, detail: str, *, reason: bool) -> str:
    """One rule on the agenda, with how the place does on it and, if missing, why it matters."""
    optional = _(" (optional)") if rule.optional else ""
    line = f"   - {_('Rule %(id)s') % {'id': rule.id}}, {rule.name}{optional} ({detail})"
    return f"{line}\n     {_('Why:')} {rule.reason}" if reason else line


def draft_summary(meeting: Meeting) -> str:
    """A first draft of the report's summary, from the recorded answers and promises."""
    return "\n".join(_outcome_lines(meeting))


def share_text(report: Report) -> str:
    """A short summary the group can paste anywhere: no notes and no volunteers' names."""
    meeting = report.meeting
    when = timezone.localdate(meeting.starts_at) if meeting.starts_at else meeting.requested_on
    title = _("%(group)s met officials of %(place)s on %(date)s.") % {
        "group": meeting.group.name,
        "place": meeting.jurisdiction,
        "date": when.isoformat(),
    }
    return "\n\n".join([title, report.summary.strip(), "\n".join(_outcome_lines(meeting)[1:])])


def _outcome_lines(meeting: Meeting) -> list[str]:
    """Plain lines: who was met, each official's answers by kind, promises, the next meeting."""
    names = ", ".join(person.name for person in meeting.officials.all())
    when = timezone.localdate(meeting.starts_at).isoformat() if meeting.starts_at else "?"
    lines = [_("On %(date)s we met %(names)s.") % {"date": when, "names": names or "?"}]
    kinds = [
        ("support", Support.YES, _("%(name)s will support %(rules)s.")),
        ("support", Support.NO, _("%(name)s will not support %(rules)s.")),
        ("support", Support.EVASIVE, _("%(name)s gave no clear answer on %(rules)s.")),
        ("in_place", InPlace.WRITTEN, _("%(name)s says %(rules)s: in place in writing.")),
        (
            "in_place",
            InPlace.PRACTICE,
            _("%(name)s says %(rules)s: followed in practice only."),
        ),
    ]
    answers = list(meeting.answers.select_related("person").order_by("person__name", "pk"))
    for person in meeting.officials.all():
        mine = [a for a in answers if a.person_id == person.pk]
        for field_name, value, text in kinds:
            rules = [a.rule_id for a in mine if getattr(a, field_name) == value]
            if rules:
                lines.append(text % {"name": person.name, "rules": rule_list(rules)})
    for promise in meeting.promises.select_related("person"):
        who = promise.person.name if promise.person else _("We")
        lines.append(
            _("%(who)s promised: %(text)s (by %(date)s).")
            % {"who": who, "text": promise.text, "date": promise.due_on.isoformat()}
        )
    if meeting.next_meeting_on:
        lines.append(_("Next meeting: %(date)s.") % {"date": meeting.next_meeting_on.isoformat()})
    return lines
