"""The JSON API through Django's test client: reads, writes, roles and the review flow."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction
from freedomcities.web.scorecards.actions import upload_version
from freedomcities.web.scorecards.models import JobState, PolicyVersion

SAMPLE = Path(__file__).parents[2] / "freedomcities" / "samples"
SAMPLE_PDF = SAMPLE / "sample-city-pd-immigration-policy.pdf"
MESA = "ocd-division/country:us/state:az/place:mesa"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Hash the fixture users' passwords cheaply: PBKDF2 costs about a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(key: str) -> dict[str, str]:
    """The header that carries an API token."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def volunteer_key(volunteer: User) -> str:
    return ApiToken.issue(volunteer, "tests")[1]


@pytest.fixture
def staff_key(staff: User) -> str:
    return ApiToken.issue(staff, "tests")[1]


@pytest.fixture
def draft(
    mesa_police: Agency,
    volunteer: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> PolicyVersion:
    """The sample policy, uploaded and analysed (the queue runs jobs at once in tests)."""
    upload = SimpleUploadedFile(SAMPLE_PDF.name, SAMPLE_PDF.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        version = upload_version(
            mesa_police,
            upload,
            obtained="sample",
            policy_date=datetime.date(2024, 1, 15),
            user=volunteer,
        )
    version.refresh_from_db()
    assert version.job_state == JobState.DONE, version.error
    return version


def publish_via_api(client: Client, version: PolicyVersion, key: str) -> None:
    """Confirm every rule and publish, as staff would."""
    url = f"/api/versions/{version.pk}"
    response = client.post(
        f"{url}/confirm", {"revision": version.revision}, "application/json", headers=bearer(key)
    )
    assert response.status_code == 200, response.json()
    assert client.post(f"{url}/publish", headers=bearer(key)).status_code == 200


# Jurisdictions ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["Maricopa County", "Mesa", "Arizona"]),  # by state, kind, name
        ("?kind=place", ["Mesa"]),
        ("?state=az&kind=county", ["Maricopa County"]),
        ("?q=MES", ["Mesa"]),
        ("?state=CA", []),
        ("?limit=1&offset=1", ["Mesa"]),
    ],
)
def test_list_jurisdictions_filters(
    client: Client, arizona: Jurisdiction, query: str, names: list[str]
) -> None:
    body = client.get(f"/api/jurisdictions{query}").json()
    assert [item["name"] for item in body["items"]] == names
    assert body["count"] == (len(names) if "limit" not in query else 3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["limit=501", "limit=0", "offset=-1", "state=ARIZONA", "kind=town", "q=%00"]
)
def test_list_jurisdictions_refuses_bad_filters(client: Client, query: str) -> None:
    assert client.get(f"/api/jurisdictions?{query}").status_code == 422


@pytest.mark.django_db
def test_get_jurisdiction_by_ocd_id_with_slashes_and_colons(
    client: Client, mesa_police: Agency
) -> None:
    body = client.get(f"/api/jurisdictions/{MESA}").json()
    assert body["name"] == "Mesa"
    assert body["parent"] == "ocd-division/country:us/state:az"
    assert body["population"] == 471825
    assert [agency["id"] for agency in body["agencies"]] == [mesa_police.pk]


@pytest.mark.django_db
def test_unknown_jurisdiction_is_404_with_its_id(client: Client, arizona: Jurisdiction) -> None:
    response = client.get("/api/jurisdictions/ocd-division/country:us/state:zz")
    assert response.status_code == 404
    assert "ocd-division/country:us/state:zz" in response.json()["detail"]


# Agencies -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_agencies_filters(client: Client, mesa_police: Agency) -> None:
    def ids(query: str) -> list[int]:
        return [item["id"] for item in client.get(f"/api/agencies{query}").json()["items"]]

    assert ids("") == [mesa_police.pk]
    assert ids("?state=az") == [mesa_police.pk]
    assert ids("?state=NM") == []
    assert ids(f"?jurisdiction={MESA}") == [mesa_police.pk]
    assert ids("?jurisdiction=ocd-division/country:us/state:az") == []


@pytest.mark.django_db
def test_get_agency_without_a_published_scorecard(
    client: Client, draft: PolicyVersion, mesa_police: Agency
) -> None:
    body = client.get(f"/api/agencies/{mesa_police.pk}").json()
    assert body["name"] == mesa_police.name
    assert body["jurisdiction"] == MESA
    assert body["jurisdiction_name"] == "Mesa, AZ"
    assert body["scorecard"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/agencies/999", "/api/versions/999"])
def test_unknown_ids_are_404_with_a_message(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "999" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/agencies/abc", "/api/versions/0", f"/api/agencies/{2**64}", "/api/jurisdictions/ocd%00"],
)
def test_malformed_ids_are_422_not_500(client: Client, path: str) -> None:
    assert client.get(path).status_code == 422


@pytest.mark.django_db
def test_volunteer_creates_an_agency(
    client: Client, arizona: Jurisdiction, volunteer_key: str
) -> None:
    body = {"jurisdiction": MESA, "kind": "sheriff", "name": "  Mesa Jail Office "}
    response = client.post("/api/agencies", body, "application/json", headers=bearer(volunteer_key))
    assert response.status_code == 201
    created = Agency.objects.get(pk=response.json()["id"])
    assert (created.name, created.jurisdiction.ocd_id) == ("Mesa Jail Office", MESA)

    again = client.post("/api/agencies", body, "application/json", headers=bearer(volunteer_key))
    assert again.status_code == 400
    assert f"agency {created.pk}" in again.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"jurisdiction": "ocd-division/country:us/state:zz", "kind": "police", "name": "X"}, 400),
        ({"jurisdiction": MESA, "kind": "police", "name": "   "}, 422),
        ({"jurisdiction": MESA, "kind": "militia", "name": "X"}, 422),
        ({"jurisdiction": MESA, "kind": "police", "name": "X\x00"}, 422),
    ],
)
def test_create_agency_refuses_bad_input(
    client: Client, arizona: Jurisdiction, volunteer_key: str, body: dict[str, str], status: int
) -> None:
    response = client.post("/api/agencies", body, "application/json", headers=bearer(volunteer_key))
    assert response.status_code == status
    assert Agency.objects.count() == 0


# Tokens and roles ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer fc_not-a-real-key"}, {"Authorization": "Basic dmVyYTpwdw=="}],
)
def test_writes_need_a_valid_token(
    client: Client, arizona: Jurisdiction, headers: dict[str, str]
) -> None:
    body = {"jurisdiction": MESA, "kind": "police", "name": "Mesa PD"}
    response = client.post("/api/agencies", body, "application/json", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]


@pytest.mark.django_db
def test_a_bad_token_is_401_even_on_a_public_read(client: Client, arizona: Jurisdiction) -> None:
    assert client.get("/api/jurisdictions").status_code == 200
    response = client.get("/api/jurisdictions", headers=bearer("fc_typo"))
    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


@pytest.mark.django_db
def test_token_of_an_inactive_user_is_refused(
    client: Client, volunteer: User, volunteer_key: str
) -> None:
    volunteer.is_active = False
    volunteer.save()
    assert client.get("/api/versions", headers=bearer(volunteer_key)).status_code == 401


@pytest.mark.django_db
def test_token_use_is_recorded(client: Client, volunteer_key: str) -> None:
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/api/versions", headers=bearer(volunteer_key))
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_public_cannot_see_drafts(client: Client, draft: PolicyVersion) -> None:
    assert client.get("/api/versions").json() == {
        "count": 0,
        "limit": 100,
        "offset": 0,
        "items": [],
    }
    for path in (f"/api/versions/{draft.pk}", f"/api/versions/{draft.pk}/scorecard"):
        response = client.get(path)
        assert response.status_code == 404
        assert "volunteer" in response.json()["detail"]


@pytest.mark.django_db
def test_volunteer_token_sees_drafts(
    client: Client, draft: PolicyVersion, volunteer_key: str
) -> None:
    listed = client.get(
        f"/api/versions?agency={draft.policy.agency_id}", headers=bearer(volunteer_key)
    )
    assert [item["id"] for item in listed.json()["items"]] == [draft.pk]
    body = client.get(f"/api/versions/{draft.pk}", headers=bearer(volunteer_key)).json()
    assert body["job_state"] == "done"
    assert body["progress"] == 100
    assert body["obtained"] == "sample"
    assert body["policy_date"] == "2024-01-15"
    assert body["published"] is False
    assert body["published_at"] is None
    assert body["analysed_at"] is not None
    assert body["is_sample"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["reviews", "confirm", "publish"])
def test_volunteer_cannot_review_or_publish(
    client: Client, draft: PolicyVersion, volunteer_key: str, action: str
) -> None:
    bodies = {
        "reviews": {"rule": "1", "status": "conflicts", "revision": 0},
        "confirm": {"revision": 0},
    }
    body = bodies.get(action, {})
    response = client.post(
        f"/api/versions/{draft.pk}/{action}",
        body,
        "application/json",
        headers=bearer(volunteer_key),
    )
    assert response.status_code == 403
    assert "Affiliate staff" in response.json()["detail"]
    assert not draft.reviews.exists()


# Uploads ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_upload_through_the_api_is_analysed(
    client: Client, mesa_police: Agency, volunteer_key: str
) -> None:
    with SAMPLE_PDF.open("rb") as file:
        response = client.post(
            f"/api/agencies/{mesa_police.pk}/versions",
            {"file": file, "obtained": "sample", "policy_date": "2024-01-15"},
            headers=bearer(volunteer_key),
        )
    assert response.status_code == 201, response.json()
    version = response.json()
    assert version["original_name"] == SAMPLE_PDF.name
    assert version["agency"] == mesa_police.pk

    body = client.get(f"/api/versions/{version['id']}", headers=bearer(volunteer_key)).json()
    assert body["job_state"] == "done", body["error"]
    scorecard = client.get(
        f"/api/versions/{version['id']}/scorecard", headers=bearer(volunteer_key)
    ).json()
    assert scorecard["document"]["source"] == SAMPLE_PDF.name
    assert scorecard["jurisdiction"] == "Mesa, AZ"
    statuses = {rule["id"]: rule["status"] for rule in scorecard["rules"]}
    assert len(statuses) == 10
    assert statuses["8"] == "meets"
    assert statuses["9"] == "partial"
    assert scorecard["flags"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "form", "status", "words"),
    [
        ("policy.exe", b"MZ", {"obtained": "website", "policy_date": "2024-01-01"}, 400, "PDF"),
        ("policy.txt", b"", {"obtained": "website", "policy_date": "2024-01-01"}, 400, "empty"),
        ("policy.txt", b"x", {"obtained": "rumour", "policy_date": "2024-01-01"}, 422, ""),
        ("policy.txt", b"x", {"obtained": "website", "policy_date": "soon"}, 422, ""),
    ],
)
def test_upload_refuses_bad_files_and_fields(
    client: Client,
    mesa_police: Agency,
    volunteer_key: str,
    name: str,
    content: bytes,
    form: dict[str, str],
    status: int,
    words: str,
) -> None:
    response = client.post(
        f"/api/agencies/{mesa_police.pk}/versions",
        {"file": SimpleUploadedFile(name, content), **form},
        headers=bearer(volunteer_key),
    )
    assert response.status_code == status
    assert words in str(response.json()["detail"])
    assert not PolicyVersion.objects.exists()


@pytest.mark.django_db
def test_upload_to_an_unknown_agency_is_404(client: Client, volunteer_key: str) -> None:
    response = client.post(
        "/api/agencies/999/versions",
        {
            "file": SimpleUploadedFile("p.txt", b"x"),
            "obtained": "website",
            "policy_date": "2024-01-01",
        },
        headers=bearer(volunteer_key),
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_retry_only_a_failed_analysis(
    client: Client, draft: PolicyVersion, volunteer_key: str
) -> None:
    url = f"/api/versions/{draft.pk}/retry"
    refused = client.post(url, headers=bearer(volunteer_key))
    assert refused.status_code == 400
    assert "failed" in refused.json()["detail"]

    PolicyVersion.objects.filter(pk=draft.pk).update(
        job_state=JobState.FAILED, error="boom", retry_helps=False
    )
    failed = client.get(f"/api/versions/{draft.pk}", headers=bearer(volunteer_key)).json()
    assert failed["error"] == "boom" and failed["retry_helps"] is False
    response = client.post(url, headers=bearer(volunteer_key))
    assert response.status_code == 202
    assert response.json()["job_state"] == "done"
    assert response.json()["error"] == "" and response.json()["retry_helps"] is True


@pytest.mark.django_db
def test_scorecard_of_a_version_not_yet_analysed_is_404(
    client: Client, draft: PolicyVersion, volunteer_key: str
) -> None:
    draft.analysis.delete()
    PolicyVersion.objects.filter(pk=draft.pk).update(job_state=JobState.QUEUED)
    response = client.get(f"/api/versions/{draft.pk}/scorecard", headers=bearer(volunteer_key))
    assert response.status_code == 404
    assert "waiting to be analysed" in response.json()["detail"]


# Reviews and publishing ---------------------------------------------------------------------


@pytest.mark.django_db
def test_review_then_a_stale_review_is_409_with_the_current_reviews(
    client: Client, draft: PolicyVersion, staff_key: str
) -> None:
    url = f"/api/versions/{draft.pk}/reviews"
    first = {"rule": "7", "status": "partial", "reason": "Section 415.4 covers it.", "revision": 0}
    saved = client.post(url, first, "application/json", headers=bearer(staff_key))
    assert saved.status_code == 201, saved.json()
    assert saved.json()["revision"] == 1
    assert saved.json()["reviewer"] == "sam"

    stale = {"rule": "7", "status": "silent", "revision": 0}
    response = client.post(url, stale, "application/json", headers=bearer(staff_key))
    assert response.status_code == 409
    body = response.json()
    assert body["revision"] == 1
    assert [(r["rule"], r["status"]) for r in body["reviews"]] == [("7", "partial")]
    assert "Someone else" in body["detail"]
    assert draft.reviews.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"rule": "42", "status": "meets", "revision": 0}, "no rule 42"),
        ({"rule": "1", "status": "meets", "revision": 0}, "Say why"),
    ],
)
def test_review_refused_by_the_action_is_400(
    client: Client, draft: PolicyVersion, staff_key: str, body: dict[str, Any], words: str
) -> None:
    url = f"/api/versions/{draft.pk}/reviews"
    response = client.post(url, body, "application/json", headers=bearer(staff_key))
    assert response.status_code == 400
    assert words in response.json()["detail"]


@pytest.mark.django_db
def test_confirm_with_a_stale_revision_is_409(
    client: Client, draft: PolicyVersion, staff_key: str
) -> None:
    url = f"/api/versions/{draft.pk}/confirm"
    response = client.post(url, {"revision": 5}, "application/json", headers=bearer(staff_key))
    assert response.status_code == 409
    assert response.json()["revision"] == 0


@pytest.mark.django_db
def test_publish_flow(client: Client, draft: PolicyVersion, staff_key: str) -> None:
    url = f"/api/versions/{draft.pk}"
    refused = client.post(f"{url}/publish", headers=bearer(staff_key))
    assert refused.status_code == 400
    assert "Review every rule" in refused.json()["detail"]

    override = {
        "rule": "7",
        "status": "partial",
        "reason": "Practised",
        "revision": 0,
        "in_practice_only": True,
    }
    client.post(f"{url}/reviews", override, "application/json", headers=bearer(staff_key))
    confirmed = client.post(
        f"{url}/confirm", {"revision": 1}, "application/json", headers=bearer(staff_key)
    )
    assert confirmed.json() == {"confirmed": 9, "revision": 2}
    published = client.post(f"{url}/publish", headers=bearer(staff_key))
    assert published.status_code == 200
    assert published.json()["published"] is True

    # Now the public sees it everywhere, with the reviewed status folded in.
    assert [item["id"] for item in client.get("/api/versions").json()["items"]] == [draft.pk]
    assert client.get(url).json()["published_at"] is not None
    rules = {rule["id"]: rule for rule in client.get(f"{url}/scorecard").json()["rules"]}
    assert rules["7"]["status"] == "partial"
    assert rules["7"]["analysed_status"] == "silent"
    assert rules["7"]["in_practice_only"] is True
    summary = client.get(f"/api/agencies/{draft.policy.agency_id}").json()["scorecard"]
    assert summary["version"] == draft.pk
    counted = Counter(rule["status"] for rule in rules.values())
    assert summary["counts"] == {s: counted[s] for s in ("meets", "partial", "conflicts", "silent")}
    assert {
        "id": "7",
        "name": summary["rules"][6]["name"],
        "status": "partial",
        "in_practice_only": True,
    } in summary["rules"]


# The schema ---------------------------------------------------------------------------------


def test_every_operation_is_described_and_documents_its_errors(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    # The events and campaign routers test their own operations; these are the scorecards'.
    operations = [
        op
        for path, ops in schema["paths"].items()
        if not path.startswith(("/api/events/", "/api/campaign/"))
        for op in ops.values()
    ]
    assert len(operations) == 14
    for operation in operations:
        assert operation["description"] or operation["summary"], operation["operationId"]
        assert "401" in operation["responses"], operation["operationId"]
        if operation["operationId"].startswith(("create", "upload", "retry", "confirm", "publish")):
            assert {"400", "403", "404"} <= set(operation["responses"]), operation["operationId"]


def test_every_field_and_parameter_is_described(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]

    def described(prop: dict[str, Any]) -> bool:
        referenced = components.get(prop.get("$ref", "").rpartition("/")[2], {})
        return "description" in prop or "description" in referenced

    missing = [
        f"{name}.{field}"
        for name, component in components.items()
        for field, prop in component.get("properties", {}).items()
        if not described(prop)
    ] + [
        f"{path} {parameter['name']}"
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation["parameters"]
        if not described(parameter)
    ]
    assert missing == []
