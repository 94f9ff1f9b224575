"""Joins two profile fields added side by side: staff states and the saved language."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_language"),
        ("accounts", "0002_staff_states"),
    ]

    # Nothing to change: the merge only orders the two.
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
