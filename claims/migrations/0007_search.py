"""What search reads for each claim, indexed for full-text search on either database."""

from django.db import migrations, models

from lib.search import fulltext_index


def fill_documents(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    for claim in Claim.objects.select_related("claimant").prefetch_related("tags", "mentions"):
        parts = [
            claim.text,
            claim.claimant.name if claim.claimant else "",
            *(tag.name for tag in claim.tags.all()),
            *(mention.quote for mention in claim.mentions.all()),
        ]
        claim.search_document = "\n".join(part for part in parts if part)
        claim.save(update_fields=["search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_list_counters_and_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="search_document",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        fulltext_index("claims_claim"),
    ]
