"""The campaign pages: groups, officials, meetings, outcomes, promises, the board, report-backs.

Views are thin: they find what the person may see (a 404 for anything private
to another group, see :mod:`.access`), parse a form, call an action, render.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from freedomcities.render.html import page
from freedomcities.web.accounts.decorators import role_required
from freedomcities.web.accounts.models import Role, has_role
from freedomcities.web.campaign import access, actions, agenda, forms, joining
from freedomcities.web.campaign.models import (
    Group,
    Meeting,
    MeetingStatus,
    Person,
    Promise,
    PromiseState,
    Report,
    ReportState,
    answer_history,
)
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions import times
from freedomcities.web.jurisdictions.models import Jurisdiction, Stage
from freedomcities.web.responses import attach
from freedomcities.web.scorecards import dashboard
from freedomcities.web.scorecards.exports import for_spreadsheets

signed_in = role_required(Role.VOLUNTEER)


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view guarded by ``signed_in``."""
    assert isinstance(request.user, User), "role_required lets only signed-in users through"
    return request.user


def _deny_unless(allowed: bool, message: str) -> None:
    """A 403 with a message, for people who may see a page but not change it."""
    if not allowed:
        raise PermissionDenied(message)


def _attempt(request: HttpRequest, form: Any, work: Callable[[], Any]) -> Any:
    """Run an action; its refusal becomes a message on the form (or the page)."""
    try:
        return work()
    except ActionError as exc:
        if form is None:
            messages.error(request, str(exc))
        else:
            form.add_error(None, str(exc))
        return None


def _place(ocd_id: str) -> Jurisdiction:
    """A jurisdiction by its OCD id, or a 404."""
    return get_object_or_404(Jurisdiction, ocd_id=ocd_id)


def _status(request: HttpRequest) -> int:
    """400 for a form sent back with errors, 200 for a first look."""
    return 400 if request.method == "POST" else 200


# Groups ---------------------------------------------------------------------------------------


@signed_in
def group_list(request: HttpRequest) -> HttpResponse:
    """The person's groups (every group for staff), and a way to start one."""
    groups = access.visible_groups(request.user).select_related("home")
    context = {"groups": groups, "can_start": has_role(request.user, Role.ORGANIZER)}
    return render(request, "campaign/group_list.html", context)


@role_required(Role.ORGANIZER)
def group_new(request: HttpRequest) -> HttpResponse:
    """Start a local group; its creator is its first organizer."""
    form = forms.GroupForm(request.POST or None, initial={"state": request.GET.get("state", "")})
    if request.method == "POST" and form.is_valid():
        group = _attempt(
            request, form, lambda: actions.create_group(form.group(), by=_user(request))
        )
        if group is not None:
            messages.success(request, _("Your group is ready. Add its members next."))
            return redirect(group)
    return render(request, "campaign/group_new.html", {"form": form}, status=_status(request))


def _group_campaigns(group: Group) -> list[dict[str, Any]]:
    """Each place the group campaigns in, with its officials and next meeting."""
    places = group.campaigns()
    upcoming = group.meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")
    return [
        {
            "jurisdiction": place,
            "officials": actions.officials_of(place).count(),
            "next": upcoming.filter(jurisdiction=place).first(),
        }
        for place in places
    ]


@signed_in
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's campaigns, meetings, open promises and overdue ones."""
    group = access.group_or_404(request, pk)
    promises = group.promises.select_related("person", "owner")
    context = {
        "group": group,
        "campaigns": _group_campaigns(group),
        "meetings": group.meetings.select_related("jurisdiction")[:20],
        "open_promises": promises.filter(state=PromiseState.OPEN),
        "overdue": actions.overdue(promises),
        "can_organize": access.can_organize(request.user, group),
        "campaign_form": forms.CampaignForm(state=group.state),
    }
    return render(request, "campaign/group.html", context)


@signed_in
def group_members(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's volunteers and their contacts (private), and adding one."""
    group = access.group_or_404(request, pk)
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST":
        _deny_unless(access.can_organize(request.user, group), _("Only organizers add members."))
        if form.is_valid():
            member = _attempt(
                request,
                form,
                lambda: actions.add_member(group, form.member(), by=_user(request)),
            )
            if member is not None:
                messages.success(request, _("%(who)s is in the group.") % {"who": member.user})
                return redirect("group_members", pk=group.pk)
    can_organize = access.can_organize(request.user, group)
    context = {
        "group": group,
        "members": group.memberships.select_related("user").order_by("user__username"),
        "form": form,
        "can_organize": can_organize,
        "requests": joining.pending_requests(group) if can_organize else [],
        "invitation_link": request.session.pop("invitation_link", None),
    }
    return render(request, "campaign/members.html", context, status=_status(request))


@require_POST
@signed_in
def group_add_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """Start campaigning in another city or county."""
    group = access.group_or_404(request, pk)
    form = forms.CampaignForm(request.POST, state=group.state)
    if not form.is_valid():
        for error in form.errors.get("place", []):
            messages.error(request, str(error))
        return redirect(group)
    place = _attempt(
        request, None, lambda: actions.add_campaign(group, form.campaign(), by=_user(request))
    )
    if place is not None:
        messages.success(request, _("The group now campaigns in %(place)s.") % {"place": place})
    return redirect(group)


@signed_in
def group_promises(request: HttpRequest, pk: int) -> HttpResponse:
    """Every promise and next step of the group, the overdue ones first, and adding one."""
    group = access.group_or_404(request, pk)
    form = forms.PromiseForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        made = _attempt(
            request, form, lambda: actions.add_promise(group, form.promise(), by=_user(request))
        )
        if made is not None:
            messages.success(request, _("Added. It shows on the group's page until it is done."))
            return redirect("group_promises", pk=group.pk)
    promises = group.promises.select_related("person", "owner", "meeting")
    context = {
        "group": group,
        "overdue": actions.overdue(promises),
        "promises": promises,
        "form": form,
    }
    return render(request, "campaign/promises.html", context, status=_status(request))


@signed_in
def promise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One promise: who made it, when it is due, and marking it done, broken or dropped."""
    promise = access.promise_or_404(request, pk)
    form = forms.PromiseStateForm(
        request.POST or None, initial={"state": promise.state, "due_on": promise.due_on}
    )
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            request,
            form,
            lambda: actions.update_promise(promise, form.changes(), by=_user(request)),
        )
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect("promise", pk=promise.pk)
    context = {"promise": promise, "form": form, "overdue": _is_overdue(promise)}
    return render(request, "campaign/promise.html", context, status=_status(request))


def _is_overdue(promise: Promise) -> bool:
    """An open promise past its due date."""
    return promise.state == PromiseState.OPEN and promise.due_on < timezone.localdate()


# Officials ------------------------------------------------------------------------------------


def officials(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """The officials to press in a place, with their office contacts (public)."""
    place = _place(ocd_id)
    people = actions.officials_of(place).prefetch_related("memberships__post")
    rows = [(person, access.can_see_friendliness(request.user, person)) for person in people]
    context = {
        "jurisdiction": place,
        "rows": rows,
        "can_add": access.staff_for(request.user, place.state)
        or access.organized_groups(request.user).filter(state=place.state).exists(),
    }
    return render(request, "campaign/officials.html", context)


@signed_in
def official_new(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """List an official to press: name, office, contacts and how friendly they are."""
    place = _place(ocd_id)
    groups = access.organized_groups(request.user).filter(state=place.state)
    staff = access.staff_for(request.user, place.state)
    _deny_unless(staff or groups.exists(), _("Only group organizers and staff add officials."))
    form = forms.OfficialForm(request.POST or None, jurisdiction=place, groups=groups, staff=staff)
    if request.method == "POST" and form.is_valid():
        person = _attempt(
            request,
            form,
            lambda: actions.add_official(place, form.official(), by=_user(request)),
        )
        if person is not None:
            messages.success(request, _("%(name)s is listed.") % {"name": person.name})
            return redirect("officials", ocd_id=place.ocd_id)
    context = {"jurisdiction": place, "form": form}
    return render(request, "campaign/official_new.html", context, status=_status(request))


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An official: offices, contacts, and their position on each rule with its history."""
    person = get_object_or_404(Person, pk=pk)
    history = answer_history(access.visible_answers(request.user).filter(person=person))
    positions = [(rule, history.get((person.pk, rule.id), [])) for rule in dashboard.rules()]
    context = {
        "person": person,
        "memberships": person.memberships.select_related("post__jurisdiction", "post__agency"),
        "positions": positions,
        "visible_meetings": set(access.visible_meetings(request.user).values_list("pk", flat=True)),
        "promises": access.visible_promises(request.user).filter(person=person),
        "show_friendliness": access.can_see_friendliness(request.user, person),
        "can_edit": access.can_edit_person(request.user, person),
    }
    return render(request, "campaign/person.html", context)


@signed_in
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an official's contacts or friendliness, or record that they left office."""
    person = get_object_or_404(Person, pk=pk)
    _deny_unless(
        access.can_edit_person(request.user, person),
        _("Only organizers of the group that listed this official, and staff, can edit them."),
    )
    initial = {key: getattr(person, key) for key in actions.OFFICE_FIELDS}
    form = forms.OfficialEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            request,
            form,
            lambda: actions.update_official(person, form.changes(), by=_user(request)),
        )
        if done is not None:
            messages.success(request, _("Saved."))
            return redirect(person)
    context = {"person": person, "form": form}
    return render(request, "campaign/person_edit.html", context, status=_status(request))


# Meetings -------------------------------------------------------------------------------------


@signed_in
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a meeting in one of the group's places, with an agenda drafted from its scorecards."""
    group = access.group_or_404(request, pk)
    places = group.campaigns()
    place = places.filter(ocd_id=request.GET.get("place", "")).first()
    if place is None:
        context = {"group": group, "places": places, "asked": request.GET.get("place", "")}
        status = 404 if request.GET.get("place") else 200
        return render(request, "campaign/meeting_place.html", context, status=status)
    with timezone.override(times.jurisdiction_zone(place)):
        initial = {"requested_on": timezone.localdate(), "agenda": agenda.draft_agenda(place)}
        form = forms.MeetingForm(
            request.POST or None, group=group, jurisdiction=place, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            meeting = _attempt(
                request,
                form,
                lambda: actions.plan_meeting(group, form.plan(), by=_user(request)),
            )
            if meeting is not None:
                messages.success(
                    request, _("Meeting saved. Track the answer to your request here.")
                )
                return redirect(meeting)
        context = {"group": group, "jurisdiction": place, "form": form}
        return render(request, "campaign/meeting_form.html", context, status=_status(request))


@signed_in
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting: the request, the people, the agenda, and once held its answers and notes."""
    meeting = access.meeting_or_404(request, pk)
    with timezone.override(times.jurisdiction_zone(meeting.jurisdiction)):
        answers = meeting.answers.select_related("person").order_by("person__name", "pk")
        context = {
            "meeting": meeting,
            "answers": sorted(answers, key=agenda.rule_order),
            "promises": meeting.promises.select_related("person", "owner"),
            "report": Report.objects.filter(meeting=meeting).first(),
            "rules": {rule.id: rule for rule in dashboard.rules()},
            "is_staff": access.staff_for(request.user, meeting.group.state),
            "reopen_requests": meeting.reopen_requests.select_related("requested_by", "decided_by"),
        }
        return render(request, "campaign/meeting.html", context)


@signed_in
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a meeting's plan: the answer to the request, the date, the people, the agenda."""
    meeting = access.meeting_or_404(request, pk)
    with timezone.override(times.jurisdiction_zone(meeting.jurisdiction)):
        initial = {
            "status": meeting.status,
            "requested_on": meeting.requested_on,
            "request_note": meeting.request_note,
            "officials": list(meeting.officials.all()),
            "starts_at": timezone.localtime(meeting.starts_at) if meeting.starts_at else None,
            "place": meeting.place,
            "attendees": list(meeting.attendees.all()),
            "spokesperson": meeting.spokesperson,
            "note_taker": meeting.note_taker,
            "agenda": meeting.agenda,
        }
        form = forms.MeetingForm(
            request.POST or None,
            group=meeting.group,
            jurisdiction=meeting.jurisdiction,
            held=meeting.status in (MeetingStatus.HELD, MeetingStatus.REPORTED),
            initial=initial,
        )
        if request.method == "POST" and form.is_valid():
            done = _attempt(
                request,
                form,
                lambda: actions.update_meeting(meeting, form.changes(), by=_user(request)),
            )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect(meeting)
        context = {
            "group": meeting.group,
            "jurisdiction": meeting.jurisdiction,
            "form": form,
            "meeting": meeting,
        }
        return render(request, "campaign/meeting_form.html", context, status=_status(request))


@require_POST
@signed_in
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the agenda again from the latest published scorecards."""
    meeting = access.meeting_or_404(request, pk)
    if _attempt(request, None, lambda: actions.redraft_agenda(meeting, by=_user(request))):
        messages.success(request, _("The agenda was drafted again; edit it as you like."))
    return redirect("meeting_edit", pk=meeting.pk)


@signed_in
def meeting_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """The note taker's phone form: each rule for each official, notes, promises, next date."""
    meeting = access.meeting_or_404(request, pk)
    with timezone.override(times.jurisdiction_zone(meeting.jurisdiction)):
        form = forms.OutcomeForm(
            request.POST or None, meeting=meeting, initial=_outcome_initial(meeting)
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.record_outcome(meeting, form.outcome(), by=_user(request))
            except actions.StaleSubmission as exc:
                messages.error(request, str(exc))
                return redirect(meeting)
            except ActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved. Send the report-back when you are ready."))
                return redirect(meeting)
        context = {"meeting": meeting, "form": form}
        return render(request, "campaign/outcome.html", context, status=_status(request))


def _outcome_initial(meeting: Meeting) -> dict[str, Any]:
    """The outcome form filled with what was already recorded."""
    initial: dict[str, Any] = {
        "revision": meeting.revision,
        "held_at": timezone.localtime(meeting.starts_at) if meeting.starts_at else None,
        "notes": meeting.notes,
        "point_of_contact": meeting.point_of_contact_id,
        "next_meeting_on": meeting.next_meeting_on,
    }
    for answer in meeting.answers.all():
        key = f"{answer.person_id}_{answer.rule_id}"
        initial |= {
            f"in_place_{key}": answer.in_place,
            f"support_{key}": answer.support,
            f"note_{key}": answer.note,
        }
    return initial


# Report-backs ---------------------------------------------------------------------------------


@signed_in
def meeting_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a held meeting's report-back to the state affiliate."""
    meeting = access.meeting_or_404(request, pk)
    report = Report.objects.filter(meeting=meeting).first()
    summary = report.summary if report else agenda.draft_summary(meeting)
    form = forms.ReportForm(request.POST or None, initial={"summary": summary})
    if request.method == "POST" and form.is_valid():
        sent = _attempt(
            request,
            form,
            lambda: actions.submit_report(meeting, form.report(), by=_user(request)),
        )
        if sent is not None:
            messages.success(request, _("Sent to the affiliate. Here is a summary to share."))
            return redirect("report_summary", pk=sent.pk)
    context = {"meeting": meeting, "report": report, "form": form, **_report_facts(meeting)}
    return render(request, "campaign/report_form.html", context, status=_status(request))


def _report_facts(meeting: Meeting) -> dict[str, Any]:
    """The structured part of a report: answers by official, promises, notes."""
    return {
        "answers": sorted(meeting.answers.select_related("person"), key=agenda.rule_order),
        "promises": meeting.promises.select_related("person", "owner"),
    }


@role_required(Role.STAFF)
def report_queue(request: HttpRequest) -> HttpResponse:
    """Report-backs waiting for the affiliate, and the ones already reviewed."""
    reports = _queue(request)
    context = {
        "reports": reports,
        "state": request.GET.get("state", ""),
        "show": request.GET.get("show", ReportState.SUBMITTED),
        "report_states": ReportState.choices,
    }
    return render(request, "campaign/report_queue.html", context)


def _queue(request: HttpRequest) -> QuerySet[Report]:
    """The queue's reports, filtered by state (postal code) and review state."""
    reports = (
        access.reviewable_reports(request.user)
        .select_related("meeting__group", "meeting__jurisdiction", "submitted_by")
        .order_by("submitted_at")
    )
    postal = request.GET.get("state", "").upper()
    show = request.GET.get("show", ReportState.SUBMITTED)
    if postal:
        reports = reports.filter(meeting__group__state=postal)
    if show in ReportState.values:
        reports = reports.filter(state=show)
    return reports


@role_required(Role.STAFF)
def report_queue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The queue as CSV or PDF."""
    return _export(list(_queue(request)), fmt, "report-backs")


@signed_in
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report-back: the meeting's answers, promises, notes and summary; staff review it here."""
    report = access.report_or_404(request, pk)
    form = forms.ReviewReportForm(request.POST or None, initial={"publish": True})
    if request.method == "POST":
        _deny_unless(
            access.staff_for(request.user, report.meeting.group.state),
            _("Only affiliate staff review reports."),
        )
        if form.is_valid() and _review(request, report, form):
            return redirect("report", pk=report.pk)
    context = {
        "report": report,
        "meeting": report.meeting,
        "form": form,
        "is_staff": access.staff_for(request.user, report.meeting.group.state),
        **_report_facts(report.meeting),
    }
    return render(request, "campaign/report.html", context, status=_status(request))


def _review(request: HttpRequest, report: Report, form: forms.ReviewReportForm) -> bool:
    """Accept or return a report as staff decided; False, with the reason shown, if refused."""
    user = _user(request)
    if form.cleaned_data["decision"] == "accept":
        done = _attempt(
            request, form, lambda: actions.accept_report(report, form.acceptance(), by=user)
        )
        message = _("Accepted.")
    else:
        done = _attempt(
            request, form, lambda: actions.return_report(report, form.question(), by=user)
        )
        message = _("Returned to the group with your note.")
    if done is not None:
        messages.success(request, message)
    return done is not None


@signed_in
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One report-back as CSV or PDF."""
    report = access.report_or_404(request, pk)
    return _export([report], fmt, f"report-{report.pk}")


@signed_in
def report_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The short summary for the group to share, as a page with a copy button or as text."""
    report = access.report_or_404(request, pk)
    text = agenda.share_text(report)
    if request.GET.get("format") == "txt":
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    return render(request, "campaign/summary.html", {"report": report, "text": text})


def _export(reports: list[Report], fmt: str, name: str) -> HttpResponse:
    """Reports as a CSV table (one row per answer or promise) or a printable PDF."""
    if fmt == "csv":
        response = HttpResponse(_csv(reports), content_type="text/csv; charset=utf-8")
    elif fmt == "pdf":
        response = HttpResponse(_pdf(reports), content_type="application/pdf")
    else:
        raise Http404(_("Reports can be exported as csv or pdf."))
    attach(response, f"{name}.{fmt}")
    return response


CSV_HEADER = [
    "report",
    "state",
    "group",
    "jurisdiction",
    "ocd_id",
    "meeting_date",
    "report_state",
    "submitted_at",
    "kind",
    "official",
    "rule",
    "in_place",
    "support",
    "text",
    "due_on",
]


def _csv(reports: list[Report]) -> str:
    """One row per answer and per promise, each carrying its report's facts."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for report in reports:
        writer.writerows([[_cell(value) for value in row] for row in _csv_rows(report)])
    return for_spreadsheets(out.getvalue())


def _cell(value: str) -> str:
    """A cell that spreadsheets will not run as a formula (people type the notes)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _csv_rows(report: Report) -> list[list[str]]:
    """A report's answers and promises as CSV rows."""
    meeting = report.meeting
    head = [
        str(report.pk),
        meeting.group.state,
        meeting.group.name,
        str(meeting.jurisdiction),
        meeting.jurisdiction.ocd_id,
        timezone.localtime(meeting.starts_at).date().isoformat() if meeting.starts_at else "",
        report.state,
        timezone.localtime(report.submitted_at).isoformat(timespec="minutes"),
    ]
    rows = [
        [*head, "answer", a.person.name, a.rule_id, a.in_place, a.support, a.note, ""]
        for a in meeting.answers.select_related("person").order_by("person__name", "rule_id")
    ]
    rows += [
        [
            *head,
            "promise",
            p.person.name if p.person else "",
            "",
            "",
            "",
            p.text,
            p.due_on.isoformat(),
        ]
        for p in meeting.promises.select_related("person")
    ]
    return rows


PDF_CSS = (
    ".report { page-break-after: always; } .muted { color: #555; } pre { white-space: pre-wrap; }"
)


def _pdf(reports: list[Report]) -> bytes:
    """The reports printed by WeasyPrint, one per page, in the package's page shell."""
    from freedomcities.render.pdf import html_to_pdf

    body = (
        "".join(
            render_to_string(
                "campaign/_report_print.html", {"report": r, **_report_facts(r.meeting)}
            )
            for r in reports
        )
        or "<p>" + _("No reports.") + "</p>"
    )
    html = page(_("Report-backs"), body, get_language() or "en", PDF_CSS)
    return html_to_pdf(html)


# Campaign board and stages --------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    """Every jurisdiction with a campaign, in columns by stage; filter by state."""
    postal = request.GET.get("state", "").upper()
    places = Jurisdiction.objects.exclude(stage=Stage.NONE).order_by("state", "name")
    if postal:
        places = places.filter(state=postal)
    columns = [
        (value, label, [p for p in places if p.stage == value])
        for value, label in Stage.choices
        if value != Stage.NONE
    ]
    states = (
        Jurisdiction.objects.exclude(stage=Stage.NONE).values_list("state", flat=True).distinct()
    )
    context = {"columns": columns, "state": postal, "states": sorted(set(states))}
    return render(request, "campaign/board.html", context)


@require_POST
@signed_in
def set_stage(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """Set a campaign's stage by hand (adopted and stalled included)."""
    place = _place(ocd_id)
    form = forms.StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the campaign stages."))
    elif _attempt(
        request,
        None,
        lambda: actions.set_stage(place, form.change(), by=_user(request)),
    ):
        messages.success(request, _("Stage set: %(stage)s.") % {"stage": place.get_stage_display()})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("jurisdiction", args=[place.ocd_id])
    return redirect(target)
