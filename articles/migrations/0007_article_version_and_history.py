"""Articles get a version for the one stale-write check, and an audit trail without their texts."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from lib.search import fulltext_index_rebuilt_on_sqlite


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_list_index"),
        ("sources", "0007_history_reasons_kept_whole"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # SQLite adds the column by rebuilding the table, which drops the search triggers.
        fulltext_index_rebuilt_on_sqlite("articles_article"),
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        fulltext_index_rebuilt_on_sqlite("articles_article"),
        migrations.CreateModel(
            name="HistoricalArticle",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=500)),
                (
                    "url",
                    models.URLField(
                        blank=True,
                        help_text="The canonical URL.",
                        max_length=2000,
                        verbose_name="URL",
                    ),
                ),
                ("authors", models.CharField(blank=True, max_length=500)),
                ("published_on", models.DateField(blank=True, null=True, verbose_name="published")),
                (
                    "language",
                    models.CharField(default="en", help_text="BCP 47 tag, e.g. en.", max_length=35),
                ),
                ("content_hash", models.CharField(db_index=True, editable=False, max_length=64)),
                ("version", models.PositiveIntegerField(db_default=1, default=1, editable=False)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "outlet",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="sources.outlet",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical article",
                "verbose_name_plural": "historical articles",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
