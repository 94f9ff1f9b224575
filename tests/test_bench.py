"""Smoke tests for the benchmark scripts in bench/ (they are not timed here)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import pypdfium2 as pdfium
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> tuple[ModuleType, ModuleType]:
    """The bench/generate.py and bench/run.py modules, imported as the scripts import them."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("generate"), importlib.import_module("run")


def _page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(path)
    try:
        texts = []
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
        return texts
    finally:
        pdf.close()


def test_generate_writes_a_manual_with_the_requested_page_count(bench, tmp_path):
    generate, _ = bench
    path = generate.generate_manual(tmp_path / "manual.pdf", pages=20, seed=7)
    texts = _page_texts(path)
    assert len(texts) == 20
    assert all("Policy Manual" in text for text in texts)  # running header
    assert "Chapter 1 - Law Enforcement Role and Authority" in texts[1]  # contents
    assert any("100.1 PURPOSE AND SCOPE" in text for text in texts)


def test_generate_is_deterministic(bench, tmp_path):
    generate, _ = bench
    first = generate.generate_manual(tmp_path / "a.pdf", pages=12, seed=3)
    second = generate.generate_manual(tmp_path / "b.pdf", pages=12, seed=3)
    assert _page_texts(first) == _page_texts(second)


def test_generate_reaches_the_immigration_chapter_in_a_long_manual(bench, tmp_path):
    generate, _ = bench
    text = "\n".join(_page_texts(generate.generate_manual(tmp_path / "m.pdf", pages=200)))
    assert "Immigration Violations" in text
    assert "IMMIGRATION DETAINERS" in text


def test_generate_refuses_too_few_pages(bench, tmp_path):
    generate, _ = bench
    with pytest.raises(ValueError, match="at least 3 pages"):
        generate.generate_manual(tmp_path / "m.pdf", pages=2)


def test_measure_returns_figures_for_a_tiny_pdf(bench, tmp_path):
    generate, run = bench
    path = generate.generate_manual(tmp_path / "tiny.pdf", pages=5)
    figures = run.measure("extract", [path], repeat=2)
    assert figures.pages == 5
    assert len(figures.runs) == 2
    assert figures.seconds > 0
    assert figures.cpu_seconds >= 0
    assert figures.peak_mb > 0
    assert figures.error is None


def test_measure_rejects_an_unknown_workload(bench):
    _, run = bench
    with pytest.raises(ValueError, match="choose one of extract"):
        run.measure("nonsense", [])


def test_web_bench_loads_every_page_of_a_small_state(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCH))
    web = importlib.import_module("web")
    output = tmp_path / "web.json"
    argv = ["--states", "DE", "--requests", "6", "--warmup", "1", "--concurrency", "2"]
    assert web.main([*argv, "--output", str(output)]) == 0
    result = json.loads(output.read_text())
    rows = {row["label"]: row for row in result["rows"]}
    assert list(rows)[:3] == ["healthz (baseline)", "dashboard DE", "dashboard DE, uncached"]
    assert any(label.startswith("place Wilmington") for label in rows)
    assert any(label.startswith("county ") for label in rows)
    assert result["seed"]["agencies"] >= 4  # a sheriff per county (3), police in Wilmington...
    for row in rows.values():
        assert row["errors"] == {}
        assert row["page"]["status"] == 200
        assert row["p50_ms"] > 0
        assert row["p95_x"] is not None
