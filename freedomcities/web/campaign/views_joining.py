"""Pages for getting in: the invitation link, asking to join, and organizers' answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from freedomcities.web.accounts.decorators import role_required
from freedomcities.web.accounts.guard import over_limit
from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign import access, joining
from freedomcities.web.campaign.forms_joining import AskToJoinForm, SignUpForm
from freedomcities.web.campaign.models import JoinRequest
from freedomcities.web.campaign.reminders import site_url
from freedomcities.web.errors import ActionError

BACKEND = "django.contrib.auth.backends.ModelBackend"
signed_in = role_required(Role.VOLUNTEER)


@require_POST
@signed_in
def group_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Make an invitation link for the group and show it, once, on the members page."""
    group = access.group_or_404(request, pk)
    assert isinstance(request.user, User)
    email = request.POST.get("email", "").strip()
    try:
        if email:
            validate_email(email)
        invitation, key = joining.invite(group, by=request.user, email=email)
        link = site_url() + reverse("join", args=[key])
        request.session["invitation_link"] = link
        if email:
            joining.send_invitation(invitation, link)
            messages.success(
                request, _("The invitation is on its way to %(email)s.") % {"email": email}
            )
    except ValidationError:
        messages.error(
            request, _("%(email)s does not look like an e-mail address.") % {"email": email}
        )
    except ActionError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("group_members", args=[group.pk]) + "#invite")


def join(request: HttpRequest, key: str) -> HttpResponse:
    """An invitation link: sign up (or, signed in, just join) and land on the group's page."""
    try:
        invitation = joining.open_invitation(key)
    except ActionError as exc:
        return render(request, "campaign/join.html", {"problem": str(exc)}, status=410)
    if request.user.is_authenticated:
        form = None
        if request.method == "POST":
            assert isinstance(request.user, User)
            return _accept(request, key, request.user)
    else:
        form = SignUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.save()
            login(request, user, backend=BACKEND)
            return _accept(request, key, user)
    context = {"invitation": invitation, "group": invitation.group, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "campaign/join.html", context, status=status)


def _accept(request: HttpRequest, key: str, user: User) -> HttpResponse:
    """Spend the invitation and go to the group, or say why not."""
    try:
        member = joining.accept(key, user)
    except ActionError as exc:
        return render(request, "campaign/join.html", {"problem": str(exc)}, status=410)
    messages.success(
        request,
        _("Welcome to %(group)s! Here are its campaigns and meetings.")
        % {"group": member.group.name},
    )
    return redirect(member.group)


def ask_to_join(request: HttpRequest) -> HttpResponse:
    """Anyone may ask to join a group; the account opens when an organizer approves."""
    form = AskToJoinForm(request.POST or None, initial={"group": request.GET.get("group")})
    if request.method == "POST":
        if over_limit(request, "ask_to_join"):
            return render(
                request, "campaign/ask_to_join.html", {"form": form, "too_many": True}, status=429
            )
        if form.is_valid():
            user = form.save(commit=False)
            user.is_active = False  # opens when an organizer approves
            user.save()
            joining.ask_to_join(form.cleaned_data["group"], user, form.cleaned_data["message"])
            return redirect("ask_to_join_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "campaign/ask_to_join.html", {"form": form}, status=status)


def ask_to_join_sent(request: HttpRequest) -> HttpResponse:
    """After asking: what happens next (a page of its own, so a reload sends nothing twice)."""
    return render(request, "campaign/ask_to_join.html", {"sent": True})


@require_POST
@signed_in
def decide_request(request: HttpRequest, pk: int) -> HttpResponse:
    """An organizer approves or declines a request to join."""
    join_request = get_object_or_404(JoinRequest.objects.select_related("group", "user"), pk=pk)
    group = access.group_or_404(request, join_request.group_id)
    assert isinstance(request.user, User)
    approve = request.POST.get("answer") == "approve"
    try:
        joining.decide(join_request, approve=approve, by=request.user)
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        who = join_request.user.get_full_name() or join_request.user.get_username()
        text = _("%(who)s is in the group.") if approve else _("%(who)s's request was declined.")
        messages.success(request, text % {"who": who})
    return redirect("group_members", pk=group.pk)
