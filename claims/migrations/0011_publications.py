"""What the public reads: each published verdict kept whole, and when a claim was reopened."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_mention_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="reopened_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="reopened_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.CreateModel(
            name="Publication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveIntegerField(
                        help_text="1 for the first publication, then 2, 3…"
                    ),
                ),
                (
                    "current",
                    models.BooleanField(
                        default=True, help_text="The latest publication of its claim."
                    ),
                ),
                ("published_at", models.DateTimeField()),
                (
                    "first_published_on",
                    models.DateField(help_text="The date of the claim's first verdict."),
                ),
                ("rationale", models.TextField()),
                ("verdict_as_of", models.DateField()),
                ("claim_text", models.TextField()),
                ("claimant", models.CharField(blank=True, max_length=200)),
                ("claimant_is_person", models.BooleanField(default=True)),
                ("claimant_description", models.CharField(blank=True, max_length=300)),
                ("claimed_on", models.DateField(blank=True, null=True)),
                ("appearances", models.JSONField(default=list)),
                ("evidence", models.JSONField(default=list)),
                (
                    "changes",
                    models.TextField(
                        blank=True,
                        help_text="What changed since the previous publication, one change a line.",
                    ),
                ),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="publications",
                        to="claims.claim",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "rating",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="claims.rating",
                    ),
                ),
            ],
            options={
                "ordering": ["claim", "number"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("current", True)),
                        fields=["published_at", "id"],
                        name="publication_current_feed",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("claim", "number"), name="publication_number_unique"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("current", True)),
                        fields=("claim",),
                        name="publication_one_current",
                    ),
                ],
            },
        ),
    ]
