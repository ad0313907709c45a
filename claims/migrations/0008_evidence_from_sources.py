"""Evidence arrives from the sources app (its tables were renamed there); its content types and
so its permissions follow it, keeping every role's rights."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ["evidence", "historicalevidence"]


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    # A fresh database may already have the new ones, with no permission granted yet.
    ContentType.objects.filter(app_label=new, model__in=MODELS).delete()
    ContentType.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "sources", "claims")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "claims", "sources")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_search"),
        ("sources", "0006_move_evidence_to_claims"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HistoricalEvidence",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "stance",
                            models.CharField(
                                choices=[
                                    ("supports", "Supports"),
                                    ("contradicts", "Contradicts"),
                                    ("context", "Context"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "excerpt",
                            models.TextField(
                                blank=True,
                                help_text="The passage of the source that bears on the claim.",
                                max_length=5000,
                            ),
                        ),
                        ("note", models.TextField(blank=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
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
                            "claim",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="claims.claim",
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
                            "source",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="sources.source",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical evidence",
                        "verbose_name_plural": "historical evidence",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="Evidence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "stance",
                            models.CharField(
                                choices=[
                                    ("supports", "Supports"),
                                    ("contradicts", "Contradicts"),
                                    ("context", "Context"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "excerpt",
                            models.TextField(
                                blank=True,
                                help_text="The passage of the source that bears on the claim.",
                                max_length=5000,
                            ),
                        ),
                        ("note", models.TextField(blank=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "added_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "claim",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="evidence",
                                to="claims.claim",
                            ),
                        ),
                        (
                            "source",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="evidence",
                                to="sources.source",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "evidence",
                        "ordering": ["stance", "source__published_on", "pk"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("claim", "source", "stance"),
                                name="evidence_once_per_claim_source_stance",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("stance__in", ["supports", "contradicts", "context"])
                                ),
                                name="evidence_stance_valid",
                            ),
                            models.CheckConstraint(
                                condition=django.db.models.lookups.LessThanOrEqual(
                                    django.db.models.functions.text.Length("excerpt"), 5000
                                ),
                                name="evidence_excerpt_length",
                            ),
                        ],
                    },
                ),
            ]
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
