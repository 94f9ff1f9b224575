"""Joins two steps added side by side: worker supervision and national sweeps."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0004_sweeps"),
        ("scorecards", "0004_worker_supervision"),
    ]

    # Nothing to change: the merge only orders the two.
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
