"""Evidence and register edits carry a version; sources get a URL key, fetches and snapshots."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sources.urlnorm import url_key


def fill_url_keys(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for source in Source.objects.only("url"):
        source.url_key = url_key(source.url)
        source.save(update_fields=["url_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="evidence",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="outlet",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="outlet",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="source",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="source",
            name="url_key",
            field=models.CharField(default="", editable=False, max_length=2000),
        ),
        migrations.RunPython(fill_url_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="source",
            name="url_key",
            field=models.CharField(editable=False, max_length=2000, unique=True),
        ),
        migrations.AddField(
            model_name="source",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.CreateModel(
            name="SourceFetch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("queued", "Queued"), ("done", "Done"), ("failed", "Failed")],
                        default="queued",
                        max_length=10,
                    ),
                ),
                (
                    "outcome",
                    models.TextField(blank=True, help_text="What was filled in, or why it failed."),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fetches",
                        to="sources.source",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="SourceSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=2000, verbose_name="URL fetched")),
                ("title", models.CharField(blank=True, max_length=500)),
                ("text", models.TextField()),
                ("sha256", models.CharField(editable=False, max_length=64, verbose_name="SHA-256")),
                ("fetched_at", models.DateTimeField(auto_now_add=True)),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshots",
                        to="sources.source",
                    ),
                ),
            ],
            options={
                "ordering": ["-fetched_at", "-pk"],
            },
        ),
    ]
