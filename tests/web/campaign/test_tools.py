"""A group's tools: tactics, next steps, drafts, follow-ups, reminders and the calendar feed."""

from __future__ import annotations

import datetime
import io
import re
import smtplib
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.utils import timezone
from icalendar import Calendar

from freedomcities.web.accounts.models import Profile, Role
from freedomcities.web.calendars.ics import uid
from freedomcities.web.campaign import drafts, feeds, reminders, tactics
from freedomcities.web.campaign.models import (
    Answer,
    Friendliness,
    Group,
    GroupMember,
    GroupRole,
    InPlace,
    Meeting,
    MeetingStatus,
    Membership,
    Person,
    Post,
    PostRole,
    Promise,
    PromiseState,
    Support,
)
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction
from freedomcities.web.scorecards.dashboard import rules
from freedomcities.web.scorecards.models import (
    JobState,
    Obtained,
    Policy,
    PolicyVersion,
    RuleResult,
)

PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")
TODAY = datetime.date(2025, 3, 20)
MESA = "ocd-division/country:us/state:az/place:mesa"
MARICOPA = "ocd-division/country:us/state:az/county:maricopa"


def user_with_role(username: str, role: str, email: str | None = None) -> User:
    """A user with a role (staff work for Arizona); e-mail defaults to username@example.org."""
    address = f"{username}@example.org" if email is None else email
    user = User.objects.create_user(username, address, "correct horse battery")
    Profile.objects.create(user=user, role=role, states="AZ" if role == Role.STAFF else "")
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Campaign:
    group: Group
    mesa: Jurisdiction
    county: Jurisdiction
    sheriff: Person
    sheriffs_office: Agency
    organizer: User


@pytest.fixture
def campaign(arizona: Jurisdiction, volunteer: User) -> Campaign:
    """Mesa's group, with the Maricopa County sheriff on its list (opposed)."""
    mesa = Jurisdiction.objects.get(ocd_id=MESA)
    county = Jurisdiction.objects.get(ocd_id=MARICOPA)
    group = Group.objects.create(name="Mesa People Power", state="AZ", home=mesa)
    GroupMember.objects.create(group=group, user=volunteer, role=GroupRole.ORGANIZER)
    office = Agency.objects.create(
        jurisdiction=county, kind=AgencyKind.SHERIFF, name="Maricopa County Sheriff's Office"
    )
    sheriff = Person.objects.create(
        name="Jane Roe",
        friendliness=Friendliness.OPPOSED,
        added_by=group,
        office_address="550 W Jackson St, Phoenix, AZ",
    )
    post = Post.objects.create(
        jurisdiction=county,
        role=PostRole.SHERIFF,
        label="Sheriff of Maricopa County",
        agency=office,
    )
    Membership.objects.create(person=sheriff, post=post)
    return Campaign(group, mesa, county, sheriff, office, volunteer)


def meet(
    campaign: Campaign,
    status: str,
    on: datetime.date,
    officials: list[Person] | None = None,
    *,
    held: bool = False,
) -> Meeting:
    """A meeting about the county, requested (and, when held, held) on ``on``."""
    meeting = Meeting.objects.create(
        group=campaign.group,
        jurisdiction=campaign.county,
        status=status,
        requested_on=on,
        starts_at=datetime.datetime.combine(on, datetime.time(10), PHOENIX) if held else None,
    )
    meeting.officials.set(officials if officials is not None else [campaign.sheriff])
    return meeting


def answer(meeting: Meeting, person: Person, rule_id: str, support: str, **fields: str) -> Answer:
    return Answer.objects.create(
        meeting=meeting, person=person, rule_id=rule_id, support=support, **fields
    )


def promise(campaign: Campaign, text: str, due_on: datetime.date, **fields: object) -> Promise:
    return Promise.objects.create(group=campaign.group, text=text, due_on=due_on, **fields)


def publish(agency: Agency, meets: set[str]) -> PolicyVersion:
    """A published scorecard: the given rules in place, the others not addressed."""
    now = timezone.now()
    policy = Policy.objects.create(agency=agency, title="Immigration enforcement")
    version = PolicyVersion.objects.create(
        policy=policy,
        file="policies/sample.pdf",
        original_name="sample.pdf",
        obtained=Obtained.WEBSITE,
        policy_date=datetime.date(2024, 1, 1),
        uploaded_at=now,
        job_state=JobState.DONE,
        published_at=now,
    )
    for position, rule in enumerate(rules()):
        status = "meets" if rule.id in meets else "silent"
        RuleResult.objects.create(
            version=version, rule_id=rule.id, position=position, status=status, confidence=0.9
        )
    return version


def outsider_client() -> Client:
    """A volunteer of another group."""
    other = user_with_role("olga", Role.VOLUNTEER)
    group = Group.objects.create(name="Tempe People Power", state="AZ")
    GroupMember.objects.create(group=group, user=other)
    return client_for(other)


# Tactics as data ------------------------------------------------------------------------------


def test_the_guides_tactics_load_with_their_how_to() -> None:
    loaded = {t.id: t for t in tactics.load_tactics()}
    assert set(loaded) == {
        "calls-letters",
        "meeting",
        "town-hall",
        "council",
        "editor",
        "petition",
        "rally",
        "solidarity",
    }
    for item in loaded.values():
        assert item.steps and item.pitfalls and item.summary
        assert item.level in tactics.LEVELS
        assert set(item.suits) <= set(Friendliness.values)
    assert len(loaded["town-hall"].questions) >= 3
    assert loaded["rally"].level == 5 and loaded["calls-letters"].level == 1
    assert tuple(drafts.KINDS) == tactics.DRAFT_KINDS


GOOD = """
[[tactics]]
id = "vigil"
name = "Vigil"
summary = "A quiet evening gathering."
level = 2
suits = ["ally"]
wins_allies = true
steps = ["Pick a place."]
pitfalls = ["Rain."]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("level = 2", "level = 7"), "tactic 'vigil', 'level' must be a whole number from 1"),
        (("level = 2", 'level = "high"'), "'level' must be a whole number"),
        (('suits = ["ally"]', 'suits = ["friend"]'), "'suits': unknown friend; valid: ally"),
        (('suits = ["ally"]', "suits = []"), "'suits' must be a non-empty list"),
        (('steps = ["Pick a place."]', "steps = []"), "'steps' must be a non-empty list"),
        (("wins_allies = true", 'wins_allies = "yes"'), "'wins_allies' must be true or false"),
        (('name = "Vigil"\n', ""), "tactic #1: missing name; the fields are: id, name"),
        (('id = "vigil"', 'id = "Vigil Night"'), "'id' must be lower-case letters"),
        (("level = 2", 'level = 2\ncolour = "blue"'), "unknown colour; the fields are"),
        (("level = 2", 'level = 2\ndrafts = ["poem"]'), "'drafts': unknown poem; valid: letter"),
        (("[[tactics]]", "[[tactics]"), "is not valid TOML"),
        (("[[tactics]]", "[[things]]"), "needs at least one [[tactics]] table"),
    ],
)
def test_a_broken_tactics_file_is_named_exactly(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "tactics.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(tactics.TacticsError) as raised:
        tactics.load_tactics(path)
    assert message in str(raised.value)


def test_repeated_ids_and_missing_files_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "tactics.toml"
    path.write_text(GOOD + GOOD, encoding="utf-8")
    with pytest.raises(tactics.TacticsError, match="repeated: vigil"):
        tactics.load_tactics(path)
    with pytest.raises(tactics.TacticsError, match="does not exist"):
        tactics.load_tactics(tmp_path / "none.toml")
    with pytest.raises(tactics.TacticsError, match="the tactics are: calls-letters, meeting"):
        tactics.tactic("sit-in", tactics.load_tactics())


@pytest.mark.parametrize(
    ("friendliness", "used", "strikes", "first", "never"),
    [
        # Nothing tried yet with an undecided official: ask to meet.
        ("undecided", set(), 1, ["meeting", "town-hall", "council"], {"rally"}),
        # An ally who dodged after a meeting: public asks, not a gentler call.
        ("ally", {"meeting"}, 1, ["town-hall", "council"], {"rally", "calls-letters"}),
        # A hostile sheriff who refused to meet: strong public pressure.
        ("hostile", {"meeting"}, 1, ["petition", "rally", "town-hall"], {"meeting"}),
        # An opposed official, meeting tried: step up to public tactics that win allies.
        ("opposed", {"meeting"}, 1, ["town-hall", "council", "editor"], {"meeting"}),
        # Three strikes from an opposed official: one level more.
        ("opposed", {"meeting"}, 3, ["petition", "rally", "town-hall"], {"meeting"}),
        # Everything up to a petition tried: the rally is what is left to escalate to.
        ("opposed", {"meeting", "town-hall", "council", "editor", "petition"}, 1, ["rally"], set()),
    ],
)
def test_pick_tactics_calibrates_to_hostility_and_escalates_past_what_was_tried(
    friendliness: str, used: set[str], strikes: int, first: list[str], never: set[str]
) -> None:
    picked = [
        t.id
        for t in tactics.pick_tactics(tactics.load_tactics(), friendliness, used, strikes=strikes)
    ]
    assert picked[: len(first)] == first
    assert not set(picked) & never
    assert not set(picked) & used


# Suggestions from the history -----------------------------------------------------------------


def test_an_evasive_answer_suggests_stronger_tactics_and_says_why(campaign: Campaign) -> None:
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    answer(meeting, campaign.sheriff, "5", Support.EVASIVE)
    answer(meeting, campaign.sheriff, "1", Support.YES)
    found = tactics.suggest_tactics(campaign.group, today=TODAY)
    assert [s.tactic.id for s in found] == ["town-hall", "council", "editor"]
    first = found[0]
    assert first.official == campaign.sheriff
    assert first.facts == (
        "Jane Roe (Sheriff of Maricopa County) was evasive on rule 5 (Don't Ask Rule) "
        "at the 3 March 2025 meeting.",
    )
    assert "You already tried: In-person meeting; this steps up the pressure." in first.why
    assert "It also brings new people into the campaign." in first.why


def test_several_dodges_at_one_meeting_make_one_fact(campaign: Campaign) -> None:
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    for rule_id in ("2", "1", "5"):
        answer(meeting, campaign.sheriff, rule_id, Support.EVASIVE)
    answer(meeting, campaign.sheriff, "9", Support.NO)
    facts = tactics.suggest_tactics(campaign.group, today=TODAY)[0].facts
    assert sorted(facts) == [
        "Jane Roe (Sheriff of Maricopa County) was evasive on rules 1, 2 and 5 at the "
        "3 March 2025 meeting.",
        "Jane Roe (Sheriff of Maricopa County) would not support rule 9 (Fair and Impartial "
        "Policing Rule) at the 3 March 2025 meeting.",
    ]


def test_a_later_clear_answer_settles_an_evasive_one(campaign: Campaign) -> None:
    first = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 2, 3), held=True)
    answer(first, campaign.sheriff, "5", Support.EVASIVE)
    second = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    answer(second, campaign.sheriff, "5", Support.YES)
    assert tactics.suggest_tactics(campaign.group, today=TODAY) == []


def test_a_refused_meeting_suggests_tactics_until_a_later_one_goes_ahead(
    campaign: Campaign,
) -> None:
    campaign.sheriff.friendliness = Friendliness.HOSTILE
    campaign.sheriff.save()
    meet(campaign, MeetingStatus.REFUSED, datetime.date(2025, 3, 3))
    found = tactics.suggest_tactics(campaign.group, today=TODAY)
    assert [s.tactic.id for s in found] == ["petition", "rally", "town-hall"]
    assert found[0].facts == (
        "Jane Roe (Sheriff of Maricopa County) refused the meeting you asked for on 3 March 2025.",
    )
    assert "public pressure works better than persuasion" in found[0].why
    meet(campaign, MeetingStatus.SCHEDULED, datetime.date(2025, 3, 10))
    assert tactics.suggest_tactics(campaign.group, today=TODAY) == []


def test_an_unanswered_request_with_no_named_official_speaks_of_the_place(
    campaign: Campaign,
) -> None:
    meet(campaign, MeetingStatus.NO_ANSWER, datetime.date(2025, 3, 1), officials=[])
    found = tactics.suggest_tactics(campaign.group, today=TODAY)
    assert found and found[0].official is None
    assert found[0].facts == (
        "The officials of Maricopa County, AZ did not answer your request of 1 March 2025 to meet.",
    )


def test_overdue_and_broken_promises_of_officials_call_for_action(campaign: Campaign) -> None:
    campaign.sheriff.friendliness = Friendliness.ALLY
    campaign.sheriff.save()
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    promise(
        campaign,
        "Send us the written policy",
        datetime.date(2025, 3, 15),
        person=campaign.sheriff,
        meeting=meeting,
    )
    promise(
        campaign,
        "Post the policy online",
        datetime.date(2025, 3, 1),
        person=campaign.sheriff,
        state=PromiseState.BROKEN,
    )
    promise(
        campaign,
        "Finish the review",
        datetime.date(2025, 3, 1),
        person=campaign.sheriff,
        state=PromiseState.DONE,
    )
    promise(campaign, "Not due yet", datetime.date(2025, 4, 1), person=campaign.sheriff)
    promise(campaign, "Our own next step, late", datetime.date(2025, 3, 1))
    found = tactics.suggest_tactics(campaign.group, today=TODAY)
    assert found[0].facts == (
        "Jane Roe (Sheriff of Maricopa County) broke the promise “Post the policy online” "
        "(due 1 March 2025).",
        "Jane Roe (Sheriff of Maricopa County) promised “Send us the written policy” by "
        "15 March 2025; it is 5 days overdue.",
    )
    # An ally is not let off: past the meeting, towards public asks.
    assert [s.tactic.id for s in found] == ["town-hall", "council"]
    assert "Allies need pressure too" in found[0].why


def test_suggestions_for_one_official_or_a_whole_jurisdiction(campaign: Campaign) -> None:
    chief = Person.objects.create(name="Ken Doe", added_by=campaign.group)
    meeting = meet(
        campaign,
        MeetingStatus.HELD,
        datetime.date(2025, 3, 3),
        [campaign.sheriff, chief],
        held=True,
    )
    answer(meeting, chief, "3", Support.EVASIVE)
    answer(meeting, campaign.sheriff, "3", Support.YES)
    assert tactics.suggest_tactics(campaign.group, campaign.sheriff, today=TODAY) == []
    mine = tactics.suggest_tactics(campaign.group, chief, today=TODAY)
    assert {s.official for s in mine} == {chief}
    everyone = tactics.suggest_tactics(campaign.county, today=TODAY)
    assert [s.tactic.id for s in everyone] == [s.tactic.id for s in mine]
    assert tactics.suggest_tactics(campaign.mesa, today=TODAY) == []
    # A tactic recorded elsewhere (an event) counts as tried.
    tried = tactics.suggest_tactics(campaign.group, chief, today=TODAY, tried=["town-hall"])
    assert "town-hall" not in [s.tactic.id for s in tried]


# The next-steps page ------------------------------------------------------------------------


def test_next_steps_page_lists_suggestions_with_their_how_to(campaign: Campaign) -> None:
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    answer(meeting, campaign.sheriff, "5", Support.EVASIVE)
    page = client_for(campaign.organizer).get(f"/groups/{campaign.group.pk}/next-steps/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "was evasive on rule 5 (Don&#x27;t Ask Rule) at the 3 March 2025 meeting" in html
    assert "Town hall" in html and "Sample questions" in html and "Common pitfalls" in html
    assert f"/groups/{campaign.group.pk}/drafts/?kind=town-hall&amp;official=" in html


def test_next_steps_without_triggers_says_so_and_lists_every_tactic(campaign: Campaign) -> None:
    page = client_for(campaign.organizer).get(f"/groups/{campaign.group.pk}/next-steps/")
    html = page.content.decode()
    assert "Nothing calls for a new tactic right now" in html
    assert html.count('class="card tactic"') == len(tactics.load_tactics())


def test_only_members_and_staff_see_a_groups_tools(campaign: Campaign, client: Client) -> None:
    meet(campaign, MeetingStatus.REFUSED, datetime.date(2025, 3, 3))
    promise(campaign, "Secret step", datetime.date(2025, 3, 1))
    outsider = outsider_client()
    staff = client_for(user_with_role("sam", Role.STAFF))
    for tool in ("next-steps", "drafts", "follow-ups"):
        url = f"/groups/{campaign.group.pk}/{tool}/"
        assert outsider.get(url).status_code == 404
        assert client.get(url).status_code == 302  # to the sign-in page
        assert staff.get(url).status_code == 200
    posted = outsider.post(
        f"/groups/{campaign.group.pk}/drafts/", {"text": "Hello", "action": "txt"}
    )
    assert posted.status_code == 404
    assert client_for(campaign.organizer).get("/groups/999999/next-steps/").status_code == 404


# Drafts ---------------------------------------------------------------------------------------


def test_a_letter_says_what_is_missing_what_was_said_and_what_was_promised(
    campaign: Campaign,
) -> None:
    publish(campaign.sheriffs_office, meets={"1", "2", "3", "4"})
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    answer(meeting, campaign.sheriff, "5", Support.EVASIVE, in_place=InPlace.NO)
    answer(meeting, campaign.sheriff, "8", Support.YES, in_place=InPlace.PRACTICE)
    promise(
        campaign,
        "Send us the written policy",
        datetime.date(2025, 3, 15),
        person=campaign.sheriff,
        meeting=meeting,
    )
    letter = drafts.build_draft(
        "letter", campaign.group, official=campaign.sheriff, sender="Vera Cruz", today=TODAY
    ).text
    assert letter.startswith("20 March 2025\n\nJane Roe\nSheriff of Maricopa County\n550 W Jackson")
    assert "Dear Jane Roe," in letter
    assert (
        "The published policy of Maricopa County Sheriff's Office does not yet have these 5 rules "
        "in writing:" in letter
    )
    assert "Rule 1, the Judicial Warrant Rule" not in letter
    assert "1. Rule 5, the Don't Ask Rule\nOfficers should not ask people" in letter
    # Arizona's wording of rule 5 ("including"), filled in for the county.
    assert "“Maricopa County officials shall not inquire into" in letter
    assert "[County/City/State]" not in letter
    assert (
        "including"
        in drafts.gather_facts(campaign.group, official=campaign.sheriff).missing[0].model_text
    )
    assert (
        "On 3 March 2025, we did not get a clear answer on whether you support it. "
        "Will you support it, yes or no?" in letter
    )
    assert (
        "On 3 March 2025, you told us it is followed in practice only and you told us you "
        "support it. Please put it in writing, so that it lasts." in letter
    )
    assert (
        "- On 3 March 2025 you promised “Send us the written policy” by 15 March 2025. "
        "We are still waiting." in letter
    )
    assert "by 3 April 2025" in letter
    assert letter.rstrip().endswith("Sincerely,\nVera Cruz\nMesa People Power")
    assert "\n\n\n" not in letter


def test_with_no_scorecard_a_draft_asks_about_all_nine_rules(campaign: Campaign) -> None:
    facts = drafts.gather_facts(campaign.group, today=TODAY)
    assert facts.place == "Mesa, AZ" and not facts.scored
    assert [m.rule.id for m in facts.missing] == [str(n) for n in range(1, 10)]
    letter = drafts.build_draft("letter", campaign.group, today=TODAY).text
    assert "We have not yet seen a published policy for Mesa, AZ" in letter
    assert "Dear officials," in letter and "[Your name]" in letter
    assert "Mesa officials shall require a judicial warrant" in letter


def test_when_every_rule_is_in_place_the_letter_says_thank_you(campaign: Campaign) -> None:
    publish(campaign.sheriffs_office, meets={str(n) for n in range(1, 10)})
    letter = drafts.build_draft("letter", campaign.group, official=campaign.sheriff).text
    assert "Thank you: the published policy has all nine rules in writing." in letter
    assert "Will you support these rules?" not in letter


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "call",
            [
                "Call script: Jane Roe",
                "I live in Maricopa County, AZ",
                "- Rule 5, the Don't Ask Rule: Officers should not ask people about their "
                "immigration status.",
                "Jane Roe would not give a clear answer",
                "When can we expect it?",
                "voicemail",
            ],
        ),
        (
            "town-hall",
            [
                "Town-hall questions for Jane Roe",
                "Rule 5, the Don't Ask Rule: Officers should not ask people about their "
                "immigration status. It is not yet in the written policy of Maricopa "
                "County, AZ. On 3 March 2025, we did not get a clear answer on whether "
                "you support it. Will you support adding it, yes or no?",
                "When will it be done?",
            ],
        ),
        (
            "testimony",
            [
                "Testimony to the county board, Maricopa County, AZ",
                "5 of the nine rules are not yet in the written policy of",
                "All nine rules comply with Arizona law, including SB 1070.",
                "pass a resolution",
            ],
        ),
        (
            "editor",
            [
                "To the editor:",
                "5 of them are not yet in the published policy",
                "I urge Jane Roe to adopt these rules.",
            ],
        ),
    ],
)
def test_each_draft_is_written_from_the_facts(
    campaign: Campaign, kind: str, expected: list[str]
) -> None:
    publish(campaign.sheriffs_office, meets={"1", "2", "3", "4"})
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    answer(meeting, campaign.sheriff, "5", Support.EVASIVE)
    promise(
        campaign,
        "Send us the written policy",
        datetime.date(2025, 3, 15),
        person=campaign.sheriff,
        meeting=meeting,
    )
    text = drafts.build_draft(kind, campaign.group, official=campaign.sheriff, today=TODAY).text
    for part in expected:
        assert part in text, part
    assert "\n\n\n" not in text and "{{" not in text and "{%" not in text


def test_a_letter_to_the_editor_keeps_private_notes_out(campaign: Campaign) -> None:
    meeting = meet(campaign, MeetingStatus.HELD, datetime.date(2025, 3, 3), held=True)
    private = answer(meeting, campaign.sheriff, "1", Support.EVASIVE)
    promise(
        campaign,
        "Send us the written policy",
        datetime.date(2025, 3, 15),
        person=campaign.sheriff,
        meeting=meeting,
    )
    text = drafts.build_draft("editor", campaign.group, official=campaign.sheriff).text
    assert "clear answer" not in text and "written policy”" not in text
    private.published_at = timezone.now()
    private.save()
    text = drafts.build_draft("editor", campaign.group, official=campaign.sheriff).text
    assert "On 3 March 2025, Jane Roe would not give a clear answer on supporting it." in text


def test_no_place_to_write_about_is_a_clear_error(campaign: Campaign) -> None:
    campaign.group.home = None
    campaign.group.save()
    with pytest.raises(drafts.DraftError, match="set your group's home city or county"):
        drafts.build_draft("letter", campaign.group)
    with pytest.raises(drafts.DraftError, match="Choose one of the drafts: Letter to an official"):
        drafts.build_draft("sonnet", campaign.group)


def test_drafts_page_writes_checks_and_exports_the_edited_text(campaign: Campaign) -> None:
    client = client_for(campaign.organizer)
    url = f"/groups/{campaign.group.pk}/drafts/"
    page = client.get(url, {"kind": "letter", "official": str(campaign.sheriff.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<textarea id="draft-text" name="text"' in html and "Dear Jane Roe," in html
    assert "Check language" in html and "Export as Word (.docx)" in html

    edited = "Dear Sheriff,\r\nStop holding illegal aliens for ICE.\r\n\r\nThank you."
    common = {"kind": "letter", "official": campaign.sheriff.pk, "text": edited}
    checked = client.post(url, {**common, "action": "check"})
    assert checked.status_code == 200
    html = checked.content.decode()
    assert "One phrase the glossary asks us to avoid:" in html
    assert "<mark>illegal aliens</mark> — Say &quot;undocumented people&quot;" in html
    assert "Stop holding <mark title=" in html
    assert "Stop holding illegal aliens for ICE." in html  # the textarea keeps the edit

    exported = client.post(url, {**common, "action": "txt"})
    assert exported["Content-Type"] == "text/plain; charset=utf-8"
    assert exported["Content-Disposition"] == (
        'attachment; filename="letter-to-an-official-jane-roe.txt"'
    )
    assert exported.content.decode() == edited.replace("\r\n", "\n")

    word = client.post(url, {**common, "action": "docx"})
    assert word["Content-Disposition"].endswith('.docx"')
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs]
    assert paragraphs == ["Dear Sheriff,\nStop holding illegal aliens for ICE.", "Thank you."]


def test_a_clean_draft_passes_the_language_check(campaign: Campaign) -> None:
    text = drafts.build_draft("letter", campaign.group, official=campaign.sheriff).text
    page = client_for(campaign.organizer).post(
        f"/groups/{campaign.group.pk}/drafts/", {"kind": "letter", "text": text, "action": "check"}
    )
    assert "No words to change" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "action": "check"}, "There is no text yet"),
        ({"text": "x" * (drafts.MAX_TEXT + 1), "action": "txt"}, "The text is too long"),
        ({"text": "Hello", "action": "print"}, "Choose check language, or export"),
        ({"text": "Hello", "action": "txt", "kind": "sonnet"}, "Choose one of the drafts"),
        ({"text": "Hello", "action": "txt", "official": "999999"}, "Choose an official from"),
        ({"text": "Hello", "action": "txt", "official": "abc"}, "Choose an official from"),
    ],
)
def test_bad_draft_input_gets_a_message_on_the_page(
    campaign: Campaign, data: dict[str, str], message: str
) -> None:
    page = client_for(campaign.organizer).post(f"/groups/{campaign.group.pk}/drafts/", data)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_drafts_page_without_a_place_explains_what_to_do(campaign: Campaign) -> None:
    campaign.group.home = None
    campaign.group.save()
    page = client_for(campaign.organizer).get(f"/groups/{campaign.group.pk}/drafts/")
    assert page.status_code == 400
    assert "set your group&#x27;s home city or county" in page.content.decode()


def test_another_groups_official_cannot_be_drafted_for(campaign: Campaign) -> None:
    stranger = Person.objects.create(name="Someone Else")
    page = client_for(campaign.organizer).get(
        f"/groups/{campaign.group.pk}/drafts/", {"official": stranger.pk}
    )
    assert page.status_code == 400
    assert "Choose an official from the list." in page.content.decode()


# Follow-ups and reminders ---------------------------------------------------------------------


def test_follow_ups_page_lists_overdue_first_and_offers_the_calendar(campaign: Campaign) -> None:
    today = timezone.localdate()
    late = promise(
        campaign,
        "Send us the written policy",
        today - datetime.timedelta(days=3),
        person=campaign.sheriff,
        owner=campaign.organizer,
    )
    promise(campaign, "Book the library room", today + datetime.timedelta(days=2))
    promise(campaign, "Plan the town hall", today + datetime.timedelta(days=30))
    promise(campaign, "Already done", today - datetime.timedelta(days=3), state=PromiseState.DONE)
    page = client_for(campaign.organizer).get(f"/groups/{campaign.group.pk}/follow-ups/")
    html = page.content.decode()
    overdue, rest = html.split('id="coming"')
    assert "Send us the written policy" in overdue and "3\xa0days overdue" in overdue
    coming, later = rest.split('id="later"')
    assert "Book the library room" in coming and "Plan the town hall" in later
    assert "Already done" not in html
    assert "See what to try next" in overdue
    assert f'<a href="/promises/{late.pk}/">Send us the written policy</a>' in overdue
    token = feeds.feed_token(campaign.organizer)
    assert f"http://testserver/feeds/promises/{token}.ics" in html


def test_reminders_go_to_owners_of_promises_due_soon_or_overdue(
    campaign: Campaign, mailoutbox: list[mail.EmailMessage]
) -> None:
    owner = campaign.organizer
    quiet = user_with_role("quinn", Role.VOLUNTEER, email="")
    gone = user_with_role("gina", Role.VOLUNTEER)  # not a member of the group any more
    GroupMember.objects.create(group=campaign.group, user=quiet)
    due = {
        "Overdue step": (-4, owner, PromiseState.OPEN),
        "Due in two days": (2, owner, PromiseState.OPEN),
        "Due in three days": (3, owner, PromiseState.OPEN),
        "Done already": (-1, owner, PromiseState.DONE),
        "Owner without e-mail": (0, quiet, PromiseState.OPEN),
        "Owner who left": (0, gone, PromiseState.OPEN),
    }
    for text, (days, who, state) in due.items():
        promise(
            campaign,
            text,
            TODAY + datetime.timedelta(days=days),
            owner=who,
            state=state,
            person=campaign.sheriff if text == "Overdue step" else None,
        )
    assert reminders.send_reminders(TODAY) == 1
    (message,) = mailoutbox
    assert message.to == ["vera@example.org"]
    assert message.subject == "Reminder: 2 Freedom Cities follow-ups are due"
    assert "- Overdue step (Jane Roe)\n  Was due on 16 March 2025: 4 days overdue." in message.body
    assert "- Due in two days\n  Due on 22 March 2025." in message.body
    assert f"http://127.0.0.1:8000/groups/{campaign.group.pk}/follow-ups/" in message.body
    assert "Due in three days" not in message.body
    reminded = set(Promise.objects.filter(reminded_on=TODAY).values_list("text", flat=True))
    assert reminded == {"Overdue step", "Due in two days"}
    # Once a day: a second run the same day sends nothing, the next day reminds again.
    assert reminders.send_reminders(TODAY) == 0
    assert reminders.send_reminders(TODAY + datetime.timedelta(days=1)) == 1
    assert len(mailoutbox) == 2


class BrokenMailServer(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Sequence[mail.EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_failure_is_retried_on_the_next_run(
    campaign: Campaign, caplog: pytest.LogCaptureFixture
) -> None:
    promise(campaign, "Call the sheriff's office", TODAY, owner=campaign.organizer)
    with override_settings(EMAIL_BACKEND=f"{__name__}.BrokenMailServer"):
        assert reminders.send_reminders(TODAY) == 0
    assert "Could not send a reminder" in caplog.text
    assert Promise.objects.get().reminded_on is None
    assert reminders.send_reminders(TODAY) == 1


def test_reminders_run_daily_as_a_periodic_job(
    campaign: Campaign, mailoutbox: list[mail.EmailMessage]
) -> None:
    promise(campaign, "Call the sheriff's office", timezone.localdate(), owner=campaign.organizer)
    assert reminders.remind_daily.call_local() == 1
    assert mailoutbox[0].subject == "Reminder: a Freedom Cities follow-up is due"
    # Huey's clock is naive UTC: eight in the morning in Phoenix is 15:00 UTC.
    assert settings.HUEY.utc
    morning = datetime.datetime(2025, 3, 20, 15, 0)
    assert "remind_daily" in [task.name for task in settings.HUEY.read_periodic(morning)]
    for other in (morning.replace(hour=8), morning.replace(minute=1)):
        assert "remind_daily" not in [task.name for task in settings.HUEY.read_periodic(other)]


# The calendar feed ----------------------------------------------------------------------------


def test_the_calendar_feed_lists_the_groups_due_dates(campaign: Campaign, client: Client) -> None:
    kept = promise(
        campaign,
        "Send us the written policy",
        datetime.date(2025, 3, 15),
        person=campaign.sheriff,
        owner=campaign.organizer,
    )
    promise(campaign, "Already done", datetime.date(2025, 3, 1), state=PromiseState.DONE)
    other = Group.objects.create(name="Tempe People Power", state="AZ")
    Promise.objects.create(group=other, text="Not ours", due_on=datetime.date(2025, 3, 2))
    url = f"/feeds/promises/{feeds.feed_token(campaign.organizer)}.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    (event,) = events
    assert str(event["UID"]) == uid("promise", kept.pk)
    assert re.fullmatch(rf"promise-{kept.pk}-[0-9a-f]{{12}}@freedomcities", str(event["UID"]))
    stamp = event.decoded("DTSTAMP")
    assert isinstance(stamp, datetime.datetime) and stamp.tzinfo is not None
    assert str(event["SUMMARY"]) == "Due: Send us the written policy"
    assert event.decoded("DTSTART") == datetime.date(2025, 3, 15)
    assert str(event["URL"]) == f"http://testserver/groups/{campaign.group.pk}/follow-ups/"
    assert "Promised by: Jane Roe" in str(event["DESCRIPTION"])


def test_a_bad_or_retired_feed_address_is_not_found(campaign: Campaign, client: Client) -> None:
    token = feeds.feed_token(campaign.organizer)
    assert feeds.user_for_token(token) == campaign.organizer
    forged = token.rsplit(":", 1)[0] + ":" + "A" * 43
    for bad in (
        forged,
        "nonsense",
        "1.abcdef12",
        token.replace(str(campaign.organizer.pk), "9", 1),
    ):
        assert client.get(f"/feeds/promises/{bad}.ics").status_code == 404
    campaign.organizer.set_password("a new long passphrase")
    campaign.organizer.save()
    assert client.get(f"/feeds/promises/{token}.ics").status_code == 404
    fresh = feeds.feed_token(campaign.organizer)
    assert fresh != token and client.get(f"/feeds/promises/{fresh}.ics").status_code == 200


def test_leaving_the_group_empties_the_feed(campaign: Campaign, client: Client) -> None:
    promise(campaign, "Send us the written policy", datetime.date(2025, 3, 15))
    url = f"/feeds/promises/{feeds.feed_token(campaign.organizer)}.ics"
    GroupMember.objects.filter(user=campaign.organizer).delete()
    calendar = Calendar.from_ical(client.get(url).content)
    assert list(calendar.walk("VEVENT")) == []
