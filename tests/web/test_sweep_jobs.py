"""Sweep jobs in-process (the queue runs each job at once): agencies, reuse, failures, records."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from freedomcities.isolate import read_isolated
from freedomcities.ocr import DEFAULT_OCR, OCR_ENGINES, ocr_settings
from freedomcities.sweep import ManifestRow, read_manifest
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction
from freedomcities.web.scorecards.actions import upload_version
from freedomcities.web.scorecards.models import (
    Analysis,
    JobState,
    Obtained,
    PolicyVersion,
    SweepItem,
)
from freedomcities.web.scorecards.sweep import (
    failures,
    finished_records,
    sweep_counts,
)
from freedomcities.web.scorecards.tasks import queue_sweep, requeue_unqueued
from tests import hostile
from tests.documents import make_encrypted_pdf, make_pdf, make_scanned_pdf

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "freedomcities" / "samples" / "sample-city-pd-immigration-policy.txt"
MESA = "ocd-division/country:us/state:az/place:mesa"
MARICOPA = "ocd-division/country:us/state:az/county:maricopa"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the pipeline reads."""
    seen: list[str] = []

    def counting(path: Any, **options: Any) -> Any:
        seen.append(Path(path).name)
        return read_isolated(path, **options)

    monkeypatch.setattr(importlib.import_module("freedomcities.analyze"), "read_isolated", counting)
    return seen


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    policy = tmp_path / "policy.txt"
    unique = f"\nSection 77. Sweep {tmp_path.name}.\n"  # the data folder cache is per session
    policy.write_text(SAMPLE.read_text(encoding="utf-8") + unique, "utf-8")
    path = tmp_path / "az.csv"
    path.write_text(
        "name,ocd_id,path,date\n"
        f"Mesa Police Department,{MESA},policy.txt,2024-02-01\n"
        f"Maricopa County Sheriff's Office,{MARICOPA},policy.txt,\n"
        "Gila Police Department,ocd-division/country:us/state:az/place:gila,policy.txt,\n"
        f"Mesa Jail,{MESA},missing.pdf,\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.django_db(transaction=True)
def test_a_sweep_stores_analyses_awaiting_review_and_reads_each_content_once(
    arizona: Jurisdiction, manifest: Path, reads: list[str]
) -> None:
    sweep = queue_sweep(manifest, read_manifest(manifest))
    counts = sweep_counts(sweep)
    assert (counts.total, counts.done, counts.failed, counts.queued) == (4, 2, 2, 0)
    assert reads == ["policy.txt"]  # the sheriff's copy of the same file was not read again

    mesa = Agency.objects.get(name="Mesa Police Department")
    sheriff = Agency.objects.get(name="Maricopa County Sheriff's Office")
    assert (mesa.kind, sheriff.kind) == (AgencyKind.POLICE, AgencyKind.SHERIFF)
    versions = PolicyVersion.objects.filter(policy__agency__in=[mesa, sheriff])
    assert all(v.job_state == JobState.DONE and not v.is_published for v in versions)
    assert versions.get(policy__agency=mesa).policy_date.isoformat() == "2024-02-01"
    assert versions.get(policy__agency=mesa).obtained == Obtained.WEBSITE

    errors = {item.agency_name: item.error for item in failures(sweep)}
    assert (
        "No jurisdiction has the OCD id ocd-division/country:us/state:az/place:gila"
        in (errors["Gila Police Department"])
    )
    assert "There is no file at" in errors["Mesa Jail"]

    records = finished_records(sweep)
    assert [r["agency"] for r in records] == ["Mesa Police Department", sheriff.name]
    assert records[0]["sha256"] == records[1]["sha256"] and records[1]["reused"]
    assert "Mesa" in str(records[0]["scorecard"]) and records[0]["judge"]

    again = queue_sweep(manifest, read_manifest(manifest))  # resume: only the failures again
    assert again.pk == sweep.pk and reads == ["policy.txt"]
    assert SweepItem.objects.filter(sweep=sweep, state=JobState.DONE).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_upload_of_a_file_already_analysed_is_not_read_again(
    arizona: Jurisdiction, manifest: Path, reads: list[str]
) -> None:
    queue_sweep(manifest, read_manifest(manifest))
    agency = Agency.objects.create(
        jurisdiction=Jurisdiction.objects.get(ocd_id=MESA), kind=AgencyKind.JAIL, name="Jail"
    )
    upload = SimpleUploadedFile("p.txt", (manifest.parent / "policy.txt").read_bytes())
    version = upload_version(
        agency, upload, obtained="website", policy_date=read_manifest(manifest)[0].date, user=None
    )
    version.refresh_from_db()
    assert version.job_state == JobState.DONE
    assert reads == ["policy.txt"]


@pytest.mark.django_db(transaction=True)
def test_lines_whose_jobs_the_queue_lost_are_queued_again(
    arizona: Jurisdiction, manifest: Path
) -> None:
    sweep = queue_sweep(manifest, read_manifest(manifest))
    line = SweepItem.objects.get(sweep=sweep, agency_name="Mesa Police Department")
    SweepItem.objects.filter(pk=line.pk).update(state=JobState.QUEUED)  # its job is gone
    assert requeue_unqueued(sweep) == 1
    assert SweepItem.objects.get(pk=line.pk).state == JobState.DONE
    assert requeue_unqueued(sweep) == 0


@pytest.mark.django_db(transaction=True)
def test_a_sweep_of_hostile_files_goes_on_longest_first_and_shows_their_real_errors(
    arizona: Jurisdiction, tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FREEDOMCITIES_MAX_MEMORY_MB", "300")
    agreement = sorted((shared_dir / "moa").glob("*.pdf"))[0]
    short = tmp_path / "short.txt"  # a few pages: after the agreement, before one-page files
    short.write_text(SAMPLE.read_text(encoding="utf-8") * 4, encoding="utf-8")
    files = {
        "Bomb Police Department": hostile.pdf_stream_bomb(tmp_path / "bomb.pdf"),
        "Locked Police Department": make_encrypted_pdf(
            short.read_text("utf-8"), tmp_path / "l.pdf"
        ),
        "Short Police Department": short,
        "Agreement Police Department": agreement,
    }
    manifest = tmp_path / "hostile.csv"
    lines = [f"{name},{MESA},{path}" for name, path in files.items()]
    manifest.write_text("name,ocd_id,path\n" + "\n".join(lines) + "\n", encoding="utf-8")

    sweep = queue_sweep(manifest, read_manifest(manifest))

    finished = sweep.items.order_by("finished_at").values_list("agency_name", flat=True)
    assert list(finished)[:2] == ["Agreement Police Department", "Short Police Department"]
    errors = {item.agency_name: item.error for item in failures(sweep)}
    assert errors.keys() == {"Bomb Police Department", "Locked Police Department"}
    assert "bomb.pdf has a page stream that inflates" in errors["Bomb Police Department"]
    assert "protected by a password" in errors["Locked Police Department"]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_with_another_ocr_engine_reads_scans_again_but_reuses_text_files(
    arizona: Jurisdiction, tmp_path: Path, reads: list[str]
) -> None:
    pytest.importorskip("tesserocr")
    text = make_pdf(SAMPLE.read_text(encoding="utf-8") + tmp_path.name, tmp_path / "text.pdf")
    scan = make_scanned_pdf(SAMPLE.read_text(encoding="utf-8")[:600], tmp_path / "scan.pdf")
    manifest = tmp_path / "ocr.csv"
    manifest.write_text(
        f"Mesa Police Department,{MESA},text.pdf\nMesa Jail,{MESA},scan.pdf\n", encoding="utf-8"
    )
    first = queue_sweep(manifest, read_manifest(manifest))
    assert sorted(reads) == ["scan.pdf", "text.pdf"]

    fast = queue_sweep(manifest, read_manifest(manifest), "tesserocr")

    assert fast.pk != first.pk and fast.ocr == "tesserocr" and "OCR tesserocr" in fast.judged_by
    assert sorted(reads) == ["scan.pdf", "scan.pdf", "text.pdf"]  # only the scan, read again
    records = {record["path"]: record for record in finished_records(fast)}
    assert records[str(text)]["reused"] and not records[str(scan)]["reused"]
    assert records[str(scan)]["ocr_pages"] == 1
    assert (records[str(scan)]["ocr_engine"], records[str(text)]["ocr_engine"]) == ("tesserocr", "")
    assert queue_sweep(manifest, read_manifest(manifest), "tesserocr").pk == fast.pk


def _ocr_manifest(folder: Path, name: str) -> Path:
    """A manifest of a text PDF for Mesa's police and a scanned one for its jail, in ``folder``."""
    manifest = folder / name
    manifest.write_text(
        f"Mesa Police Department,{MESA},text.pdf\nMesa Jail,{MESA},scan.pdf\n", encoding="utf-8"
    )
    return manifest


def _versions(sweep: Any) -> dict[str, int]:
    """Each file's stored policy version in a finished sweep, by file name."""
    return {Path(r["path"]).name: r["version"] for r in finished_records(sweep)}


@pytest.mark.django_db(transaction=True)
def test_stored_analyses_are_reused_by_the_ocr_settings_that_read_their_scans(
    arizona: Jurisdiction, tmp_path: Path, reads: list[str], staff_client: Client
) -> None:
    pytest.importorskip("tesserocr")
    words = SAMPLE.read_text(encoding="utf-8")
    make_pdf(words + tmp_path.name, tmp_path / "text.pdf")
    make_scanned_pdf(words[:500] + tmp_path.name, tmp_path / "scan.pdf")

    fast = queue_sweep(*_rows(_ocr_manifest(tmp_path, "first.csv")), "tesserocr")
    assert sorted(reads) == ["scan.pdf", "text.pdf"]
    stored = _versions(fast)
    scanned = Analysis.objects.get(version=stored["scan.pdf"])
    assert (scanned.ocr_engine, scanned.ocr_settings) == (
        "tesserocr",
        ocr_settings(OCR_ENGINES["tesserocr"]),
    )
    text = Analysis.objects.get(version=stored["text.pdf"])
    assert (text.ocr_pages, text.ocr_engine, text.ocr_settings) == (0, "", "")

    # The same files under another manifest, read with the same engine: nothing read or stored.
    again = queue_sweep(*_rows(_ocr_manifest(tmp_path, "second.csv")), "tesserocr")
    assert again.pk != fast.pk and _versions(again) == stored
    assert len(reads) == 2 and PolicyVersion.objects.count() == 2

    # The default engine reuses the text file's analysis, but reads the scan itself.
    plain = queue_sweep(*_rows(_ocr_manifest(tmp_path, "second.csv")))
    assert sorted(reads) == ["scan.pdf", "scan.pdf", "text.pdf"]
    assert _versions(plain)["text.pdf"] == stored["text.pdf"]
    read_again = Analysis.objects.get(version=_versions(plain)["scan.pdf"])
    assert read_again.version_id != stored["scan.pdf"]
    assert (read_again.ocr_engine, read_again.ocr_settings) == (
        "tesseract",
        ocr_settings(DEFAULT_OCR),
    )

    # Staff see which engine read an analysis's scans, in English and Spanish.
    english = staff_client.get(scanned.version.get_absolute_url()).content.decode()
    assert "1 scanned page read by the OCR engine tesserocr" in english
    spanish = staff_client.get(
        scanned.version.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "1 página escaneada leída por el motor de OCR tesserocr" in spanish
    assert "no scanned pages" in staff_client.get(text.version.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_scanned_analysis_stored_before_ocr_settings_were_recorded_is_made_again_once(
    arizona: Jurisdiction, tmp_path: Path, reads: list[str], staff_client: Client
) -> None:
    make_scanned_pdf(
        SAMPLE.read_text(encoding="utf-8")[:400] + tmp_path.name, tmp_path / "scan.pdf"
    )
    manifest = tmp_path / "scan.csv"
    manifest.write_text(f"Mesa Jail,{MESA},scan.pdf\n", encoding="utf-8")
    old = _versions(queue_sweep(*_rows(manifest)))["scan.pdf"]
    Analysis.objects.filter(version=old).update(ocr_engine="", ocr_settings="")  # as migrated

    page = staff_client.get(PolicyVersion.objects.get(pk=old).get_absolute_url()).content.decode()
    assert "1 scanned page, read before the OCR engine was recorded" in page

    again = tmp_path / "again.csv"
    again.write_text(manifest.read_text(encoding="utf-8"), encoding="utf-8")
    made = _versions(queue_sweep(*_rows(again)))["scan.pdf"]
    assert made != old and Analysis.objects.get(version=made).ocr_engine == "tesseract"
    assert reads == ["scan.pdf"]  # the file cache kept its scorecard under the OCR settings
    once_more = tmp_path / "once-more.csv"
    once_more.write_text(manifest.read_text(encoding="utf-8"), encoding="utf-8")
    assert _versions(queue_sweep(*_rows(once_more)))["scan.pdf"] == made


def _rows(manifest: Path) -> tuple[Path, list[ManifestRow]]:
    """A manifest and its rows, as queue_sweep takes them."""
    return manifest, read_manifest(manifest)
