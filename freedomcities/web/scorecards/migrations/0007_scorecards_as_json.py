"""Stored analyses become the whole scorecard's JSON (Scorecard.to_dict), and rows keep offsets.

Until now each analysis kept the short JSON of docs/json.md (no text, no offsets) and,
beside it, a gzipped pickle of the library's Scorecard for reports. This reads each
pickle once, the last time anything in the package unpickles, and stores its
``to_dict()`` instead; sections and quotes gain their offsets from it.

A snapshot that is missing or cannot be read leaves that analysis in the short form,
and the migration says which versions those are: their pages still work (quotes are
found by their words), and analysing them again makes their reports possible.
"""

from __future__ import annotations

import gzip
import pickle
from typing import Any

from django.db import migrations

from freedomcities.contract import evidence_rows, is_current
from freedomcities.models import Scorecard


def convert(apps: Any, schema_editor: Any) -> None:
    """Replace each analysis's short JSON with its snapshot's whole scorecard."""
    analyses = apps.get_model("scorecards", "Analysis").objects.select_related("version")
    kept_short = [
        analysis.version_id
        for analysis in analyses.iterator()
        if not is_current(analysis.scorecard) and not _converted(apps, analysis)
    ]
    if kept_short:
        print(
            f"\n  {len(kept_short)} stored analyses had no readable snapshot and keep their "
            "short JSON (pages work; reports need a new analysis: use Retry on the version). "
            f"Versions: {', '.join(map(str, kept_short))}."
        )


def _converted(apps: Any, analysis: Any) -> bool:
    """Store the analysis's snapshot as its whole JSON; False where it cannot be read."""
    data = _snapshot_dict(analysis)
    if data is None:
        return False
    data["document"]["source"] = analysis.version.original_name
    analysis.scorecard = data
    analysis.save(update_fields=["scorecard"])
    _project(apps, analysis.version_id, data)
    return True


def _snapshot_dict(analysis: Any) -> dict[str, Any] | None:
    """The snapshot's Scorecard as ``to_dict()`` gives it, or None if there is none to read."""
    if not analysis.snapshot:
        return None
    try:
        with analysis.snapshot.open("rb") as handle:
            # The app wrote these pickles into its own data folder; none came from outside.
            scorecard = pickle.loads(gzip.decompress(handle.read()))  # noqa: S301
        if not isinstance(scorecard, Scorecard):
            return None
        data = scorecard.to_dict()
        Scorecard.from_dict(data)  # it must read back, or the analysis stays as it was
    except Exception:  # noqa: BLE001  (any damage to an old file: keep the short form)
        return None
    return data


def _project(apps: Any, version_id: int, data: dict[str, Any]) -> None:
    """Give the version's section rows and quotes the offsets the whole JSON has."""
    Section = apps.get_model("scorecards", "Section")
    RuleResult = apps.get_model("scorecards", "RuleResult")
    rows = list(Section.objects.filter(version_id=version_id).order_by("position"))
    if len(rows) == len(data["sections"]):
        for row, section in zip(rows, data["sections"], strict=True):
            row.start, row.end = section["start"], section["end"]
        Section.objects.bulk_update(rows, ["start", "end"])
    rules = {rule["id"]: rule for rule in data["rules"]}
    results = list(RuleResult.objects.filter(version_id=version_id, rule_id__in=rules))
    for result in results:
        result.evidence = evidence_rows(rules[result.rule_id])
    RuleResult.objects.bulk_update(results, ["evidence"])


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0006_section_offsets")]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
