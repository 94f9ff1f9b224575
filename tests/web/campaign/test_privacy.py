"""Privacy: a group's notes, members, promises and reports stay with the group and staff.

A volunteer of another group gets a 404 (not a 403, so private things do not
even show that they exist); the public sees officials' answers only once staff
publish them; staff see everything. No model has a field for anyone's
immigration status.
"""

from __future__ import annotations

import datetime
import re

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from freedomcities.web.campaign import access
from freedomcities.web.campaign.models import Answer, Group, Meeting, Person, Promise, Report
from freedomcities.web.jurisdictions.models import Jurisdiction
from tests.web.campaign.conftest import MESA, days_ago

NOTE = "Private: the aide was hostile."


def _private_pages(group: Group, meeting: Meeting, report: Report, promise: Promise) -> list[str]:
    """Every page that shows the group's private things."""
    return [
        f"/groups/{group.pk}/",
        f"/groups/{group.pk}/members/",
        f"/groups/{group.pk}/promises/",
        f"/groups/{group.pk}/meetings/new/?place={MESA}",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/{meeting.pk}/outcome/",
        f"/meetings/{meeting.pk}/report/",
        f"/promises/{promise.pk}/",
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}/summary/",
        f"/reports/{report.pk}/summary/?format=txt",
        f"/reports/{report.pk}.csv",
        f"/reports/{report.pk}.pdf",
    ]


def test_a_volunteer_of_another_group_gets_404_everywhere(
    outsider_client: Client, group: Group, held_meeting: Meeting, report: Report, promise: Promise
) -> None:
    for url in _private_pages(group, held_meeting, report, promise):
        response = outsider_client.get(url)
        assert response.status_code == 404, url
        assert NOTE not in response.content.decode(), url


def test_a_volunteer_of_another_group_cannot_write_either(
    outsider_client: Client,
    group: Group,
    held_meeting: Meeting,
    report: Report,
    promise: Promise,
    chief: Person,
) -> None:
    writes = {
        f"/groups/{group.pk}/members/": {"who": "otto", "role": "organizer"},
        f"/groups/{group.pk}/promises/": {"text": "x", "due_on": days_ago(-1).isoformat()},
        f"/groups/{group.pk}/campaigns/": {"place": "Maricopa County"},
        f"/meetings/{held_meeting.pk}/outcome/": {"revision": "0", "notes": "overwritten"},
        f"/meetings/{held_meeting.pk}/agenda/": {},
        f"/promises/{promise.pk}/": {"state": "dropped"},
        f"/reports/{report.pk}/": {"decision": "accept", "publish": "on"},
    }
    for url, data in writes.items():
        assert outsider_client.post(url, data).status_code == 404, url
    assert Meeting.objects.get(pk=held_meeting.pk).notes == NOTE
    assert Promise.objects.get(pk=promise.pk).state == "open"
    assert not Answer.objects.filter(published_at__isnull=False).exists()
    assert not group.memberships.filter(user__username="otto").exists()


def test_signed_out_people_are_asked_to_sign_in(
    client: Client, group: Group, held_meeting: Meeting, report: Report, promise: Promise
) -> None:
    for url in _private_pages(group, held_meeting, report, promise):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_staff_see_every_private_page(
    staff_client: Client, group: Group, held_meeting: Meeting, report: Report, promise: Promise
) -> None:
    for url in _private_pages(group, held_meeting, report, promise):
        assert staff_client.get(url).status_code == 200, url
    assert NOTE in staff_client.get(f"/meetings/{held_meeting.pk}/").content.decode()
    assert "555-0101" in staff_client.get(f"/groups/{group.pk}/members/").content.decode()


def test_members_see_their_groups_notes_and_contacts(
    volunteer_client: Client, group: Group, held_meeting: Meeting
) -> None:
    assert NOTE in volunteer_client.get(f"/meetings/{held_meeting.pk}/").content.decode()
    assert "555-0101" in volunteer_client.get(f"/groups/{group.pk}/members/").content.decode()


def test_the_report_queue_is_for_staff_only(
    volunteer_client: Client, outsider_client: Client, client: Client, report: Report
) -> None:
    for url in ("/campaigns/reports/", "/campaigns/reports.csv", "/campaigns/reports.pdf"):
        assert volunteer_client.get(url).status_code == 403
        assert outsider_client.get(url).status_code == 403
        assert client.get(url).status_code == 302


def _panel(user: User | AnonymousUser, place: Jurisdiction) -> str:
    """The jurisdiction panel as the user sees it."""
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load campaign_tags %}{% jurisdiction_campaign j %}")
    return template.render(Context({"j": place, "request": request}))


def test_the_public_sees_only_published_positions(
    client: Client,
    outsider_client: Client,
    volunteer_client: Client,
    staff_client: Client,
    held_meeting: Meeting,
    chief: Person,
    mesa: Jurisdiction,
    outsider: User,
    volunteer: User,
    staff: User,
) -> None:
    person = f"/people/{chief.pk}/"
    assert "Evasive" not in client.get(person).content.decode()
    assert "Evasive" not in outsider_client.get(person).content.decode()
    assert "Evasive" in volunteer_client.get(person).content.decode()
    assert "Evasive" in staff_client.get(person).content.decode()
    assert "Evasive" not in _panel(AnonymousUser(), mesa)
    assert "Evasive" not in _panel(outsider, mesa)
    assert "Evasive" in _panel(volunteer, mesa) and "Evasive" in _panel(staff, mesa)
    held_meeting.answers.filter(rule_id="1").update(published_at=timezone.now())
    public = client.get(person).content.decode()
    assert "Evasive" in public and "Will put it in writing" not in public
    assert f"/meetings/{held_meeting.pk}/" not in public
    assert "Evasive" in _panel(AnonymousUser(), mesa)


def test_friendliness_is_the_groups_private_judgement(
    client: Client,
    outsider_client: Client,
    volunteer_client: Client,
    staff_client: Client,
    mayor: Person,
) -> None:
    for url in (f"/campaigns/{MESA}/officials/", f"/people/{mayor.pk}/"):
        assert "Ally" not in client.get(url).content.decode()
        assert "Ally" not in outsider_client.get(url).content.decode()
        assert "Ally" in volunteer_client.get(url).content.decode()
        assert "Ally" in staff_client.get(url).content.decode()


def test_upcoming_meetings_show_only_to_members(
    meeting: Meeting, mesa: Jurisdiction, outsider: User, volunteer: User
) -> None:
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=tomorrow)
    assert f"/meetings/{meeting.pk}/" in _panel(volunteer, mesa)
    assert f"/meetings/{meeting.pk}/" not in _panel(outsider, mesa)
    assert "Upcoming meetings" not in _panel(AnonymousUser(), mesa)


def test_the_access_helpers_agree(
    group: Group,
    held_meeting: Meeting,
    promise: Promise,
    outsider: User,
    volunteer: User,
    staff: User,
    organizer: User,
) -> None:
    assert access.can_see_group(volunteer, group) and not access.can_organize(volunteer, group)
    assert access.can_organize(organizer, group) and access.can_organize(staff, group)
    assert not access.can_see_group(outsider, group) and not access.can_see_group(None, group)
    assert list(access.visible_meetings(outsider)) == []
    assert list(access.visible_promises(outsider)) == []
    assert list(access.visible_meetings(volunteer)) == [held_meeting]
    assert list(access.visible_promises(staff)) == [promise]
    assert list(access.groups_of(AnonymousUser())) == []


def test_no_model_has_a_field_for_immigration_status() -> None:
    suspicious = re.compile(r"immigra|citizen|alien|documented|legal_status|visa|residency")
    for model in apps.get_models():
        for field in model._meta.get_fields():
            assert not suspicious.search(field.name), f"{model.__name__}.{field.name}"
