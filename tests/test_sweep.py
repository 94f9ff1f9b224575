"""The sweep's plain parts: reading manifests, the JSON Lines file, the warm worker's embedder."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from freedomcities.embed import HashingEmbedder, RememberingEmbedder, Vectors
from freedomcities.errors import ManifestError
from freedomcities.sweep import JsonLines, read_manifest

MESA = "ocd-division/country:us/state:az/place:mesa"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agencies.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        f"name,ocd_id,path\nMesa Police Department,{MESA},mesa.pdf\n",
        f"Mesa Police Department,{MESA},mesa.pdf\n",  # no header: the three columns in order
        f"path,name,ocd_id,date\nmesa.pdf,Mesa Police Department,{MESA},2024-05-01\n\n",
    ],
)
def test_manifests_with_or_without_a_header(tmp_path: Path, text: str) -> None:
    [row] = read_manifest(_write(tmp_path, text))
    assert (row.name, row.ocd_id, row.path) == (
        "Mesa Police Department",
        MESA,
        tmp_path / "mesa.pdf",
    )
    assert row.date in (None, datetime.date(2024, 5, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,path\nMesa,mesa.pdf\n", "without the column(s) ocd_id"),
        (f"name,ocd_id,path\n,{MESA},mesa.pdf\n", "Line 2 of the manifest has no name"),
        ("name,ocd_id,path\nMesa,az-mesa,mesa.pdf\n", "should look like ocd-division/"),
        (f"name,ocd_id,path,date\nMesa,{MESA},m.pdf,May 2024\n", "write it as YYYY-MM-DD"),
        ("name,ocd_id,path\n", "lists no agencies"),
    ],
)
def test_a_bad_manifest_says_which_line_and_how_to_fix_it(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_manifest(_write(tmp_path, text))


def test_a_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="There is no manifest at"):
        read_manifest(tmp_path / "nothing.csv")


def test_json_lines_written_once_even_when_a_sweep_resumes(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    record = {"agency": "Mesa PD", "ocd_id": MESA, "sha256": "ab" * 32, "judge": "cues", "x": 1}
    other = {**record, "agency": "Tempe PD"}
    assert JsonLines(path).write([record]) == 1
    with path.open("a", encoding="utf-8") as file:
        file.write('{"cut short')  # a run stopped mid-line
    resumed = JsonLines(path)
    assert resumed.write([record, other]) == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["agency"] for line in lines if line.endswith("}")] == [
        "Mesa PD",
        "Tempe PD",
    ]


class _Counting:
    """A real embedder that records every text it is asked to embed."""

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.seen: list[str] = []
        self.name, self.dim = self.inner.name, self.inner.dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.seen.extend(texts)
        return self.inner.embed(texts)


def test_a_warm_worker_embeds_a_passage_seen_before_only_once() -> None:
    counting = _Counting()
    remembering = RememberingEmbedder(counting, size=3)
    first = ["Officers shall not ask about status.", "A judicial warrant is required."]
    second = ["A judicial warrant is required.", "Detainers are not honoured.", first[0]]
    assert np.array_equal(remembering.embed(first), HashingEmbedder().embed(first))
    assert np.array_equal(remembering.embed(second), HashingEmbedder().embed(second))
    assert counting.seen == [*first, "Detainers are not honoured."]
    remembering.embed(["One more.", "And another."])  # only three are kept
    remembering.embed([first[1]])
    assert counting.seen[-1] == first[1]
