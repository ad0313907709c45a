"""Mentions carry a version, like claims and evidence: a stale adjustment is refused."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_history_reasons_kept_whole"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmention",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="mention",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
