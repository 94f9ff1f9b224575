"""Learning from review: passages in reviews, their export, the judge of record, re-analysis.

A real SQLite (or PostgreSQL) database, the Django test client, and the commands run
in-process with click's CliRunner; the last test walks the whole loop, training a real
judge from a staff override.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from freedomcities.cli import cli
from freedomcities.judge import cue_stance
from freedomcities.learned import LABELS, LearnedJudge, load_judge
from freedomcities.passages import Passage
from freedomcities.rules import load_ruleset
from freedomcities.training import example_documents
from freedomcities.web.accounts.models import ApiToken, Role
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind
from freedomcities.web.scorecards import actions, analysis, learning
from freedomcities.web.scorecards.models import (
    Analysis,
    JobState,
    Policy,
    PolicyVersion,
    Review,
    RuleResult,
    StatusMove,
)
from tests.web.conftest import make_user

DEMO = Path(__file__).resolve().parents[2] / "freedomcities" / "samples" / "demo"
MIDDLE = DEMO / "middle-2024.txt"
# In the middle policy, agents may come into the holding cells with no word on identifying
# themselves: a reviewer reads that as conflicting with rule 4 (Clear Identification).
# Rule 4 in name only: the agents decide whether they are named.
INTRODUCED = (
    "Immigration agents who come to interview a person in custody will be identified to that "
    "person by the booking officer, unless the agents ask otherwise."
)
HOLDING_CELLS = (
    "Officers shall not give immigration agents access to the department's holding cells "
    "or to people in custody, except for a legitimate law enforcement purpose."
)

Rows = dict[str, tuple[str, list[str]]]


def _stored(agency: Agency, results: Rows, date: datetime.date | None = None) -> PolicyVersion:
    """An analysed version with these (status, quotes) per rule, stored without a judge."""
    policy, _ = Policy.objects.get_or_create(agency=agency, title="Immigration policy")
    version = PolicyVersion.objects.create(
        policy=policy,
        file="policies/test.txt",
        original_name="policy.txt",
        obtained="website",
        policy_date=date or datetime.date(2024, 3, 1),
        uploaded_at=timezone.now(),
        job_state=JobState.DONE,
    )
    Analysis.objects.create(
        version=version,
        scorecard={},
        pages=1,
        engine_version="test",
        judge_version="cues",
        analysed_at=timezone.now(),
    )
    for position, (rule_id, (status, quotes)) in enumerate(results.items()):
        RuleResult.objects.create(
            version=version,
            rule_id=rule_id,
            position=position,
            status=status,
            confidence=0.8,
            evidence=[
                {"quote": q, "stance": status, "section": "402.4", "page": 1} for q in quotes
            ],
        )
    return version


def _review(version: PolicyVersion, rule_id: str, status: str, user: User, **fields: Any) -> Review:
    """A review saved straight to the database (the form's own path is tested below)."""
    fields.setdefault("reason", "Read the section again.")
    return Review.objects.create(
        version=version,
        rule_id=rule_id,
        status=status,
        reviewer=user,
        created_at=timezone.now(),
        **fields,
    )


def _uploaded(agency: Agency, user: User, path: Path, capture: Callable[..., Any]) -> PolicyVersion:
    """A real file uploaded and analysed by the (immediate) queue."""
    version = _upload(agency, user, path, capture)
    assert version.job_state == JobState.DONE, version.error
    return version


def _upload(agency: Agency, user: User, path: Path, capture: Callable[..., Any]) -> PolicyVersion:
    """A real file uploaded and run through the (immediate) queue, however the job ended."""
    with capture(execute=True):
        version = actions.upload_version(
            agency,
            SimpleUploadedFile(path.name, path.read_bytes()),
            obtained="website",
            policy_date=datetime.date(2024, 1, 15),
            user=user,
        )
    version.refresh_from_db()
    return version


def _run(*args: str) -> Any:
    """Run a command in-process, as a person would type it."""
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def tucson_police(arizona: Jurisdiction) -> Agency:
    place = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:az/place:tucson",
        kind=Kind.PLACE,
        name="Tucson",
        state="AZ",
        parent=arizona,
    )
    return Agency.objects.create(jurisdiction=place, kind=AgencyKind.POLICE, name="Tucson PD")


@pytest.fixture
def santa_fe_police(db: None) -> Agency:
    state = Jurisdiction.objects.create(
        ocd_id="ocd-division/country:us/state:nm", kind=Kind.STATE, name="New Mexico", state="NM"
    )
    return Agency.objects.create(jurisdiction=state, kind=AgencyKind.POLICE, name="Santa Fe PD")


# 1. A review may quote the policy ------------------------------------------------------------


@pytest.mark.django_db
def test_the_review_form_offers_an_empty_passage_and_saves_it(
    staff_client: Client, mesa_police: Agency
) -> None:
    version = _stored(mesa_police, {"4": ("silent", [])})
    page = staff_client.get(version.get_absolute_url()).content.decode()
    assert '<textarea name="passage" rows="2" cols="40"></textarea>' in page
    assert "words that show it (optional)" in page

    staff_client.post(
        f"/versions/{version.pk}/review/",
        {
            "rule": "4",
            "revision": 0,
            "status": "conflicts",
            "reason": "Agents come in unmarked.",
            "passage": f"  {HOLDING_CELLS}\n",
        },
    )
    assert Review.objects.get().passage == HOLDING_CELLS
    page = staff_client.get(version.get_absolute_url()).content.decode()
    assert "passage:</p>" in page
    assert HOLDING_CELLS.replace("'", "&#x27;") in page


@pytest.mark.django_db
def test_the_api_records_a_reviews_passage(mesa_police: Agency, staff: User) -> None:
    version = _stored(mesa_police, {"4": ("silent", [])})
    key = ApiToken.issue(staff, "tests")[1]
    body = {"rule": "4", "status": "conflicts", "reason": "Unmarked agents.", "revision": 0}
    response = Client().post(
        f"/api/versions/{version.pk}/reviews",
        {**body, "passage": HOLDING_CELLS},
        "application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["passage"] == HOLDING_CELLS
    assert Review.objects.get().passage == HOLDING_CELLS


# 2. Reviews become labelled passages ---------------------------------------------------------

Q1, Q2 = "Staff shall notify ICE of release dates.", "ICE may interview people held."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("analysed", "quotes", "review", "expected"),
    [
        pytest.param(
            "silent",
            [],
            {"status": "conflicts", "passage": "Staff  shall tell ICE\n when a person goes home."},
            [("conflicts", "Staff shall tell ICE when a person goes home.")],
            id="a passage gets the review's status",
        ),
        pytest.param(
            "meets",
            [Q1],
            {"status": "silent", "passage": "Officers wear uniforms."},
            [("none", "Officers wear uniforms.")],
            id="a silent review's passage is none",
        ),
        pytest.param(
            "conflicts",
            [Q1, Q2],
            {"status": "silent"},
            [("none", Q1), ("none", Q2)],
            id="silent without passage: every quote is none",
        ),
        pytest.param(
            "meets",
            [Q1, Q2],
            {"status": "partial"},
            [("partial", Q1)],
            id="otherwise the top quote gets the review's status",
        ),
        pytest.param("silent", [], {"status": "meets"}, [], id="no passage and no quote"),
        pytest.param(
            "silent",
            [],
            {"status": "meets", "passage": "p", "in_practice_only": True},
            [],
            id="in practice only is left out",
        ),
        pytest.param("meets", [Q1], {"status": "meets"}, [], id="a confirmation is left out"),
    ],
)
def test_export_turns_overrides_into_labelled_passages(
    mesa_police: Agency,
    staff: User,
    analysed: str,
    quotes: list[str],
    review: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    version = _stored(mesa_police, {"6": (analysed, quotes)})
    _review(version, "6", user=staff, **review)
    rows = learning.export_reviews()
    assert [(row.label, row.passage) for row in rows] == expected
    assert all(row.rule_id == "6" for row in rows)


@pytest.mark.django_db
def test_confirmations_are_exported_only_when_asked(mesa_police: Agency, staff: User) -> None:
    version = _stored(mesa_police, {"6": ("conflicts", [Q1])})
    _review(version, "6", "conflicts", staff)
    assert learning.export_reviews() == []
    assert [(r.label, r.passage) for r in learning.export_reviews(confirmed=True)] == [
        ("conflicts", Q1)
    ]


@pytest.mark.django_db
def test_only_the_latest_review_counts_and_carried_copies_are_left_out(
    mesa_police: Agency, staff: User
) -> None:
    old = _stored(mesa_police, {"6": ("meets", [Q1])}, datetime.date(2023, 1, 1))
    first = _review(old, "6", "partial", staff, passage="first thought")
    _review(old, "6", "conflicts", staff, passage="second thought")
    new = _stored(mesa_police, {"6": ("meets", [Q1])}, datetime.date(2024, 1, 1))
    _review(new, "6", "partial", staff, passage="first thought", carried_from=first)
    assert [(r.label, r.passage) for r in learning.export_reviews()] == [
        ("conflicts", "second thought")
    ]


@pytest.mark.django_db
def test_the_note_names_agency_date_and_reason_but_not_the_reviewer(
    mesa_police: Agency, staff: User
) -> None:
    version = _stored(mesa_police, {"6": ("meets", [Q1])})
    _review(version, "6", "conflicts", staff, reason="Release dates go to ICE.\nSee 402.6.")
    (row,) = learning.export_reviews()
    assert mesa_police.name in row.note
    assert "2024-03-01" in row.note
    assert "Release dates go to ICE. See 402.6." in row.note
    assert staff.username not in row.note


@pytest.mark.django_db
def test_export_keeps_to_one_state_and_refuses_an_unknown_one(
    mesa_police: Agency, santa_fe_police: Agency, staff: User
) -> None:
    for agency in (mesa_police, santa_fe_police):
        _review(_stored(agency, {"6": ("meets", [Q1])}), "6", "conflicts", staff)
    assert len(learning.export_reviews()) == 2
    assert [mesa_police.name in r.note for r in learning.export_reviews(state="az")] == [True]
    with pytest.raises(ActionError, match="Unknown state 'ZZ'"):
        learning.export_reviews(state="ZZ")


@pytest.mark.django_db
def test_export_reviews_command_writes_what_train_reads(
    mesa_police: Agency, staff: User, tmp_path: Path
) -> None:
    version = _stored(mesa_police, {"4": ("silent", []), "6": ("meets", [Q1])})
    _review(version, "4", "conflicts", staff, passage=HOLDING_CELLS)
    _review(version, "6", "silent", staff)
    output = tmp_path / "reviews.tsv"

    result = _run("export-reviews", "--output", str(output), "--state", "AZ")

    assert result.exit_code == 0, result.output
    assert f"Wrote 2 labelled passages to {output}" in result.output
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines[1] == f"4\tconflicts\t{HOLDING_CELLS}"
    assert lines[0].startswith("# ") and mesa_police.name in lines[0]
    assert lines[3] == f"6\tnone\t{Q1}"
    read = example_documents(output, load_ruleset(), "reviews")
    assert [p.text for p in read.passages] == [HOLDING_CELLS, Q1]
    # Without --output the rows go to the screen.
    assert f"4\tconflicts\t{HOLDING_CELLS}" in _run("export-reviews").output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--state", "ZZ"], "Error: Unknown state 'ZZ'"),
        (["--output", "/no/such/folder/reviews.tsv"], "Error: Cannot write '/no/such/folder/"),
    ],
)
def test_export_reviews_command_refuses_with_one_line(
    mesa_police: Agency, args: list[str], message: str
) -> None:
    result = _run("export-reviews", *args)
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.django_db
def test_the_export_endpoint_is_for_staff(
    mesa_police: Agency, staff: User, volunteer: User
) -> None:
    version = _stored(mesa_police, {"4": ("silent", [])})
    _review(version, "4", "conflicts", staff, passage=HOLDING_CELLS)
    client = Client()

    def get(query: str, user: User | None) -> Any:
        headers = {"Authorization": f"Bearer {ApiToken.issue(user, 't')[1]}"} if user else {}
        return client.get(f"/api/reviews/export{query}", headers=headers)

    response = get("?state=AZ", staff)
    assert response.status_code == 200
    (row,) = response.json()
    assert set(row) == {"rule_id", "label", "passage", "note"}
    assert (row["rule_id"], row["label"], row["passage"]) == ("4", "conflicts", HOLDING_CELLS)
    assert get("", volunteer).status_code == 403
    assert get("", None).status_code == 401
    refused = get("?state=ZZ", staff)
    assert refused.status_code == 400
    assert "Unknown state 'ZZ'" in refused.json()["detail"]
    assert get("?state=TX", staff).json() == []  # not sam's state
    texan = make_user("tess", Role.STAFF, states="TX")
    assert get("", texan).json() == [] and get("?state=AZ", texan).json() == []


# 3. The judge of record ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_analysis_records_its_judge_and_which_rules_need_review(
    mesa_police: Agency, volunteer: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    version = _uploaded(mesa_police, volunteer, MIDDLE, django_capture_on_commit_callbacks)
    analysis = version.analysis
    assert analysis.judge_version == learning.current_judge_version()
    assert analysis.judge_version == analysis.scorecard["judge"]
    stored = {r.rule_id: r.needs_review for r in version.rule_results.all()}
    assert stored == {r["id"]: r["needs_review"] for r in analysis.scorecard["rules"]}


@pytest.mark.django_db
def test_a_judge_file_that_is_missing_fails_the_analysis_with_what_to_do(
    mesa_police: Agency,
    volunteer: User,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.JUDGE_PATH = str(tmp_path / "judge.npz")
    version = _upload(mesa_police, volunteer, MIDDLE, django_capture_on_commit_callbacks)
    assert version.job_state == JobState.FAILED
    assert "FREEDOMCITIES_JUDGE names" in version.error
    assert "freedomcities train --output" in version.error
    assert version.retry_helps


@pytest.mark.django_db
def test_reviewers_see_the_rules_needing_review_first_and_marked(
    staff_client: Client, volunteer_client: Client, mesa_police: Agency
) -> None:
    version = _stored(mesa_police, {"1": ("meets", [Q1]), "5": ("silent", []), "7": ("silent", [])})
    RuleResult.objects.filter(version=version, rule_id="7").update(needs_review=True)

    page = staff_client.get(version.get_absolute_url()).content.decode()
    assert re.findall(r'data-rule="(\w+)"', page) == ["7", "1", "5"]
    assert page.count('data-testid="needs-review">needs review<') == 1
    assert "read by the judge cues" in page

    draft = volunteer_client.get(version.get_absolute_url()).content.decode()
    assert re.findall(r'data-rule="(\w+)"', draft) == ["1", "5", "7"]
    assert "needs review" not in draft


# 4. Re-analysis and the moves page -----------------------------------------------------------


@pytest.mark.django_db
def test_reanalyze_reads_again_what_another_judge_read_and_records_the_moves(
    mesa_police: Agency, volunteer: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    version = _uploaded(mesa_police, volunteer, MIDDLE, django_capture_on_commit_callbacks)
    judge = version.analysis.judge_version
    result = version.rule_results.get(rule_id="6")
    analysed = result.status
    earlier = "conflicts" if analysed != "conflicts" else "meets"
    # As an older judge had left it: another status for rule 6.
    RuleResult.objects.filter(pk=result.pk).update(status=earlier)
    Analysis.objects.filter(version=version).update(judge_version="learned-000000000000")

    done = _run("reanalyze")

    assert done.exit_code == 0, done.output
    assert f"Analysed 1 versions with the judge {judge}; 1 rule statuses moved." in done.output
    assert "/review/moves/" in done.output
    move = StatusMove.objects.get()
    assert (move.version, move.rule_id, move.old_status, move.new_status) == (
        version,
        "6",
        earlier,
        analysed,
    )
    assert (move.old_judge, move.new_judge) == ("learned-000000000000", judge)
    assert move.confirmed_at is None
    assert Analysis.objects.get(version=version).judge_version == judge
    # Nothing is left for this judge; --all reads everything again, and nothing moves.
    assert "Analysed 0 versions" in _run("reanalyze").output
    again = _run("reanalyze", "--all").output
    assert "Analysed 1 versions" in again and "0 rule statuses moved" in again
    assert StatusMove.objects.count() == 1


@pytest.mark.django_db
def test_a_version_that_cannot_be_read_again_keeps_its_analysis(
    mesa_police: Agency, volunteer: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    version = _uploaded(mesa_police, volunteer, MIDDLE, django_capture_on_commit_callbacks)
    Path(version.file.path).unlink()
    before = list(version.rule_results.values_list("rule_id", "status"))

    done = _run("reanalyze", "--all")

    assert done.exit_code == 1
    assert f"Error: {version}: " in done.output
    assert "Traceback" not in done.output
    assert list(version.rule_results.values_list("rule_id", "status")) == before


@pytest.mark.django_db
def test_reanalyze_names_a_missing_judge_file_in_one_line(settings: Any, tmp_path: Path) -> None:
    settings.JUDGE_PATH = str(tmp_path / "judge.npz")
    done = _run("reanalyze")
    assert done.exit_code == 1
    assert done.output.startswith(f"Error: FREEDOMCITIES_JUDGE names {tmp_path / 'judge.npz'}")
    assert len(done.output.strip().splitlines()) == 1


def _move(version: PolicyVersion, rule_id: str, old: str, new: str) -> StatusMove:
    """A waiting move, as reanalyze records it."""
    RuleResult.objects.filter(version=version, rule_id=rule_id).update(status=new)
    return StatusMove.objects.create(
        version=version,
        rule_id=rule_id,
        old_status=old,
        new_status=new,
        old_judge="cues",
        new_judge="learned-0123456789ab",
        moved_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_moves_page_lists_waiting_moves_for_staff_only(
    staff_client: Client, volunteer_client: Client, mesa_police: Agency
) -> None:
    version = _stored(mesa_police, {"4": ("conflicts", [HOLDING_CELLS])})
    move = _move(version, "4", "silent", "conflicts")

    page = staff_client.get("/review/moves/").content.decode()
    row = re.search(rf'<tr data-testid="move-{move.pk}".*?</tr>', page, re.S)
    assert row, page
    assert mesa_police.name in row.group(0)
    assert "Clear Identification Rule" in row.group(0)
    assert 'data-old="silent" data-new="conflicts"' in row.group(0)
    assert HOLDING_CELLS.replace("'", "&#x27;") in row.group(0)
    assert "/review/moves/" in staff_client.get("/review/").content.decode()
    assert volunteer_client.get("/review/moves/").status_code == 403
    assert Client().get("/review/moves/").status_code == 302


@pytest.mark.django_db
def test_confirming_a_move_accepts_the_new_status(
    staff_client: Client, staff: User, mesa_police: Agency
) -> None:
    version = _stored(mesa_police, {"4": ("silent", []), "6": ("partial", [Q1])})
    plain = _move(version, "4", "silent", "meets")
    _review(version, "6", "meets", staff)  # a reviewer had said otherwise
    reviewed = _move(version, "6", "conflicts", "partial")

    for move in (plain, reviewed):
        response = staff_client.post(f"/review/moves/{move.pk}/", {"decision": "confirm"})
        assert response.status_code == 302

    statuses = {v.rule_id: v.status for v in version.verdicts()}
    assert statuses == {"4": "meets", "6": "partial"}
    assert not Review.objects.filter(rule_id="4").exists()  # the analysis speaks for itself
    assert Review.objects.filter(rule_id="6").latest("pk").status == "partial"
    for move in (plain, reviewed):
        move.refresh_from_db()
        assert (move.confirmed_by, move.kept_old) == (staff, False)
        assert move.confirmed_at is not None
    assert "No status is waiting" in staff_client.get("/review/moves/").content.decode()


@pytest.mark.django_db
def test_keeping_the_old_status_records_a_review_saying_so(
    staff_client: Client, staff: User, mesa_police: Agency
) -> None:
    version = _stored(mesa_police, {"4": ("silent", [])})
    move = _move(version, "4", "silent", "conflicts")

    staff_client.post(f"/review/moves/{move.pk}/", {"decision": "keep"})

    review = Review.objects.get()
    assert (review.rule_id, review.status, review.reviewer) == ("4", "silent", staff)
    assert "Kept the status from before the re-analysis" in review.reason
    assert "learned-0123456789ab" in review.reason
    assert [v.status for v in version.verdicts()] == ["silent"]
    move.refresh_from_db()
    assert move.kept_old and move.confirmed_by == staff
    # Deciding again is refused, and nothing more is saved.
    page = staff_client.post(f"/review/moves/{move.pk}/", {"decision": "confirm"}, follow=True)
    assert "Someone already decided this change" in page.content.decode()
    assert Review.objects.count() == 1


# 5. The whole loop ---------------------------------------------------------------------------


@pytest.mark.slow  # trains two judges: about half a minute
@pytest.mark.django_db
def test_a_staff_override_teaches_a_new_judge_and_its_move_waits_for_staff(
    volunteer_client: Client,
    staff_client: Client,
    mesa_police: Agency,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # A volunteer uploads the middle policy, with a sentence on rule 4 added; the judge of
    # the day reads it.
    policy = tmp_path / "middle-2024.txt"
    policy.write_text(f"{MIDDLE.read_text(encoding='utf-8')}\n\n{INTRODUCED}\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True), policy.open("rb") as handle:
        data = {"obtained": "website", "policy_date": "2024-01-15", "file": handle}
        assert volunteer_client.post(f"/agencies/{mesa_police.pk}/upload/", data).status_code == 302
    version = PolicyVersion.objects.get()
    assert version.job_state == JobState.DONE, version.error
    first = version.rule_results.get(rule_id="4").status
    assert first != "conflicts", "the override below must change rule 4's status"

    # Staff override rule 4 in the web app, quoting the policy.
    staff_client.post(
        f"/versions/{version.pk}/review/",
        {
            "rule": "4",
            "revision": version.revision,
            "status": "conflicts",
            "reason": "The agents can choose to stay unnamed, so nobody knows who is asking.",
            "passage": INTRODUCED,
        },
    )
    assert Review.objects.get().passage == INTRODUCED

    exported = tmp_path / "exported.tsv"
    result = _run("export-reviews", "--output", str(exported))
    assert result.exit_code == 0, result.output
    assert f"4\tconflicts\t{INTRODUCED}\n" in exported.read_text(encoding="utf-8")

    judge_file = tmp_path / "judge.npz"
    result = _run("train", "--passages", str(exported), "--output", str(judge_file))
    assert result.exit_code == 0, result.output

    settings.JUDGE_PATH = str(judge_file)
    result = _run("reanalyze")
    assert result.exit_code == 0, result.output

    judge = load_judge(judge_file).version
    assert Analysis.objects.get(version=version).judge_version == judge
    loaded = analysis.current_judge()
    assert isinstance(loaded, LearnedJudge) and loaded is analysis.current_judge()
    move = StatusMove.objects.get(version=version, rule_id="4")
    assert (move.old_status, move.new_status, move.new_judge) == (first, "conflicts", judge)
    assert version.rule_results.get(rule_id="4").evidence[0]["quote"] == INTRODUCED

    page = staff_client.get("/review/moves/").content.decode()
    row = re.search(rf'<tr data-testid="move-{move.pk}".*?</tr>', page, re.S)
    assert row, page
    assert f'data-old="{first}" data-new="conflicts"' in row.group(0)
    assert INTRODUCED.replace("'", "&#x27;") in row.group(0)

    # The override taught it: the same training without the exported file reads the
    # reviewer's passage as less of a conflict with rule 4.
    without = tmp_path / "without.npz"
    assert _run("train", "--output", str(without)).exit_code == 0
    passage = Passage(INTRODUCED, 0, len(INTRODUCED), None)
    taught, untaught = (
        load_judge(path)
        .judge([passage], load_ruleset(), cue_stance)
        .of("4")[0][LABELS.index("conflicts")]
        for path in (judge_file, without)
    )
    assert taught > untaught
