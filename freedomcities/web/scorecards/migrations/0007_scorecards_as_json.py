"""Stored analyses are the whole scorecard's JSON (Scorecard.to_dict), and rows keep offsets.

Until now each analysis kept the short JSON of docs/json.md (no text, no offsets) and,
beside it, a snapshot of the library's Scorecard object for reports. Reading such a
snapshot ties stored data to one layout of the classes and runs whatever it names, so the
package never reads one: ``scripts/convert_snapshots.py``, outside it, converts a
database's snapshots once, before this migration (see docs/deploy.md). A new database has none, so this only
checks: it stops while any snapshot still waits for that script, and names the analyses
that keep their short JSON because their snapshot could not be read (their pages work,
and analysing them again makes their reports possible).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from freedomcities.contract import is_current
from freedomcities.errors import ContractError


def check_converted(apps: Any, schema_editor: Any) -> None:
    """Refuse to go on past unconverted snapshots; name the analyses that stay short."""
    waiting: list[int] = []
    short: list[int] = []
    for analysis in apps.get_model("scorecards", "Analysis").objects.iterator():
        if not is_current(analysis.scorecard):
            (waiting if analysis.snapshot else short).append(analysis.version_id)
    if waiting:
        raise ContractError(
            f"{len(waiting)} stored analyses are still snapshots of Scorecard objects, which this version "
            "no longer reads. Run `.venv/bin/python scripts/convert_snapshots.py` once from "
            "the source folder (see docs/deploy.md), then migrate again. "
            f"Versions: {', '.join(map(str, waiting))}."
        )
    if short:
        print(
            f"\n  {len(short)} stored analyses had no readable snapshot and keep their "
            "short JSON (pages work; reports need a new analysis: use Retry on the version). "
            f"Versions: {', '.join(map(str, short))}."
        )


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0006_section_offsets")]

    operations = [migrations.RunPython(check_converted, migrations.RunPython.noop)]
