"""The snapshot files go: the analysis's JSON holds the whole scorecard (see 0007).

A snapshot is deleted only where 0007 converted it; one that could not be read stays
in the data folder for whoever wants to look at it, though nothing reads it.
"""

from typing import Any

from django.db import migrations

from freedomcities.contract import is_current


def delete_converted(apps: Any, schema_editor: Any) -> None:
    """Remove the snapshot files whose scorecards are now stored as JSON."""
    for analysis in apps.get_model("scorecards", "Analysis").objects.exclude(snapshot=""):
        if is_current(analysis.scorecard):
            analysis.snapshot.delete(save=False)


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0007_scorecards_as_json")]

    operations = [
        migrations.RunPython(delete_converted, migrations.RunPython.noop),
        migrations.RemoveField(model_name="analysis", name="snapshot"),
    ]
