"""Analyses are stored as the whole scorecard's JSON; pages mark quotes by their offsets.

The migration test takes the demo back to the stored form of earlier releases (short
JSON, a pickled snapshot, rows without offsets), converts it with the one-off
``scripts/convert_snapshots.py`` and migrates it forward again, and checks every page
and report of it reads the same, byte for byte. Without the script, migrating stops.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import pickle
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from freedomcities.contract import public_view
from freedomcities.errors import ContractError
from freedomcities.models import Scorecard
from freedomcities.sentences import normalize_space
from freedomcities.web.scorecards.models import Analysis, JobState, PolicyVersion, Section
from freedomcities.web.scorecards.reports import reviewed_scorecard
from freedomcities.web.scorecards.templatetags.scorecard_tags import flatten, mark_quotes
from freedomcities.web.seed import DEMO_USERNAME, seed_demo

# Each response masks the CSRF token anew; the rest of the page must not change.
_CSRF = re.compile(rb"(?<=X-CSRFToken\": \")\w+|(?<=csrfmiddlewaretoken\" value=\")\w+")
# A Word file says when its changes and comments were written: the one thing that may differ.
_WHEN = re.compile(rb' w:date="[^"]*"')
BEFORE = ("scorecards", "0005_supervised_sweeps")
REPORTS = ("annotated.html", "redline.html", "packet.html", "packet.docx")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "convert_snapshots.py"


def _script() -> ModuleType:
    """The one-off converter, which lives outside the package, loaded from its file."""
    spec = importlib.util.spec_from_file_location("convert_snapshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up while it is made
    spec.loader.exec_module(module)
    return module


def _pages(client: Client, version: PolicyVersion, reports: bool = True) -> dict[str, bytes]:
    """A version's page, its text with each rule's quotes marked, and its reports."""
    urls = [version.get_absolute_url()]
    urls += [f"{urls[0]}sections/?rule={r.rule_id}" for r in version.rule_results.all()]
    if reports:
        urls += [f"/versions/{version.pk}/report/{name}" for name in REPORTS]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = _CSRF.sub(b"csrf", response.content)
        if url.endswith(".docx"):
            pages[url] = _docx_parts(response.content)
    return pages


def _docx_parts(content: bytes) -> bytes:
    """A Word file's parts, in order, without the times the zip and its changes record."""
    with zipfile.ZipFile(io.BytesIO(content)) as docx:
        parts = [name.encode() + b"\n" + docx.read(name) for name in docx.namelist()]
    return _WHEN.sub(b"", b"\n".join(parts))


def _demo_pages(client: Client, damaged: PolicyVersion) -> dict[str, bytes]:
    """Every analysed demo version's pages; the damaged one's reports are left out."""
    pages: dict[str, bytes] = {}
    for version in PolicyVersion.objects.filter(job_state=JobState.DONE).order_by("pk"):
        pages |= _pages(client, version, reports=version.pk != damaged.pk)
    return pages


def _as_stored_before(damaged: PolicyVersion) -> None:
    """Put the stored analyses back as releases before 0006 kept them, one snapshot damaged."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    apps = executor.loader.project_state(BEFORE).apps
    old_analysis = apps.get_model("scorecards", "Analysis")
    old_result = apps.get_model("scorecards", "RuleResult")
    for analysis in old_analysis.objects.all():
        whole = analysis.scorecard
        analysis.scorecard = public_view(whole)
        data = gzip.compress(pickle.dumps(Scorecard.from_dict(whole)))
        if analysis.version_id == damaged.pk:
            data = data[: len(data) // 2]
        analysis.snapshot.save(f"{analysis.version_id}.pickle.gz", ContentFile(data))
        for result in old_result.objects.filter(version_id=analysis.version_id):
            result.evidence = [_without_offsets(item) for item in result.evidence]
            result.save(update_fields=["evidence"])


def _without_offsets(evidence: dict[str, Any]) -> dict[str, Any]:
    """A quote as rows kept it before offsets were kept."""
    return {key: value for key, value in evidence.items() if key not in ("start", "end")}


def _migrate_forward() -> None:
    """Apply every migration, as ``freedomcities serve`` does at start."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def demo_client() -> Iterator[Client]:
    """The seeded demo, and a client signed in as its staff user; the schema is whole after."""
    seed_demo()
    client = Client()
    client.force_login(User.objects.get(username=DEMO_USERNAME))
    try:
        yield client
    finally:
        _migrate_forward()


@pytest.mark.django_db(transaction=True)
def test_the_demo_reads_the_same_before_and_after_the_migration(
    demo_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = PolicyVersion.objects.filter(published_at__isnull=False).order_by("pk")[0]
    before = _demo_pages(demo_client, damaged)
    assert len(before) > 40

    _as_stored_before(damaged)
    with pytest.raises(ContractError, match=r"scripts/convert_snapshots\.py"):
        _migrate_forward()  # the package reads no snapshot: it names the script instead
    done = _script().convert_snapshots()
    assert done.unreadable == [damaged.pk] and damaged.pk not in done.whole
    assert len(done.whole) == PolicyVersion.objects.filter(job_state=JobState.DONE).count() - 1
    _migrate_forward()

    after = _demo_pages(demo_client, damaged)
    assert after.keys() == before.keys()
    assert [url for url in before if after[url] != before[url]] == []
    # The converted ones are whole again; the damaged one keeps its short form, and says so.
    converted = Analysis.objects.exclude(version=damaged)
    assert all(a.scorecard["schema"] == 1 for a in converted)
    assert all(s.start is not None for s in Section.objects.exclude(version=damaged))
    assert f"Versions: {damaged.pk}." in capsys.readouterr().out
    response = demo_client.get(f"/versions/{damaged.pk}/report/packet.html", follow=True)
    assert b"analysed before reports were kept" in response.content


@pytest.mark.django_db
def test_the_text_page_marks_a_real_quote_where_its_offsets_put_it(
    staff_client: Client,
) -> None:
    seed_demo()
    version = PolicyVersion.objects.filter(published_at__isnull=False).order_by("pk")[0]
    result = next(r for r in version.rule_results.all() if r.evidence)
    quote = result.evidence[0]
    whole = reviewed_scorecard(version).document.text
    assert whole[quote["start"] : quote["end"]] == quote["quote"]
    section = next(s for s in version.sections.all() if s.start <= quote["start"] < (s.end or 0))
    page = staff_client.get(f"{version.get_absolute_url()}sections/?rule={result.rule_id}")
    marked = f"<mark>{escape(normalize_space(quote['quote']))}</mark>"
    assert marked in page.content.decode()
    # Offsets decide, not words: given other words, the quote's place is still what is marked.
    elsewhere = {**quote, "quote": section.text[:20]}
    assert marked in str(mark_quotes(section, [elsewhere]))


SENTENCE = "The department shall not ask any person about their immigration status."


def test_the_same_words_twice_are_marked_where_the_finding_is() -> None:
    text = f"{SENTENCE}\n  Officers:   {SENTENCE}"
    section = Section(text=text, start=100, end=100 + len(text))
    second = text.rindex(SENTENCE) + 100
    marked = str(mark_quotes(section, [{"quote": SENTENCE, "start": second, "end": second + 9}]))
    assert marked == f"{SENTENCE} Officers: <mark>The depar</mark>{SENTENCE[9:]}"
    # Without offsets (a short-form analysis), the words are found where they first appear.
    found = str(mark_quotes(section, [{"quote": "The  department"}]))
    assert found.startswith("<mark>The department</mark> shall")
    # Offsets outside the section mark nothing in it.
    assert "<mark>" not in str(mark_quotes(section, [{"quote": SENTENCE, "start": 0, "end": 50}]))


@given(st.text(alphabet=" \n\tab<", max_size=40), st.data())
def test_flattened_offsets_follow_the_text(text: str, data: Any) -> None:
    flat, at = flatten(text)
    assert flat == normalize_space(text) and len(at) == len(text) + 1
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    piece = text[start:end]
    if piece and piece == piece.strip():
        assert flat[at[start] : at[end]] == normalize_space(piece)
