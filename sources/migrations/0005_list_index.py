"""An index for the list's keyset ordering."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["title", "id"], name="source_title_keyset"),
        ),
    ]
