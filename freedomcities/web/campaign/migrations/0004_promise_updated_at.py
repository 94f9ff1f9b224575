"""Promises keep when they last changed, so their calendar events carry a growing SEQUENCE."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0003_reopen_requests_and_invitations"),
    ]

    operations = [
        migrations.AddField(
            model_name="promise",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
