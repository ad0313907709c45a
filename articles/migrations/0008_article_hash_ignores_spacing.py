"""Recompute the stored text hashes now that spacing no longer counts (articles.models.text_hash).

The audit trail keeps the hashes it recorded then: it says what was stored, not what would be.
"""

import hashlib

from django.db import migrations

BATCH = 1000


def spacing_blind_hash(text: str) -> str:
    # A copy of text_hash as it is now: a migration must not change when the model code does.
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def sha256_of_exact_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rehash(model, hash_of) -> None:
    changed = []
    for row in model.objects.only("pk", "text", "content_hash").iterator(chunk_size=BATCH):
        new_hash = hash_of(row.text)
        if new_hash != row.content_hash:
            row.content_hash = new_hash
            changed.append(row)
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, ["content_hash"])
            changed = []
    model.objects.bulk_update(changed, ["content_hash"])


def forwards(apps, schema_editor):
    for name in ("Article", "ArticleRevision"):
        rehash(apps.get_model("articles", name), spacing_blind_hash)


def backwards(apps, schema_editor):
    for name in ("Article", "ArticleRevision"):
        rehash(apps.get_model("articles", name), sha256_of_exact_text)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_version_and_history"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
