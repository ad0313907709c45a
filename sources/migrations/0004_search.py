"""Each source's title, URL and outlet, indexed for full-text search on either database."""

from django.db import migrations, models

from lib.search import fulltext_index


def fill_documents(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    for source in Source.objects.select_related("outlet"):
        parts = (source.title, source.url, source.outlet.name if source.outlet else "")
        source.search_document = "\n".join(part for part in parts if part)
        source.save(update_fields=["search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0003_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="search_document",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        fulltext_index("sources_source"),
    ]
