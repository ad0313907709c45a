"""Stored mention and evidence counts on claims, and indexes for the list's orderings."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_existing(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Mention = apps.get_model("claims", "Mention")
    Evidence = apps.get_model("sources", "Evidence")

    def count(model, **match):
        rows = model.objects.filter(claim=OuterRef("pk"), **match).order_by()
        return Subquery(rows.values("claim").annotate(n=Count("pk")).values("n")[:1])

    Claim.objects.update(
        mention_count=Coalesce(count(Mention), 0),
        evidence_count=Coalesce(count(Evidence), 0),
        supports_count=Coalesce(count(Evidence, stance="supports"), 0),
        contradicts_count=Coalesce(count(Evidence, stance="contradicts"), 0),
        context_count=Coalesce(count(Evidence, stance="context"), 0),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_history"),
        ("claims", "0005_review_workflow_and_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="context_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="contradicts_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="evidence_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="mention_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="supports_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["created_at", "id"], name="claim_created_keyset"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["evidence_count", "id"], name="claim_evidence_keyset"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["status", "created_at", "id"], name="claim_status_created"),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
