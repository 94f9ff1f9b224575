"""Learning from review: reviews become training passages, and a new judge's moves get checked.

The loop, in four steps (docs/web.md, "Learning from review"):

1. staff override a rule on the scorecard page, ideally quoting the policy's words that
   show the status (:attr:`Review.passage`);
2. :func:`export_reviews` turns those reviews into labelled passages
   (``freedomcities export-reviews``), which ``freedomcities train --passages`` learns from;
3. :func:`reanalyze` reads the stored versions again with the new judge
   (``FREEDOMCITIES_JUDGE``) and records each rule whose analysed status moved;
4. staff confirm each move, or keep the old status (:func:`confirm_move`, :func:`keep_old_status`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.embed import Embedder, default_embedder
from freedomcities.errors import FreedomCitiesError
from freedomcities.judge import judge_version
from freedomcities.rules import load_ruleset
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.data import UnknownState, state_by_postal
from freedomcities.web.scorecards import actions, analysis
from freedomcities.web.scorecards.models import (
    JobState,
    PolicyVersion,
    RuleResult,
    StatusMove,
    Verdict,
)


@dataclass(frozen=True)
class LabelledPassage:
    """One training row: a rule, a label (meets/partial/conflicts/none), the words, a note."""

    rule_id: str
    label: str
    passage: str
    note: str

    def as_row(self) -> tuple[str, str, str, str]:
        """The row as :func:`freedomcities.training.write_examples` takes it."""
        return (self.rule_id, self.label, self.passage, self.note)


def export_reviews(*, state: str | None = None, confirmed: bool = False) -> list[LabelledPassage]:
    """Each review that overrides the analysis, as labelled passages for training the judge.

    Only the latest review of each rule counts; "in practice only" marks (not written in
    the policy) and reviews carried over from an earlier version (the original is exported
    with its own version) are left out. A review's own passage is labelled with the review's
    status ("none" for silent); without one, a silent review labels each quote of the
    analysis "none", and any other status labels the analysis's top quote.

    Args:
        state: only agencies in this state (a postal code such as "AZ").
        confirmed: also export confirmations (the review agrees with the analysis).

    Raises:
        ActionError: the state is not a U.S. state or DC.
    """
    versions = PolicyVersion.objects.filter(analysis__isnull=False).select_related(
        "policy__agency__jurisdiction"
    )
    if state is not None:
        try:
            versions = versions.filter(
                policy__agency__jurisdiction__state=state_by_postal(state).state
            )
        except UnknownState as exc:
            raise ActionError(str(exc)) from None
    rows: list[LabelledPassage] = []
    for version in versions.order_by("policy__agency__name", "policy_date", "pk"):
        for verdict in version.verdicts():
            if _exported(verdict, confirmed):
                rows += _labelled(version, verdict)
    return rows


def _exported(verdict: Verdict, confirmed: bool) -> bool:
    """Whether a rule's latest review teaches the judge something."""
    review = verdict.review
    if review is None or review.in_practice_only or review.carried_from_id is not None:
        return False
    return confirmed or verdict.overridden


def _labelled(version: PolicyVersion, verdict: Verdict) -> list[LabelledPassage]:
    """The labelled passages one review gives."""
    assert verdict.review is not None
    status = verdict.review.status
    label = "none" if status == "silent" else status
    note = _note(version, verdict)
    rule = verdict.rule_id
    if verdict.review.passage.strip():
        return [LabelledPassage(rule, label, _flat(verdict.review.passage), note)]
    quotes = [_flat(str(item.get("quote", ""))) for item in verdict.result.evidence]
    quotes = [quote for quote in quotes if quote]
    if label == "none":
        return [LabelledPassage(rule, "none", quote, note) for quote in quotes]
    return [LabelledPassage(rule, label, quotes[0], note)] if quotes else []


def _note(version: PolicyVersion, verdict: Verdict) -> str:
    """Where a passage came from and why it has its label; never the reviewer's name."""
    assert verdict.review is not None
    reason = _flat(verdict.review.reason) or "no reason given"
    return (
        f"{version.policy.agency.name}, policy of {version.policy_date:%Y-%m-%d}, rule "
        f"{verdict.rule_id}: analysed {verdict.result.status}, reviewed {verdict.review.status}. "
        f"Reason: {reason}"
    )


def _flat(text: str) -> str:
    """Text on one line, its runs of white space made single spaces."""
    return " ".join(text.split())


# ---- re-analysis with a new judge ------------------------------------------------------------


@dataclass(frozen=True)
class Reanalysis:
    """What :func:`reanalyze` did: the judge, the versions read again, the moves, the failures."""

    judge: str
    analysed: int
    moves: tuple[StatusMove, ...]
    failures: tuple[tuple[PolicyVersion, str], ...]


def current_judge_version() -> str:
    """The fingerprint of the judge new analyses use ("cues" or "learned-<12 hex>")."""
    return judge_version(load_ruleset(), analysis.current_judge())


def reanalyze(
    *,
    everything: bool = False,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Reanalysis:
    """Analyse stored versions again with the current judge, and record the statuses that moved.

    Versions whose analysis another judge made are read again (every analysed version
    with ``everything``). Each rule whose analysed status changed gets a
    :class:`StatusMove` for staff to confirm; published statuses follow the usual rule
    (the review where there is one, else the analysis). A version that cannot be read
    keeps its stored analysis and is listed in the failures.

    Raises:
        RulesetError: ``FREEDOMCITIES_JUDGE`` names a file that is not a judge.
    """
    model = analysis.current_judge()
    judge = judge_version(load_ruleset(), model)
    versions = PolicyVersion.objects.filter(analysis__isnull=False, job_state=JobState.DONE)
    if not everything:
        versions = versions.exclude(analysis__judge_version=judge)
    related = versions.select_related("policy__agency__jurisdiction", "analysis")
    # Each stored scorecard holds its document's text: not needed here, so not loaded.
    todo = list(related.defer("analysis__scorecard").order_by("pk"))
    engine = embedder or default_embedder()
    moves: list[StatusMove] = []
    failures: list[tuple[PolicyVersion, str]] = []
    for done, version in enumerate(todo, start=1):
        before = {result.rule_id: result.status for result in version.rule_results.all()}
        old_judge = version.analysis.judge_version
        try:
            scorecard = analysis.analyse(version, embedder=engine, model=model)
        except FreedomCitiesError as exc:
            failures.append((version, analysis.failure_message(version, exc)))
        else:
            with transaction.atomic():
                analysis.store_analysis(version, scorecard, ocr=settings.OCR)
                moves += _record_moves(version, before, old_judge, scorecard.judge_version)
        if progress:
            progress(done, len(todo))
    return Reanalysis(judge, len(todo) - len(failures), tuple(moves), tuple(failures))


def _record_moves(
    version: PolicyVersion, before: dict[str, str], old_judge: str, new_judge: str
) -> list[StatusMove]:
    """A move for each rule whose status changed; one still waiting for staff moves on with it."""
    now = timezone.now()
    moved = []
    waiting = {m.rule_id: m for m in version.moves.filter(confirmed_at__isnull=True)}
    for result in version.rule_results.all():
        if before.get(result.rule_id, result.status) == result.status:
            continue
        move = waiting.get(result.rule_id) or StatusMove(
            version=version,
            rule_id=result.rule_id,
            old_status=before[result.rule_id],
            old_judge=old_judge,
        )
        if move.old_status == result.status:  # back where it was before anyone looked
            move.delete()
            continue
        move.new_status, move.new_judge, move.moved_at = result.status, new_judge, now
        move.save()
        moved.append(move)
    return moved


@dataclass(frozen=True)
class MoveRow:
    """One waiting move as the moves page shows it."""

    move: StatusMove
    rule_name: str
    quote: str
    section: str


def waiting_moves() -> list[MoveRow]:
    """The moves nobody has confirmed yet, oldest first, with the new analysis's top quote."""
    ruleset = load_ruleset()
    names = {rule.id: rule.name for rule in ruleset.rules}
    moves = list(
        StatusMove.objects.filter(confirmed_at__isnull=True).select_related(
            "version__policy__agency__jurisdiction"
        )
    )
    results = {
        (r.version_id, r.rule_id): r
        for r in RuleResult.objects.filter(version__in={m.version_id for m in moves})
    }
    rows = []
    for move in moves:
        result = results.get((move.version_id, move.rule_id))
        top: dict[str, Any] = result.evidence[0] if result and result.evidence else {}
        rows.append(
            MoveRow(
                move,
                names.get(move.rule_id, move.rule_id),
                top.get("quote", ""),
                top.get("section") or "",
            )
        )
    return rows


def confirm_move(move: StatusMove, *, user: User) -> None:
    """Accept a move's new status.

    Where an earlier review gave the rule another status, a review with the new one is
    recorded, so the published status is the new one too.

    Raises:
        ActionError: someone already decided this move, or reviewed the version meanwhile.
    """
    with transaction.atomic():
        version = _decide(move, user, kept_old=False)
        latest = version.latest_reviews().get(move.rule_id)
        if latest is not None and latest.status != move.new_status:
            actions.review_rule(
                version,
                move.rule_id,
                status=move.new_status,
                reason=_("Accepted the status found by the new judge (%(judge)s).")
                % {"judge": move.new_judge},
                in_practice_only=False,
                user=user,
                revision=version.revision,
            )


def keep_old_status(move: StatusMove, *, user: User) -> None:
    """Refuse a move: a review gives the rule its status from before the re-analysis.

    Raises:
        ActionError: someone already decided this move, or reviewed the version meanwhile.
    """
    with transaction.atomic():
        version = _decide(move, user, kept_old=True)
        actions.review_rule(
            version,
            move.rule_id,
            status=move.old_status,
            reason=_(
                "Kept the status from before the re-analysis; the new judge (%(judge)s) "
                "said %(status)s."
            )
            % {"judge": move.new_judge, "status": move.get_new_status_display()},
            in_practice_only=False,
            user=user,
            revision=version.revision,
        )


def _decide(move: StatusMove, user: User, *, kept_old: bool) -> PolicyVersion:
    """Mark a move decided, by whom and when, and return its version read afresh.

    Refuses a move someone else decided first (two staff members on the page at once).
    """
    now = timezone.now()
    decided = StatusMove.objects.filter(pk=move.pk, confirmed_at__isnull=True).update(
        confirmed_by=user, confirmed_at=now, kept_old=kept_old
    )
    if not decided:
        raise ActionError(_("Someone already decided this change; nothing was saved."))
    move.confirmed_by, move.confirmed_at, move.kept_old = user, now, kept_old
    return PolicyVersion.objects.get(pk=move.version_id)
