"""The analysis queue: dead workers' jobs come back, staff see it, hostile uploads fail kindly.

On a real database with the immediate queue; the test that kills a real worker
process is in ``test_server.py``.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.scorecards import actions, tasks
from freedomcities.web.scorecards.models import JobState, PolicyVersion, WorkerBeat
from tests import hostile

SAMPLE = Path(__file__).resolve().parents[2] / "freedomcities" / "samples"

pytestmark = pytest.mark.django_db(transaction=True)


def _version(agency: Agency, name: str = "policy.txt", data: bytes | None = None) -> PolicyVersion:
    content = data or (SAMPLE / "sample-city-pd-immigration-policy.txt").read_bytes()
    return actions.upload_version(
        agency,
        SimpleUploadedFile(name, content),
        obtained="website",
        policy_date=datetime.date(2024, 1, 1),
        user=None,
    )


def _running_on(version: PolicyVersion, worker: str, seconds_ago: float) -> None:
    PolicyVersion.objects.filter(pk=version.pk).update(
        job_state=JobState.RUNNING,
        worker=worker,
        job_started_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def _beat(name: str, seconds_ago: float) -> None:
    moment = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    WorkerBeat.objects.create(name=name, started_at=moment, last_seen=moment)


def test_a_job_whose_worker_went_silent_is_analysed_again(mesa_police: Agency) -> None:
    version = _version(mesa_police)
    _running_on(version, "host:111", seconds_ago=120)
    _beat("host:111", seconds_ago=45)

    assert tasks.recover_abandoned() == [version.pk]

    version.refresh_from_db()
    assert version.job_state == JobState.DONE  # queued again; the immediate queue ran it
    assert version.lost_runs == 1
    assert not WorkerBeat.objects.filter(name="host:111").exists()


def test_a_job_whose_worker_is_alive_is_left_alone(mesa_police: Agency) -> None:
    version = _version(mesa_police)
    _running_on(version, "host:222", seconds_ago=600)
    _beat("host:222", seconds_ago=3)

    assert tasks.recover_abandoned() == []
    version.refresh_from_db()
    assert version.job_state == JobState.RUNNING
    assert not actions.is_stalled(version)


def test_a_worker_known_dead_gives_its_job_back_at_once(mesa_police: Agency) -> None:
    version = _version(mesa_police)
    _running_on(version, "host:333", seconds_ago=2)
    _beat("host:333", seconds_ago=1)

    assert tasks.forget_worker("host:333") == [version.pk]
    version.refresh_from_db()
    assert version.job_state == JobState.DONE


def test_a_job_whose_workers_keep_dying_fails_with_its_reason(mesa_police: Agency) -> None:
    version = _version(mesa_police)
    PolicyVersion.objects.filter(pk=version.pk).update(lost_runs=tasks.MAX_LOST_RUNS - 1)
    _running_on(version, "host:444", seconds_ago=120)

    assert tasks.recover_abandoned() == [version.pk]
    version.refresh_from_db()
    assert version.job_state == JobState.FAILED
    assert "stopped before it finished, twice" in version.error
    assert not version.retry_helps


def test_staff_see_the_queue_and_its_workers(
    staff_client: Client, volunteer_client: Client, mesa_police: Agency
) -> None:
    done = _version(mesa_police)
    waiting = _version(mesa_police, name="waiting.txt")
    PolicyVersion.objects.filter(pk=waiting.pk).update(job_state=JobState.QUEUED)
    failed = _version(mesa_police, name="broken.pdf", data=b"%PDF-1.7\n" + bytes(range(256)) * 8)
    _beat("host:555", seconds_ago=2)
    _beat("host:666", seconds_ago=300)

    page = staff_client.get("/review/jobs/").content.decode()

    assert 'data-state="queued">Waiting: <strong>1</strong>' in page
    assert 'data-state="failed">Could not be analysed: <strong>1</strong>' in page
    assert f'data-testid="job-{waiting.pk}" data-state="queued"' in page
    assert f'data-testid="job-{failed.pk}" data-state="failed"' in page
    assert "damaged or incomplete PDF" in page
    assert "Trying again would give the same result." in page
    assert "host:555</td>" in page and "Working" in page
    assert "Not heard from: it may have stopped" in page
    assert f"job-{done.pk}" not in page
    assert volunteer_client.get("/review/jobs/").status_code in (302, 403, 404)


def test_a_hostile_upload_fails_with_the_limit_and_no_retry(
    mesa_police: Agency, tmp_path: Path
) -> None:
    bomb = hostile.docx_deep_xml(tmp_path / "deep.docx").read_bytes()
    version = _version(mesa_police, name="manual.docx", data=bomb)
    version.refresh_from_db()
    assert version.job_state == JobState.FAILED
    assert version.error.startswith("manual.docx has XML nested deeper than 256 levels")
    assert not version.retry_helps


def test_an_unsupported_zip_compression_fails_without_a_retry(
    mesa_police: Agency, tmp_path: Path
) -> None:
    odd = hostile.docx_with_compression(tmp_path / "odd.docx", 9).read_bytes()
    version = _version(mesa_police, name="manual.docx", data=odd)
    version.refresh_from_db()
    assert version.job_state == JobState.FAILED
    assert "zip compression" in version.error and not version.retry_helps
