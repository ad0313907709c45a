"""Workflows on an article that reach its claims: revising the text re-anchors every mention."""

from dataclasses import dataclass

from django.db import transaction

from claims.models import Mention

from .extraction import normalise_text
from .models import Article, ArticleRevision


class StaleEdit(Exception):
    """The text changed after the editor opened it; saving would overwrite someone's work."""


@dataclass(frozen=True)
class RevisionOutcome:
    placed: int
    orphaned: int


@transaction.atomic
def revise_text(article: Article, new_text: str, *, base_hash: str, by) -> RevisionOutcome:
    """Keep the old text as a revision, save the new one and re-anchor every mention."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.content_hash != base_hash:
        raise StaleEdit
    new_text = normalise_text(new_text)
    ArticleRevision.objects.create(
        article=article, text=article.text, content_hash=article.content_hash, replaced_by=by
    )
    article.text = new_text
    article.save(update_fields=["text", "updated_at"])
    placed = orphaned = 0
    for mention in Mention.objects.filter(article=article, orphaned=False):
        if mention.reanchor(new_text):
            placed += 1
        else:
            orphaned += 1
        mention.save()
    return RevisionOutcome(placed=placed, orphaned=orphaned)
