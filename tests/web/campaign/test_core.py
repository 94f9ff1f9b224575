"""The campaign tracker's actions and pages: groups, officials, meetings, outcomes, reports.

Each test drives the real pages through Django's test client (or calls an
action directly, as the JSON API will) on the real test database.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pydantic
import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client, RequestFactory

from freedomcities.web.campaign import actions, agenda
from freedomcities.web.campaign.actions import ActionError
from freedomcities.web.campaign.inputs import (
    AcceptIn,
    AnswerIn,
    GroupIn,
    OfficialIn,
    OutcomeIn,
    PlaceIn,
    PromiseIn,
    ReportIn,
    StageIn,
    checked,
)
from freedomcities.web.campaign.models import (
    Answer,
    Change,
    Group,
    GroupMember,
    GroupRole,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
    Promise,
    PromiseState,
    Report,
    ReportState,
)
from freedomcities.web.jurisdictions.models import Jurisdiction, Stage
from tests.web.campaign.conftest import MESA, days_ago, hours_ago, plan_for
from tests.web.conftest import make_user


def _text(response: Any) -> str:
    """A response's body as text."""
    return str(response.content.decode())


def _outcome_post(meeting: Meeting, **fields: str) -> dict[str, str]:
    """The outcome form's fields: the meeting's revision, when it was held, and ``fields``."""
    return {
        "revision": str(meeting.revision),
        "held_at": hours_ago(26).strftime("%Y-%m-%dT%H:%M"),
        **fields,
    }


def _reload(jurisdiction: Jurisdiction) -> str:
    """The jurisdiction's stage as stored."""
    return Jurisdiction.objects.get(pk=jurisdiction.pk).stage


# Groups ---------------------------------------------------------------------------------------


class TestGroups:
    def test_an_organizer_starts_a_group_and_leads_it(
        self, organizer_client: Client, organizer: User, mesa: Jurisdiction
    ) -> None:
        response = organizer_client.post(
            "/groups/new/", {"name": "Mesa Freedom", "state": "AZ", "home": "Mesa, AZ"}
        )
        group = Group.objects.get(name="Mesa Freedom")
        assert response.status_code == 302 and response["Location"] == f"/groups/{group.pk}/"
        assert GroupMember.objects.get(group=group, user=organizer).role == GroupRole.ORGANIZER
        assert list(group.jurisdictions.all()) == [mesa]
        assert _reload(mesa) == Stage.RESEARCHING
        assert Change.objects.filter(group=group, subject="group", action="created").exists()
        page = _text(organizer_client.get(f"/groups/{group.pk}/"))
        assert "Mesa Freedom" in page and "Plan a meeting" in page

    def test_a_volunteer_cannot_start_a_group(
        self, volunteer_client: Client, arizona: object
    ) -> None:
        response = volunteer_client.post("/groups/new/", {"name": "X", "state": "AZ"})
        assert response.status_code == 403
        assert not Group.objects.exists()

    def test_an_unknown_home_gets_a_clear_message(
        self, organizer_client: Client, arizona: object
    ) -> None:
        response = organizer_client.post(
            "/groups/new/", {"name": "Lost", "state": "AZ", "home": "Atlantis"}
        )
        assert response.status_code == 400
        assert "No single city or county called “Atlantis” in AZ" in _text(response)
        assert not Group.objects.exists()

    def test_the_action_refuses_an_empty_name_and_an_unknown_state(
        self, organizer: User, arizona: object
    ) -> None:
        with pytest.raises(ActionError, match="name"):
            actions.create_group(checked(GroupIn, name="  ", state="AZ"), by=organizer)
        with pytest.raises(ActionError, match="state"):
            actions.create_group(GroupIn(name="G", state="ZZ"), by=organizer)

    def test_organizers_add_members_by_username_or_email(
        self, organizer_client: Client, group: Group
    ) -> None:
        newcomer = make_user("nina", "volunteer")
        response = organizer_client.post(
            f"/groups/{group.pk}/members/",
            {"who": "NINA@example.org", "role": "member", "phone": "555-0199"},
        )
        assert response.status_code == 302
        member = GroupMember.objects.get(group=group, user=newcomer)
        assert member.role == GroupRole.MEMBER and member.phone == "555-0199"
        organizer_client.post(f"/groups/{group.pk}/members/", {"who": "nina", "role": "organizer"})
        member.refresh_from_db()
        assert member.role == GroupRole.ORGANIZER
        assert Change.objects.filter(subject="member", subject_id=member.pk).count() == 2
        page = _text(organizer_client.get(f"/groups/{group.pk}/members/"))
        assert "nina@example.org" in page and "555-0199" in page

    @pytest.mark.parametrize(
        ("who", "message"),
        [("ghost", "Nobody has signed up as ghost"), ("vera", "vera is already in the group")],
    )
    def test_unknown_people_and_members_twice_get_a_message(
        self, organizer_client: Client, group: Group, who: str, message: str
    ) -> None:
        response = organizer_client.post(
            f"/groups/{group.pk}/members/", {"who": who, "role": "member"}
        )
        assert response.status_code == 400
        assert message in _text(response)

    def test_members_may_not_add_members(self, volunteer_client: Client, group: Group) -> None:
        response = volunteer_client.post(
            f"/groups/{group.pk}/members/", {"who": "olga", "role": "member"}
        )
        assert response.status_code == 403

    def test_adding_campaigns_checks_the_place_and_state(
        self, organizer_client: Client, group: Group, arizona: Jurisdiction
    ) -> None:
        county = Jurisdiction.objects.get(name="Maricopa County")
        response = organizer_client.post(
            f"/groups/{group.pk}/campaigns/", {"place": "Maricopa County"}, follow=True
        )
        assert "now campaigns in Maricopa County" in _text(response)
        assert group.jurisdictions.filter(pk=county.pk).exists()
        again = organizer_client.post(
            f"/groups/{group.pk}/campaigns/", {"place": "Maricopa County"}, follow=True
        )
        assert "already campaigns in Maricopa County" in _text(again)
        unknown = organizer_client.post(
            f"/groups/{group.pk}/campaigns/", {"place": "Nowhere"}, follow=True
        )
        assert "No single city or county called “Nowhere”" in _text(unknown)
        elsewhere = Jurisdiction.objects.create(
            ocd_id="ocd-division/country:us/state:nm/place:taos",
            kind="place",
            name="Taos",
            state="NM",
        )
        organizer = User.objects.get(username="olga")
        with pytest.raises(ActionError, match="not in AZ"):
            actions.add_campaign(group, PlaceIn(jurisdiction=elsewhere.ocd_id), by=organizer)

    def test_the_group_page_shows_meetings_open_and_overdue_promises(
        self, volunteer_client: Client, group: Group, held_meeting: Meeting, volunteer: User
    ) -> None:
        Promise.objects.create(group=group, text="Send the model rules", due_on=days_ago(3))
        Promise.objects.create(group=group, text="Call the mayor", due_on=days_ago(-5))
        page = _text(volunteer_client.get(f"/groups/{group.pk}/"))
        overdue = page.index("Overdue")
        assert overdue < page.index("Send the model rules") < page.index("Open promises")
        assert "Call the mayor" in page
        assert "Held" in page and "Mesa, AZ" in page

    def test_my_groups(self, volunteer_client: Client, group: Group, staff_client: Client) -> None:
        assert "People Power Mesa" in _text(volunteer_client.get("/groups/"))
        assert "People Power Mesa" in _text(staff_client.get("/groups/"))


# Officials ------------------------------------------------------------------------------------


class TestOfficials:
    def test_an_organizer_lists_an_official_as_person_post_and_membership(
        self, organizer_client: Client, group: Group, mesa: Jurisdiction
    ) -> None:
        response = organizer_client.post(
            f"/campaigns/{MESA}/officials/new/",
            {
                "name": "Mark Freeman",
                "role": "council_member",
                "label": "Council member, district 1",
                "email": "d1@mesa.example",
                "phone": "480-555-0111",
                "friendliness": "opposed",
                "group": group.pk,
            },
        )
        assert response.status_code == 302
        person = Person.objects.get(name="Mark Freeman")
        membership = Membership.objects.get(person=person)
        assert membership.post.jurisdiction == mesa and membership.post.role == "council_member"
        assert person.added_by == group and person.friendliness == "opposed"
        assert Change.objects.filter(subject="person", subject_id=person.pk).exists()
        page = _text(organizer_client.get(f"/campaigns/{MESA}/officials/"))
        assert "Mark Freeman" in page and "Council member, district 1" in page
        assert "Opposed" in page

    def test_bad_official_input_gets_messages(
        self, organizer_client: Client, group: Group, mesa: Jurisdiction, organizer: User
    ) -> None:
        response = organizer_client.post(
            f"/campaigns/{MESA}/officials/new/",
            {"name": "", "role": "king", "email": "not-an-address", "group": group.pk},
        )
        assert response.status_code == 400
        page = _text(response)
        assert "This field is required" in page and "valid e-mail" in page.replace(
            "email", "e-mail"
        )
        # The API's type refuses it for the page too: one check of the choices, in inputs.py.
        with pytest.raises(ActionError, match="friendliness"):
            checked(OfficialIn, group=group.pk, role="mayor", name="X", friendliness="friendly")
        assert not Person.objects.exists()

    def test_volunteers_cannot_add_officials(self, volunteer_client: Client, group: Group) -> None:
        assert volunteer_client.get(f"/campaigns/{MESA}/officials/new/").status_code == 403

    def test_editing_records_the_change_and_leaving_office_takes_them_off_the_list(
        self, organizer_client: Client, chief: Person
    ) -> None:
        response = organizer_client.post(
            f"/people/{chief.pk}/edit/",
            {
                "name": chief.name,
                "email": "new@mesa.example",
                "friendliness": "ally",
                "left_office_on": days_ago(1).isoformat(),
            },
        )
        assert response.status_code == 302
        chief.refresh_from_db()
        assert chief.friendliness == "ally" and chief.email == "new@mesa.example"
        change = Change.objects.filter(subject="person", action="edited").get()
        assert change.details["friendliness"] == ["undecided", "ally"]
        assert chief.name not in _text(organizer_client.get(f"/campaigns/{MESA}/officials/"))

    def test_members_cannot_edit_officials(self, volunteer_client: Client, chief: Person) -> None:
        assert volunteer_client.get(f"/people/{chief.pk}/edit/").status_code == 403

    def test_an_unknown_place_or_person_is_404(self, client: Client, arizona: object) -> None:
        assert (
            client.get("/campaigns/ocd-division/country:us/state:zz/officials/").status_code == 404
        )
        assert client.get("/people/999/").status_code == 404


# Meetings -------------------------------------------------------------------------------------


class TestMeetings:
    def test_the_agenda_puts_missing_rules_first_with_reasons_then_thanks(
        self, published_scorecard: object, mesa: Jurisdiction
    ) -> None:
        drafted = agenda.draft_agenda(mesa)
        missing, thanks = drafted.split("Rules already in place")
        assert "Rule 1, Judicial Warrant Rule (Mesa Police Department: conflicts)" in missing
        assert "Why: Police and jails should not hold anyone" in missing
        assert "Rule 4, Clear Identification Rule" in thanks and "Rule 9" in thanks
        assert "Rule 4," not in missing and "Why:" not in thanks
        assert missing.index("Rule 2,") < missing.index("Rule 3,")

    def test_without_a_scorecard_every_rule_is_to_ask_about(self, mesa: Jurisdiction) -> None:
        drafted = agenda.draft_agenda(mesa)
        assert "no published policy yet" in drafted and "Rules already in place" not in drafted

    def test_planning_a_meeting_drafts_the_agenda_and_moves_the_stage(
        self,
        volunteer_client: Client,
        group: Group,
        chief: Person,
        mesa: Jurisdiction,
        volunteer: User,
        published_scorecard: object,
    ) -> None:
        form = _text(volunteer_client.get(f"/groups/{group.pk}/meetings/new/?place={MESA}"))
        assert "Judicial Warrant Rule" in form and "Ramon Batista" in form
        response = volunteer_client.post(
            f"/groups/{group.pk}/meetings/new/?place={MESA}",
            {
                "status": "requested",
                "requested_on": days_ago(2).isoformat(),
                "request_note": "Called the front desk",
                "officials": [chief.pk],
                "attendees": [volunteer.pk],
                "spokesperson": volunteer.pk,
                "agenda": "Our own agenda",
            },
        )
        meeting = Meeting.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
        assert meeting.status == MeetingStatus.REQUESTED and meeting.agenda == "Our own agenda"
        assert list(meeting.officials.all()) == [chief]
        assert _reload(mesa) == Stage.MEETING_REQUESTED
        page = _text(volunteer_client.get(f"/meetings/{meeting.pk}/"))
        assert "Called the front desk" in page and "Our own agenda" in page

    def test_a_request_with_a_date_is_scheduled(
        self, group: Group, mesa: Jurisdiction, volunteer: User
    ) -> None:
        plan = plan_for(mesa, requested_on=days_ago(3), starts_at=hours_ago(-48))
        meeting = actions.plan_meeting(group, plan, by=volunteer)
        assert meeting.status == MeetingStatus.SCHEDULED
        assert "Judicial Warrant Rule" in meeting.agenda

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"requested_on": days_ago(-2)}, "cannot be in the future"),
            ({"requested_on": days_ago(2), "starts_at": hours_ago(24 * 5)}, "before it was"),
            ({"requested_on": days_ago(2), "status": "scheduled"}, "date and time"),
            ({"requested_on": days_ago(2), "status": "held"}, "Choose requested"),
        ],
    )
    def test_wrong_dates_and_statuses_are_refused(
        self,
        group: Group,
        mesa: Jurisdiction,
        volunteer: User,
        values: dict[str, Any],
        message: str,
    ) -> None:
        with pytest.raises(ActionError, match=message):
            actions.plan_meeting(group, plan_for(mesa, **values), by=volunteer)
        assert not Meeting.objects.exists()

    def test_people_outside_the_group_and_officials_from_elsewhere_are_refused(
        self, group: Group, mesa: Jurisdiction, volunteer: User, outsider: User, chief: Person
    ) -> None:
        with pytest.raises(ActionError, match="must be in the group"):
            actions.plan_meeting(
                group,
                plan_for(mesa, requested_on=days_ago(1), attendees=[outsider.pk]),
                by=volunteer,
            )
        county = Jurisdiction.objects.get(name="Maricopa County")
        group.jurisdictions.add(county)
        with pytest.raises(ActionError, match="Choose officials listed for Maricopa County"):
            actions.plan_meeting(
                group,
                plan_for(county, requested_on=days_ago(1), officials=[chief.pk]),
                by=volunteer,
            )

    def test_the_form_shows_a_wrong_date_on_the_page(
        self, volunteer_client: Client, group: Group
    ) -> None:
        response = volunteer_client.post(
            f"/groups/{group.pk}/meetings/new/?place={MESA}",
            {"status": "requested", "requested_on": "2199-01-01"},
        )
        assert response.status_code == 400
        assert "The request date cannot be in the future." in _text(response)
        # Out of the years any door takes (inputs.py), the page says what the API says.
        far = volunteer_client.post(
            f"/groups/{group.pk}/meetings/new/?place={MESA}",
            {"status": "requested", "requested_on": "2999-01-01"},
        )
        assert far.status_code == 400 and "Check the year" in _text(far)
        bad = volunteer_client.post(
            f"/groups/{group.pk}/meetings/new/?place={MESA}",
            {"status": "requested", "requested_on": "yesterday"},
        )
        assert bad.status_code == 400 and "Enter a valid date" in _text(bad)

    def test_a_place_the_group_does_not_campaign_in_is_explained(
        self, volunteer_client: Client, group: Group
    ) -> None:
        response = volunteer_client.get(f"/groups/{group.pk}/meetings/new/?place=nowhere")
        assert response.status_code == 404
        assert "does not campaign in that place" in _text(response)
        chooser = volunteer_client.get(f"/groups/{group.pk}/meetings/new/")
        assert chooser.status_code == 200 and "Mesa, AZ" in _text(chooser)

    def test_tracking_a_request_with_no_answer_then_a_refusal(
        self, volunteer_client: Client, meeting: Meeting, chief: Person
    ) -> None:
        for status in ("no_answer", "refused"):
            response = volunteer_client.post(
                f"/meetings/{meeting.pk}/edit/",
                {
                    "status": status,
                    "requested_on": meeting.requested_on.isoformat(),
                    "officials": [chief.pk],
                    "agenda": meeting.agenda,
                },
            )
            assert response.status_code == 302
            meeting.refresh_from_db()
            assert meeting.status == status
        assert Change.objects.filter(subject="meeting", action="edited").count() == 2

    def test_a_held_meetings_plan_can_be_edited_but_keeps_its_status(
        self, volunteer_client: Client, held_meeting: Meeting, chief: Person
    ) -> None:
        page = _text(volunteer_client.get(f"/meetings/{held_meeting.pk}/edit/"))
        assert 'name="status"' not in page
        response = volunteer_client.post(
            f"/meetings/{held_meeting.pk}/edit/",
            {
                "requested_on": held_meeting.requested_on.isoformat(),
                "officials": [chief.pk],
                "place": "City hall",
                "agenda": "x",
            },
        )
        assert response.status_code == 302
        held_meeting.refresh_from_db()
        assert held_meeting.status == MeetingStatus.HELD and held_meeting.place == "City hall"

    def test_the_agenda_can_be_drafted_again(
        self, volunteer_client: Client, meeting: Meeting, published_scorecard: object
    ) -> None:
        Meeting.objects.filter(pk=meeting.pk).update(agenda="old")
        response = volunteer_client.post(f"/meetings/{meeting.pk}/agenda/")
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert "Rules already in place" in meeting.agenda


# Outcomes -------------------------------------------------------------------------------------


class TestOutcome:
    def test_the_phone_form_asks_both_questions_for_each_rule_and_official(
        self, volunteer_client: Client, meeting: Meeting, chief: Person
    ) -> None:
        page = _text(volunteer_client.get(f"/meetings/{meeting.pk}/outcome/"))
        assert 'class="outcome"' in page and 'name="viewport"' in page
        assert page.count(f'name="in_place_{chief.pk}_') == 10 * 4
        assert page.count(f'name="support_{chief.pk}_') == 10 * 4
        for choice in ("Yes, in writing", "In practice only", "Don&#x27;t know", "Evasive"):
            assert choice in page

    def test_saving_records_answers_promises_and_moves_to_held_and_commitments(
        self,
        volunteer_client: Client,
        meeting: Meeting,
        chief: Person,
        volunteer: User,
        mesa: Jurisdiction,
    ) -> None:
        due = days_ago(-14).isoformat()
        response = volunteer_client.post(
            f"/meetings/{meeting.pk}/outcome/",
            _outcome_post(
                meeting,
                **{
                    f"in_place_{chief.pk}_5": "practice",
                    f"support_{chief.pk}_5": "yes",
                    f"note_{chief.pk}_5": "Will write it down",
                    f"in_place_{chief.pk}_1": "no",
                    f"support_{chief.pk}_1": "evasive",
                    "notes": "Friendly but busy",
                    "point_of_contact": str(chief.pk),
                    "next_meeting_on": days_ago(-30).isoformat(),
                    "promise_text_0": "Send us the draft policy",
                    "promise_due_0": due,
                    "promise_person_0": str(chief.pk),
                    "promise_owner_0": str(volunteer.pk),
                },
            ),
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD and meeting.notes == "Friendly but busy"
        assert meeting.point_of_contact == chief
        answers = {a.rule_id: (a.in_place, a.support) for a in Answer.objects.all()}
        assert answers == {"5": ("practice", "yes"), "1": ("no", "evasive")}
        promise = Promise.objects.get()
        assert promise.person == chief and promise.owner == volunteer and promise.meeting == meeting
        assert _reload(mesa) == Stage.COMMITMENTS
        assert Change.objects.filter(subject="answer", action="recorded").count() == 2

    def test_a_held_meeting_without_commitments_is_met(
        self, meeting: Meeting, chief: Person, volunteer: User, mesa: Jurisdiction
    ) -> None:
        outcome = OutcomeIn(
            revision=meeting.revision,
            held_at=hours_ago(20),
            answers=[AnswerIn(official=chief.pk, rule="2", in_place="no", support="no")],
        )
        actions.record_outcome(meeting, outcome, by=volunteer)
        assert _reload(mesa) == Stage.MET

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("in_place_99999_1", "Official 99999 was not at this meeting"),
            ("in_place_{chief}_42", "There is no rule 42"),
        ],
    )
    def test_an_unknown_official_or_rule_gets_a_message_and_saves_nothing(
        self, volunteer_client: Client, meeting: Meeting, chief: Person, field: str, message: str
    ) -> None:
        name = field.format(chief=chief.pk)
        response = volunteer_client.post(
            f"/meetings/{meeting.pk}/outcome/", _outcome_post(meeting, **{name: "no"})
        )
        assert response.status_code == 400
        assert message in _text(response)
        assert not Answer.objects.exists()
        assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED

    def test_an_odd_answer_value_is_refused(
        self, volunteer_client: Client, meeting: Meeting, chief: Person
    ) -> None:
        response = volunteer_client.post(
            f"/meetings/{meeting.pk}/outcome/",
            _outcome_post(meeting, **{f"support_{chief.pk}_1": "maybe"}),
        )
        assert response.status_code == 400 and "Select a valid choice" in _text(response)
        # The one input type refuses it for the API and the page's unoffered names alike.
        with pytest.raises(pydantic.ValidationError, match="in_place"):
            AnswerIn(official=chief.pk, rule="1", in_place="perhaps")
        with pytest.raises(ActionError, match="in_place"):
            checked(AnswerIn, official=chief.pk, rule="1", in_place="perhaps")

    def test_a_form_sent_twice_is_refused_the_second_time(
        self, volunteer_client: Client, meeting: Meeting, chief: Person
    ) -> None:
        data = _outcome_post(
            meeting,
            **{
                f"support_{chief.pk}_3": "yes",
                "promise_text_0": "Meet again",
                "promise_due_0": days_ago(-3).isoformat(),
            },
        )
        first = volunteer_client.post(f"/meetings/{meeting.pk}/outcome/", data)
        second = volunteer_client.post(f"/meetings/{meeting.pk}/outcome/", data, follow=True)
        assert first.status_code == 302
        assert "already saved" in _text(second)
        assert Answer.objects.count() == 1 and Promise.objects.count() == 1

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"held_at": "2199-01-01T10:00"}, "held in the future"),
            # The bounds every door applies (inputs.py): the API refuses this year the same way.
            ({"held_at": "2999-01-01T10:00"}, "Check the year"),
            ({"held_at": "2000-01-01T10:00"}, "before it was requested"),
            ({"next_meeting_on": "2000-01-01"}, "next meeting must come after"),
            ({"promise_text_0": "x", "promise_due_0": "2000-01-01"}, "due before the meeting"),
            ({"promise_text_0": "x"}, "Give the promise a due date"),
            ({"held_at": "31/31/2020"}, "Enter a valid date/time"),
        ],
    )
    def test_wrong_dates_get_a_message(
        self, volunteer_client: Client, meeting: Meeting, fields: dict[str, str], message: str
    ) -> None:
        response = volunteer_client.post(
            f"/meetings/{meeting.pk}/outcome/", _outcome_post(meeting, **fields)
        )
        assert response.status_code == 400
        assert message in _text(response)
        assert not Promise.objects.exists()

    def test_changing_and_clearing_answers_is_recorded(
        self, held_meeting: Meeting, chief: Person, volunteer: User
    ) -> None:
        outcome = OutcomeIn(
            revision=held_meeting.revision,
            held_at=hours_ago(26),
            answers=[
                AnswerIn(official=chief.pk, rule="1", in_place="no", support="no"),
                AnswerIn(official=chief.pk, rule="5"),
            ],
        )
        actions.record_outcome(held_meeting, outcome, by=volunteer)
        assert list(Answer.objects.values_list("rule_id", "support")) == [("1", "no")]
        changed = Change.objects.get(subject="answer", action="changed")
        assert changed.details["before"]["support"] == "evasive"
        assert changed.details["after"]["support"] == "no" and changed.user == volunteer
        assert Change.objects.filter(subject="answer", action="cleared").count() == 1

    def test_the_form_shows_what_was_recorded(
        self, volunteer_client: Client, held_meeting: Meeting, chief: Person
    ) -> None:
        page = _text(volunteer_client.get(f"/meetings/{held_meeting.pk}/outcome/"))
        assert f'value="{held_meeting.revision}"' in page
        assert (
            f'name="support_{chief.pk}_5" value="yes" id="id_support_{chief.pk}_5_0" checked'
            in page
        )

    def test_a_meeting_without_officials_says_to_add_them(
        self, volunteer_client: Client, meeting: Meeting
    ) -> None:
        meeting.officials.clear()
        page = _text(volunteer_client.get(f"/meetings/{meeting.pk}/outcome/"))
        assert "No officials are on this meeting yet." in page


# Positions and stages -------------------------------------------------------------------------


def _second_meeting(group: Group, mesa: Jurisdiction, chief: Person, volunteer: User) -> Meeting:
    """A later meeting at which the chief says yes on rule 1 (he was evasive before)."""
    later = actions.plan_meeting(
        group, plan_for(mesa, requested_on=days_ago(1), officials=[chief.pk]), by=volunteer
    )
    outcome = OutcomeIn(
        revision=later.revision,
        held_at=hours_ago(2),
        answers=[AnswerIn(official=chief.pk, rule="1", in_place="no", support="yes")],
    )
    return actions.record_outcome(later, outcome, by=volunteer)


class TestPositions:
    def test_the_position_is_the_latest_answer_and_earlier_ones_are_history(
        self,
        volunteer_client: Client,
        held_meeting: Meeting,
        group: Group,
        mesa: Jurisdiction,
        chief: Person,
        volunteer: User,
    ) -> None:
        later = _second_meeting(group, mesa, chief, volunteer)
        page = _text(volunteer_client.get(f"/people/{chief.pk}/"))
        rule1 = page[page.index('id="rule-1"') : page.index('id="rule-2"')]
        assert rule1.index("Yes") < rule1.index("Earlier answers") < rule1.index("Evasive")
        assert f"/meetings/{held_meeting.pk}/" in rule1
        assert later.starts_at is not None
        assert "Will put it in writing" in page

    def test_the_jurisdiction_panel_shows_positions_stage_and_meetings(
        self,
        held_meeting: Meeting,
        chief: Person,
        volunteer: User,
        meeting: Meeting,
        group: Group,
        mesa: Jurisdiction,
    ) -> None:
        upcoming = actions.plan_meeting(
            group, plan_for(mesa, requested_on=days_ago(0), starts_at=hours_ago(-30)), by=volunteer
        )
        mesa.refresh_from_db()  # the actions moved its stage; a page reads it afresh too
        request = RequestFactory().get(mesa.get_absolute_url())
        request.user = volunteer
        html = Template("{% load campaign_tags %}{% jurisdiction_campaign j %}").render(
            Context({"j": mesa, "request": request})
        )
        assert "Commitments made" in html and "Ramon Batista" in html
        assert "Evasive" in html and f"/meetings/{upcoming.pk}/" in html
        assert "Plan a meeting (People Power Mesa)" in html

    def test_organizers_and_staff_get_the_stage_form_in_the_panel(
        self, group: Group, mesa: Jurisdiction, organizer: User, volunteer: User, staff: User
    ) -> None:
        def panel(user: User) -> str:
            request = RequestFactory().get("/")
            request.user = user
            template = Template("{% load campaign_tags %}{% jurisdiction_campaign j %}")
            return template.render(Context({"j": mesa, "request": request, "csrf_token": "t"}))

        assert "Set the stage" in panel(organizer) and "Set the stage" in panel(staff)
        assert "Set the stage" not in panel(volunteer)
        assert "Researching" in panel(volunteer)

    def test_the_stage_never_moves_back_on_its_own(
        self,
        held_meeting: Meeting,
        group: Group,
        mesa: Jurisdiction,
        volunteer: User,
        organizer: User,
    ) -> None:
        assert _reload(mesa) == Stage.COMMITMENTS
        actions.plan_meeting(group, plan_for(mesa, requested_on=days_ago(0)), by=volunteer)
        assert _reload(mesa) == Stage.COMMITMENTS
        actions.set_stage(mesa, StageIn(stage=Stage.STALLED), by=organizer)
        mesa.refresh_from_db()
        assert not actions.advance_stage(mesa, Stage.COMMITMENTS, by=volunteer, group=group)
        assert _reload(mesa) == Stage.STALLED

    def test_organizers_set_the_stage_by_hand(
        self, organizer_client: Client, volunteer_client: Client, group: Group, mesa: Jurisdiction
    ) -> None:
        response = organizer_client.post(f"/campaigns/{MESA}/stage/", {"stage": "adopted"})
        assert response.status_code == 302 and response["Location"] == mesa.get_absolute_url()
        assert _reload(mesa) == Stage.ADOPTED
        assert Change.objects.filter(subject="stage", action="set").exists()
        refused = volunteer_client.post(f"/campaigns/{MESA}/stage/", {"stage": "met"}, follow=True)
        assert "Only organizers of a group campaigning here" in _text(refused)
        bad = organizer_client.post(f"/campaigns/{MESA}/stage/", {"stage": "won"}, follow=True)
        assert "Choose one of the campaign stages." in _text(bad)
        outside = organizer_client.post(
            f"/campaigns/{MESA}/stage/", {"stage": "met", "next": "https://evil.example/"}
        )
        assert outside["Location"] == mesa.get_absolute_url()
        assert _reload(mesa) == Stage.MET

    def test_the_board_has_a_column_per_stage_and_filters_by_state(
        self, client: Client, group: Group, mesa: Jurisdiction
    ) -> None:
        Jurisdiction.objects.create(
            ocd_id="ocd-division/country:us/state:nm/place:taos",
            kind="place",
            name="Taos",
            state="NM",
            stage=Stage.MET,
        )
        page = _text(client.get("/campaigns/"))
        for label in ("Researching", "Meeting requested", "Met with officials", "Stalled"):
            assert label in page
        assert "Mesa, AZ" in page and "Taos, NM" in page
        only_az = _text(client.get("/campaigns/?state=az"))
        assert "Mesa, AZ" in only_az and "Taos, NM" not in only_az


# Promises -------------------------------------------------------------------------------------


class TestPromises:
    def test_adding_a_next_step_and_marking_it_done(
        self, volunteer_client: Client, group: Group, volunteer: User, chief: Person
    ) -> None:
        response = volunteer_client.post(
            f"/groups/{group.pk}/promises/",
            {
                "text": "Ask for a follow-up",
                "due_on": days_ago(-7).isoformat(),
                "owner": volunteer.pk,
                "person": chief.pk,
            },
        )
        assert response.status_code == 302
        promise = Promise.objects.get()
        assert promise.owner == volunteer and promise.person == chief
        done = volunteer_client.post(f"/promises/{promise.pk}/", {"state": "done"})
        assert done.status_code == 302
        promise.refresh_from_db()
        assert promise.state == PromiseState.DONE
        change = Change.objects.get(subject="promise", action="updated")
        assert change.details["before"]["state"] == "open" and change.user == volunteer

    def test_a_new_promise_due_in_the_past_or_owned_by_an_outsider_is_refused(
        self, volunteer_client: Client, group: Group, volunteer: User, outsider: User
    ) -> None:
        response = volunteer_client.post(
            f"/groups/{group.pk}/promises/", {"text": "Late", "due_on": days_ago(2).isoformat()}
        )
        assert response.status_code == 400 and "cannot be due in the past" in _text(response)
        with pytest.raises(ActionError, match="must be in the group"):
            actions.add_promise(
                group, PromiseIn(text="x", due_on=days_ago(-2), owner=outsider.pk), by=volunteer
            )
        with pytest.raises(ActionError, match="no such official"):
            actions.add_promise(
                group, PromiseIn(text="x", due_on=days_ago(-2), official=4242), by=volunteer
            )
        assert not Promise.objects.exists()

    def test_overdue_promises_are_listed_first(
        self, volunteer_client: Client, group: Group
    ) -> None:
        late = Promise.objects.create(group=group, text="Overdue thing", due_on=days_ago(1))
        Promise.objects.create(group=group, text="Done thing", due_on=days_ago(1), state="done")
        assert list(actions.overdue(group.promises.all())) == [late]
        page = _text(volunteer_client.get(f"/promises/{late.pk}/"))
        assert "overdue" in page
        bad = volunteer_client.post(f"/promises/{late.pk}/", {"state": "forgotten"})
        assert bad.status_code == 400 and "Select a valid choice" in _text(bad)


# Report-backs ---------------------------------------------------------------------------------


def _submit(held_meeting: Meeting, volunteer: User) -> Report:
    """The held meeting's report, sent by vera."""
    return actions.submit_report(
        held_meeting, ReportIn(summary="Good first meeting."), by=volunteer
    )


class TestReports:
    def test_the_group_sends_the_report_and_gets_a_summary_to_share(
        self, volunteer_client: Client, held_meeting: Meeting, volunteer: User
    ) -> None:
        form = _text(volunteer_client.get(f"/meetings/{held_meeting.pk}/report/"))
        assert "Ramon Batista will support rule 5 (Don&#x27;t Ask Rule)." in form
        response = volunteer_client.post(
            f"/meetings/{held_meeting.pk}/report/", {"summary": "The chief listened."}
        )
        report = Report.objects.get()
        assert response["Location"] == f"/reports/{report.pk}/summary/"
        assert report.state == ReportState.SUBMITTED and report.submitted_by == volunteer
        assert Meeting.objects.get(pk=held_meeting.pk).status == MeetingStatus.REPORTED
        page = _text(volunteer_client.get(f"/reports/{report.pk}/summary/"))
        assert 'id="copy"' in page and "The chief listened." in page
        text = _text(volunteer_client.get(f"/reports/{report.pk}/summary/?format=txt"))
        assert "People Power Mesa met officials of Mesa, AZ" in text
        assert "gave no clear answer on rule 1 (Judicial Warrant Rule)" in text
        assert "hostile" not in text and "vera" not in text
        assert Change.objects.filter(subject="report", action="submitted").exists()

    def test_a_meeting_not_yet_held_or_already_reported_cannot_be_sent(
        self, volunteer_client: Client, meeting: Meeting, volunteer: User, chief: Person
    ) -> None:
        response = volunteer_client.post(f"/meetings/{meeting.pk}/report/", {"summary": "x"})
        assert response.status_code == 400 and "Record the meeting" in _text(response)
        actions.record_outcome(
            meeting, OutcomeIn(revision=meeting.revision, held_at=hours_ago(3)), by=volunteer
        )
        _submit(meeting, volunteer)
        again = volunteer_client.post(f"/meetings/{meeting.pk}/report/", {"summary": "x"})
        assert again.status_code == 400 and "already sent" in _text(again)
        empty = volunteer_client.post(f"/meetings/{meeting.pk}/report/", {"summary": " "})
        assert empty.status_code == 400
        with pytest.raises(ActionError, match="reported to the affiliate"):
            actions.record_outcome(
                meeting, OutcomeIn(revision=meeting.revision, held_at=hours_ago(3)), by=volunteer
            )

    def test_staff_accept_and_publish_the_answers(
        self,
        staff_client: Client,
        held_meeting: Meeting,
        volunteer: User,
        client: Client,
        chief: Person,
        staff: User,
    ) -> None:
        report = _submit(held_meeting, volunteer)
        queue = _text(staff_client.get("/campaigns/reports/"))
        assert "People Power Mesa" in queue and f"/reports/{report.pk}/" in queue
        assert "Evasive" not in _text(client.get(f"/people/{chief.pk}/"))
        response = staff_client.post(
            f"/reports/{report.pk}/", {"decision": "accept", "publish": "on"}
        )
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.state == ReportState.ACCEPTED and report.reviewed_by == staff
        assert not Answer.objects.filter(published_at__isnull=True).exists()
        assert "Evasive" in _text(client.get(f"/people/{chief.pk}/"))
        assert "Nothing is waiting" in _text(staff_client.get("/campaigns/reports/"))
        twice = staff_client.post(f"/reports/{report.pk}/", {"decision": "accept"})
        assert twice.status_code == 400 and "already reviewed" in _text(twice)

    def test_staff_return_a_report_with_a_note_and_the_group_sends_it_again(
        self,
        staff_client: Client,
        volunteer_client: Client,
        held_meeting: Meeting,
        volunteer: User,
    ) -> None:
        report = _submit(held_meeting, volunteer)
        no_note = staff_client.post(f"/reports/{report.pk}/", {"decision": "return"})
        assert no_note.status_code == 400 and "Say what the group should add" in _text(no_note)
        staff_client.post(
            f"/reports/{report.pk}/", {"decision": "return", "note": "Who else was there?"}
        )
        report.refresh_from_db()
        assert report.state == ReportState.RETURNED
        form = _text(volunteer_client.get(f"/meetings/{held_meeting.pk}/report/"))
        assert "Who else was there?" in form
        volunteer_client.post(f"/meetings/{held_meeting.pk}/report/", {"summary": "Added it."})
        report.refresh_from_db()
        assert report.state == ReportState.SUBMITTED and report.summary == "Added it."
        assert Answer.objects.filter(published_at__isnull=True).count() == 2

    def test_volunteers_cannot_review(
        self, volunteer_client: Client, held_meeting: Meeting, volunteer: User
    ) -> None:
        report = _submit(held_meeting, volunteer)
        assert volunteer_client.get("/campaigns/reports/").status_code == 403
        response = volunteer_client.post(f"/reports/{report.pk}/", {"decision": "accept"})
        assert response.status_code == 403
        with pytest.raises(actions.NotAllowed):
            actions.accept_report(report, AcceptIn(publish=True), by=volunteer)

    def test_reports_export_as_csv_and_pdf(
        self,
        staff_client: Client,
        volunteer_client: Client,
        held_meeting: Meeting,
        volunteer: User,
    ) -> None:
        report = _submit(held_meeting, volunteer)
        queue_csv = staff_client.get("/campaigns/reports.csv")
        rows = list(csv.DictReader(io.StringIO(queue_csv.content.decode())))
        assert queue_csv["Content-Type"].startswith("text/csv")
        assert [(r["kind"], r["rule"], r["support"]) for r in rows] == [
            ("answer", "1", "evasive"),
            ("answer", "5", "yes"),
        ]
        assert rows[0]["ocd_id"] == MESA and rows[0]["group"] == "People Power Mesa"
        Answer.objects.filter(rule_id="5").update(note="=HYPERLINK(1)")
        one = staff_client.get(f"/reports/{report.pk}.csv").content.decode()
        assert "'=HYPERLINK(1)" in one
        pdf = volunteer_client.get(f"/reports/{report.pk}.pdf")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        assert staff_client.get("/campaigns/reports.pdf?show=all").content.startswith(b"%PDF")
        assert staff_client.get(f"/reports/{report.pk}.xlsx").status_code == 404
