"""The stamp table, with the public data's row in place so moving it is one UPDATE."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def _first_row(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("pagecache", "Stamp").objects.create(name="public", counter=0)


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Stamp",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("counter", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(_first_row, migrations.RunPython.noop),
    ]
