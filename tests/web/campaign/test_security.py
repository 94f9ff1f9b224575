"""Staff see their own states only; a reported meeting is locked until staff reopen it;
a private group's name is not reachable from any public address."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.contrib.auth.models import User
from django.test import Client

from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign import reopen
from freedomcities.web.campaign.feeds import group_feed_token
from freedomcities.web.campaign.models import (
    Group,
    Meeting,
    MeetingStatus,
    Person,
    Promise,
    ReopenRequest,
    Report,
    ReportState,
)
from freedomcities.web.errors import ActionError
from tests.web.campaign.conftest import client_for
from tests.web.campaign.test_api import Caller
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(staff: User) -> Caller:
    """Arizona's staff, through the API."""
    return Caller(staff)


@pytest.fixture
def vera(volunteer: User) -> Caller:
    """A member of the Mesa group, through the API."""
    return Caller(volunteer)


@pytest.fixture
def texan_staff(db: None) -> User:
    """Tess, affiliate staff for Texas only."""
    return make_user("tess", Role.STAFF, states="TX")


def private_addresses(
    group: Group, meeting: Meeting, promise: Promise, report: Report
) -> list[str]:
    """Every page of the group's private campaign."""
    return [
        f"/groups/{group.pk}/",
        f"/groups/{group.pk}/members/",
        f"/groups/{group.pk}/promises/",
        f"/groups/{group.pk}/follow-ups/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/edit/",
        f"/promises/{promise.pk}/",
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}.csv",
    ]


def test_staff_of_another_state_get_404_on_the_groups_pages(
    texan_staff: User, staff: User, group: Group, promise: Promise, report: Report
) -> None:
    meeting = report.meeting
    texan, arizonan = client_for(texan_staff), client_for(staff)
    for url in private_addresses(group, meeting, promise, report):
        assert texan.get(url).status_code == 404, url
        assert arizonan.get(url).status_code == 200, url
    assert group.name not in texan.get("/groups/").content.decode()
    assert group.name not in texan.get("/campaigns/reports/?show=").content.decode()
    assert group.name in arizonan.get("/campaigns/reports/").content.decode()
    review = texan.post(f"/reports/{report.pk}/", {"decision": "accept", "publish": "on"})
    assert review.status_code == 404
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_staff_of_another_state_get_404_through_the_api(
    texan_staff: User, sam: Caller, group: Group, promise: Promise, report: Report
) -> None:
    tess = Caller(texan_staff)
    meeting = report.meeting
    for path in (
        f"/groups/{group.pk}",
        f"/meetings/{meeting.pk}",
        f"/promises/{promise.pk}",
        f"/reports/{report.pk}",
    ):
        assert tess.get(path).status_code == 404, path
        assert sam.get(path).status_code == 200, path
    assert tess.post(f"/reports/{report.pk}/accept", {"publish": True}).status_code == 404
    assert [g["id"] for g in tess.get("/groups").json()["items"]] == []
    assert tess.get("/reports").json()["items"] == []
    assert [r["id"] for r in sam.get("/reports").json()["items"]] == [report.pk]
    assert tess.get("/promises").json()["items"] == []


def test_admins_see_every_state_and_staff_without_states_see_none(
    group: Group, report: Report
) -> None:
    admin = User.objects.create_superuser("ada", "ada@example.org", "correct horse battery")
    unassigned = make_user("una", Role.STAFF)
    assert client_for(admin).get(f"/groups/{group.pk}/").status_code == 200
    assert client_for(unassigned).get(f"/groups/{group.pk}/").status_code == 404


def test_a_reported_meeting_cannot_be_edited_by_page_or_api(
    report: Report, volunteer: User, vera: Caller
) -> None:
    meeting = report.meeting
    before = (meeting.place, meeting.agenda, meeting.starts_at)
    page = client_for(volunteer)
    edit = page.post(
        f"/meetings/{meeting.pk}/edit/",
        {"status": "scheduled", "requested_on": "2020-01-01", "place": "Somewhere else"},
    )
    assert edit.status_code in (400, 403)
    page.post(f"/meetings/{meeting.pk}/agenda/")
    patched = vera.patch(f"/meetings/{meeting.pk}", {"place": "Somewhere else"})
    assert patched.status_code == 409 and "locked" in patched.json()["detail"]
    outcome = vera.post(
        f"/meetings/{meeting.pk}/outcome",
        {"held_at": "2020-01-01T10:00:00Z", "revision": meeting.revision, "answers": []},
    )
    assert outcome.status_code in (400, 409, 422)
    redraft = vera.post(f"/meetings/{meeting.pk}/agenda")
    assert redraft.status_code == 409
    meeting.refresh_from_db()
    assert (meeting.place, meeting.agenda, meeting.starts_at) == before
    assert meeting.status == MeetingStatus.REPORTED
    assert meeting.answers.count() == 2


def test_a_request_to_reopen_is_recorded_and_staff_of_the_state_grant_it(
    report: Report, volunteer: User, staff: User, texan_staff: User
) -> None:
    meeting = report.meeting
    member = client_for(volunteer)
    page = member.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Ask staff to reopen" in page
    member.post(f"/meetings/{meeting.pk}/reopen/", {"reason": "The chief's answer on rule 5."})
    asked = ReopenRequest.objects.get(meeting=meeting)
    assert asked.granted is None and asked.requested_by == volunteer
    with pytest.raises(ActionError):
        reopen.decide_reopen(asked, by=texan_staff, grant=True)
    assert client_for(texan_staff).post(f"/reopen-requests/{asked.pk}/").status_code == 404
    client_for(staff).post(f"/reopen-requests/{asked.pk}/", {"decision": "grant"})
    asked.refresh_from_db()
    meeting.refresh_from_db()
    report.refresh_from_db()
    assert asked.granted is True and asked.decided_by == staff
    assert meeting.status == MeetingStatus.HELD and report.state == ReportState.RETURNED
    reopen.ensure_unlocked(meeting)  # no longer refused


def public_links(html: str, base: str) -> list[str]:
    """Same-site addresses linked from a page (href and src)."""

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("href", "src") and value:
                    self.found.append(urljoin(base, value))

    parser = Links()
    parser.feed(html)
    return [u for u in parser.found if urlparse(u).netloc in ("", "testserver")]


def test_a_private_groups_name_is_on_no_public_page_or_feed(
    group: Group, promise: Promise, report: Report, mesa: object
) -> None:
    """Crawl the site signed out from the home page, plus every address a guesser would try."""
    client = Client()
    start = [
        "/",
        "/states/az/",
        "/events/",
        "/api/events/",
        "/api/campaign/groups",
        "/events/events.csv",
        f"/events/feeds/j/{group.home.ocd_id}.ics",
    ]
    start += [f"/events/feeds/group/{pk}.ics" for pk in range(0, group.pk + 3)]
    start += [f"/groups/{group.pk}/", f"/api/campaign/groups/{group.pk}"]
    place = group.home.ocd_id
    start += [f"/j/{place}/", f"/campaigns/{place}/officials/", "/api/campaign/meetings/1"]
    start += [f"/people/{pk}/" for pk in Person.objects.values_list("pk", flat=True)]
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < 400:
        url = queue.pop(0)
        path = urlparse(url).path + (f"?{urlparse(url).query}" if urlparse(url).query else "")
        if path in seen or re.search(r"/(logout|i18n|admin)/", path):
            continue
        seen.add(path)
        if path.startswith("/static/"):
            continue
        response = client.get(path)
        body = response.content.decode("utf-8", "replace")
        assert group.name not in body, f"{group.name!r} is readable at {path}"
        assert group.name not in str(response.headers), path
        if "html" in response.get("Content-Type", ""):
            queue += public_links(body, "http://testserver" + path)
    assert len(seen) > 20
    assert group_feed_token(group) not in "".join(seen)
