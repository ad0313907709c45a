"""An index for the list's keyset ordering."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search"),
        ("sources", "0005_list_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["created_at", "id"], name="article_created_keyset"),
        ),
    ]
