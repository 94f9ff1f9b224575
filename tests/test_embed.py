"""The embedding engines, run for real: the packaged MiniLM model and the hashing fallback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from freedomcities import embed
from freedomcities.embed import (
    Embedder,
    HashingEmbedder,
    MiniLMEmbedder,
    default_embedder,
    get_embedder,
)
from freedomcities.errors import EmbeddingUnavailable, FreedomCitiesError

# (sentence, its paraphrase, an unrelated sentence), in the language of real policy manuals.
PARAPHRASES = [
    (
        "Officers shall not ask about a person's immigration status.",
        "Members will not inquire into anyone's citizenship or immigration status.",
        "Vehicles must be inspected before each shift.",
    ),
    (
        "The department shall not honor ICE detainer requests without a judicial warrant.",
        "Immigration detainers will be declined unless they are signed by a judge.",
        "Overtime must be approved in advance by a supervisor.",
    ),
    (
        "Deputies will not stop or arrest anyone solely because of suspected immigration status.",
        "No person may be detained only on the belief that they are undocumented.",
        "Body-worn cameras shall be docked and charged at the end of every shift.",
    ),
    (
        "Federal immigration agents may not use department facilities for civil enforcement.",
        "The agency will not allow ICE to operate out of its stations for civil immigration work.",
        "Evidence must be logged into the property room within 24 hours.",
    ),
]

MINILM = MiniLMEmbedder()


def cosine(embedder: Embedder, a: str, b: str) -> float:
    """Cosine of two texts (the rows are unit length, so it is a dot product)."""
    vectors = embedder.embed([a, b])
    return float(vectors[0] @ vectors[1])


@pytest.mark.parametrize(("sentence", "paraphrase", "unrelated"), PARAPHRASES)
def test_minilm_ranks_paraphrase_above_unrelated(
    sentence: str, paraphrase: str, unrelated: str
) -> None:
    close = cosine(MINILM, sentence, paraphrase)
    far = cosine(MINILM, sentence, unrelated)
    assert close > far + 0.2, (close, far)


def test_minilm_known_pair_is_close_and_unrelated_pair_is_far() -> None:
    sentence, paraphrase, unrelated = PARAPHRASES[0]
    assert cosine(MINILM, sentence, paraphrase) > 0.6
    assert cosine(MINILM, sentence, unrelated) < 0.35


def test_minilm_shape_dtype_and_unit_rows() -> None:
    texts = [row[0] for row in PARAPHRASES] + ["", "ICE"]
    vectors = MINILM.embed(texts)
    assert vectors.shape == (len(texts), 384) == (len(texts), MINILM.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_minilm_empty_input_gives_empty_matrix() -> None:
    assert MINILM.embed([]).shape == (0, 384)


def test_minilm_keeps_input_order_across_length_sorted_batches() -> None:
    texts = [row[i] for row in PARAPHRASES for i in range(3)] * 3
    small_batches = MiniLMEmbedder(batch_size=2).embed(texts)
    one_by_one = np.vstack([MINILM.embed([text]) for text in texts])
    np.testing.assert_allclose(small_batches, one_by_one, atol=1e-4)


def test_minilm_truncates_to_max_tokens() -> None:
    long_text = " ".join(["officers shall not ask about immigration status"] * 40)
    vectors = MINILM.embed([long_text, long_text + " but vehicles must be inspected daily"])
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)


def test_minilm_instances_share_one_loaded_model() -> None:
    MINILM.load()
    assert MiniLMEmbedder()._model() is MINILM._model()
    assert MiniLMEmbedder(threads=2)._model() is not MINILM._model()


def test_minilm_loads_and_embeds_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("the embedding model tried to use the network")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    # Forget what earlier tests loaded, so the files are found, checked and read here.
    for cached in (embed._packaged_file, embed._open_session, embed._read_tokenizer):
        cached.cache_clear()

    vectors = MiniLMEmbedder().embed([PARAPHRASES[0][0], PARAPHRASES[0][1]])
    assert float(vectors[0] @ vectors[1]) > 0.6


def test_minilm_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    embedder = MiniLMEmbedder(model_path=tmp_path / "missing.onnx")
    with pytest.raises(EmbeddingUnavailable, match="does not exist"):
        embedder.embed(["text"])


def test_minilm_damaged_model_file_is_a_clear_error(tmp_path: Path) -> None:
    damaged = tmp_path / "model.onnx"
    damaged.write_bytes(b"not an onnx model")
    with pytest.raises(EmbeddingUnavailable) as caught:
        MiniLMEmbedder(model_path=damaged).load()
    assert isinstance(caught.value, FreedomCitiesError)


def test_minilm_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embed, "_package_dir", lambda package: None)
    embed._packaged_file.cache_clear()

    with pytest.raises(EmbeddingUnavailable, match="pip install"):
        get_embedder("minilm")
    with pytest.raises(EmbeddingUnavailable, match="not installed"):
        MiniLMEmbedder().embed(["text"])
    assert isinstance(default_embedder(), HashingEmbedder)
    assert isinstance(get_embedder("auto"), HashingEmbedder)
    embed._packaged_file.cache_clear()


def test_default_embedder_is_minilm_when_installed() -> None:
    assert embed.minilm_available()
    assert isinstance(default_embedder(), MiniLMEmbedder)
    assert isinstance(get_embedder("minilm"), MiniLMEmbedder)
    assert isinstance(get_embedder("hashing"), HashingEmbedder)


def test_unknown_embedder_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="auto, minilm, hashing"):
        get_embedder("bert")


@pytest.mark.parametrize("bad", [{"threads": 0}, {"batch_size": 0}, {"max_tokens": 1024}])
def test_minilm_rejects_bad_settings(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        MiniLMEmbedder(**bad)


def test_hashing_is_deterministic_within_a_process() -> None:
    texts = [row[0] for row in PARAPHRASES]
    first = HashingEmbedder().embed(texts)
    np.testing.assert_array_equal(first, HashingEmbedder().embed(texts))


def test_hashing_is_deterministic_across_processes() -> None:
    code = (
        "from freedomcities.embed import HashingEmbedder;"
        "print(HashingEmbedder(dim=64).embed(['Officers shall not ask about status'])[0].tolist())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    here = HashingEmbedder(dim=64).embed(["Officers shall not ask about status"])[0].tolist()
    assert outputs == {f"{here}\n"}


def test_hashing_shape_units_and_shared_words() -> None:
    hashing = HashingEmbedder()
    vectors = hashing.embed(["ICE detainer requests", "Detainer requests, ICE!", "", "!!"])
    assert vectors.shape == (4, 1024)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-6)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(1.0, abs=1e-6)
    assert not vectors[2:].any()  # no words, no direction
    sentence, paraphrase, unrelated = PARAPHRASES[0]
    assert cosine(hashing, sentence, paraphrase) > cosine(hashing, sentence, unrelated)


def test_engines_name_their_vector_space() -> None:
    assert MINILM.name == "all-MiniLM-L6-v2-onnx-int8"
    assert HashingEmbedder(dim=256).name == "hashing-256"
    assert HashingEmbedder(dim=256).dim == 256
