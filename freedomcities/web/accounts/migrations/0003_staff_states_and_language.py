"""Joins two profile fields added side by side: staff states and the saved language."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_language"),
        ("accounts", "0002_staff_states"),
    ]

    operations: list[migrations.operations.base.Operation] = []
