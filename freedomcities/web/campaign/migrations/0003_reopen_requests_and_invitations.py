"""Joins two campaign migrations added side by side: reopen requests and feed tokens, and
invitations and requests to join.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0002_invitations_and_join_requests"),
        ("campaign", "0002_reopen_requests_and_feed_tokens"),
    ]

    # Nothing to change: the merge only orders the two.
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
