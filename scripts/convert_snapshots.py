"""Convert, once, the pickled snapshots of a web database made before scorecards migration 0007.

Before 0007 each stored analysis kept the short JSON of docs/json.md and, beside it in the
data folder, a gzipped pickle of the library's Scorecard for its reports. The package no
longer reads pickles: a pickle ties stored data to one layout of the classes, and reading
one runs whatever it names. This script, which is not part of the installed package, reads
each snapshot that one time:

    .venv/bin/python scripts/convert_snapshots.py

It brings the database forward to migration 0006 (never back), stores each readable
snapshot's ``Scorecard.to_dict()`` as its analysis's JSON, and gives the section rows and
quotes their offsets. A snapshot it cannot read is let go: the file stays in the data
folder, and its analysis keeps the short JSON (its pages work; analysing the version again
makes its reports). Then migrate as usual (``freedomcities serve`` does at start); 0007
refuses to run while a snapshot waits for this script. On a database already past 0006
there is nothing to convert, and it says so.
"""

from __future__ import annotations

import gzip
import os
import pickle
import sys
from dataclasses import dataclass
from typing import Any

BEFORE_JSON = ("scorecards", "0006_section_offsets")
JSON = ("scorecards", "0007_scorecards_as_json")


@dataclass(frozen=True)
class Converted:
    """The versions whose snapshots became JSON, and those whose snapshots could not be read."""

    whole: list[int]
    unreadable: list[int]


def convert_snapshots() -> Converted:
    """Convert every analysis that still has a snapshot; Django must be set up."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if JSON in executor.loader.applied_migrations:
        return Converted([], [])
    executor.migrate([BEFORE_JSON])
    apps = executor.loader.project_state(BEFORE_JSON).apps
    whole, unreadable = [], []
    for analysis in apps.get_model("scorecards", "Analysis").objects.exclude(snapshot=""):
        data = _snapshot_dict(analysis)
        if data is None:
            unreadable.append(analysis.version_id)
            analysis.snapshot = ""  # the file stays where it is; nothing will read it
            analysis.save(update_fields=["snapshot"])
            continue
        data["document"]["source"] = analysis.version.original_name
        analysis.scorecard = data
        analysis.save(update_fields=["scorecard"])
        _project(apps, analysis.version_id, data)
        whole.append(analysis.version_id)
    return Converted(whole, unreadable)


def _snapshot_dict(analysis: Any) -> dict[str, Any] | None:
    """The snapshot's Scorecard as ``to_dict()`` gives it, or None if it cannot be read."""
    from freedomcities.contract import is_current
    from freedomcities.models import Scorecard

    if is_current(analysis.scorecard):
        return None
    try:
        with analysis.snapshot.open("rb") as handle:
            # The app wrote these pickles into its own data folder; none came from outside.
            scorecard = pickle.loads(gzip.decompress(handle.read()))
        if not isinstance(scorecard, Scorecard):
            return None
        data = scorecard.to_dict()
        Scorecard.from_dict(data)  # it must read back, or the analysis stays as it was
    except Exception:  # any damage to an old file: keep the short form
        return None
    return data


def _project(apps: Any, version_id: int, data: dict[str, Any]) -> None:
    """Give the version's section rows and quotes the offsets the whole JSON has."""
    from freedomcities.contract import evidence_rows

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


def main() -> int:
    """Set up the web app as ``freedomcities serve`` does, convert, and say what was done."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "freedomcities.web.settings")
    import django

    django.setup()
    done = convert_snapshots()
    print(f"Converted {len(done.whole)} stored analyses to the whole scorecard's JSON.")
    if done.unreadable:
        print(
            f"{len(done.unreadable)} snapshots could not be read; those analyses keep their "
            "short JSON (pages work; reports need a new analysis: use Retry on the version). "
            f"Versions: {', '.join(map(str, done.unreadable))}."
        )
    print("Now migrate as usual: `freedomcities serve` does at start.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
