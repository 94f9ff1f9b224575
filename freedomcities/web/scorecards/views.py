"""Pages about policies: an agency, uploading, a version's scorecard, reviewing it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from freedomcities.compare import compare
from freedomcities.render.compare import COMPARE_CSS, comparison_body
from freedomcities.score import in_language
from freedomcities.web.accounts.decorators import role_required
from freedomcities.web.accounts.models import Role, has_role, is_staff_for, staff_states
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.languages import document_language, reader_language, rules_in
from freedomcities.web.pagecache.pages import public_page
from freedomcities.web.responses import attach
from freedomcities.web.scorecards import actions, dashboard, jobs, learning, reports
from freedomcities.web.scorecards.forms import ReviewForm, UploadForm
from freedomcities.web.scorecards.models import (
    JobState,
    PolicyVersion,
    Review,
    Status,
    StatusMove,
)

REVIEW_DRAFT = "review_draft"
"""Session key of a review form sent back with an error, shown again as it was filled in."""


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view guarded by ``role_required``."""
    assert isinstance(request.user, User), "role_required lets only signed-in users through"
    return request.user


def _visible_versions(request: HttpRequest, agency: Agency) -> list[PolicyVersion]:
    """Every version for volunteers and above; only published ones for the public. Newest first."""
    drafts = has_role(request.user, Role.VOLUNTEER)
    return list(dashboard.agency_versions(Agency.objects.filter(pk=agency.pk), drafts=drafts))[::-1]


def agency_card(request: HttpRequest, pk: int) -> dashboard.AgencyCard:
    """What an agency's card shows: its published scorecard with quotes, versions, history.

    The card reads the agency itself (with its jurisdiction), so the page asks once.
    """
    drafts = has_role(request.user, Role.VOLUNTEER)
    cards = dashboard.agency_cards(Agency.objects.filter(pk=pk), drafts=drafts)
    if not cards:
        raise Http404("No such agency")  # as get_object_or_404 says it
    return cards[0]


@public_page()
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency: its latest published scorecard, its versions, and the scorecard's history.

    Visitors who are not signed in get the page from the cache (it shows them
    published scorecards only, the same for all of them).
    """
    card = agency_card(request, pk)
    context = {"card": card, "agency": card.agency, "rules": dashboard.rules()}
    return render(request, "scorecards/agency.html", context)


@role_required(Role.VOLUNTEER)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer uploads a policy file; its analysis starts in the background."""
    agency = get_object_or_404(Agency.objects.select_related("jurisdiction"), pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = actions.upload_version(
                agency,
                data["file"],
                obtained=data["obtained"],
                policy_date=data["policy_date"],
                user=_user(request),
                title=data["title"],
            )
        except ActionError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Uploaded. The analysis will start in a moment."))
            return redirect(version)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "scorecards/upload.html", {"agency": agency, "form": form}, status=status
    )


def _version_or_404(request: HttpRequest, pk: int) -> PolicyVersion:
    """A version the person may see: published ones for everybody, drafts for volunteers up."""
    version = get_object_or_404(
        PolicyVersion.objects.select_related("policy__agency__jurisdiction"), pk=pk
    )
    if not version.is_published and not has_role(request.user, Role.VOLUNTEER):
        raise Http404(_("This scorecard has not been published yet."))
    return version


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's scorecard: each rule's status, quotes linked to their sections, model text."""
    version = _version_or_404(request, pk)
    ruleset = rules_in()
    verdicts = version.verdicts() if version.job_state == JobState.DONE else []
    items = [(ruleset.rule(v.rule_id), v) for v in verdicts]
    can_review = is_staff_for(request.user, version.policy.agency.jurisdiction.state)
    if can_review:  # the rules the judge is unsure of come first, for a person to check
        items.sort(key=lambda item: not item[1].result.needs_review)
    history: dict[str, list[Review]] = {}
    if can_review:
        for review in version.reviews.select_related("reviewer").order_by("-created_at"):
            history.setdefault(review.rule_id, []).append(review)
    context = {
        "version": version,
        "agency": version.policy.agency,
        "items": items,
        "can_review": can_review,
        "review_history": history,
        "reviewed": set(version.latest_reviews()),
        "analysis": getattr(version, "analysis", None),
        "statuses": Status.choices,
        "stalled": actions.is_stalled(version),
        "draft": request.session.pop(REVIEW_DRAFT, None) if can_review else None,
    }
    return render(request, "scorecards/version.html", context)


def _reviewable_or_404(request: HttpRequest, pk: int) -> PolicyVersion:
    """A version its state's staff may review; a 404 for staff of another state."""
    version = _version_or_404(request, pk)
    if not is_staff_for(request.user, version.policy.agency.jurisdiction.state):
        raise Http404(_("No such scorecard to review."))
    return version


def version_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress box alone, polled by the version page while the analysis runs."""
    version = _version_or_404(request, pk)
    context = {"version": version, "stalled": actions.is_stalled(version)}
    response = render(request, "scorecards/_progress.html", context)
    if version.job_state in (JobState.DONE, JobState.FAILED):
        response["HX-Refresh"] = "true"
    return response


def version_sections(request: HttpRequest, pk: int) -> HttpResponse:
    """The version's text, section by section, with one rule's quotes marked."""
    version = _version_or_404(request, pk)
    rule_id = request.GET.get("rule", "")
    evidence: list[dict[str, Any]] = []
    for result in version.rule_results.all():
        if result.rule_id == rule_id:
            evidence = list(result.evidence)
    sections = version.sections.all()
    return render(
        request,
        "scorecards/sections.html",
        {"version": version, "sections": sections, "evidence": evidence, "rule": rule_id},
    )


@require_POST
@role_required(Role.STAFF)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or override one rule; a stale form shows what the other reviewer saved."""
    version = _reviewable_or_404(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The review form was incomplete; nothing was saved."))
        return redirect(version)
    data = form.cleaned_data
    try:
        actions.review_rule(
            version,
            data["rule"],
            status=data["status"],
            reason=data["reason"],
            in_practice_only=data["in_practice_only"],
            user=_user(request),
            revision=data["revision"],
            passage=data["passage"],
        )
    except ActionError as exc:
        # Keep what the reviewer chose and wrote; the page shows it again, the error beside it.
        request.session[REVIEW_DRAFT] = {
            "rule": data["rule"],
            "status": data["status"],
            "in_practice_only": data["in_practice_only"],
            "reason": data["reason"],
            "passage": data["passage"],
            "error": str(exc),
        }
    else:
        messages.success(request, _("Saved your review of rule %(rule)s.") % {"rule": data["rule"]})
    return redirect(f"{version.get_absolute_url()}#rule-{data['rule']}")


@require_POST
@role_required(Role.STAFF)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm every rule nobody has reviewed yet."""
    version = _reviewable_or_404(request, pk)
    try:
        count = actions.confirm_remaining(
            version, user=_user(request), revision=int(request.POST.get("revision", "-1"))
        )
    except (ActionError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Confirmed %(count)s rules.") % {"count": count})
    return redirect(version)


@require_POST
@role_required(Role.STAFF)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a reviewed version, or take it back off the public pages."""
    version = _reviewable_or_404(request, pk)
    try:
        if request.POST.get("unpublish"):
            actions.unpublish(version)
            messages.success(request, _("Taken off the public pages."))
        else:
            actions.publish(version, user=_user(request))
            messages.success(request, _("Published. The public map and table now show it."))
    except ActionError as exc:
        messages.error(request, str(exc))
    return redirect(version)


@require_POST
@role_required(Role.VOLUNTEER)
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a failed analysis again on the kept file."""
    version = _version_or_404(request, pk)
    try:
        actions.retry_analysis(version)
    except ActionError as exc:
        messages.error(request, str(exc))
    return redirect(version)


def report(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    """Download an annotated policy, a redline or a meeting packet as Word, PDF or HTML."""
    version = _version_or_404(request, pk)
    try:
        content, name, content_type = reports.render_report(
            version, kind, fmt, document_language(request)
        )
    except ValueError as exc:
        raise Http404(
            _("Reports come as annotated, redline or packet, in docx, pdf or html.")
        ) from exc
    except reports.ReportUnavailable:
        messages.error(
            request,
            _("This version was analysed before reports were kept; ask staff to analyse it again."),
        )
        return redirect(version)
    response = HttpResponse(content, content_type=content_type)
    attach(response, name, inline=fmt == "html")
    return response


def compare_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions of an agency's policy: the sections that changed and the statuses that moved."""
    agency = get_object_or_404(Agency.objects.select_related("jurisdiction"), pk=pk)
    choices = [v for v in _visible_versions(request, agency) if v.job_state == JobState.DONE]
    by_id = {str(v.pk): v for v in choices}
    old, new = by_id.get(request.GET.get("old", "")), by_id.get(request.GET.get("new", ""))
    if old is None or new is None:
        if len(choices) < 2:
            messages.error(request, _("Comparing needs two analysed versions of the policy."))
            return redirect(agency)
        new, old = choices[0], choices[1]
    try:
        body = comparison_body(
            compare(*(in_language(reports.reviewed_scorecard(v), rules_in()) for v in (old, new))),
            language=reader_language(),
        )
    except reports.ReportUnavailable:
        messages.error(request, _("One of these versions must be analysed again first."))
        return redirect(agency)
    context = {
        "agency": agency,
        "choices": choices,
        "old": old,
        "new": new,
        "comparison": mark_safe(body),
    }
    return render(request, "scorecards/compare.html", context)


@cache_control(max_age=86400, public=True)
def compare_css(request: HttpRequest) -> HttpResponse:
    """The comparison's styles as a stylesheet: the Content-Security-Policy allows no
    inline ``<style>``, and the library's standalone HTML reports share these rules."""
    return HttpResponse(COMPARE_CSS, content_type="text/css; charset=utf-8")


@role_required(Role.STAFF)
def review_queue(request: HttpRequest) -> HttpResponse:
    """Drafts waiting for review, and analyses that failed."""
    states = staff_states(request.user)
    drafts = (
        PolicyVersion.objects.filter(published_at__isnull=True)
        .filter(
            Q() if states is None else Q(policy__agency__jurisdiction__state__in=sorted(states))
        )
        .select_related("policy__agency__jurisdiction")
        .order_by("-uploaded_at")
    )
    return render(request, "scorecards/queue.html", {"drafts": drafts})


@role_required(Role.STAFF)
def job_queue(request: HttpRequest) -> HttpResponse:
    """The analysis queue for staff: what waits, runs and failed, and whether the workers live."""
    return render(request, "scorecards/jobs.html", jobs.queue_state())


@role_required(Role.STAFF)
def moves(request: HttpRequest) -> HttpResponse:
    """Rule statuses that moved when a new judge read the policies again, for staff to check."""
    states = staff_states(request.user)
    rows = [
        row
        for row in learning.waiting_moves()
        if states is None or row.move.version.policy.agency.jurisdiction.state in states
    ]
    return render(request, "scorecards/moves.html", {"rows": rows})


@require_POST
@role_required(Role.STAFF)
def decide_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a moved status, or keep the old one (which records a review)."""
    move = get_object_or_404(
        StatusMove.objects.select_related("version__policy__agency__jurisdiction"), pk=pk
    )
    if not is_staff_for(request.user, move.version.policy.agency.jurisdiction.state):
        raise Http404(_("No such status move to check."))
    try:
        if request.POST.get("decision") == "keep":
            learning.keep_old_status(move, user=_user(request))
            messages.success(
                request, _("Kept the old status of rule %(rule)s.") % {"rule": move.rule_id}
            )
        else:
            learning.confirm_move(move, user=_user(request))
            messages.success(
                request, _("Confirmed the new status of rule %(rule)s.") % {"rule": move.rule_id}
            )
    except ActionError as exc:
        messages.error(request, str(exc))
    return redirect("moves")
