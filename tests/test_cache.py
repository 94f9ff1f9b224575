"""One analysis per file content: `report` and `compare` reuse what `analyze` read."""

from __future__ import annotations

import gzip
import importlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from documents import make_pdf, make_scanned_pdf

from freedomcities.analyze import analyze_cached, analyze_many
from freedomcities.cache import AnalysisCache, analysis_key, file_digest
from freedomcities.cli import cli
from freedomcities.contract import SCHEMA
from freedomcities.isolate import read_isolated
from freedomcities.models import Scorecard
from freedomcities.ocr import DEFAULT_OCR, TesseractOCR, TesserocrOCR
from freedomcities.rules import RULES_DIR, load_ruleset

POLICY = (
    "428.2 POLICY\n"
    "Officers shall not detain any person solely on the basis of an immigration detainer. "
    "The department shall not ask any person about their immigration status. "
    "Officers shall not honor ICE administrative warrants; a judicial warrant signed by a "
    "judge is required before anyone is held for federal immigration authorities.\n"
)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the pipeline reads, in order."""
    seen: list[str] = []

    def counting(path: Any, **options: Any) -> Any:
        seen.append(Path(path).name)
        return read_isolated(path, **options)

    monkeypatch.setattr(importlib.import_module("freedomcities.analyze"), "read_isolated", counting)
    return seen


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    return make_pdf(POLICY, tmp_path / "mesa-policy.pdf")


def test_report_after_analyze_does_not_read_the_pdf_again(
    policy: Path, reads: list[str], tmp_path: Path
) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["analyze", str(policy), "-f", "json", "-j", "Mesa, AZ"])
    assert first.exit_code == 0, first.output
    assert reads == ["mesa-policy.pdf"]
    for kind in ("packet", "redline", "annotated"):
        out = tmp_path / f"{kind}.html"
        made = runner.invoke(cli, ["report", str(policy), "-f", "html", "-k", kind, "-o", str(out)])
        assert made.exit_code == 0, made.output
        assert "immigration" in out.read_text(encoding="utf-8").lower()
    assert reads == ["mesa-policy.pdf"]  # three kinds of report, no second reading


def test_compare_reuses_both_analyses(policy: Path, reads: list[str], tmp_path: Path) -> None:
    later = make_pdf(POLICY + "\n428.3 RECORDS\nRecords are kept.\n", tmp_path / "later.pdf")
    runner = CliRunner()
    for path in (policy, later):
        assert runner.invoke(cli, ["analyze", str(path), "-f", "json"]).exit_code == 0
    compared = runner.invoke(cli, ["compare", str(policy), str(later), "-f", "json"])
    assert compared.exit_code == 0, compared.output
    assert '"428.3"' in compared.output
    assert reads == ["mesa-policy.pdf", "later.pdf"]


def test_a_copy_under_another_name_and_place_reuses_the_analysis_with_its_own_wording(
    policy: Path, reads: list[str], tmp_path: Path
) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    first = analyze_cached(policy, jurisdiction="Mesa, AZ", cache=cache)
    copy = tmp_path / "copy.pdf"
    shutil.copyfile(policy, copy)
    second = analyze_cached(copy, jurisdiction="Tucson, AZ", cache=cache)
    assert reads == ["mesa-policy.pdf"]
    assert second.document.source == str(copy) and second.jurisdiction == "Tucson, AZ"
    assert [r.status for r in second.results] == [r.status for r in first.results]
    worded = [r.suggestion for r in second.results if r.suggestion]
    assert worded and all("Mesa" not in s for s in worded)
    assert any("Tucson" in s for s in worded)


def test_another_judge_or_changed_content_is_a_new_analysis(
    policy: Path, tmp_path: Path, reads: list[str]
) -> None:
    rules = load_ruleset("freedom-cities")
    learned = analysis_key(file_digest(policy), rules, "learned")
    cues = analysis_key(file_digest(policy), rules, "cues")
    assert learned != cues and learned.name != cues.name
    cache = AnalysisCache(tmp_path / "cache")
    analyze_cached(policy, cache=cache, model="cues")
    make_pdf(POLICY + "Changed.\n", policy)
    analyze_cached(policy, cache=cache, model="cues")
    assert reads == ["mesa-policy.pdf", "mesa-policy.pdf"]


def test_a_damaged_cache_entry_is_analysed_again(policy: Path, tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    key = analysis_key(file_digest(policy), load_ruleset("freedom-cities"), "cues")
    analyze_cached(policy, cache=cache, model="cues")
    cache.path(key).write_bytes(b"not a gzipped scorecard")
    assert cache.get(key) is None
    assert analyze_cached(policy, cache=cache, model="cues").results


def test_an_entry_is_the_scorecards_whole_json(policy: Path, tmp_path: Path) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    key = analysis_key(file_digest(policy), load_ruleset("freedom-cities"), "cues")
    scorecard = analyze_cached(policy, cache=cache, model="cues")
    stored = json.loads(gzip.decompress(cache.path(key).read_bytes()))
    assert stored == scorecard.to_dict()
    assert cache.get(key) == scorecard


def test_an_entry_of_a_newer_schema_or_an_old_pickle_is_a_miss(
    policy: Path, tmp_path: Path, reads: list[str]
) -> None:
    cache = AnalysisCache(tmp_path / "cache")
    key = analysis_key(file_digest(policy), load_ruleset("freedom-cities"), "cues")
    scorecard = analyze_cached(policy, cache=cache, model="cues")
    newer = {**scorecard.to_dict(), "schema": SCHEMA + 1}
    cache.path(key).write_bytes(gzip.compress(json.dumps(newer).encode()))
    assert cache.get(key) is None
    # Entries of earlier releases were pickles under another name: never read, so a miss.
    old = cache.path(key).with_name(f"{key.name}.pickle.gz")
    cache.path(key).rename(old)
    assert analyze_cached(policy, cache=cache, model="cues") == scorecard
    assert reads == ["mesa-policy.pdf", "mesa-policy.pdf"]


def test_analyze_many_keeps_each_analysis_and_reuses_it_without_reading(
    policy: Path, tmp_path: Path, reads: list[str]
) -> None:
    later = make_pdf(POLICY + "\n428.3 RECORDS\nRecords are kept.\n", tmp_path / "later.pdf")
    cache = AnalysisCache(tmp_path / "cache")
    first = dict(analyze_many([policy, later], workers=1, cache=cache))
    assert reads == ["mesa-policy.pdf", "later.pdf"]
    # Again, with a pool of two: every file is kept, so no worker starts and nothing is read.
    again = list(analyze_many([later, policy], workers=2, cache=cache, jurisdiction="Mesa, AZ"))
    assert reads == ["mesa-policy.pdf", "later.pdf"]
    assert [path for path, _ in again] == [later, policy]
    for path, card in again:
        assert isinstance(card, Scorecard)
        assert [r.status for r in card.results] == [r.status for r in first[path].results]
        assert card.jurisdiction == "Mesa, AZ"


def test_analyze_many_without_a_cache_reads_every_time(
    policy: Path, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FREEDOMCITIES_DATA", str(tmp_path / "data"))
    [(_path, card)] = analyze_many([policy], workers=1)
    assert list((tmp_path / "data" / "analyses").rglob("*.json.gz"))  # kept by default
    for _ in range(2):
        [(path, card)] = analyze_many([policy], workers=1, cache=False)
        assert path == policy and isinstance(card, Scorecard)
    assert reads == ["mesa-policy.pdf", "mesa-policy.pdf", "mesa-policy.pdf"]


def test_a_cue_edited_without_a_new_version_is_not_served_the_old_analysis(
    tmp_path: Path,
) -> None:
    shipped = RULES_DIR / "freedom-cities.toml"
    edited = tmp_path / "freedom-cities.toml"
    text = shipped.read_text(encoding="utf-8")
    edited.write_text(text.replace("'consent form',", "'consent forms?',", 1), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    before, after = load_ruleset(shipped), load_ruleset(edited)
    assert (before.id, before.version) == (after.id, after.version)
    policy = tmp_path / "policy.txt"
    policy.write_text(POLICY, encoding="utf-8")
    cache = AnalysisCache(tmp_path / "cache")
    analyze_cached(policy, ruleset=shipped, cache=cache, model="cues")
    kept = analysis_key(file_digest(policy), before, "cues")
    assert cache.get(kept) is not None
    assert cache.get(analysis_key(file_digest(policy), after, "cues")) is None


def test_another_ocr_engine_reads_a_scan_again_but_reuses_a_text_analysis(
    policy: Path, reads: list[str], tmp_path: Path
) -> None:
    pytest.importorskip("tesserocr")
    scan = make_scanned_pdf(POLICY, tmp_path / "scan.pdf")
    cache = AnalysisCache(tmp_path / "cache")
    for path in (policy, scan):
        analyze_cached(path, cache=cache)  # the default engine, Tesseract's command
    assert reads == ["mesa-policy.pdf", "scan.pdf"]

    fast = TesserocrOCR()
    text = analyze_cached(policy, cache=cache, ocr=fast)
    scanned = analyze_cached(scan, cache=cache, ocr=fast)
    assert reads == ["mesa-policy.pdf", "scan.pdf", "scan.pdf"]  # only the scan, read again
    assert (text.document.ocr_pages, scanned.document.ocr_pages) == (0, 1)
    key = analysis_key(file_digest(scan), load_ruleset("freedom-cities"))
    assert cache.get(key.with_ocr(fast)) is not None
    assert cache.get(key.with_ocr(DEFAULT_OCR)) is not None and cache.get(key) is None

    for engine in (DEFAULT_OCR, fast):
        analyze_cached(scan, cache=cache, ocr=engine)
    assert len(reads) == 3  # each engine's analysis is kept under its own settings

    other = TesseractOCR(page_mode=6)
    for _again in range(2):
        many = dict(analyze_many([policy, scan], cache=cache, ocr=other, workers=1))
        assert all(isinstance(result, Scorecard) for result in many.values())
    assert reads[3:] == ["scan.pdf"]  # the text policy kept, the scan read once with page mode 6
