"""Each article's title and text, indexed for full-text search on either database."""

from django.db import migrations, models

from lib.search import fulltext_index


def fill_documents(apps, schema_editor):
    from django.db.models import TextField, Value
    from django.db.models.functions import Concat

    Article = apps.get_model("articles", "Article")
    Article.objects.update(
        search_document=Concat("title", Value("\n"), "text", output_field=TextField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_articlefetch"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        fulltext_index("articles_article"),
    ]
