"""The learned judge: a stance for every (passage, rule) pair, learned from labelled policies.

Hand-written cues read the wording their authors foresaw; real policies say
the same things in words nobody listed ("hold", "city resources",
"administrative warrant"). This judge learns from the experts' passage
labels instead (``freedomcities train``): MiniLM, its top layers fine-tuned
on those labels (:mod:`freedomcities.tuning`), reads each passage with its
list's lead-in, and per rule weighs what it read together with what the
hand-written cues say of the passage (topic found, and the stance the cues
read: frozen rules, one input among others).

The fitted reader ships as int8 ONNX inside the judge file and runs on
onnxruntime, so reading needs no torch. It gives ``none``/``meets``/
``partial``/``conflicts`` probabilities per rule; :func:`decide` turns a
rule's passage probabilities into findings and says when the judge is
unsure enough that a person should look first.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from freedomcities.embed import minilm_tokenizer, open_session, pad_token_ids
from freedomcities.errors import RulesetError
from freedomcities.models import Stance
from freedomcities.numeric import Matrix, softmax
from freedomcities.passages import Passage
from freedomcities.rules import RULES_DIR, Rule, Ruleset
from freedomcities.stance import any_match

LABELS = ("none", "meets", "partial", "conflicts")
STANCE_LABELS: tuple[Stance, ...] = ("meets", "partial", "conflicts")
CUE_FEATURES = 4  # topic found; cues read meets, partial, conflicts
LEAD_IN_CHARS = 240
FORMAT = 2  # judge files of format 1 held a logistic model over frozen embeddings


@dataclass(frozen=True)
class Settings:
    """How a fitted judge turns probabilities into a scorecard.

    Attributes:
        temperature: divides the logits.
        offset: taken from every stance's logit before the softmax. Training
            weighs a passage with a stance several times a passage without
            one, which inflates the odds of a stance by that weight; taking
            its log back out makes a 0.8 mean right about 8 times in 10.
        find: the least probability of a stance that makes a finding, per stance.
        review: the least probability that, without a finding, still asks a person to look.
        best_rule: the least probability that a passage bears on a rule which lets the
            judge read it for that rule without the rule's topic words, if that is the
            rule the passage most likely bears on: the cue lists cannot foresee every
            wording ("shall not initiate any immigration status investigation"), and a
            passage about one rule often touches the words of its neighbours. None
            keeps every rule to its topic words.
    """

    temperature: float = 1.0
    find: dict[str, float] = field(
        default_factory=lambda: {"meets": 0.5, "partial": 0.5, "conflicts": 0.5}
    )
    review: float = 0.25
    offset: float = 0.0
    best_rule: float | None = None


@dataclass(frozen=True)
class Judgement:
    """Probabilities of each label for every passage and rule: ``probabilities[rule][i]``.

    ``topical[rule][i]`` says whether the passage speaks of the rule's subject
    in the ruleset's own topic words; only those can be findings. A manual's
    thousands of sentences on arrests and complaints stay out of the
    immigration rules, however the model leans on them.
    """

    rule_ids: tuple[str, ...]
    probabilities: Matrix  # (rules, passages, labels)
    topical: npt.NDArray[np.bool_]  # (rules, passages)

    def of(self, rule_id: str, best_rule: float | None = None) -> Matrix:
        """The (passages, labels) probabilities for one rule; off-topic passages say ``none``,
        unless it is the rule they most likely bear on, by at least ``best_rule``."""
        r = self.rule_ids.index(rule_id)
        none = np.eye(len(LABELS), dtype=np.float32)[0]
        opened = self.topical[r]
        if best_rule is not None:
            bearing = self._bearing[r]
            opened = opened | ((bearing >= best_rule) & (bearing >= self._best_bearing))
        mixed = np.where(opened[:, None], self.probabilities[r], none)
        return np.asarray(mixed, dtype=np.float32)

    @cached_property
    def _bearing(self) -> Matrix:
        """(rules, passages): the chance each passage bears on each rule at all."""
        return 1.0 - self.probabilities[..., 0]

    @cached_property
    def _best_bearing(self) -> Matrix:
        """(passages,): the chance of the rule each passage most likely bears on; worked
        out once, though every rule's findings ask for it."""
        return np.asarray(self._bearing.max(axis=0), dtype=np.float32)


@dataclass(frozen=True)
class LearnedJudge:
    """A fitted judge for one ruleset, with how it was made.

    Attributes:
        model: the fine-tuned reader, int8 ONNX bytes (inputs ``input_ids``,
            ``attention_mask`` and ``cues``; output ``logits``, passages x rules x labels).
        rule_ids: the rules the reader gives logits for, in its order.
        settings: calibration and thresholds.
        about: what it was trained on, for the record (documents, passages, figures).
    """

    model: bytes = field(repr=False)
    rule_ids: tuple[str, ...]
    settings: Settings
    about: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def version(self) -> str:
        """A short fingerprint of the model and settings; stored with every analysis.

        Worked out once per judge: hashing the model's megabytes took a tenth of
        a second, and every analysis asks for it several times.
        """
        digest = hashlib.sha256(self.model)
        digest.update(json.dumps(_settings_dict(self.settings), sort_keys=True).encode())
        return f"learned-{digest.hexdigest()[:12]}"

    def judge(
        self,
        passages: Sequence[Passage],
        ruleset: Ruleset,
        reader: CueReader,
        wanted: npt.NDArray[np.bool_] | None = None,
    ) -> Judgement:
        """Label probabilities for every passage and rule of the ruleset this judge knows.

        Only passages on some rule's subject are read by the model: in a long
        manual that is a few hundred of many thousands. ``wanted`` (rules,
        passages) narrows that further to the readings the caller will use.
        """
        cues = cue_features(passages, ruleset, self.rule_ids, reader, wanted)
        return Judgement(self.rule_ids, self.read_topical(passages, cues), cues[..., 0] > 0)

    def read_topical(self, passages: Sequence[Passage], cues: Matrix) -> Matrix:
        """Calibrated label probabilities (rules, n, labels), read by the model only for
        passages on some rule's topic (``cues[..., 0]``); the rest say ``none``."""
        keep = np.flatnonzero((cues[..., 0] > 0).any(axis=0))
        probabilities = np.zeros((*cues.shape[:2], len(LABELS)), dtype=np.float32)
        probabilities[..., 0] = 1.0
        if len(keep):
            chosen = [passages[int(i)] for i in keep]
            probabilities[:, keep] = self.probabilities(chosen, cues[:, keep])
        return probabilities

    def probabilities(self, passages: Sequence[Passage], cues: Matrix) -> Matrix:
        """Calibrated label probabilities of passages whose cues are known: (rules, n, labels)."""
        logits = read_logits(self.model, [model_text(p) for p in passages], cues)
        logits[..., 1:] -= self.settings.offset
        return softmax(logits / self.settings.temperature)

    def save(self, path: Path) -> None:
        """Write the judge as one ``.npz``: the ONNX model, and its settings as JSON."""
        meta = {
            "format": FORMAT,
            "rule_ids": list(self.rule_ids),
            "settings": _settings_dict(self.settings),
            "about": self.about,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            model=np.frombuffer(self.model, dtype=np.uint8),
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        )
        path.write_bytes(buffer.getvalue())


def load_judge(path: Path) -> LearnedJudge:
    """Read a judge written by :meth:`LearnedJudge.save`.

    Raises:
        RulesetError: the file is not a judge this version can read.
    """
    try:
        with np.load(path) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            model = bytes(data["model"]) if "model" in data else b""
    except (OSError, ValueError, KeyError) as exc:
        raise RulesetError(
            f"{path.name} is not a judge model this version can read ({exc}); "
            "rebuild it with: freedomcities train"
        ) from None
    if meta.get("format") != FORMAT or not model:
        raise RulesetError(f"{path.name} was trained by an older version; rebuild it with train.")
    settings = meta["settings"]
    return LearnedJudge(
        model,
        tuple(meta["rule_ids"]),
        Settings(
            settings["temperature"],
            dict(settings["find"]),
            settings["review"],
            settings.get("offset", 0.0),
            settings.get("best_rule"),
        ),
        meta.get("about", {}),
    )


def read_logits(model: bytes, texts: Sequence[str], cues: Matrix) -> Matrix:
    """The reader's logits for texts with their cue features (rules, n, 4): (rules, n, labels).

    Each passage is read alone. The int8 model scales each input by its own
    range (dynamic quantization), so a passage read in a batch would read a
    little differently beside other passages, and the same sentence could
    change stance from one manual to the next. Alone, it needs no padding
    either, which costs no more time on a CPU.
    """
    session = _session(model)
    out = np.zeros((cues.shape[0], len(texts), len(LABELS)), dtype=np.float32)
    if not texts:
        return out
    for i, encoding in enumerate(minilm_tokenizer().encode_batch(list(texts))):
        ids, mask = pad_token_ids([encoding.ids])
        feeds = {
            "input_ids": ids,
            "attention_mask": mask,
            "cues": np.ascontiguousarray(cues[:, i][None], dtype=np.float32),
        }
        out[:, i] = np.asarray(session.run(["logits"], feeds)[0], dtype=np.float32)[0]
    return out


_SESSIONS: dict[bytes, Any] = {}
_SESSIONS_LOCK = threading.Lock()


def _session(model: bytes) -> Any:
    """The process-wide onnxruntime session of a reader model, opened once.

    Keyed by the model's bytes themselves: Python hashes a bytes object once
    and keeps the hash, so finding the session costs nothing after the first
    call, where a SHA-256 of the model cost tens of milliseconds on every one.
    """
    with _SESSIONS_LOCK:
        if model not in _SESSIONS:
            _SESSIONS[model] = open_session(model, threads=1)
        return _SESSIONS[model]


def gate_keywords(ruleset: Ruleset) -> tuple[str, ...]:
    """Word beginnings that open a passage to the learned judge.

    Every rule's keywords, and the plain words of enforcement that real
    policies use where the cues expect terms of art ("hold", "release",
    "inquire", "complaint").
    """
    words = {k for rule in ruleset.rules for k in rule.cues.keywords}
    return tuple(sorted(words | set(GATE_WORDS)))


GATE_WORDS = tuple(
    f" {w}"
    for w in (
        "hold",
        "deport",
        "undocumented",
        "sanctuary",
        "287",
        "removal",
        "alien",
        "warrant",
        "detain",
        "release",
        "notif",
        "inquir",
        "status",
        "complain",
        "stop",
        "arrest",
        "question",
        "identif",
        "badge",
        "uniform",
        "courthouse",
        "civil arrest",
        "federal",
        "cooperat",
        "assist",
        "enforce",
        "legally",
        "nationality",
        "profil",
        "transfer",
    )
)


def judge_path(ruleset_id: str) -> Path:
    """Where the shipped judge of a ruleset lives: beside it, ``<id>.judge.npz``."""
    return RULES_DIR / f"{ruleset_id}.judge.npz"


@lru_cache(maxsize=8)
def shipped_judge(ruleset_id: str) -> LearnedJudge | None:
    """The judge trained for a shipped ruleset, loaded once per process; None if there is none."""
    path = judge_path(ruleset_id)
    return load_judge(path) if path.is_file() else None


def decide(probabilities: Matrix, settings: Settings) -> list[tuple[int, Stance, float, bool]]:
    """One rule's findings from its passages' (passages, labels) probabilities.

    Whether a passage bears on the rule at all (one minus the chance of
    ``none``) and which stance it takes are told apart: a passage the judge
    is sure is about holds for ICE, but unsure whether it meets the rule or
    only part of it, is still a finding, of its likeliest stance. Returns
    (passage index, stance, probability that it bears on the rule, tentative)
    for each passage that passes its stance's threshold, or comes near it
    (tentative: it decides nothing, but asks a person to look).
    """
    found = []
    bearings = 1.0 - probabilities[:, 0]
    for i in np.flatnonzero(bearings >= settings.review):
        stance, bearing = STANCE_LABELS[int(np.argmax(probabilities[i, 1:]))], float(bearings[i])
        found.append((int(i), stance, bearing, bearing < settings.find[stance]))
    return found


def model_text(passage: Passage) -> str:
    """The passage as the model reads it: the end of its lead-in, then the sentence."""
    sentence = " ".join(passage.text.split())
    if passage.lead_in:
        return f"{passage.lead_in[-LEAD_IN_CHARS:]} {sentence}"
    return sentence


CueReader = Callable[[Rule, Passage], str | None]


def cue_features(
    passages: Sequence[Passage],
    ruleset: Ruleset,
    rule_ids: Sequence[str],
    reader: CueReader,
    wanted: npt.NDArray[np.bool_] | None = None,
) -> Matrix:
    """What the hand-written cues (``reader``) say of each passage: (rules, passages, 4).

    Readings outside ``wanted`` (rules, passages) are left at zero, as off the
    rule's subject: the cues' stance reading is the slow part on a long manual.
    """
    out = np.zeros((len(rule_ids), len(passages), CUE_FEATURES), dtype=np.float32)
    known = {rule.id: rule for rule in ruleset.rules}
    for r, rule_id in enumerate(rule_ids):
        rule = known.get(rule_id)
        if rule is None:
            continue
        for i, passage in enumerate(passages):
            if wanted is None or wanted[r, i]:
                out[r, i] = _cue_row(rule, passage, reader)
    return out


def _cue_row(rule: Rule, passage: Passage, reader: CueReader) -> list[float]:
    """The four cue features of one passage for one rule."""
    cues = rule.cues
    if not any_match(cues.topic, passage.reading) or (
        cues.context and not any_match(cues.context, passage.reading)
    ):
        return [0.0, 0.0, 0.0, 0.0]
    stance = reader(rule, passage)
    return [1.0, *(float(stance == s) for s in STANCE_LABELS)]


def _settings_dict(settings: Settings) -> dict[str, Any]:
    """Settings as plain JSON values."""
    return {
        "temperature": settings.temperature,
        "find": settings.find,
        "review": settings.review,
        "offset": settings.offset,
        "best_rule": settings.best_rule,
    }
