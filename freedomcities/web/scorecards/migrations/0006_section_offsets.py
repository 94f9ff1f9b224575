"""Sections keep where they sit in the document's text, so pages mark quotes by offset."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scorecards", "0005_supervised_sweeps")]

    operations = [
        migrations.AddField(
            model_name="section",
            name="start",
            field=models.PositiveIntegerField(
                blank=True, help_text="Where the section begins in the document's text", null=True
            ),
        ),
        migrations.AddField(
            model_name="section",
            name="end",
            field=models.PositiveIntegerField(
                blank=True, help_text="Where the section ends in the document's text", null=True
            ),
        ),
        migrations.AlterField(
            model_name="analysis",
            name="scorecard",
            field=models.JSONField(
                help_text="The whole scorecard as Scorecard.to_dict() gives it (see docs/json.md)"
            ),
        ),
    ]
