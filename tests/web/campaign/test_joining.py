"""Getting in without the command line: an invitation link, or a request an organizer approves."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from freedomcities.web.accounts.guard import form_stamp
from freedomcities.web.campaign import joining
from freedomcities.web.campaign.models import Group, GroupMember, GroupRole, Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_fill_timer(settings: object) -> None:
    """A test fills the public form at once; people take longer than the timer's minimum."""
    settings.EVENTS_MIN_FILL_SECONDS = 0  # type: ignore[attr-defined]


NEW_PASSWORD = "a long walk to the city council"


def _link(organizer_client: Client, group: Group) -> str:
    """Make an invitation on the members page, as an organizer does, and read the link."""
    response = organizer_client.post(f"/groups/{group.pk}/invite/", follow=True)
    found = re.search(r'value="http://[^"/]+(/join/[^"]+/)"', response.content.decode())
    assert found, "the members page shows the new link"
    return found.group(1)


def _sign_up(**changes: str) -> dict[str, str]:
    data = {
        "username": "nina",
        "first_name": "Nina",
        "email": "nina@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def test_an_invitation_link_signs_a_new_volunteer_up_into_the_group_once(
    organizer_client: Client, group: Group
) -> None:
    link = _link(organizer_client, group)
    newcomer = Client()
    assert "Join People Power Mesa" in newcomer.get(link).content.decode()
    response = newcomer.post(link, _sign_up())
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    nina = User.objects.get(username="nina")
    assert GroupMember.objects.get(group=group, user=nina).role == GroupRole.MEMBER
    assert "Welcome to People Power Mesa" in newcomer.get(group.get_absolute_url()).content.decode()
    # Single use: the next person is told plainly, with nothing created.
    again = Client().post(link, _sign_up(username="omar", email="omar@example.org"))
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert not User.objects.filter(username="omar").exists()


def test_an_expired_or_unknown_link_says_what_to_do(organizer_client: Client, group: Group) -> None:
    link = _link(organizer_client, group)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    expired = Client().get(link)
    assert expired.status_code == 410 and "has expired" in expired.content.decode()
    unknown = Client().get("/join/not-a-key/")
    assert unknown.status_code == 410 and "not one we know" in unknown.content.decode()


def test_a_weak_password_is_explained_beside_its_field_and_nothing_is_lost(
    organizer_client: Client, group: Group
) -> None:
    link = _link(organizer_client, group)
    response = Client().post(link, _sign_up(password1="nina", password2="nina"))
    html = response.content.decode()
    assert response.status_code == 400
    field = html.split('for="id_password2"')[1].split("</p>")[0]
    assert "too short" in field  # Django's own validator, beside the field
    assert 'value="nina@example.org"' in html and 'value="Nina"' in html
    assert not User.objects.filter(username="nina").exists()
    assert Invitation.objects.get().used_at is None


def test_a_signed_in_volunteer_joins_with_one_button(
    organizer_client: Client, group: Group, outsider: User, outsider_client: Client
) -> None:
    link = _link(organizer_client, group)
    assert outsider_client.post(link).status_code == 302
    assert GroupMember.objects.filter(group=group, user=outsider).exists()


def test_only_organizers_make_invitations(client: Client, group: Group, volunteer: User) -> None:
    with pytest.raises(Exception, match="Only the group's organizers"):
        joining.invite(group, by=volunteer)
    member = Client()
    member.force_login(volunteer)
    member.post(f"/groups/{group.pk}/invite/")
    assert not Invitation.objects.exists()


def test_asking_to_join_waits_for_an_organizer(organizer_client: Client, group: Group) -> None:
    asker = Client()
    form = asker.get("/join/ask/").content.decode()
    assert "A group in Mesa, AZ" in form
    assert "People Power Mesa" not in form  # a group's name is for its members and staff
    data = {**_sign_up(), "group": str(group.pk), "message": "I live near Main St.",
            "website": "", "started": form_stamp()}  # fmt: skip
    sent = asker.post("/join/ask/", data)
    assert sent.status_code == 302 and sent["Location"] == "/join/ask/sent/"
    nina = User.objects.get(username="nina")
    assert not nina.is_active
    assert not Client().login(username="nina", password=NEW_PASSWORD)  # closed until approved
    members = organizer_client.get(f"/groups/{group.pk}/members/").content.decode()
    assert "I live near Main St." in members
    request = nina.join_requests.get()
    organizer_client.post(f"/join/requests/{request.pk}/", {"answer": "approve"})
    nina.refresh_from_db()
    assert nina.is_active and GroupMember.objects.filter(group=group, user=nina).exists()
    assert Client().login(username="nina", password=NEW_PASSWORD)


def test_a_robot_filling_the_honeypot_gets_no_account(group: Group) -> None:
    data = {**_sign_up(), "group": str(group.pk), "website": "http://spam.example",
            "started": form_stamp()}  # fmt: skip
    response = Client().post("/join/ask/", data)
    assert response.status_code == 400
    assert not User.objects.filter(username="nina").exists()


def test_an_organizer_e_mails_an_invitation(organizer_client: Client, group: Group) -> None:
    from django.core import mail

    response = organizer_client.post(
        f"/groups/{group.pk}/invite/", {"email": "Nina@Example.org"}, follow=True
    )
    assert "The invitation is on its way to Nina@Example.org" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["nina@example.org"] and "People Power Mesa" in message.subject
    link = re.search(r"http://\S+(/join/\S+/)", message.body)
    assert link is not None
    assert Invitation.objects.get().email == "nina@example.org"
    assert Client().post(link.group(1), _sign_up()).status_code == 302
    bad = organizer_client.post(f"/groups/{group.pk}/invite/", {"email": "nina@"}, follow=True)
    assert "nina@ does not look like an e-mail address." in bad.content.decode()
    assert Invitation.objects.count() == 1
